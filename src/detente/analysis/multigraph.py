"""Alliance analysis on the relation multigraph of :mod:`detente.analysis.views`.

Plain functions, networkx style: each takes a graph and returns plain data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from datetime import date
from typing import TypeVar

import networkx as nx
import numpy as np

from detente.analysis.ledger import with_subproperties
from detente.analysis.views import (
    actor_refs,
    date_text,
    evidence_weight,
    hop_graph,
    statement_groups,
    statements,
)
from detente.domain import Polarity
from detente.ontology import predicates

Node = TypeVar("Node", bound=Hashable)  # an actor as a graph names it: an id, a ledger index


def who_backs_whom(
    graph: nx.MultiDiGraph,
    *,
    theatre: str | None = None,
    since: date | None = None,
    until: date | None = None,
    predicate: str | None = "backs",
    polarity: str | None = None,
    actor: str | None = None,
    limit: int | None = None,
) -> list[dict]:
    """Aggregated relations: one row per (subject, predicate, object) with its evidence.

    ``predicate`` includes its sub-properties ("backs" covers "aids"); None means any.
    Rows are ordered by evidence count; ``limit`` keeps the first rows. Statements are
    first tallied (count, dates, confidence), and evidence sentences are gathered only for
    the rows returned. O(matching statements) on a view indexed by theatre and predicate,
    plus O(rows log rows) to order them. Answers per theatre and predicate (no other
    filter) are kept on the view, so a repeated question costs O(rows). Rows are shared:
    do not mutate them.
    """
    wanted = with_subproperties([predicate]) if predicate else None
    cacheable = theatre is not None and not (since or until or polarity or actor)
    question = (theatre.casefold() if theatre else None, frozenset(wanted or ()), limit)
    cache = graph.graph.setdefault("answers", {})
    if cacheable and question in cache:
        return list(cache[question])
    grouped = None
    if cacheable and theatre is not None:
        grouped = statement_groups(graph, theatre, wanted)
    if grouped is not None:  # the index has them tallied already
        tallies = grouped
    else:
        tallies = {}
        for u, v, data in statements(
            graph, theatre=theatre, since=since, until=until, predicates=wanted
        ):
            if (polarity and data["polarity"] != polarity) or (actor and actor not in (u, v)):
                continue
            tallies.setdefault((u, data["predicate"], v), []).append(data)
    refs, rank = actor_refs(graph)
    # Most evidenced first, then by subject label: two stable sorts on plain keys cost less
    # than one on (count, label) tuples, which allocates a tuple per row.
    order = sorted(tallies, key=lambda k: rank[k[0]])
    order.sort(key=lambda k: -len(tallies[k]))
    if limit is not None:
        del order[limit:]
    out = [_answer_row(key, tallies[key], refs) for key in order]
    if cacheable:
        cache[question] = out
    return list(out)


def _evidence(statements: list[dict]) -> list[dict]:
    """The sentences behind a row or a hop, with their documents and dates."""
    return [_cited(s, date_text(s)) for s in statements]


def _cited(statement: dict, date: str | None) -> dict:
    """One statement's evidence: its document (id, title, URL), sentence and date."""
    title, url = statement.get("source", (None, None))
    return {
        "document": statement["document"],
        "title": title,
        "url": url,
        "sentence": statement["evidence"],
        "date": date,
    }


def _answer_row(key: tuple[str, str, str], found: list[dict], actors: dict[str, dict]) -> dict:
    u, name, v = key
    if len(found) == 1:  # most rows of a large graph: no aggregation, no helper calls
        only = found[0]
        first = last = only.get("when")
        documents = [only["document"]]
        confidence = only["confidence"]
        evidence = [_cited(only, first)]
    else:
        dated = sorted((d for d in found if d["date"]), key=lambda d: d["date"])
        first, last = (date_text(dated[0]), date_text(dated[-1])) if dated else (None, None)
        documents = list(dict.fromkeys(d["document"] for d in found))
        confidence = max(d["confidence"] for d in found)
        evidence = _evidence(found)
    return {
        "subject": actors[u],
        "predicate": name,
        "polarity": found[0]["polarity"],
        "quad_class": predicates()[name].quad_class.value,
        "object": actors[v],
        "evidence_count": len(found),
        "first_date": first,
        "last_date": last,
        "confidence": confidence,
        "documents": documents,
        "evidence": evidence,
    }


