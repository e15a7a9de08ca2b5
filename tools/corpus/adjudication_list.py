"""The adjudicator's worklist: every pair the two annotators labelled differently, and every
pair an annotator flagged ``doubt``, with its window and the labels given so far.

Usage, from the repository root::

    python tools/corpus/adjudication_list.py   # writes corpus/voa/labels/to_adjudicate.jsonl
    python tools/corpus/adjudication_list.py --round 2   # to_adjudicate-round2.jsonl

The adjudicator writes ``corpus/voa/labels/adjudicated.jsonl`` (``adjudicated-round2.jsonl``):
one line per worklist item, ``id`` and ``occurrence`` as given, the final label under the
current guidelines.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from corpus_files import by_occurrence, read_jsonl

ROOT = Path(__file__).resolve().parents[2]
VOA = ROOT / "corpus" / "voa"


def _label(row: dict) -> dict:
    return {k: row.get(k) for k in ("label", "status", "mediation", "flags", "note", "annotator")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--round", type=int, default=1)
    suffix = "" if (round_ := parser.parse_args().round) == 1 else f"-round{round_}"
    candidates = by_occurrence(read_jsonl(VOA / f"candidates{suffix}.jsonl"))
    primary: dict[tuple[str, int], dict] = {}
    for path in sorted((VOA / "labels" / "primary").glob("*.jsonl")):
        primary.update(by_occurrence(read_jsonl(path)))
    second = by_occurrence(read_jsonl(VOA / "labels" / "second" / f"second{suffix}.jsonl"))
    items = []
    for key, c in candidates.items():
        first, other = primary.get(key), second.get(key)
        if first is None:
            continue
        differ = other is not None and (first["label"], first.get("status") or "") != (
            other["label"],
            other.get("status") or "",
        )
        doubted = "doubt" in first.get("flags", []) or (
            other is not None and "doubt" in other.get("flags", [])
        )
        if not (differ or doubted):
            continue
        items.append(
            {
                "id": key[0],
                "occurrence": key[1],
                "why": "annotators differ" if differ else "flagged doubt",
                "context": c["context"],
                "marked": c["marked"],
                "A": f"{c['a']['text']} = {c['a']['label']} ({c['a']['type']})",
                "B": f"{c['b']['text']} = {c['b']['label']} ({c['b']['type']})",
                "labels": [_label(first)] + ([_label(other)] if other else []),
            }
        )
    out = VOA / "labels" / f"to_adjudicate{suffix}.jsonl"
    with out.open("w", encoding="utf-8") as f:
        for item in items:
            f.write(json.dumps(item, ensure_ascii=False) + "\n")
    print(f"{len(items)} pairs to adjudicate: {dict(Counter(i['why'] for i in items))}")


if __name__ == "__main__":
    main()
