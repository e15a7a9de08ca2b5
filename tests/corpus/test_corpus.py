"""The training corpus is whole and clean: every batch labelled once, every label in the
guidelines' vocabulary, every example with its source and licence, and no text of the
evaluation sets in it."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from tests.paths import ROOT, SHARED, TOOLS

CORPUS = ROOT / "corpus"
CORPUS_TOOLS = TOOLS / "corpus"


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def _problems(batch: Path, labels: Path) -> list[str]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("check_labels", CORPUS_TOOLS / "check_labels.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.problems(batch, labels)[0]


def _batches() -> list[tuple[Path, Path]]:
    batches = CORPUS / "voa" / "batches"
    labels = CORPUS / "voa" / "labels"
    pairs = [(b, labels / "primary" / b.name) for b in sorted(batches.glob("*.jsonl"))]
    return [
        (b, labels / "second" / b.name) if b.name.startswith("second") else (b, lab)
        for b, lab in pairs
    ]


@pytest.mark.parametrize(("batch", "labels"), _batches(), ids=lambda p: p.name)
def test_every_batch_is_labelled_once_in_order_with_the_guidelines_values(batch, labels):
    assert labels.exists(), f"{batch.name} has no labels"
    assert _problems(batch, labels) == []


def test_every_adjudicated_pair_is_a_candidate_with_a_final_label():
    candidates = Counter()
    for path in (CORPUS / "voa").glob("candidates*.jsonl"):
        candidates.update(r["id"] for r in _rows(path))
    adjudicated = [
        r for p in (CORPUS / "voa" / "labels").glob("adjudicated*.jsonl") for r in _rows(p)
    ]
    assert adjudicated
    for row in adjudicated:
        assert row["occurrence"] < candidates[row["id"]], row["id"]
        assert row["annotator"].startswith("adjudicator") and row["note"]
        assert (row["label"] == "none") == (row["status"] in ("", None))


def test_every_story_and_example_says_where_it_comes_from_and_under_what_licence():
    stories = _rows(CORPUS / "voa" / "stories.jsonl")
    assert len(stories) == 89
    assert all(s["url"].startswith("https://www.voanews.com/") for s in stories)
    assert all("public domain" in s["licence"] for s in stories)
    synthetic = _rows(CORPUS / "synthetic" / "examples.jsonl")
    assert synthetic and all(r["licence"].startswith("Apache-2.0") for r in synthetic)
    assert all(r["annotator"] == "template" for r in synthetic)
    primary = [r for p in (CORPUS / "voa" / "labels" / "primary").glob("*.jsonl") for r in _rows(p)]
    assert all(r["annotator"].startswith("annotator-") for r in primary)


def _shingles(text: str, n: int = 12) -> set[tuple[str, ...]]:
    """Runs of ``n`` words: 12 is longer than any actor's name (an eight-word run such as
    "of the Economic Community of West African States" is a name, not copied text)."""
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


@pytest.mark.slow
def test_no_text_of_the_evaluation_sets_is_in_the_training_corpus():
    news = SHARED / "eval" / "news" / "texts"
    if not news.is_dir():
        pytest.skip("the shared evaluation data is not here")
    evaluation: set[tuple[str, ...]] = set()
    for path in news.glob("*.txt"):
        evaluation |= _shingles(path.read_text(encoding="utf-8"))
    evaluation |= _shingles((SHARED / "eval" / "seed" / "article.txt").read_text(encoding="utf-8"))
    training = [s["text"] for s in _rows(CORPUS / "voa" / "stories.jsonl")]
    training += [
        r["window"] + " " + r["context"] for r in _rows(CORPUS / "synthetic" / "examples.jsonl")
    ]
    shared = set().union(*(_shingles(t) for t in training)) & evaluation
    assert not shared, sorted(shared)[:5]
