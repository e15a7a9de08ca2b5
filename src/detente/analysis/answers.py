"""Analysts' questions answered from a :class:`~detente.analysis.ledger.Ledger`.

Plain functions, as :mod:`detente.analysis.multigraph` is for networkx views, and with the same
answers: who backs whom, the actors and their partners, chains of relations and the
structural balance. Sentences are read from the store only for the rows and hops returned.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import numpy as np
from rdflib import URIRef

from detente.analysis.ledger import GOLDSTEIN, PREDICATE_NAMES, SIGN, SYMMETRIC, Ledger
from detente.analysis.multigraph import pair_balance, search_paths
from detente.domain.filters import StatementFilter
from detente.graph.store import PREFIXES, KnowledgeStore, nt
from detente.ontology import load_gazetteer

# Statement IRI -> evidence sentence, for the statements an answer shows.
EvidenceReader = Callable[[list[str]], dict[str, str]]
_CHUNK = 2000


def store_evidence(store: KnowledgeStore) -> EvidenceReader:
    """Reads the sentences of statements from ``store``, 2,000 per query."""

    def read(iris: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(iris), _CHUNK):
            values = " ".join(nt(URIRef(iri)) for iri in iris[start : start + _CHUNK])
            query = (
                PREFIXES + f"SELECT ?r ?e WHERE {{ VALUES ?r {{ {values} }} ?r dt:evidence ?e }}"
            )
            found.update(store.values(query))  # type: ignore[arg-type]
        return found

    return read


def find_actor(ledger: Ledger, name: str) -> str | None:
    """The actor id for an id, a label (any case) or any gazetteer name, if the actor has
    live statements; None otherwise. O(1) (and a gazetteer lookup)."""
    degrees = ledger.degrees()

    def live(index: int | None) -> bool:
        return index is not None and index < len(degrees) and degrees[index] > 0

    if live(ledger.actor(name)):
        return name
    for index in ledger.labelled(name):
        if live(index):
            return ledger.actors.values[index]
    resolved = load_gazetteer().resolve(name)
    if resolved and live(ledger.actor(resolved[0].id)):
        return resolved[0].id
    return None


def _ref(ledger: Ledger, index: int) -> dict:
    return {"id": ledger.actors.values[index], "label": ledger.actor_labels[index]}


def _evidence(ledger: Ledger, rows: np.ndarray, sentences: dict[str, str]) -> list[dict]:
    whens = ledger.column("when")[rows]
    docs = ledger.column("document")[rows]
    return [
        {
            "document": ledger.documents.values[d],
            "sentence": sentences.get(iri, ""),
            "date": ledger.whens.values[w] if w >= 0 else None,
        }
        for iri, d, w in zip(ledger.iris(rows), docs, whens, strict=True)
    ]


def _by_date(ledger: Ledger, rows: np.ndarray) -> np.ndarray:
    """``rows`` oldest first (undated first), then by statement IRI: one order whatever
    order the rows were added in."""
    return rows[np.lexsort((ledger.iri_keys(rows), ledger.column("day")[rows]))]


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
        listed = _evidence(ledger, found, sentences)
        out.append(
            {
                "subject": _ref(ledger, int(gs[group])),
                "predicate": PREDICATE_NAMES[gp[group]],
                "polarity": "alignment" if SIGN[gp[group]] > 0 else "opposition",
                "object": _ref(ledger, int(go[group])),
                "evidence_count": int(counts[group]),
                "first_date": ledger.whens.values[when[dated[0]]] if len(dated) else None,
                "last_date": ledger.whens.values[when[dated[-1]]] if len(dated) else None,
                "confidence": float(confidence[found].max()),
                "documents": list(dict.fromkeys(e["document"] for e in listed)),
                "evidence": listed,
            }
        )
    return out


def actor_summaries(ledger: Ledger, query: str | None = None) -> list[dict]:
    """Actors with live statements, most active first (then by label); ``query`` keeps
    those whose label or id contains it (any case). O(actors log actors)."""
    degrees = ledger.degrees()
    wanted = query.casefold() if query else None
    found = [
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
                **_ref(ledger, other),
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


# ---------------------------------------------------------------------- paths
class HopIndex:
    """Who is joined to whom, for path searches: the ledger's rows sorted by subject and
    by object (compressed sparse rows, built once: O(n log n)), plus the rows added since,
    indexed as they come (O(new rows)). Retired rows are skipped when read; after a
    compaction, or when the added rows grow past an eighth of the index, it is rebuilt."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._build()

    def _build(self) -> None:
        ledger = self.ledger
        self.covered = ledger.size
        self.compactions = ledger.compactions
        n = len(ledger.actors)
        self._by = {}
        for name in ("subject", "object"):
            column = ledger.column(name)
            order = np.argsort(column, kind="stable")
            bounds = np.searchsorted(column[order], np.arange(n + 1))
            self._by[name] = (order, bounds)
        self._recent: dict[str, dict[int, list[int]]] = {"subject": {}, "object": {}}

    def refresh(self) -> None:
        ledger = self.ledger
        if ledger.compactions != self.compactions or ledger.size - self.covered > max(
            4096, self.covered // 8
        ):
            self._build()
            return
        for row in range(self.covered, ledger.size):
            for name in ("subject", "object"):
                actor = int(ledger.column(name)[row])
                self._recent[name].setdefault(actor, []).append(row)
        self.covered = ledger.size

    def _rows(self, name: str, actor: int) -> np.ndarray:
        order, bounds = self._by[name]
        found = order[bounds[actor] : bounds[actor + 1]] if actor + 1 < len(bounds) else order[:0]
        recent = self._recent[name].get(actor)
        if recent:
            found = np.concatenate([found, np.array(recent, dtype=found.dtype)])
        return found[self.ledger.column("alive")[found]]

    def neighbours(self, actor: int, outgoing: bool = True) -> dict[int, np.ndarray]:
        """The actors one hop away (``outgoing``: from ``actor``; else towards it) with the
        rows of each hop. Symmetric predicates join both ways; self-loops are no hop."""
        ledger = self.ledger
        near, far = ("subject", "object") if outgoing else ("object", "subject")
        direct = self._rows(near, actor)
        reverse = self._rows(far, actor)
        reverse = reverse[SYMMETRIC[ledger.column("predicate")[reverse]]]
        rows = np.concatenate([direct, reverse])
        others = np.concatenate([ledger.column(far)[direct], ledger.column(near)[reverse]])
        keep = others != actor
        rows, others = rows[keep], others[keep]
        order = np.argsort(others, kind="stable")
        rows, others = rows[order], others[order]
        cuts = np.flatnonzero(np.diff(others)) + 1
        return {
            int(group[0]): chunk
            for group, chunk in zip(np.split(others, cuts), np.split(rows, cuts), strict=True)
            if len(group)
        }


