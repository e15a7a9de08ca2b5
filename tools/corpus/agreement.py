"""Agreement between the primary annotators and the independent second annotator.

Usage, from the repository root::

    python tools/corpus/agreement.py            # prints and writes corpus/voa/agreement.json

Cohen's kappa (scikit-learn's ``cohen_kappa_score``, in the ``train`` extra) over the pairs
both labelled: on the five pair labels, on polarity alone (none / alignment / opposition),
and on the status of the pairs both call related. Also lists the disagreements, for the
adjudicator (``corpus/voa/labels/disagreements.jsonl``).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from corpus_files import by_occurrence, read_jsonl
from sklearn.metrics import cohen_kappa_score

ROOT = Path(__file__).resolve().parents[2]
LABELS = ROOT / "corpus" / "voa" / "labels"
POLARITY = {
    "none": "none",
    "a_backs_b": "alignment",
    "b_backs_a": "alignment",
    "mutual": "alignment",
    "opposition": "opposition",
}


def main() -> None:
    primary: dict[tuple[str, int], dict] = {}
    for path in sorted((LABELS / "primary").glob("*.jsonl")):
        primary.update(by_occurrence(read_jsonl(path)))
    second: dict[tuple[str, int], dict] = {}
    for path in sorted((LABELS / "second").glob("*.jsonl")):
        second.update(by_occurrence(read_jsonl(path)))
    both = [k for k in second if k in primary]
    first_labels = [primary[k]["label"] for k in both]
    second_labels = [second[k]["label"] for k in both]
    related = [k for k in both if primary[k]["label"] != "none" and second[k]["label"] != "none"]
    report = {
        "pairs_second": len(second),
        "pairs_both": len(both),
        "share_of_corpus": round(len(second) / max(1, len(primary)), 3),
        "kappa_label": round(cohen_kappa_score(first_labels, second_labels), 3),
        "kappa_polarity": round(
            cohen_kappa_score(
                [POLARITY[x] for x in first_labels], [POLARITY[x] for x in second_labels]
            ),
            3,
        ),
        "raw_agreement_label": round(
            sum(a == b for a, b in zip(first_labels, second_labels, strict=True))
            / max(1, len(both)),
            3,
        ),
        "status_pairs": len(related),
        "kappa_status": round(
            cohen_kappa_score(
                [primary[k]["status"] for k in related], [second[k]["status"] for k in related]
            ),
            3,
        )
        if len(related) > 1
        else None,
        "confusion": {
            f"{a} / {b}": n
            for (a, b), n in sorted(Counter(zip(first_labels, second_labels, strict=True)).items())
            if a != b
        },
    }
    (ROOT / "corpus" / "voa" / "agreement.json").write_text(
        json.dumps(report, indent=1) + "\n", encoding="utf-8"
    )
    with (LABELS / "disagreements.jsonl").open("w", encoding="utf-8") as f:
        for k in both:
            a, b = primary[k], second[k]
            if (a["label"], a.get("status") or "") != (b["label"], b.get("status") or ""):
                f.write(
                    json.dumps({"id": k[0], "occurrence": k[1], "primary": a, "second": b}) + "\n"
                )
    print(json.dumps({k: v for k, v in report.items() if k != "confusion"}, indent=1))
    print("disagreements by (primary / second):", report["confusion"])


if __name__ == "__main__":
    main()
