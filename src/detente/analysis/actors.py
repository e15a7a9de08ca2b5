"""The actors of the ledger: finding one by any name, listing them, and an actor's allies
and adversaries."""

from __future__ import annotations

import unicodedata
from dataclasses import asdict
from datetime import date

import numpy as np
from rdflib import URIRef

from detente.analysis.evidence import actor_ref
from detente.analysis.ledger import PREDICATE_NAMES, SIGN, Ledger, calendar
from detente.domain.filters import StatementFilter
from detente.graph.rdf import actor_iri
from detente.ontology import find_known_actor, load_gazetteer
from detente.ontology.gazetteer import Gazetteer


def find_actor(ledger: Ledger, name: str, *, merged: bool = True) -> str | None:
    """The actor id for an id, a label (any case) or any gazetteer name, if the actor has
    live statements; None otherwise. An actor an analyst merged into another is found as
    that other (its id, label and names lead there), or, with ``merged=False``, as itself.
    O(1) (and a gazetteer lookup)."""
    degrees = ledger.degrees()

    def live(index: int | None) -> bool:
        return index is not None and index < len(degrees) and degrees[index] > 0

    def known(actor: str) -> bool:
        into = ledger.merged.get(actor)
        return live(ledger.actor(actor)) or (into is not None and live(ledger.actor(into)))

    def labelled(label: str) -> list[str]:
        return [ledger.actors.values[i] for i in ledger.labelled(label)]

    found = find_known_actor(name, known, labelled)
    return ledger.merged.get(found, found) if merged and found is not None else found


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
        **actor_curation(ledger, actor),
    }


def actor_curation(ledger: Ledger, actor: str) -> dict:
    """What analysts said of an actor: ``absorbed``, the actors merged into it (id, label,
    and the names they go by, which now lead to it), and ``notes``, its own and theirs,
    oldest first. O(merges + names of the gazetteer per actor absorbed)."""
    absorbed = ledger.absorbed(actor)
    gazetteer = load_gazetteer() if absorbed else None
    merged = []
    for other in absorbed:
        index = ledger.actor(other)
        label = ledger.actor_labels[index] if index is not None else other
        names = [label, *actor_names(gazetteer, other)["aliases"]] if gazetteer else [label]
        merged.append({"id": other, "label": label, "names": sorted(set(names))})
    notes = [
        {**asdict(note), "about": about}
        for about in (actor, *absorbed)
        for note in ledger.curation.notes.get(str(_actor_iri(about)), ())
    ]
    notes.sort(key=lambda n: (n["at"], n["act"]))
    return {"absorbed": merged, "notes": notes}


def _actor_iri(actor: str) -> URIRef:
    return URIRef(actor) if "://" in actor else actor_iri(actor)


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


def actor_roles(gazetteer: Gazetteer, actor: str) -> list[dict]:
    """The roles with dates the gazetteer knows of an actor: for an actor others speak for
    (a state, a government), the people who stood for it and when (``person``, ``since``,
    ``until``; ``until`` null while in office); for a person, the actors it stood for and
    when (``for``, ``since``, ``until``). One row per term: the spellings of a surname whose
    terms overlap are one person in one term ("Vladimir Putin", "President Putin"), shown
    by a first name and surname; the same surname in terms apart (Bill and Hillary Clinton,
    or one person's two terms) is two rows. In office first, then the latest.
    O(names of the gazetteer + t log t for its t terms)."""
    terms: dict[tuple[str, str], list[tuple[date, date, str]]] = {}
    own = {
        name
        for name, readings in gazetteer.readings.items()
        if any(r.actor == actor and str(r.via) == "person" for r in readings)
    }
    for name, readings in gazetteer.readings.items():
        for r in readings:
            if str(r.via) != "leader":
                continue
            if r.actor == actor and " " in name:  # a person who stood for this actor
                key = ("person", _folded(name.split()[-1]))
            elif name in own:  # this person, standing for another actor
                key = ("for", r.actor)
            else:
                continue
            terms.setdefault(key, []).append((r.since or date.min, r.until or date.max, name))
    out = []
    for (kind, who), found in terms.items():
        found.sort()
        runs: list[list] = []  # [since, until, names], overlapping terms joined
        for since, until, name in found:
            if runs and since <= runs[-1][1]:
                runs[-1][1] = max(runs[-1][1], until)
                runs[-1][2].append(name)
            else:
                runs.append([since, until, [name]])
        for since, until, names in runs:
            row: dict[str, object] = {
                "since": since.isoformat() if since != date.min else None,
                "until": until.isoformat() if until != date.max else None,
            }
            if kind == "person":
                row["person"] = min(names, key=_display_rank)
            else:
                entry = gazetteer.actors.get(who)
                row["for"] = {"id": who, "label": entry.label if entry else who}
            out.append(row)
    return sorted(
        out,
        key=lambda r: (r["until"] is None, r["until"] or "", r["since"] or ""),
        reverse=True,
    )


def partners_over_time(ledger: Ledger, actor: str) -> dict:
    """An actor's partners by stance, year by year: per year with dated statements, the
    actors whose statements with it that year net to alignment (``allies``) and to
    opposition (``adversaries``), by the views' vote (Goldstein weight, a verbal act at
    half, times confidence), each with its statements that year, most first; and how many
    of its statements no text dates (``undated``). Vectorised, O(n log n) for its n
    statements."""
    me = ledger.actor(actor)
    if me is None:
        raise KeyError(actor)
    rows = ledger.select(StatementFilter(actor=actor))
    s, o = ledger.column("subject")[rows], ledger.column("object")[rows]
    keep = s != o
    rows, s, o = rows[keep], s[keep], o[keep]
    other = np.where(s == me, o, s).astype(np.int64)
    day = ledger.column("day")[rows]
    dated = day > 0
    years = calendar(day[dated], "Y").astype(np.int64) + 1970  # numpy years count from 1970
    other = other[dated]
    vote = ledger.votes(rows)[dated]
    span = len(ledger.actors)
    keys, inverse, counts = np.unique(years * span + other, return_inverse=True, return_counts=True)
    net = np.bincount(inverse, weights=vote, minlength=len(keys))
    by_year: dict[int, dict[str, list[dict]]] = {}
    for key, n, total in zip(keys.tolist(), counts.tolist(), net.tolist(), strict=True):
        if total == 0:
            continue
        year, partner = divmod(key, span)
        side = "allies" if total > 0 else "adversaries"
        entry = {**actor_ref(ledger, partner), "statements": n}
        by_year.setdefault(year, {"allies": [], "adversaries": []})[side].append(entry)
    periods = []
    for year in sorted(by_year):
        sides = by_year[year]
        for partners in sides.values():
            partners.sort(key=lambda r: (-r["statements"], r["label"]))
        periods.append({"period": str(year), **sides})
    return {"periods": periods, "undated": int((~dated).sum())}
