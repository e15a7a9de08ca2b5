"""How a relationship between two actors moves over time.

Plain functions on the relation multigraph of :mod:`detente.analysis.views`, networkx style.
"""

from __future__ import annotations

from datetime import date

import networkx as nx

from detente.analysis.views import date_text, precision
from detente.domain.dates import PartialDate

_PERIODS = ("month", "year")
# A statement dated only to a year cannot be placed in a month.
_PRECISE_ENOUGH = {"month": {"month", "day"}, "year": {"year", "month", "day"}}


def _period_start(day: date, period: str) -> date:
    return day.replace(day=1) if period == "month" else day.replace(month=1, day=1)


def _next(start: date, period: str) -> date:
    if period == "year":
        return start.replace(year=start.year + 1)
    return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)


def _label(start: date, period: str) -> str:
    return start.isoformat()[:7] if period == "month" else str(start.year)


def period_day(label: str) -> date:
    """The first day of a period label: "2020-03" or "2020"."""
    return PartialDate.parse(label).first_day()


def stance_series(
    graph: nx.MultiDiGraph,
    a: str,
    b: str,
    *,
    period: str = "month",
    theatre: str | None = None,
) -> list[dict]:
    """The relationship between actors ``a`` and ``b`` (either direction), per period.

    Each dated statement between them counts its Goldstein weight (the PLOVER event's
    cooperation/conflict score, as in Goldstein 1992, "A Conflict-Cooperation Scale for
    WEIS Events Data", J. Conflict Resolution 36(2)) times its confidence: positive weights
    add to ``cooperation``, negative ones to ``conflict`` (as a positive number); ``net`` is
    cooperation minus conflict and ``stance`` its sign ("cooperation", "conflict" or
    "neutral"; None for a period without statements). Periods run without gaps from the
    first dated statement to the last, so the rows plot on a true time axis. Statements
    dated less precisely than ``period`` (a year, for months) are left out, as are undated
    ones. Each row lists its ``statements`` with their sentence and document.

    O(s + p) for s statements between the two actors and p periods.
    """
    if period not in _PERIODS:
        raise ValueError(f"period must be one of {', '.join(_PERIODS)}, not {period!r}")
    found: dict[date, list[tuple[str, str, dict]]] = {}
    for u, v in ((a, b), (b, a)):
        for data in (graph.get_edge_data(u, v) or {}).values():
            if precision(data) not in _PRECISE_ENOUGH[period]:
                continue
            if theatre and (data["theatre"] or "").casefold() != theatre.casefold():
                continue
            found.setdefault(_period_start(data["date"], period), []).append((u, v, data))
    if not found:
        return []
    rows = []
    start, last = min(found), max(found)
    while start <= last:
        statements = found.get(start, [])
        scores = [data["weight"] * data["confidence"] for _, _, data in statements]
        cooperation = sum(s for s in scores if s > 0)
        conflict = -sum(s for s in scores if s < 0)
        net = cooperation - conflict
        rows.append(
            {
                "period": _label(start, period),
                "cooperation": round(cooperation, 3),
                "conflict": round(conflict, 3),
                "net": round(net, 3),
                "stance": (
                    None
                    if not statements
                    else "cooperation"
                    if net > 0
                    else "conflict"
                    if net < 0
                    else "neutral"
                ),
                "statements": [
                    {
                        "subject": u,
                        "predicate": data["predicate"],
                        "object": v,
                        "date": date_text(data),
                        "sentence": data["evidence"],
                        "document": data["document"],
                    }
                    for u, v, data in statements
                ],
            }
        )
        start = _next(start, period)
    return rows