# ---------------------------------------------------------------------- signed graph
def actor_pair(u: str, v: str) -> tuple[str, str]:
    """The unordered pair of two actors, in one fixed order: the signed graph's edge key."""
    return (u, v) if u <= v else (v, u)


def signed_graph(
    graph: nx.MultiDiGraph, *, as_of: date | None = None, half_life_days: float = 365.0
) -> nx.Graph:
    """The undirected signed graph: one edge per actor pair, ``sign`` +1 (aligned) or -1
    (opposed) by the weighted vote of every statement between them, ``weight`` the vote's
    size. A statement's vote is its Goldstein score (so fighting outweighs consulting, as
    on the cooperation–conflict scale of Goldstein 1992), half that for a verbal act (words
    are cheap; mediation votes for neither side: :attr:`Predicate.stance_weight`), times its
    confidence and, with ``as_of``, its recency. O(edges)."""
    votes: dict[tuple[str, str], float] = defaultdict(float)
    vocabulary = predicates()
    for u, v, data in graph.edges(data=True):
        stance = vocabulary[data["predicate"]].stance_weight
        if u == v or not stance:
            continue
        pair = actor_pair(u, v)
        votes[pair] += stance * evidence_weight(data, as_of=as_of, half_life_days=half_life_days)
    signed = nx.Graph()
    signed.add_nodes_from(graph.nodes(data=True))
    for (u, v), vote in votes.items():
        if vote:
            signed.add_edge(u, v, sign=1 if vote > 0 else -1, weight=abs(vote))
    signed.remove_nodes_from([n for n in list(signed) if signed.degree(n) == 0])
    return signed


def structural_balance(signed: nx.Graph, *, exact_limit: int = 16) -> dict:
    """Heider/Cartwright–Harary structural balance of a signed graph.

    * ``balance``: share of balanced triangles (an even number of negative edges);
      Cartwright & Harary (1956), "Structural balance: a generalization of Heider's theory".
    * ``blocs``: the two-bloc partition that minimises the frustration (positive edges
      across blocs, negative ones within a bloc), each edge counted by its ``weight`` (the
      evidence behind it; 1 when absent) so that one mediation does not outvote a
      well-documented war — the weighted frustration index (Harary 1959; Aref, Mason &
      Wilson 2018, "Computing the line index of balance using integer programming
      optimisation").
    * ``frustrated``: the edges that contradict the partition; ``frustration`` their number.

    See :func:`pair_balance` for the methods and their cost.
    """
    nodes = sorted(signed)
    index = {n: i for i, n in enumerate(nodes)}
    edges = list(signed.edges(data=True))
    return pair_balance(
        nodes,
        np.array([index[u] for u, _, _ in edges], dtype=np.int64),
        np.array([index[v] for _, v, _ in edges], dtype=np.int64),
        np.array([d["sign"] for _, _, d in edges], dtype=np.int64),
        np.array([d.get("weight", 1.0) for _, _, d in edges], dtype=np.float64),
        exact_limit=exact_limit,
    )


