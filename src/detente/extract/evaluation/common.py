"""Helpers every scorer shares: name normalisation, JSON lines, ratios and their display."""

from __future__ import annotations

import json
import re
from pathlib import Path


def norm(text: str) -> str:
    """A name as the seed and re3d scorers compare it: no parenthetical, case-folded,
    without a leading "the"."""
    text = re.sub(r"\s*\(.*?\)", "", text).replace("’", "'").casefold().strip()
    return re.sub(r"^the\s+", "", text)


def json_lines(path: Path) -> list[dict]:
    return [
        json.loads(line)
        for line in path.read_text(encoding="utf-8-sig").splitlines()
        if line.strip()
    ]


def ratio(found: int, of: int) -> dict:
    """A count out of a total, kept as numbers so that JSON readers need not parse text."""
    return {"found": found, "of": of, "rate": round(found / of, 3) if of else None}


def display(value: object) -> str:
    """One table cell: ``ratio`` dicts as "3/4 (0.75)", other dicts as "key value" pairs."""
    if isinstance(value, dict) and set(value) == {"found", "of", "rate"}:
        rate = "-" if value["rate"] is None else f"{value['rate']:.2f}"
        return f"{value['found']}/{value['of']} ({rate})"
    if isinstance(value, dict):
        return "; ".join(f"{k} {display(v)}" for k, v in value.items()) or "-"
    if isinstance(value, list):
        return "; ".join(map(display, value)) or "none"
    return str(value)
