"""The theatres of the ledger, each with how much the graph says about it and how recently:
what a reader picks a view from, and where a misspelt theatre's nearest names come from."""

from __future__ import annotations

import numpy as np

from detente.analysis.alliance_view import alliance_view
from detente.analysis.layout import view_positions
from detente.analysis.ledger import Ledger
from detente.domain.filters import StatementFilter

THUMBNAIL_PAIRS = 8  # pairs in a theatre's small graph: the most evidenced, legible at a glance


def theatre_summaries(ledger: Ledger) -> list[dict]:
    """Every theatre with live statements: its statements (dated and undated), documents
    and actors, and the dates of its first and last dated statement (as the text gave
    them), most recent evidence first, then most statements, then by label.
    O(n log n) for the n live statements with a theatre, vectorised."""
    theatre = ledger.column("theatre")
    rows = np.flatnonzero(ledger.column("alive") & (theatre >= 0))
    if not len(rows):
        return []
    which = theatre[rows].astype(np.int64)
    day, when = ledger.column("day")[rows], ledger.column("when")[rows]
    n = len(ledger.theatre_labels)
    statements = np.bincount(which, minlength=n)
    undated = np.bincount(which, weights=day == 0, minlength=n).astype(np.int64)

    def distinct(owners: np.ndarray, values: np.ndarray) -> np.ndarray:
        """How many different ``values`` each theatre (``owners``) has."""
        span = int(values.max()) + 1
        return np.bincount(np.unique(owners * span + values) // span, minlength=n)

    documents = distinct(which, ledger.column("document")[rows].astype(np.int64))
    parties = np.concatenate([ledger.column("subject")[rows], ledger.column("object")[rows]])
    actors = distinct(np.concatenate([which, which]), parties.astype(np.int64))

    dated = day > 0
    order = np.lexsort((day[dated], which[dated]))  # by theatre, then by day
    t_dated, d_when = which[dated][order], when[dated][order]
    first = np.full(n, -1, dtype=np.int64)
    last = np.full(n, -1, dtype=np.int64)
    last_day = np.zeros(n, dtype=np.int64)
    if len(t_dated):
        starts = np.flatnonzero(np.r_[True, t_dated[1:] != t_dated[:-1]])
        ends = np.r_[starts[1:], len(t_dated)] - 1
        first[t_dated[starts]] = d_when[starts]
        last[t_dated[ends]] = d_when[ends]
        last_day[t_dated[ends]] = day[dated][order][ends]
    found = np.flatnonzero(statements)
    ranked = sorted(
        found.tolist(),
        key=lambda t: (-last_day[t], -statements[t], ledger.theatre_labels[t].casefold()),
    )
    return [
        {
            "theatre": ledger.theatre_labels[t],
            "statements": int(statements[t]),
            "undated": int(undated[t]),
            "documents": int(documents[t]),
            "actors": int(actors[t]),
            "first_date": ledger.whens.values[first[t]] if first[t] >= 0 else None,
            "last_date": ledger.whens.values[last[t]] if last[t] >= 0 else None,
        }
        for t in ranked
    ]


def theatre_overview(ledger: Ledger, *, limit: int, pairs: int = THUMBNAIL_PAIRS) -> list[dict]:
    """The ``limit`` theatres of :func:`theatre_summaries` (most recent evidence first),
    each with its small graph: its ``pairs`` most evidenced actor pairs as the theatre's
    view draws them (stance, deeds or words, blocs), the actors placed by
    :func:`~detente.analysis.layout.view_positions` in the unit square. What a reader sees
    first instead of every actor at once. O(n log n) per theatre for its n statements."""
    out = []
    for summary in theatre_summaries(ledger)[:limit]:
        view = alliance_view(ledger, StatementFilter(theatre=summary["theatre"]), max_pairs=pairs)
        place = view_positions(view.nodes, view.edges)
        out.append(
            {
                **summary,
                "pairs_total": view.pairs_total,
                "nodes": [
                    {
                        "id": n["id"],
                        "label": n["label"],
                        "bloc": n["bloc"],
                        "x": place[n["id"]][0],
                        "y": place[n["id"]][1],
                    }
                    for n in view.nodes
                ],
                "edges": [
                    {
                        k: e[k]
                        for k in ("source", "target", "stance", "kind", "directed", "evidence")
                    }
                    for e in view.edges
                ],
            }
        )
    return out