def pair_balance(
    nodes: list[str],
    u: np.ndarray,
    v: np.ndarray,
    sign: np.ndarray,
    weight: np.ndarray,
    *,
    exact_limit: int = 16,
    start: dict[str, int] | None = None,
) -> dict:
    """:func:`structural_balance` of the signed graph with edges (``nodes[u[i]]``,
    ``nodes[v[i]]``) of sign ``sign[i]`` and weight ``weight[i]`` (one edge per pair).

    * Triangles from sparse matrix products: with U the upper triangle of the signed
      adjacency matrix, Σ (|U|·|U|) ∘ |U| counts each triangle once and Σ (U·U) ∘ U is the
      number of balanced minus unbalanced ones (trace(A³)/6 and trace(S³)/6, a quarter of
      the work). O(m · d) for m edges and degree d.
    * The partition exactly by enumeration up to ``exact_limit`` nodes (O(2^n m));
      otherwise from ``start`` (a previous partition: new nodes join the side most of their
      neighbours favour) or from the sign of the leading eigenvector of the weighted signed
      adjacency matrix (Kunegis et al. 2010, "Spectral analysis of signed graphs"; dense up
      to 500 nodes, Lanczos beyond), followed by single-node moves, steepest first, until
      no move lowers the frustration (O(degree + n) per move).
    """
    n = len(nodes)
    if n == 0:
        return {
            "balance": None,
            "triangles": 0,
            "blocs": [[], []],
            "frustrated": [],
            "frustration": 0,
        }
    from scipy import sparse

    rows = np.concatenate([u, v])
    cols = np.concatenate([v, u])
    # Each triangle i < j < k once: the upper triangle U of the matrix, and U·U masked by
    # U (a quarter of the work of the full A³).
    low, high = np.minimum(u, v), np.maximum(u, v)
    upper = sparse.csr_matrix((sign.astype(np.float64), (low, high)), (n, n))
    plain = abs(upper)
    triangles = round(float((plain @ plain).multiply(plain).sum()))
    net = round(float((upper @ upper).multiply(upper).sum()))
    balanced = (triangles + net) // 2
    weighted = sparse.csr_matrix(
        (np.concatenate([sign * weight, sign * weight]), (rows, cols)), (n, n)
    )
    if n <= exact_limit:
        side = _exact_sides(n, u, v, sign, weight)
    else:
        side = _start_sides(nodes, weighted, start)
        _improve_sides(side, weighted)
    frustrated_mask = (side[u] == side[v]) != (sign > 0)
    # Python ints (tolist) rather than numpy scalars: tens of thousands of rows on a large
    # theatre, each index and sign otherwise boxed and converted one at a time.
    frustrated = [
        {"source": nodes[a], "target": nodes[b], "sign": g}
        for a, b, g in zip(
            u[frustrated_mask].tolist(),
            v[frustrated_mask].tolist(),
            sign[frustrated_mask].astype(np.int64).tolist(),
            strict=True,
        )
    ]
    blocs = [[nodes[i] for i in np.flatnonzero(side == s).tolist()] for s in (0, 1)]
    blocs.sort(key=lambda b: (-len(b), b))
    return {
        "balance": round(balanced / triangles, 3) if triangles else None,
        "triangles": triangles,
        "blocs": blocs,
        "frustrated": frustrated,
        "frustration": len(frustrated),
    }


def _exact_sides(
    n: int, u: np.ndarray, v: np.ndarray, sign: np.ndarray, weight: np.ndarray
) -> np.ndarray:
    """Every assignment with node 0 on side 0, in counting order; the first of least
    frustration."""
    codes = np.arange(2 ** (n - 1), dtype=np.int64)[:, None]
    shifts = np.arange(n - 2, -1, -1, dtype=np.int64)[None, :]
    sides = np.concatenate([np.zeros((len(codes), 1), np.int64), (codes >> shifts) & 1], axis=1)
    cost = (((sides[:, u] == sides[:, v]) != (sign > 0)[None, :]) * weight[None, :]).sum(axis=1)
    return sides[int(np.argmin(cost))]


def _start_sides(nodes: list[str], weighted, start: dict[str, int] | None) -> np.ndarray:
    n = len(nodes)
    if start:
        side = np.array([start.get(x, -1) for x in nodes], dtype=np.int64)
        known = side >= 0
        if known.any():
            # A new node goes where its known neighbours pull it: + on side 1, - on side 0.
            pull = weighted @ np.where(known, 2 * side - 1, 0).astype(np.float64)
            side[~known] = (pull[~known] > 0).astype(np.int64)
            return side
    if n <= 500:
        _, vectors = np.linalg.eigh(weighted.toarray())
        lead = vectors[:, -1]
    else:
        from scipy.sparse.linalg import eigsh

        _, vectors = eigsh(weighted, k=1, which="LA", v0=np.ones(n))
        lead = vectors[:, 0]
    return (lead < 0).astype(np.int64)


def _improve_sides(side: np.ndarray, weighted) -> None:
    """Single-node moves, steepest first, while one lowers the frustration. With spins
    σ = ±1 for the two sides and W the signed weight matrix, moving node i changes the
    frustration by σ_i (Wσ)_i; after a move only its neighbours' changes are updated, so a
    move costs O(degree + n) for the choice of the next, and every move lowers the
    frustration, so it ends."""
    indptr, indices, data = weighted.indptr, weighted.indices, weighted.data
    spin = 1.0 - 2.0 * side
    field = weighted @ spin
    change = spin * field
    tolerance = 1e-9 * (np.abs(data).sum() + 1.0)
    while True:
        i = int(np.argmin(change))
        if change[i] >= -tolerance:
            break
        spin[i] = -spin[i]
        lo, hi = indptr[i], indptr[i + 1]
        neighbours = indices[lo:hi]
        field[neighbours] += data[lo:hi] * 2.0 * spin[i]
        change[neighbours] = spin[neighbours] * field[neighbours]
        change[i] = spin[i] * field[i]
    side[:] = (spin < 0).astype(side.dtype)


