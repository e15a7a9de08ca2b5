"""Who backs whom: aggregated relations over the ledger, as
:func:`detente.analysis.multigraph.who_backs_whom` answers over a networkx view."""

from __future__ import annotations

import numpy as np

from detente.analysis.evidence import EvidenceReader, actor_ref, evidence_of
from detente.analysis.ledger import PREDICATE_NAMES, SIGN, Ledger
from detente.domain.filters import StatementFilter

WHO_BACKS_WHOM = StatementFilter(predicates=("backs",))


def relation_rows(
    ledger: Ledger,
    evidence: EvidenceReader,
    where: StatementFilter = WHO_BACKS_WHOM,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict]:
    """Aggregated relations, as :func:`detente.analysis.multigraph.who_backs_whom`: one row per
    (subject, predicate, object), most evidenced first, then by subject label, predicate
    and object label. Rows are tallied with vectorised grouping over the matching
    statements (O(n log n) for n of them), and evidence is read for the rows returned."""
    rows = ledger.select(where)
    if not len(rows):
        return []
    n_actors, n_predicates = len(ledger.actors), len(PREDICATE_NAMES)
    s = ledger.column("subject")[rows].astype(np.int64)
    p = ledger.column("predicate")[rows].astype(np.int64)
    o = ledger.column("object")[rows].astype(np.int64)
    groups, inverse, counts = np.unique(
        (s * n_predicates + p) * n_actors + o, return_inverse=True, return_counts=True
    )
    gs, go = groups // (n_predicates * n_actors), groups % n_actors
    gp = (groups // n_actors) % n_predicates
    rank = ledger.rank()
    order = np.lexsort((rank[go], gp, rank[gs], -counts))
    chosen = order[offset : None if limit is None else offset + limit]
    if not len(chosen):
        return []
    place = np.full(len(groups), -1, dtype=np.int64)
    place[chosen] = np.arange(len(chosen))
    member_place = place[inverse]
    members = rows[member_place >= 0]
    member_place = member_place[member_place >= 0]
    order = np.lexsort((ledger.iri_keys(members), ledger.column("day")[members], member_place))
    members = members[order]
    bounds = np.searchsorted(member_place[order], np.arange(len(chosen) + 1))
    sentences = evidence(ledger.iris(members))
    day, when = ledger.column("day"), ledger.column("when")
    confidence = ledger.column("confidence")
    out = []
    for i, group in enumerate(chosen):
        found = members[bounds[i] : bounds[i + 1]]
        dated = found[day[found] > 0]
        listed = evidence_of(ledger, found, sentences)
        out.append(
            {
                "subject": actor_ref(ledger, int(gs[group])),
                "predicate": PREDICATE_NAMES[gp[group]],
                "polarity": "alignment" if SIGN[gp[group]] > 0 else "opposition",
                "object": actor_ref(ledger, int(go[group])),
                "evidence_count": int(counts[group]),
                "first_date": ledger.whens.values[when[dated[0]]] if len(dated) else None,
                "last_date": ledger.whens.values[when[dated[-1]]] if len(dated) else None,
                "confidence": float(confidence[found].max()),
                "documents": list(dict.fromkeys(e["document"] for e in listed)),
                "evidence": listed,
            }
        )
    return out
