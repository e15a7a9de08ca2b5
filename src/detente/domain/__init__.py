"""The domain model every layer shares: relation records and the actors in them, articles
and document ids, polarity and modality, how a mention names its actor, partial dates,
and the filter every question reads. Defined once here, at the ground floor; it imports
nothing of detente but the error tree."""

from detente.domain.curation import CurationAct, Verdict, Withheld
from detente.domain.dates import PartialDate, first_day
from detente.domain.documents import Article, content_source, document_id, outlet
from detente.domain.filters import StatementFilter
from detente.domain.mentions import Via
from detente.domain.records import ActorRef, Relation, TextSpan
from detente.domain.stance import Modality, Polarity, QuadClass

__all__ = [
    "ActorRef",
    "Article",
    "CurationAct",
    "Modality",
    "PartialDate",
    "Polarity",
    "QuadClass",
    "Relation",
    "StatementFilter",
    "TextSpan",
    "Verdict",
    "Via",
    "Withheld",
    "content_source",
    "document_id",
    "first_day",
    "outlet",
]
