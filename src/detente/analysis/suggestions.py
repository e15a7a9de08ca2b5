"""Search suggestions across actors and theatres, by any name the gazetteer knows.

Typing "Kreml" should offer Russia, and "Erdo" Turkey: an actor is found by its label, its
id and every alias, demonym, capital or leader the gazetteer reads as it. Only actors and
theatres with live statements are offered. A name that matches nothing is read as a
misspelling: "Rusia" offers Russia and "Lybia" Libya, by edit distance (optimal string
alignment, which counts a swap of two neighbouring letters once), computed by RapidFuzz.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field, replace

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from detente.analysis.actors import find_actor
from detente.analysis.ledger import Ledger
from detente.domain import Via
from detente.domain.filters import StatementFilter
from detente.errors import UnknownNameError
from detente.ontology import load_gazetteer

_WORD_START = re.compile(r"(?:^|[\s\-'(/.])(\w)")


@dataclass(frozen=True)
class Entry:
    folded: str  # the name, casefolded
    starts: tuple[int, ...]  # where its words start
    kind: str  # "actor" | "theatre"
    id: str  # the actor id, or the theatre label
    label: str
    name: str  # the name that matched
    via: str  # how the name matched: a gazetteer reading (Via), "label", "id" or "theatre"
    weight: int  # statements about it
    standing: int  # 0: a name of the actor itself; 1: its leader now; 2: a person, or a past leader


def _entry(
    name: str, kind: str, key: str, label: str, via: str, weight: int, standing: int = 0
) -> Entry:
    folded = name.casefold()
    starts = tuple(m.start(1) for m in _WORD_START.finditer(folded))
    return Entry(folded, starts, kind, key, label, name, via, weight, standing)


@functools.cache
def _gazetteer_entries() -> tuple[Entry, ...]:
    """Every gazetteer name of an actor, once per process (the gazetteer does not change);
    label and weight are filled in per ledger."""
    entries = []
    for name, readings in load_gazetteer().readings.items():
        for reading in readings:
            standing = 0
            if reading.via in (Via.leader, Via.person):
                standing = 1 if reading.via == Via.leader and reading.until is None else 2
            entries.append(_entry(name, "actor", reading.actor, "", reading.via, 0, standing))
    return tuple(entries)


def warm_suggestions() -> None:
    """Read the gazetteer's names now, so that the first suggestion does not wait."""
    _gazetteer_entries()


@dataclass(frozen=True)
class SuggestionIndex:
    """The names to search, for one state of the ledger."""

    own: list[Entry]  # live actors' labels and ids, and theatres
    live: dict[str, tuple[str, int]]  # live actor id -> (label, statements)
    merged: dict[str, str] = field(default_factory=dict)  # merged actor id -> its survivor


def suggestion_index(ledger: Ledger) -> SuggestionIndex:
    """The live actors and theatres of ``ledger``: O(actors + theatres); the gazetteer's
    names are read once per process and joined when searching. An actor merged into
    another is offered, by its label, id and gazetteer names, as that other."""
    degrees = ledger.degrees()
    own: list[Entry] = []
    live: dict[str, tuple[str, int]] = {}
    for index in np.flatnonzero(degrees > 0).tolist():
        actor, label = ledger.actors.values[index], ledger.actor_labels[index]
        weight = int(degrees[index])
        live[actor] = (label, weight)
        own.append(_entry(label, "actor", actor, label, "label", weight))
        # An id is a name people type for gazetteer actors ("TUR"); an entity outside the
        # gazetteer has an id made from its text ("x:s-400"), which nobody types.
        if actor.casefold() != label.casefold() and not actor.startswith("x:"):
            own.append(_entry(actor, "actor", actor, label, "id", weight))
    for actor, into in ledger.merged.items():
        merged, survivor = ledger.actor(actor), live.get(into)
        if merged is None or survivor is None:
            continue
        label, weight = survivor
        name = ledger.actor_labels[merged]
        own.append(_entry(name, "actor", into, label, "merged", weight))
        if not actor.startswith("x:") and actor.casefold() != name.casefold():
            own.append(_entry(actor, "actor", into, label, "merged", weight))
    theatre = ledger.column("theatre")
    counts = np.bincount(
        theatre[ledger.column("alive") & (theatre >= 0)], minlength=len(ledger.theatre_labels)
    )
    for index in np.flatnonzero(counts).tolist():
        label = ledger.theatre_labels[index]
        own.append(_entry(label, "theatre", label, label, "theatre", int(counts[index])))
    return SuggestionIndex(own, live, dict(ledger.merged))


