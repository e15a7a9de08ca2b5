"""Who backs whom: aggregated relations over the ledger, as
:func:`detente.analysis.multigraph.who_backs_whom` answers over a networkx view."""

from __future__ import annotations

from collections import Counter

import numpy as np

from detente.analysis.evidence import EvidenceReader, Source, actor_ref, evidence_of
from detente.analysis.ledger import PREDICATE_NAMES, QUAD_CLASS, SIGN, Ledger
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
    rows, groups, inverse, counts = _groups(ledger, where, by_predicate=True)
    n_actors, n_predicates = len(ledger.actors), len(PREDICATE_NAMES)
    pairs, gp = groups // n_predicates, groups % n_predicates
    gs, go = pairs // n_actors, pairs % n_actors
    rank = ledger.rank()
    order = np.lexsort((rank[go], gp, rank[gs], -counts))
    chosen = order[offset : None if limit is None else offset + limit]
    if not len(chosen):
        return []
    members, bounds = _members(ledger, rows, inverse, chosen, len(groups))
    sentences = evidence(ledger.iris(members))
    out = []
    for i, group in enumerate(chosen):
        found = members[bounds[i] : bounds[i + 1]]
        out.append(
            {
                "subject": actor_ref(ledger, int(gs[group])),
                "predicate": PREDICATE_NAMES[gp[group]],
                "polarity": "alignment" if SIGN[gp[group]] > 0 else "opposition",
                "quad_class": QUAD_CLASS[gp[group]],
                "object": actor_ref(ledger, int(go[group])),
                **_statements(ledger, found, sentences),
            }
        )
    return out


def _statements(ledger: Ledger, found: np.ndarray, sentences: dict[str, Source]) -> dict:
    """What a row says of the statements ``found`` behind it (by date): how many, the first
    and last date the text gave, the highest confidence, the documents and the evidence."""
    day, when = ledger.column("day"), ledger.column("when")
    dated = found[day[found] > 0]
    listed = evidence_of(ledger, found, sentences)
    return {
        "evidence_count": len(found),
        "first_date": ledger.whens.values[when[dated[0]]] if len(dated) else None,
        "last_date": ledger.whens.values[when[dated[-1]]] if len(dated) else None,
        "confidence": float(ledger.column("confidence")[found].max()),
        "documents": list(dict.fromkeys(e["document"] for e in listed)),
        "evidence": listed,
    }


def _groups(ledger: Ledger, where: StatementFilter, *, by_predicate: bool) -> tuple:
    """The statements ``where`` lets through grouped by (subject, predicate, object), or by
    (subject, object): (rows, group keys, each row's group, each group's statements)."""
    rows = ledger.select(where)
    key = ledger.column("subject")[rows].astype(np.int64) * len(ledger.actors)
    key += ledger.column("object")[rows]
    if by_predicate:
        key = key * len(PREDICATE_NAMES) + ledger.column("predicate")[rows]
    groups, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    return rows, groups, inverse, counts


def _members(
    ledger: Ledger, rows: np.ndarray, inverse: np.ndarray, chosen: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """The statements of the ``chosen`` groups (of ``rows``, grouped by ``inverse``), group
    by group in ``chosen`` order, each group's by date then IRI: (statements, bounds), group
    i being ``statements[bounds[i]:bounds[i + 1]]``. Only the chosen groups are sorted: a
    whole graph has about as many groups as rows."""
    place = np.full(n_groups, -1, dtype=np.int64)
    place[chosen] = np.arange(len(chosen))
    member_place = place[inverse]
    members = rows[member_place >= 0]
    member_place = member_place[member_place >= 0]
    order = np.lexsort((ledger.iri_keys(members), ledger.column("day")[members], member_place))
    return members[order], np.searchsorted(member_place[order], np.arange(len(chosen) + 1))


def relation_count(ledger: Ledger, where: StatementFilter) -> int:
    """How many rows :func:`relation_rows` has for ``where`` in all."""
    return len(_groups(ledger, where, by_predicate=True)[1])


def pair_rows(
    ledger: Ledger, evidence: EvidenceReader, where: StatementFilter, *, limit: int, offset: int
) -> tuple[list[dict], int]:
    """:func:`relation_rows` with one row per (subject, object): every statement of the pair
    that ``where`` lets through (its predicates with their sub-relations) counted together,
    with how many each predicate states; most evidenced first, then by subject and object
    label. And how many pairs there are in all."""
    rows, groups, inverse, counts = _groups(ledger, where, by_predicate=False)
    n_actors = len(ledger.actors)
    gs, go = groups // n_actors, groups % n_actors
    rank = ledger.rank()
    chosen = np.lexsort((rank[go], rank[gs], -counts))[offset : offset + limit]
    if not len(chosen):
        return [], len(groups)
    members, bounds = _members(ledger, rows, inverse, chosen, len(groups))
    sentences = evidence(ledger.iris(members))
    predicate = ledger.column("predicate")
    out = []
    for i, group in enumerate(chosen):
        found = members[bounds[i] : bounds[i + 1]]
        stated = Counter(PREDICATE_NAMES[p] for p in predicate[found])
        signs = {SIGN[p] > 0 for p in predicate[found]}
        out.append(
            {
                "subject": actor_ref(ledger, int(gs[group])),
                "object": actor_ref(ledger, int(go[group])),
                "predicates": dict(sorted(stated.items(), key=lambda kv: (-kv[1], kv[0]))),
                "polarity": None
                if len(signs) > 1
                else ("alignment" if signs.pop() else "opposition"),
                **_statements(ledger, found, sentences),
            }
        )
    return out, len(groups)
