"""The actors of the ledger: finding one by any name, listing them, and an actor's allies
and adversaries."""

from __future__ import annotations

import numpy as np

from detente.analysis.evidence import actor_ref
from detente.analysis.ledger import PREDICATE_NAMES, SIGN, Ledger
from detente.domain.filters import StatementFilter
from detente.ontology import find_known_actor


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
