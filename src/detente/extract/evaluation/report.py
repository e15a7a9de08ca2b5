"""The scores as text tables (title, header, rows) for the command line to draw."""

from __future__ import annotations

from detente.extract.evaluation.common import display
from detente.extract.evaluation.news import NEWS_SPLIT

ReportTable = tuple[str, list[str], list[list[str]]]
# News measures too long for one cell per part: each gets a table of its own.
_BREAKDOWNS = ("recall_by_theatre", "recall_by_construction")


def _split_title() -> str:
    a, b = NEWS_SPLIT["a"], NEWS_SPLIT["b"]
    return (
        f"news (part a = {a.start:02d}-{a.stop - 1:02d}, development; "
        f"part b = {b.start:02d}-{b.stop - 1:02d}, held back)"
    )


def news_tables(parts: dict[str, dict]) -> list[ReportTable]:
    """One table of the headline measures with a column per part, one per breakdown, and
    the forbidden pairs asserted (of the widest part)."""
    header = ["", *(f"part {p}" if p != "all" else "all" for p in parts)]
    first = next(iter(parts.values()))
    skip = {*_BREAKDOWNS, "forbidden_by_article"}
    rows = [[key, *(display(s[key]) for s in parts.values())] for key in first if key not in skip]
    tables: list[ReportTable] = [(_split_title(), header, rows)]
    for key in _BREAKDOWNS:
        groups = list(dict.fromkeys(g for s in parts.values() for g in s[key]))
        rows = [[g, *(display(s[key].get(g, "-")) for s in parts.values())] for g in groups]
        tables.append((f"news {key.replace('_', ' ')}", ["", *header[1:]], rows))
    widest = list(parts.values())[-1]["forbidden_by_article"]
    rows = [[v] for v in widest] or [["none"]]
    tables.append(("news forbidden pairs asserted", ["article: pair, type: prediction"], rows))
    return tables


def tables(scores: dict[str, dict]) -> list[ReportTable]:
    out: list[ReportTable] = []
    for name, summary in scores.items():
        if name == "news":
            out += news_tables(summary)
        else:
            out.append((name, [], [[k, display(v)] for k, v in summary.items()]))
    return out