_HOP_INDEXES: weakref.WeakKeyDictionary[Ledger, HopIndex] = weakref.WeakKeyDictionary()


def hop_index(ledger: Ledger) -> HopIndex:
    """The ledger's hop index, kept while the ledger lives and brought up to date."""
    index = _HOP_INDEXES.get(ledger)
    if index is None:
        index = _HOP_INDEXES[ledger] = HopIndex(ledger)
    else:
        index.refresh()
    return index


def ledger_paths(
    ledger: Ledger,
    evidence: EvidenceReader,
    source: str,
    target: str,
    *,
    kind: str = "alignment",
    max_hops: int = 3,
    limit: int = 50,
) -> list[list[dict]]:
    """:func:`detente.analysis.multigraph.relation_paths` on a ledger (same method and
    answers); each hop's evidence oldest first."""
    if kind not in ("alignment", "opposition"):
        raise ValueError("kind is 'alignment' or 'opposition'")
    a, b = ledger.actor(source), ledger.actor(target)
    if a is None or b is None:
        return []
    index = hop_index(ledger)
    out: dict[int, dict[int, np.ndarray]] = {}
    into: dict[int, dict[int, np.ndarray]] = {}

    def successors(node: int) -> list[int]:
        if node not in out:
            out[node] = index.neighbours(node, outgoing=True)
        return list(out[node])

    def predecessors(node: int) -> list[int]:
        if node not in into:
            into[node] = index.neighbours(node, outgoing=False)
        return list(into[node])

    predicate = ledger.column("predicate")

    def hop(x: int, y: int, sign: int) -> dict | None:
        rows = out[x][y]
        rows = rows[SIGN[predicate[rows]] == sign]
        if not len(rows):
            return None
        return {
            "source": ledger.actors.values[x],
            "target": ledger.actors.values[y],
            "polarity": "alignment" if sign > 0 else "opposition",
            "predicates": sorted({PREDICATE_NAMES[i] for i in predicate[rows].tolist()}),
            "evidence": rows,
        }

    found = search_paths(
        successors, predecessors, hop, a, b, kind=kind, max_hops=max_hops, limit=limit
    )
    hops = [h for path in found for h in path]
    if hops:
        every = np.unique(np.concatenate([h["evidence"] for h in hops]))
        sentences = evidence(ledger.iris(every))
        for h in hops:
            if isinstance(h["evidence"], np.ndarray):  # a hop shared by two paths is one dict
                h["evidence"] = _evidence(ledger, _by_date(ledger, h["evidence"]), sentences)
    return found


