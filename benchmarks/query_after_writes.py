"""Query latency on the SPARQL endpoint as writes accumulate, against the same query before
any write, in one run.

    python benchmarks/query_after_writes.py [--megabytes 200] [--rounds 10] [--queries 20]

A ``detente serve`` on a fresh on-disk store; first the query's latency on the untouched
store (the baseline). Then, round after round, about ``megabytes / rounds`` MB of triples are
written through ``POST /sparql/update`` in updates of about 1 MB, and right after the last
write of the round the query is timed: the first answer after a write (which pays for the
checkpoint the workers read) and the median of ``--queries`` more. Before the checkpoints,
every worker reopened the live store after each write and replayed its whole write-ahead
log inside the deadline: 79 MB of log made queries take 2.6–3.6 s, and 188 MB gave 503.

Prints, as JSON, per round the megabytes written so far and the two latencies, and the
ratios of the last round to the baseline (target: flat, about 1).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.servers import detente_server

TOKEN = "benchmark-token"
QUERY = (
    "SELECT ?who (COUNT(?x) AS ?n) WHERE { GRAPH <http://bench/seed> { ?who <http://bench/p> ?x } }"
    " GROUP BY ?who ORDER BY DESC(?n) LIMIT 5"
)


def update_body(start: int, triples: int, graph: str) -> str:
    rows = " ".join(
        f'<http://bench/s{i % 5000}> <http://bench/p> "payload {i} {"x" * 60}" .'
        for i in range(start, start + triples)
    )
    return f"INSERT DATA {{ GRAPH <{graph}> {{ {rows} }} }}"


def timed(http: httpx.Client, url: str) -> float:
    started = time.perf_counter()
    response = http.get(url, params={"query": QUERY}, timeout=120)
    took = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"query answered {response.status_code}: {response.text[:200]}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=200)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--queries", type=int, default=20)
    args = parser.parse_args()
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
    per_update = 10_000  # triples: about 1 MB of update text
    with tempfile.TemporaryDirectory() as work, httpx.Client() as http:
        store = f"oxigraph:{Path(work) / 'store'}"
        with detente_server(store, TOKEN, DETENTE_QUERY_TIMEOUT="30") as base:
            sparql, update = f"{base}/sparql", f"{base}/sparql/update"
            http.post(update, content=update_body(0, 20_000, "http://bench/seed"), headers=headers)
            timed(http, sparql)  # the first checkpoint, and the workers' first open
            baseline = statistics.median(timed(http, sparql) for _ in range(args.queries))
            written, counter, rounds = 0, 0, []
            target = args.megabytes * 1_000_000 / args.rounds
            for _ in range(args.rounds):
                done = 0
                while done < target:
                    body = update_body(counter, per_update, f"http://bench/w{counter}")
                    answer = http.post(update, content=body, headers=headers, timeout=120)
                    answer.raise_for_status()
                    counter += per_update
                    done += len(body)
                written += done
                first = timed(http, sparql)
                steady = statistics.median(timed(http, sparql) for _ in range(args.queries))
                rounds.append(
                    {
                        "written_mb": round(written / 1e6, 1),
                        "first_query_after_write_ms": round(first * 1000, 1),
                        "query_p50_ms": round(steady * 1000, 2),
                    }
                )
    last = rounds[-1]
    result = {
        "baseline_query_p50_ms": round(baseline * 1000, 2),
        "rounds": rounds,
        "ratio_last_p50_to_baseline": round(last["query_p50_ms"] / (baseline * 1000), 2),
        "ratio_last_first_to_first_round": round(
            last["first_query_after_write_ms"] / rounds[0]["first_query_after_write_ms"], 2
        ),
    }
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
