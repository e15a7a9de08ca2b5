"""Copy the VOA stories into the corpus and cut their candidate pairs into annotation batches.

Usage, from the repository root (VOA is read here, never at run time)::

    python tools/corpus/voa_candidates.py ../shared/corpora/voa/voa_stories.jsonl

Writes, so that a rerun gives the same bytes:

* ``corpus/voa/stories.jsonl``: each story with its url, title, date and licence (public
  domain, a work of the US government; VOA asks to be credited with the url);
* ``corpus/voa/candidates.jsonl``: every candidate pair of the stories chosen for labelling
  (the relation model's own candidate function, ``detente.extract.candidates``): the
  window's text and offsets, both mentions and the actor each is read as;
* ``corpus/voa/batches/batch-NN.jsonl``: the same pairs grouped by window for annotators,
  whole stories per batch, each pair with its window marked ``[[A ...]]``/``[[B ...]]``;
* ``corpus/voa/batches/second.jsonl``: a seeded sample of windows (at least 15% of the
  pairs) for the second, independent annotator.

Which stories: a seeded draw stratified by VOA section, ``--stories`` of them. Pairs across
two sentences are many and mostly unrelated; a seeded ``--across`` share of them is kept.

Rounds: ``--round 2`` labels the next ``--stories`` of the same seeded draw, into
``candidates-round2.jsonl`` and ``batches/round2-*.jsonl``, leaving round 1's files as they
are (so that its labels keep their pairs).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections import defaultdict
from pathlib import Path

from corpus_files import marked

from detente.extract.candidates import Candidate, candidate_pairs
from detente.extract.pipeline import build_pipeline

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "corpus" / "voa"
LICENCE = "public domain (work of the US government); credit Voice of America with the url"


def _story_record(story: dict) -> dict:
    return {
        "id": f"voa-{story['id']}",
        "url": story["url"],
        "title": story["title"],
        "published": story["published"][:10],
        "section": story["section"],
        "author": story["author"],
        "source": "Voice of America",
        "licence": LICENCE,
        "text": story["text"],
    }


def _choose(stories: list[dict], count: int, seed: int) -> list[dict]:
    """``count`` stories, drawn in turn from each section (seeded), so that every region
    is in the corpus in proportion."""
    rng = random.Random(seed)
    by_section: dict[str, list[dict]] = defaultdict(list)
    for s in stories:
        by_section[s["section"]].append(s)
    for group in by_section.values():
        rng.shuffle(group)
    order = sorted(by_section, key=lambda k: (-len(by_section[k]), k))
    chosen: list[dict] = []
    while len(chosen) < count and any(by_section.values()):
        for section in order:
            if by_section[section] and len(chosen) < count:
                chosen.append(by_section[section].pop())
    return chosen


def _mention(m, window_start: int) -> dict:
    return {
        "text": m.span.text,
        "start": m.span.start_char - window_start,
        "end": m.span.end_char - window_start,
        "actor": m.actor.id,
        "label": m.actor.label,
        "type": m.actor.type,
        "via": str(m.via),
    }


def _record(story: dict, c: Candidate) -> dict:
    doc = c.window.doc
    start = c.window.start_char
    sentences = sorted({c.first.span.sent.start, c.second.span.sent.start})
    first_sentence = doc[sentences[0]].sent
    context = doc[first_sentence.start - 1].sent.text if first_sentence.start > 0 else ""
    a, b = _mention(c.first, start), _mention(c.second, start)
    window = c.window.text
    return {
        "id": hashlib.sha1(c.key(story["id"]).encode()).hexdigest()[:12],
        "story": story["id"],
        "window_start": start,
        "window": window,
        "sentence_break": (
            doc[sentences[1]].sent.start_char - start if len(sentences) > 1 else None
        ),
        "context": context,
        "a": a,
        "b": b,
        "marked": marked(window, a, b),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("voa", type=Path)
    parser.add_argument("--stories", type=int, default=30)
    parser.add_argument("--across", type=float, default=0.25)
    parser.add_argument("--batch-pairs", type=int, default=330)
    parser.add_argument("--second", type=float, default=0.17)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--round", type=int, default=1)
    args = parser.parse_args()
    suffix = "" if args.round == 1 else f"-round{args.round}"
    prefix = "batch" if args.round == 1 else f"round{args.round}"

    stories = [_story_record(json.loads(line)) for line in args.voa.open(encoding="utf-8")]
    stories.sort(key=lambda s: s["id"])
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "stories.jsonl").open("w", encoding="utf-8") as f:
        for s in stories:
            f.write(json.dumps(s, ensure_ascii=False) + "\n")

    nlp = build_pipeline(mode="rules")  # the candidates need the actors, not the model
    # Round 1 keeps the generator it was drawn with, so that a rerun gives the same bytes.
    rng = random.Random(args.seed if args.round == 1 else f"{args.seed}-{args.round}")
    drawn = _choose(stories, args.stories * args.round, args.seed)
    chosen = sorted(drawn[args.stories * (args.round - 1) :], key=lambda s: s["id"])
    records: list[dict] = []
    for story in chosen:
        doc = nlp(story["text"])
        for c in candidate_pairs(doc):
            if c.crosses_sentences and rng.random() >= args.across:
                continue
            records.append(_record(story, c))
    with (OUT / f"candidates{suffix}.jsonl").open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")

    batches = OUT / "batches"
    batches.mkdir(exist_ok=True)
    for old in [*batches.glob(f"{prefix}-*.jsonl"), batches / f"second{suffix}.jsonl"]:
        old.unlink(missing_ok=True)
    by_story: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        by_story[r["story"]].append(r)
    batch: list[dict] = []
    number = 1

    def flush() -> None:
        nonlocal batch, number
        if batch:
            _write_windows(batches / f"{prefix}-{number:02d}.jsonl", batch)
            number += 1
            batch = []

    for story_id in sorted(by_story):
        batch.extend(by_story[story_id])
        if len(batch) >= args.batch_pairs:
            flush()
    flush()

    windows = _windows(records)
    rng.shuffle(windows)
    second: list[dict] = []
    while sum(len(w["pairs"]) for w in second) < args.second * len(records):
        second.append(windows.pop())
    second.sort(key=lambda w: w["window_id"])
    with (batches / f"second{suffix}.jsonl").open("w", encoding="utf-8") as f:
        for w in second:
            f.write(json.dumps(w, ensure_ascii=False) + "\n")
    print(
        f"{len(stories)} stories copied; {len(chosen)} chosen, {len(records)} candidate pairs "
        f"({sum(r['sentence_break'] is not None for r in records)} across two sentences) in "
        f"{number - 1} batches; second annotator: {len(second)} windows, "
        f"{sum(len(w['pairs']) for w in second)} pairs"
    )


def _windows(records: list[dict]) -> list[dict]:
    """The pairs grouped by window, as annotators read them."""
    grouped: dict[tuple[str, int, str], dict] = {}
    for r in records:
        key = (r["story"], r["window_start"], r["window"])
        if key not in grouped:
            grouped[key] = {
                "window_id": f"{r['story']}@{r['window_start']}+{len(r['window'])}",
                "story": r["story"],
                "context": r["context"],
                "window": r["window"],
                "pairs": [],
            }
        grouped[key]["pairs"].append(
            {
                "id": r["id"],
                "marked": r["marked"],
                "A": f"{r['a']['text']} = {r['a']['label']} ({r['a']['type']})",
                "B": f"{r['b']['text']} = {r['b']['label']} ({r['b']['type']})",
            }
        )
    return list(grouped.values())


def _write_windows(path: Path, records: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for w in _windows(records):
            f.write(json.dumps(w, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
