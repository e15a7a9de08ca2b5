"""What a curation act is about, named as a user names it: a statement by its IRI, an
actor by its id or any name the graph knows it by (see :mod:`detente.graph.curation`);
and whether the act can be made in the state the curation is in."""

from __future__ import annotations

from detente.analysis.actors import find_actor
from detente.analysis.ledger import Ledger
from detente.analysis.suggestions import require_actor, suggestion_index, unknown_name
from detente.domain.curation import Verdict
from detente.errors import CurationConflict, DetenteError, UnknownNameError
from detente.graph import KnowledgeStore, actor_iri
from detente.graph.curation import statement_exists
from detente.graph.rdf import REL


def curation_target(store: KnowledgeStore, ledger: Ledger, verdict: Verdict, target: str) -> str:
    """The IRI an act with ``verdict`` about ``target`` is recorded against: a statement
    of the store for ``wrong`` and ``confirmed``, a live actor for ``hidden``, either for
    ``noted`` (an IRI of detente's statements is read as one); else an
    :class:`~detente.errors.UnknownNameError` (offering the nearest actors). A note on an
    actor merged into another is on that other; hiding one is a
    :class:`~detente.errors.CurationConflict` (it would hide the other)."""
    if verdict.about_statements or (verdict is Verdict.noted and target.startswith(str(REL))):
        if not statement_exists(store, target):
            raise UnknownNameError("statement", target)
        return target
    if verdict is Verdict.hidden:
        merged = find_actor(ledger, target, merged=False)
        if merged in ledger.merged:
            raise CurationConflict(
                f"{merged!r} was merged into {ledger.merged[merged]!r}: hide that actor, or "
                "take the merge back first"
            )
    return str(actor_iri(require_actor(ledger, target)))


def merge_targets(ledger: Ledger, target: str, into: str) -> tuple[str, str]:
    """The IRIs of the actor ``target`` names and of the actor it is to become, ``into``
    (an actor merged already stands for the one it was merged into: a chain resolves to
    its end). Unknown names are an :class:`~detente.errors.UnknownNameError`; merging an
    actor into itself, one merged already, or into one merged into it (a cycle) a
    :class:`~detente.errors.CurationConflict`."""
    merged = find_actor(ledger, target, merged=False)  # the actor itself, merged or not
    if merged is None:
        raise unknown_name("actor", target, suggestion_index(ledger))
    if merged in ledger.merged:
        raise CurationConflict(
            f"{merged!r} was merged into {ledger.merged[merged]!r} already: take that act "
            f"back first, or merge {ledger.merged[merged]!r}"
        )
    survivor = require_actor(ledger, into)
    if survivor == merged:
        named = find_actor(ledger, into, merged=False)
        if named != merged:
            raise CurationConflict(
                f"{named!r} was merged into {merged!r}: merging {merged!r} into it would "
                "make a cycle"
            )
        raise CurationConflict(f"cannot merge {merged!r} into itself")
    return str(actor_iri(merged)), str(actor_iri(survivor))


def prepare(
    store: KnowledgeStore,
    ledger: Ledger,
    verdict: Verdict,
    target: str,
    why: str | None = None,
    into: str | None = None,
) -> tuple[str, str | None]:
    """The IRIs an act is recorded with, (target, into), checked against the store and the
    ledger's state: ``into`` is for a merge only, and a merge needs it; a note needs its
    text (``why``)."""
    if verdict is Verdict.merged:
        if not into:
            raise DetenteError("a merge needs the actor to merge into (into)")
        return merge_targets(ledger, target, into)
    if into:
        raise DetenteError(f"into is for a merge only, not for {verdict.value!r}")
    if verdict is Verdict.noted and not (why and why.strip()):
        raise DetenteError("a note needs its text (why)")
    return curation_target(store, ledger, verdict, target), None
