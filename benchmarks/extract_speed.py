"""Words per second of detente's extraction against bare ``nlp.pipe`` of the same model,
and the peak memory of one extraction worker.

    python benchmarks/extract_speed.py [--words 150000] [--n-process 1] [--batch-size 16]

The baseline is measured in the same run, on the same texts, with the same batching: the
parser is the floor, and each ratio says what detente's own components cost on top of it:
the default extraction (rules and the relation model; target 2.5) and ``--fast`` (the
rules alone; target 1.3).
The corpus is the real news of ../shared/eval/news (article bodies, which the boilerplate
filter keeps) when present, else the bundled examples, repeated to the requested size.
Memory is the peak resident size of a fresh process that loads one extractor and runs the
same corpus: what each ``--n-process`` worker costs.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def corpus(words: int) -> list[str]:
    news = ROOT.parent / "shared" / "eval" / "news" / "texts"
    if news.is_dir():
        from detente.extract.evaluation.news_data import read_news_text

        texts = [read_news_text(p).body for p in sorted(news.glob("*.txt"))]
    else:
        texts = [
            p.read_text(encoding="utf-8")
            for p in sorted((ROOT / "src/detente/examples").glob("*.txt"))
        ]
    out, total = [], 0
    while total < words:
        for text in texts:
            out.append(text)
            total += len(text.split())
            if total >= words:
                break
    return out


def _worker_peak(texts: list[str], queue) -> None:
    from detente.extract import Extractor
    from detente.extract.text import Article

    extractor = Extractor()  # the default, with the relation model: the larger worker
    for _ in extractor.process((Article(t), None) for t in texts):
        pass
    queue.put(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def worker_memory_mb(texts: list[str]) -> float:
    """Peak RSS (MB) of a fresh process running one extractor over ``texts``."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    worker = context.Process(target=_worker_peak, args=(texts, queue))
    worker.start()
    peak = queue.get()
    worker.join()
    return round(peak)


def timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=150_000)
    parser.add_argument("--n-process", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()

    from detente.extract import Extractor, load_language_model
    from detente.extract.text import Article

    texts = corpus(args.words)
    n_words = sum(len(t.split()) for t in texts)
    bare = load_language_model()
    extractors = {
        mode: Extractor(batch_size=args.batch_size, n_process=args.n_process, mode=mode)
        for mode in ("both", "rules")
    }
    warm = texts[:4]  # load lazily initialised parts (dateparser, vectors) before timing
    list(bare.pipe(warm))
    for extractor in extractors.values():
        list(extractor.process((Article(t), None) for t in warm))

    base = timed(
        lambda: list(bare.pipe(texts, batch_size=args.batch_size, n_process=args.n_process))
    )
    relations = dict.fromkeys(extractors, 0)
    seconds = {}
    for mode, extractor in extractors.items():

        def run_detente(mode: str = mode, extractor=extractor) -> None:
            for _article, rels in extractor.process((Article(t), None) for t in texts):
                relations[mode] += len(rels)

        seconds[mode] = timed(run_detente)
    result = {
        "documents": len(texts),
        "words": n_words,
        "n_process": args.n_process,
        "baseline_words_per_s": round(n_words / base),
        "detente_words_per_s": round(n_words / seconds["both"]),
        "fast_words_per_s": round(n_words / seconds["rules"]),
        "relations": relations["both"],
        "fast_relations": relations["rules"],
        "ratio": round(seconds["both"] / base, 3),
        "target_ratio": 2.5,
        "fast_ratio": round(seconds["rules"] / base, 3),
        "target_fast_ratio": 1.3,
        "worker_peak_mb": worker_memory_mb(texts),
        "target_worker_mb": 800,
    }
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
