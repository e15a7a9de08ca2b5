"""The learned relation model: given a window of text and two actor mentions in it, how does
the text relate them (none, A backs B, B backs A, mutual, opposition), with what status
(asserted, reported, negated, hypothetical), and how sure is it (a calibrated probability).

The model is a small transformer encoder (MiniLM, fine-tuned on the project's corpus, see
``corpus/DATASHEET.md``) run by onnxruntime from int8 weights shipped in this package, so
extraction needs no network and no torch. Each window is encoded once and every pair in it
is read from the same encoding: the mean of each mention's word pieces, the mean of the
words between them, their product, and the window's first token (the pooled-span pair
representation of relation classifiers, e.g. Baldini Soares et al., 2019, "Matching the
Blanks", without the per-pair markers that would make the cost grow with the pairs).
Cost: one encoder pass per window, O(t^2) in its t word pieces; O(t) per pair after that.

The masks that say which word pieces belong to which mention are made here, by
:func:`pair_masks`, for inference and for training alike (``tools/train_relation_model.py``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

LABELS = ("none", "a_backs_b", "b_backs_a", "mutual", "opposition")
STATUSES = ("asserted", "reported", "negated", "hypothetical")
MAX_PIECES = 256  # word pieces per window; a candidate window is at most 120 words


@dataclass(frozen=True)
class PairInput:
    """One pair to decide: character spans of the two mentions in the window, A first."""

    a: tuple[int, int]
    b: tuple[int, int]


@dataclass(frozen=True)
class PairDecision:
    """The model's reading of one pair."""

    label: str  # one of LABELS
    probability: float  # calibrated probability of ``label``
    probabilities: dict[str, float]  # every label's
    status: str  # one of STATUSES; meaningful when label != "none"
    status_probability: float


def pair_masks(
    offsets: Sequence[tuple[int, int]], pairs: Sequence[PairInput]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each pair, 0/1 masks over the window's word pieces: A's pieces, B's pieces, and
    the pieces strictly between them. ``offsets`` are the tokenizer's character offsets,
    (0, 0) for special tokens. A mention whose pieces were cut off by truncation keeps the
    last piece, so every mask has at least one piece."""
    n = len(offsets)
    starts = np.array([o[0] for o in offsets])
    ends = np.array([o[1] for o in offsets])
    real = ends > starts
    a_mask = np.zeros((len(pairs), n), dtype=np.float32)
    b_mask = np.zeros((len(pairs), n), dtype=np.float32)
    between = np.zeros((len(pairs), n), dtype=np.float32)
    last = int(np.flatnonzero(real)[-1]) if real.any() else 0
    for i, pair in enumerate(pairs):
        for mask, (s, e) in ((a_mask, pair.a), (b_mask, pair.b)):
            inside = real & (starts < e) & (ends > s)
            if inside.any():
                mask[i, inside] = 1.0
            else:
                mask[i, last] = 1.0
        a_end = int(np.flatnonzero(a_mask[i])[-1])
        b_start = int(np.flatnonzero(b_mask[i])[0])
        if b_start > a_end + 1:
            between[i, a_end + 1 : b_start] = 1.0
    return a_mask, b_mask, between


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


class RelationModel:
    """The shipped model, loaded once per process (:func:`load_relation_model`)."""

    def __init__(self, directory: Path) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        self.labels = tuple(self.meta["labels"])
        self.statuses = tuple(self.meta["statuses"])
        self.temperature = float(self.meta["temperature"])
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_PIECES)
        options = onnxruntime.SessionOptions()
        # One thread: extraction already runs one process per core (Dask, the pipe's
        # workers); a pool of threads per process would fight them for the cores.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(directory / "relations.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self._lock = threading.Lock()  # an InferenceSession is not re-entrant for us

    def decide(
        self, windows: Sequence[tuple[str, Sequence[PairInput]]]
    ) -> list[list[PairDecision]]:
        """The decisions for every pair of every window. Each window runs alone: int8
        activations are scaled by what the whole input holds, so a window padded in a batch
        beside a longer one would read a little differently, and a decision must depend on
        its window only."""
        texts = [text for text, pairs in windows if pairs]
        encodings = iter(self.tokenizer.encode_batch(texts) if texts else [])
        return [self._decide_one(next(encodings), pairs) if pairs else [] for _, pairs in windows]

    def _decisions(self, label_logits: np.ndarray, status_logits: np.ndarray) -> list[PairDecision]:
        label_p = _softmax(label_logits)
        status_p = _softmax(status_logits)
        decisions = []
        for row in range(label_p.shape[0]):
            best = int(label_p[row].argmax())
            status = int(status_p[row].argmax())
            decisions.append(
                PairDecision(
                    label=self.labels[best],
                    probability=float(label_p[row, best]),
                    probabilities=dict(zip(self.labels, label_p[row].tolist(), strict=True)),
                    status=self.statuses[status],
                    status_probability=float(status_p[row, status]),
                )
            )
        return decisions

    def _decide_one(self, encoding, pairs: Sequence[PairInput]) -> list[PairDecision]:
        a, b, mid = pair_masks(encoding.offsets, pairs)
        feed = {
            "input_ids": np.array([encoding.ids], dtype=np.int64),
            "attention_mask": np.ones((1, len(encoding.ids)), dtype=np.int64),
            "pair_window": np.zeros(len(pairs), dtype=np.int64),
            "a_mask": a,
            "b_mask": b,
            "between_mask": mid,
        }
        with self._lock:
            label_logits, status_logits = self.session.run(None, feed)
        return self._decisions(label_logits / self.temperature, status_logits)


def model_directory() -> Path:
    """Where the shipped model lies: ``detente/extract/model/`` in the installed package."""
    return Path(str(resources.files("detente.extract") / "model"))


@cache
def load_relation_model(directory: str | None = None) -> RelationModel:
    """The model in ``directory`` (the shipped one by default), loaded once per process."""
    return RelationModel(Path(directory) if directory else model_directory())