# ---------------------------------------------------------------------- balance
def signed_pairs(
    ledger: Ledger, *, theatre: str | None = None
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The signed graph of :func:`detente.analysis.multigraph.signed_graph` over the statements
    about ``theatre`` (all when None): one edge per actor pair, the sign of the Goldstein-
    and confidence-weighted vote of its statements. Returns (nodes in id order, first end,
    second end, sign, weight), the input of :func:`~detente.analysis.multigraph.pair_balance`.
    Votes are summed vectorised: O(n log n) for n statements."""
    rows = ledger.select(StatementFilter(theatre=theatre))
    s = ledger.column("subject")[rows].astype(np.int64)
    o = ledger.column("object")[rows].astype(np.int64)
    keep = s != o
    s, o, rows = s[keep], o[keep], rows[keep]
    vote = GOLDSTEIN[ledger.column("predicate")[rows]] * ledger.column("confidence")[rows]
    low, high = np.minimum(s, o), np.maximum(s, o)
    n_actors = len(ledger.actors)
    pairs, inverse = np.unique(low * n_actors + high, return_inverse=True)
    votes = np.bincount(inverse, weights=vote, minlength=len(pairs))
    nonzero = votes != 0
    pairs, votes = pairs[nonzero], votes[nonzero]
    u_actor, v_actor = pairs // n_actors, pairs % n_actors
    ids = ledger.actors.values
    # Nodes in id order, each pair's ends in id order too: the same graph as the view's.
    involved = np.unique(np.concatenate([u_actor, v_actor]))
    involved = involved[np.argsort(ledger.id_rank()[involved])]
    place = np.full(n_actors, -1, dtype=np.int64)
    place[involved] = np.arange(len(involved))
    u, v = place[u_actor], place[v_actor]
    nodes = [ids[i] for i in involved.tolist()]
    return nodes, np.minimum(u, v), np.maximum(u, v), np.where(votes > 0, 1, -1), np.abs(votes)


def ledger_balance(
    ledger: Ledger, *, theatre: str | None = None, start: dict[str, int] | None = None
) -> dict:
    """:func:`detente.analysis.multigraph.structural_balance` of :func:`signed_pairs`;
    ``start``, a previous answer's sides, spares the spectral start."""
    nodes, u, v, sign, weight = signed_pairs(ledger, theatre=theatre)
    return pair_balance(nodes, u, v, sign, weight, start=start)
