"""What the corpus scripts share: reading a JSON Lines file, keying labels by pair, and the
marked window annotators read. Standard library only (the synthetic generator needs
nothing else)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path


def read_jsonl(path: Path) -> list[dict]:
    """The records of a JSON Lines file; none when it does not exist yet."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def by_occurrence(rows: list[dict]) -> dict[tuple[str, int], dict]:
    """Rows keyed by (id, n), the nth row of that id: a plural pronoun read as two actors
    gives two candidates with the same mention offsets, hence the same id, in a fixed
    order, and the labels follow that order."""
    seen: Counter = Counter()
    keyed = {}
    for row in rows:
        keyed[(row["id"], seen[row["id"]])] = row
        seen[row["id"]] += 1
    return keyed


def marked(text: str, a: dict, b: dict) -> str:
    """The window with the pair's mentions marked ``[[A ...]]`` and ``[[B ...]]``; A is the
    earlier one."""
    return (
        text[: a["start"]]
        + f"[[A {text[a['start'] : a['end']]}]]"
        + text[a["end"] : b["start"]]
        + f"[[B {text[b['start'] : b['end']]}]]"
        + text[b["end"] :]
    )
