"""Draw the relation model's reliability diagram from its ``meta.json``: for each bin of the
top probability on the validation split, the share of pairs the model read right.

Usage, from the repository root (matplotlib comes with the ``notebooks`` extra)::

    python tools/plot_reliability.py [--model DIR] [--out docs/reliability.png]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "src/detente/extract/model")
    parser.add_argument("--out", type=Path, default=ROOT / "docs/reliability.png")
    args = parser.parse_args()
    meta = json.loads((args.model / "meta.json").read_text(encoding="utf-8"))
    figure, axis = plt.subplots(figsize=(5, 5), dpi=120)
    axis.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfectly calibrated")
    for part, marker in (("voa", "o"), ("synthetic", "s"), ("all", "D")):
        bins = meta["validation"].get(part, {}).get("reliability", [])
        if not bins:
            continue
        confidence = [b["confidence"] for b in bins]
        accuracy = [b["accuracy"] for b in bins]
        sizes = [max(12, min(200, b["pairs"])) for b in bins]
        ece = meta["validation"][part]["ece"]
        axis.scatter(
            confidence, accuracy, s=sizes, marker=marker, alpha=0.7, label=f"{part} (ECE {ece:.3f})"
        )
        axis.plot(confidence, accuracy, alpha=0.4)
    axis.set_xlabel("confidence (the model's top probability)")
    axis.set_ylabel("share read right")
    axis.set_xlim(0, 1)
    axis.set_ylim(0, 1)
    axis.set_title(f"Relation model, validation split (T = {meta['temperature']})")
    axis.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(args.out)
    print(args.out)


if __name__ == "__main__":
    main()
