"""What a curation act is about, named as a user names it: a statement by its IRI, an
actor by its id or any name the graph knows it by (see :mod:`detente.graph.curation`)."""

from __future__ import annotations

from detente.analysis.ledger import Ledger
from detente.analysis.suggestions import require_actor
from detente.domain.curation import Verdict
from detente.errors import UnknownNameError
from detente.graph import KnowledgeStore, actor_iri
from detente.graph.curation import statement_exists


def curation_target(store: KnowledgeStore, ledger: Ledger, verdict: Verdict, target: str) -> str:
    """The IRI an act with ``verdict`` about ``target`` is recorded against: a statement
    of the store for ``wrong`` and ``confirmed``, a live actor for ``hidden``; else an
    :class:`~detente.errors.UnknownNameError` (offering the nearest actors)."""
    if verdict.about_statements:
        if not statement_exists(store, target):
            raise UnknownNameError("statement", target)
        return target
    return str(actor_iri(require_actor(ledger, target)))
