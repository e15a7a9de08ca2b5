"""What an analyst can say about what detente extracted: a statement is wrong or
confirmed, an actor is hidden. Each act names who made it, when and why, and can be taken
back; the acts are data (RDF, see :mod:`detente.graph.curation`) that every answer reads."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Verdict(str, Enum):
    """An analyst's verdict. ``wrong`` and ``confirmed`` are about one statement; ``hidden``
    is about an actor (noise such as "civilians", or one an analyst does not want drawn).
    A wrong statement and every statement of a hidden actor leave every answer; a confirmed
    one stays and is exported as a positive example."""

    wrong = "wrong"
    confirmed = "confirmed"
    hidden = "hidden"

    @property
    def about_statements(self) -> bool:
        return self is not Verdict.hidden


@dataclass(frozen=True)
class CurationAct:
    """One act of curation. ``target`` is the statement's or the actor's IRI;
    ``retracted_at`` / ``retracted_by`` say when and by whom it was taken back (a retracted
    act is kept, as history, and no longer applies)."""

    id: str
    verdict: Verdict
    target: str
    curator: str
    at: str  # ISO 8601, UTC
    why: str | None = None
    retracted_at: str | None = None
    retracted_by: str | None = None

    @property
    def applies(self) -> bool:
        return self.retracted_at is None


@dataclass(frozen=True)
class Withheld:
    """What curation takes out of every answer: statement IRIs marked wrong, and actor
    ids hidden."""

    statements: frozenset[str] = frozenset()
    actors: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.statements or self.actors)