def suggest(index: SuggestionIndex, text: str, *, limit: int = 8) -> list[dict]:
    """The best ``limit`` actors and theatres for what was typed: names starting with it
    first, then names with a word starting with it, then names containing it (three
    letters typed at least); within each, the actor's own names before its officials', the
    most evidenced first. One suggestion per actor or theatre. O(names)."""
    wanted = " ".join(text.split()).casefold()
    if not wanted:
        return []
    best: dict[tuple[str, str], tuple[tuple, Entry]] = {}
    for entry in itertools.chain(index.own, _gazetteer_entries()):
        at = entry.folded.find(wanted)
        if at < 0:
            continue
        if at == 0:
            grade = 0
        elif any(entry.folded.startswith(wanted, start) for start in entry.starts):
            grade = 1  # "as" finds Bashar al-Assad by his last name
        else:
            grade = 2
        if grade == 2 and len(wanted) < 3:  # "x" inside any name is noise
            continue
        if not entry.label:  # a gazetteer name: of a live actor, not its own label
            actor = index.merged.get(entry.id, entry.id)
            found = index.live.get(actor)
            if found is None or found[0].casefold() == entry.folded:
                continue
            entry = replace(entry, id=actor, label=found[0], weight=found[1])
        # Names of the actor itself before its officials', its own label first: "Tur"
        # says Turkey before a minister whose name starts so.
        key: tuple = (
            grade,
            entry.standing,
            -entry.weight,
            entry.via != "label",
            len(entry.folded),
            entry.label,
        )
        seen = best.get((entry.kind, entry.id))
        if seen is None or key < seen[0]:
            best[(entry.kind, entry.id)] = (key, entry)
    if not best:  # nothing holds what was typed: read it as a misspelling
        for distance, entry in _misspelt(index, wanted):
            key = (3, distance, entry.standing, -entry.weight, entry.label)
            seen = best.get((entry.kind, entry.id))
            if seen is None or key < seen[0]:
                best[(entry.kind, entry.id)] = (key, entry)
    ranked = sorted(best.values(), key=lambda item: (item[0], item[1].kind, item[1].id))
    return [
        {
            "kind": entry.kind,
            "id": entry.id,
            "label": entry.label,
            "matched": entry.name,
            "via": entry.via,
            "statements": entry.weight,
        }
        for _, entry in ranked[:limit]
    ]


def _allowed_edits(length: int) -> int:
    """Edits a misspelling of a name this long may hold: none below four letters (any
    short name is one edit from many), one up to four, two from five ("Lybia"), three
    from ten."""
    return 0 if length < 4 else 1 if length == 4 else 2 if length < 10 else 3


def _misspelt(index: SuggestionIndex, wanted: str) -> list[tuple[int, Entry]]:
    """(edits, entry) for each live name within the allowed edits of ``wanted``, the gazetteer's
    names filled in with their live actor's label and weight. O(names x length^2), in C."""
    edits = _allowed_edits(len(wanted))
    if not edits:
        return []
    entries: list[Entry] = []
    for entry in itertools.chain(index.own, _gazetteer_entries()):
        if abs(len(entry.folded) - len(wanted)) > edits:
            continue
        if not entry.label:
            actor = index.merged.get(entry.id, entry.id)
            found = index.live.get(actor)
            if found is None:
                continue
            entry = replace(entry, id=actor, label=found[0], weight=found[1])
        entries.append(entry)
    matches = process.extract(
        wanted,
        [e.folded for e in entries],
        scorer=OSA.distance,
        score_cutoff=edits,
        limit=None,
    )
    # A short name is near anything: "usa" is two edits from "rusia". The shorter of the
    # two decides how many edits may separate them.
    return [
        (int(distance), entries[at])
        for _, distance, at in matches
        if distance <= _allowed_edits(min(len(wanted), len(entries[at].folded)))
    ]


def nearest(index: SuggestionIndex, name: str, *, kind: str, limit: int = 3) -> list[str]:
    """The labels of the ``limit`` live actors (or theatres) whose names are nearest to
    ``name``: what "did you mean" offers for a name the graph does not hold."""
    found = [s for s in suggest(index, name, limit=4 * limit) if s["kind"] == kind]
    labels: list[str] = []
    for suggestion in found:
        if suggestion["label"] not in labels:
            labels.append(suggestion["label"])
    return labels[:limit]


def known_theatre(ledger: Ledger, name: str) -> str | None:
    """The label of the theatre ``name`` names (any case, any spacing), if the ledger has
    live statements about it: a theatre whose documents were all removed is as unknown as
    one never seen, before a rebuild of the ledger as after it. O(rows of the theatre)."""
    label = " ".join(name.split())
    found = ledger.theatres.ids.get(label.casefold())
    if found is None or not len(ledger.select(StatementFilter(theatre=label))):
        return None
    return ledger.theatre_labels[found]


def unknown_name(kind: str, name: str, index: SuggestionIndex) -> UnknownNameError:
    """The error for an actor or theatre (``kind``) the graph does not hold, offering the
    nearest names it does."""
    return UnknownNameError(kind, name, nearest(index, name, kind=kind))


def require_actor(ledger: Ledger, name: str) -> str:
    """The id of the live actor ``name`` names (id, label or any gazetteer name); else an
    :class:`~detente.errors.UnknownNameError` that offers the nearest names."""
    found = find_actor(ledger, name)
    if found is None:
        raise unknown_name("actor", name, suggestion_index(ledger))
    return found


def require_theatre(ledger: Ledger, name: str) -> str:
    """The label of the theatre ``name`` names; else an
    :class:`~detente.errors.UnknownNameError` that offers the nearest theatres."""
    found = known_theatre(ledger, name)
    if found is None:
        raise unknown_name("theatre", name, suggestion_index(ledger))
    return found
