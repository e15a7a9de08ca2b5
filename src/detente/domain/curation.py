"""What an analyst can say about what detente extracted: a statement is wrong or
confirmed; an actor is hidden, or merged into another (one actor written several ways); a
note is attached to an actor or a statement. Each act names who made it, when and why, and
can be taken back; the acts are data (RDF, see :mod:`detente.graph.curation`) that every
answer reads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum


class Verdict(str, Enum):
    """An analyst's act. ``wrong`` and ``confirmed`` are about one statement; ``hidden``
    and ``merged`` about an actor (noise such as "civilians", or one an analyst does not
    want drawn; one actor the extractor read as two, "Kurds" and "Kurdish forces");
    ``noted`` attaches a note (the act's ``why``) to an actor or a statement.

    A wrong statement and every statement of a hidden actor leave every answer; a confirmed
    one stays and is exported as a positive example; a merged actor's statements are read
    as the actor it was merged into; a note changes no count."""

    wrong = "wrong"
    confirmed = "confirmed"
    hidden = "hidden"
    merged = "merged"
    noted = "noted"

    @property
    def about_statements(self) -> bool:
        """A verdict on one statement: wrong or confirmed (a note on a statement is not)."""
        return self in (Verdict.wrong, Verdict.confirmed)


@dataclass(frozen=True)
class CurationAct:
    """One act of curation. ``target`` is the statement's or the actor's IRI; ``into``,
    for a merge, the IRI of the actor the target becomes; ``why`` the reason (for a note,
    the note itself); ``retracted_at`` / ``retracted_by`` say when and by whom it was taken
    back (a retracted act is kept, as history, and no longer applies)."""

    id: str
    verdict: Verdict
    target: str
    curator: str
    at: str  # ISO 8601, UTC
    why: str | None = None
    retracted_at: str | None = None
    retracted_by: str | None = None
    into: str | None = None

    @property
    def applies(self) -> bool:
        return self.retracted_at is None


@dataclass(frozen=True)
class Note:
    """A note in force on an actor or a statement: the act that made it, its text, who
    wrote it and when."""

    act: str
    text: str
    curator: str
    at: str


@dataclass(frozen=True)
class Withheld:
    """What the acts in force change in every answer: statement IRIs marked wrong, actor
    ids hidden, actor ids merged (each to the id it finally becomes: a chain A into B into
    C resolved to C), and the notes by target IRI (oldest first; they change no count)."""

    statements: frozenset[str] = frozenset()
    actors: frozenset[str] = frozenset()
    merged: Mapping[str, str] = field(default_factory=dict, hash=False)
    notes: Mapping[str, tuple[Note, ...]] = field(default_factory=dict, hash=False)

    def __bool__(self) -> bool:
        """Whether any statement's row changes (notes change none)."""
        return bool(self.statements or self.actors or self.merged)


def resolve_merges(merges: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each merged actor's final actor, from (merged, into) pairs oldest first: a chain
    A into B, B into C gives A and B to C. An actor merged already keeps its first merge,
    and a merge that would close a cycle (B into A after A into B) is ignored: both are
    refused when made, and only concurrent writers can leave them in the store.
    O(merges x chain length)."""
    parent: dict[str, str] = {}

    def root(actor: str) -> str:
        seen = set()
        while actor in parent and actor not in seen:
            seen.add(actor)
            actor = parent[actor]
        return actor

    for merged, into in merges:
        if merged in parent or merged == into or root(into) == merged:
            continue
        parent[merged] = into
    return {actor: root(actor) for actor in parent}