# ---------------------------------------------------------------------- paths
def _hop(hops: nx.DiGraph, a: str, b: str, sign: int) -> dict | None:
    statements = [s for s in hops[a][b]["statements"] if s["sign"] == sign]
    if not statements:
        return None
    return {
        "source": a,
        "target": b,
        "polarity": "alignment" if sign > 0 else "opposition",
        "predicates": sorted({s["predicate"] for s in statements}),
        "evidence": _evidence(statements),
    }


def check_path_kind(kind: str) -> None:
    """A chain of relations is of one polarity: ``kind`` must name one (checked before an
    unknown actor can make the question look answered)."""
    if kind not in tuple(Polarity):
        raise ValueError("kind is 'alignment' or 'opposition'")


def relation_paths(
    graph: nx.MultiDiGraph,
    source: str,
    target: str,
    *,
    kind: str = "alignment",
    max_hops: int = 3,
    limit: int = 50,
) -> list[list[dict]]:
    """Chains of relations from ``source`` to ``target`` in a view, shortest first; see
    :func:`search_paths` for the method and its cost."""
    hops = hop_graph(graph)
    check_path_kind(kind)
    if source not in hops or target not in hops:
        return []
    return search_paths(
        hops.successors,
        hops.predecessors,
        lambda a, b, sign: _hop(hops, a, b, sign),
        source,
        target,
        kind=kind,
        max_hops=max_hops,
        limit=limit,
    )


def search_paths(
    successors: Callable[[Node], Iterable[Node]],
    predecessors: Callable[[Node], Iterable[Node]],
    hop: Callable[[Node, Node, int], dict | None],
    source: Node,
    target: Node,
    *,
    kind: str = "alignment",
    max_hops: int = 3,
    limit: int = 50,
) -> list[list[dict]]:
    """Chains of relations from ``source`` to ``target``, shortest first, over any graph
    given by its ``successors`` and ``predecessors`` and ``hop(a, b, sign)``, the hop's
    answer (None when no statement of that sign joins them).

    ``alignment``: every hop is alignment (A backs B backs C). ``opposition``: exactly one
    hop is opposition and the others alignment (A opposes B; B backs C: A stands against
    C's camp). Each hop lists the statements that evidence it.

    Method: iterative deepening depth-first search over simple paths, meeting in the
    middle: breadth-first distances to ``target`` are computed only within half the hops,
    and in the second half of a path a node is expanded only if it lies that close to the
    target. Cost O(b^ceil(k/2)) for branching b and k hops rather than O(b^k); at most
    ``limit`` paths are returned.
    """
    check_path_kind(kind)
    half = max_hops // 2
    distance = {target: 0}
    frontier = [target]
    for step in range(1, half + 1):
        frontier = [p for n in frontier for p in predecessors(n) if p not in distance]
        for node in frontier:
            distance.setdefault(node, step)
        frontier = list(dict.fromkeys(frontier))
    found: list[list[dict]] = []

    def walk(node: Node, path: list[dict], seen: set, opposed: int, depth: int) -> None:
        if len(found) >= limit:
            return
        if node == target:
            if len(path) == depth and opposed == (kind == "opposition"):
                found.append(list(path))
            return
        left = depth - len(path)
        for nxt in successors(node):
            need = left - 1  # hops from nxt to the target on this path
            if nxt in seen or (need <= half and distance.get(nxt, need + 1) > need):
                continue
            for sign in (1, -1):
                if sign < 0 and (kind == "alignment" or opposed):
                    continue
                step = hop(node, nxt, sign)
                if step is None:
                    continue
                path.append(step)
                walk(nxt, path, seen | {nxt}, opposed + (sign < 0), depth)
                path.pop()

    for depth in range(1, max_hops + 1):
        walk(source, [], {source}, 0, depth)
    return found[:limit]
