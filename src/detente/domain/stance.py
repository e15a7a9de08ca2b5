"""How a statement stands: its polarity and its modality, as the ontology names them."""

from __future__ import annotations

from enum import Enum


class _Term(str, Enum):
    """A term of the vocabulary: it is its name wherever text is made of it (str(),
    f-strings, rdflib literals), as :class:`enum.StrEnum` is from Python 3.11 on."""

    __str__ = str.__str__
    __format__ = str.__format__


class Polarity(_Term):
    """Which way a relation leans: with the other actor (backs, aids, allies with) or
    against it (fights, sanctions, condemns). Also the kind of a chain of relations."""

    alignment = "alignment"
    opposition = "opposition"


class Modality(_Term):
    """Whether the text states the relation, reports someone's claim of it, or supposes it
    (a threat, a condition, a plan)."""

    asserted = "asserted"
    reported = "reported"
    hypothetical = "hypothetical"
