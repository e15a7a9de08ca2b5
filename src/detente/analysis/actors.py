"""The actors of the ledger: finding one by any name, listing them, and an actor's allies
and adversaries."""

from __future__ import annotations

import unicodedata

import numpy as np

from detente.analysis.evidence import actor_ref
from detente.analysis.ledger import PREDICATE_NAMES, SIGN, Ledger
from detente.domain.filters import StatementFilter
from detente.ontology import find_known_actor
from detente.ontology.gazetteer import Gazetteer


def find_actor(ledger: Ledger, name: str) -> str | None:
    """The actor id for an id, a label (any case) or any gazetteer name, if the actor has
    live statements; None otherwise. O(1) (and a gazetteer lookup)."""
    degrees = ledger.degrees()

    def live(index: int | None) -> bool:
        return index is not None and index < len(degrees) and degrees[index] > 0

    def labelled(label: str) -> list[str]:
        return [ledger.actors.values[i] for i in ledger.labelled(label)]

    return find_known_actor(name, lambda actor: live(ledger.actor(actor)), labelled)


def actor_summaries(ledger: Ledger, query: str | None = None) -> list[dict]:
    """Actors with live statements, most active first (then by label); ``query`` keeps
    those whose label or id contains it (any case). O(actors log actors)."""
    degrees = ledger.degrees()
    wanted = query.casefold() if query else None
    found: list[dict] = [
        {
            "id": ledger.actors.values[i],
            "label": ledger.actor_labels[i],
            "type": ledger.actor_types[i],
            "statements": int(degrees[i]),
        }
        for i in np.flatnonzero(degrees)
        if wanted is None
        or wanted in ledger.actor_labels[i].casefold()
        or wanted in ledger.actors.values[i].casefold()
    ]
    found.sort(key=lambda a: (-a["statements"], a["label"]))
    return found


def actor_partners(ledger: Ledger, actor: str) -> dict:
    """An actor's label, type, statement count, and its allies and adversaries, each with
    the number of statements and the predicates between them. O(its statements)."""
    me = ledger.actor(actor)
    if me is None:
        raise KeyError(actor)
    rows = ledger.select(StatementFilter(actor=actor))
    s, o = ledger.column("subject")[rows], ledger.column("object")[rows]
    p = ledger.column("predicate")[rows]
    partners: dict[str, dict[int, list[str]]] = {"alignment": {}, "opposition": {}}
    for subject, obj, predicate in zip(s.tolist(), o.tolist(), p.tolist(), strict=True):
        other = obj if subject == me else subject
        if other == me:
            continue
        side = "alignment" if SIGN[predicate] > 0 else "opposition"
        partners[side].setdefault(other, []).append(PREDICATE_NAMES[predicate])

    def ranked(found: dict[int, list[str]]) -> list[dict]:
        rows = [
            {
                **actor_ref(ledger, other),
                "evidence_count": len(names),
                "predicates": sorted(set(names)),
            }
            for other, names in found.items()
        ]
        return sorted(rows, key=lambda r: (-r["evidence_count"], r["label"]))

    return {
        "id": actor,
        "label": ledger.actor_labels[me],
        "type": ledger.actor_types[me],
        "statements": int((s == me).sum() + (o == me).sum()),
        "allies": ranked(partners["alignment"]),
        "adversaries": ranked(partners["opposition"]),
    }


# How the gazetteer reads a name as the actor itself, not as one of its people.
_OWN_NAMES = ("name", "demonym", "capital", "metonym")


def actor_names(gazetteer: Gazetteer, actor: str) -> dict:
    """An actor's names for display: ``aliases``, the names of the actor itself (its
    names, demonyms, capital, the bodies that stand for it), and ``leaders``, its people in
    office now, each once by the shortest full name ("Vladimir Putin", not also "Putin" or
    "Russian President Vladimir Putin"); ``names_known`` counts every name the gazetteer
    reads as the actor (past leaders and every variant included), which the extractor
    still uses. O(names of the gazetteer)."""
    own: set[str] = set()
    people: set[str] = set()
    known = 0
    for name, readings in gazetteer.readings.items():
        mine = [r for r in readings if r.actor == actor]
        if not mine:
            continue
        known += 1
        if any(str(r.via) in _OWN_NAMES for r in mine):
            own.add(name)
        elif any(str(r.via) == "leader" and r.until is None for r in mine) and " " in name:
            people.add(name)
    # One name per person: the gazetteer spells people many ways ("Sergei"/"Sergey
    # Lavrov", "Vladimir V. Putin", "President Putin"); names that share a surname (its
    # letters, accents folded) are one person, shown by a first name and surname.
    by_surname: dict[str, list[str]] = {}
    for name in people:
        by_surname.setdefault(_folded(name.split()[-1]), []).append(name)
    leaders = sorted(min(names, key=_display_rank) for names in by_surname.values())
    return {"aliases": sorted(own), "leaders": leaders, "names_known": known}


_TITLES = frozenset(
    [
        "president",
        "prime",
        "minister",
        "foreign",
        "defence",
        "defense",
        "general",
        "king",
        "emir",
        "crown",
        "prince",
        "chancellor",
        "supreme",
        "leader",
        "secretary",
        "spokesman",
        "spokeswoman",
        "chief",
    ]
)


def _folded(word: str) -> str:
    """A word without accents or case, for telling spellings of one name apart."""
    decomposed = unicodedata.normalize("NFKD", word.replace("ı", "i"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _display_rank(name: str) -> tuple:
    """Which spelling of a person to show: no title first, then two words (a first name
    and a surname, without initials), then the shortest, then in order."""
    words = name.split()
    titled = words[0].casefold() in _TITLES
    return (titled, len(words) != 2, any(w.endswith(".") for w in words), len(name), name)
