"""Check an annotator's labels file against its batch: every pair labelled once, in order,
with values the guidelines allow.

Usage: python tools/corpus/check_labels.py corpus/voa/batches/batch-01.jsonl LABELS.jsonl
Prints OK and the label counts, or each problem found (exit status 1).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

LABELS = {"none", "a_backs_b", "b_backs_a", "mutual", "opposition"}
STATUSES = {"asserted", "reported", "negated", "hypothetical"}
FLAGS = {"wrong_actor", "not_actor", "doubt"}


def problems(batch: Path, labels: Path) -> tuple[list[str], Counter]:
    wanted = [p["id"] for line in batch.open() for p in json.loads(line)["pairs"]]
    found: list[str] = []
    counts: Counter = Counter()
    errors: list[str] = []
    for n, line in enumerate(labels.open(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"line {n}: not JSON ({e})")
            continue
        found.append(row.get("id"))
        label, status = row.get("label"), row.get("status")
        counts[label] += 1
        if label not in LABELS:
            errors.append(f"line {n}: label {label!r} not one of {sorted(LABELS)}")
        elif label == "none" and status not in (None, ""):
            errors.append(f"line {n}: a 'none' pair has no status")
        elif label != "none" and status not in STATUSES:
            errors.append(f"line {n}: status {status!r} not one of {sorted(STATUSES)}")
        if not set(row.get("flags", [])) <= FLAGS:
            errors.append(f"line {n}: unknown flag in {row.get('flags')}")
        if {"wrong_actor", "not_actor"} & set(row.get("flags", [])) and label != "none":
            errors.append(f"line {n}: a pair flagged wrong_actor/not_actor is labelled none")
        if not row.get("annotator"):
            errors.append(f"line {n}: no annotator")
    if found != wanted:
        missing = [i for i in wanted if i not in set(found)]
        extra = [i for i in found if i not in set(wanted)]
        dupes = [i for i, k in Counter(found).items() if k > 1]
        errors.append(
            f"ids differ from the batch: {len(missing)} missing (first {missing[:3]}), "
            f"{len(extra)} unknown, {len(dupes)} repeated, order same: {found == wanted}"
        )
    return errors, counts


if __name__ == "__main__":
    errs, counts = problems(Path(sys.argv[1]), Path(sys.argv[2]))
    for e in errs:
        print(e)
    if errs:
        sys.exit(1)
    print("OK", dict(counts))
