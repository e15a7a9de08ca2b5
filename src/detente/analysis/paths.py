"""Chains of backing (or opposition) between two actors over the ledger, as
:func:`detente.analysis.multigraph.relation_paths` answers over a networkx view."""

from __future__ import annotations

import weakref

import numpy as np

from detente.analysis.evidence import EvidenceReader, by_date, evidence_of
from detente.analysis.ledger import PREDICATE_NAMES, SIGN, SYMMETRIC, Ledger
from detente.analysis.multigraph import check_path_kind, search_paths


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
    check_path_kind(kind)
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
                h["evidence"] = evidence_of(ledger, by_date(ledger, h["evidence"]), sentences)
    return found
