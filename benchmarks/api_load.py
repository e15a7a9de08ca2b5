"""HTTP load: detente's service beside the Oxigraph server, on the same data, in one run.

    python benchmarks/api_load.py [--relations 62500] [--seconds 10] [--concurrency 8]

A synthetic store of about 16 triples per relation (62,500 relations: 1M triples, the
model of ``store_speed.py``) is loaded into two folders: one served by ``detente serve``,
one by ``oxigraph serve --union-default-graph`` (the same default-graph semantics). Then,
with the same client (threads, keep-alive connections), for ``--seconds`` each:

* ``GET /relations?theatre=Libya`` on detente (target p50 < 5 ms);
* a SPARQL 2-hop query (who backs those an actor backs) on both endpoints (target: detente
  p50 <= 1.3x Oxigraph's);
* ``/relations`` again while a query that runs until the 30 s time limit is in flight on
  detente (it must not delay other requests), and after it was ended.
* the same SPARQL load on a second detente server using uvicorn's httptools parser instead
  of h11 (the default: httptools drops the body of requests that offer an h2c upgrade),
  which measures what that fix costs.

Each of the first two runs with one client and with ``--concurrency`` clients.

Prints requests/s, p50 and p99 (ms), error counts and the ratios, as JSON.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from store_speed import synthetic_nquads

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.servers import detente_server, oxigraph_serve

ACCEPT_RESULTS = {"Accept": "application/sparql-results+json"}
TWO_HOPS = (
    "PREFIX dt: <https://w3id.org/detente/ns#> "
    "SELECT ?middle ?far WHERE { <https://w3id.org/detente/actor/A17> dt:backs ?middle . "
    "?middle dt:backs ?far }"
)
# A cross product of every triple with every other, filtered by a condition that no index
# answers and no row meets, then counted: nothing can be skipped and nothing streams, so
# only the time limit ends it (a filter like ``?z = 0`` would be answered by an index).
ENDLESS = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y "
    "FILTER (STRLEN(STR(?x)) + STRLEN(STR(?y)) < 0) }"
)


def load(method: str, url: str, seconds: float, concurrency: int, **kwargs) -> dict:
    """Closed-loop load: ``concurrency`` clients sending one request after another."""
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def client() -> None:
        nonlocal errors
        with httpx.Client(timeout=60) as http:
            while time.monotonic() < stop:
                start = time.perf_counter()
                try:
                    ok = http.request(method, url, **kwargs).status_code == 200
                except httpx.HTTPError:
                    ok = False
                took = time.perf_counter() - start
                with lock:
                    latencies.append(took)
                    errors += not ok

    begin = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        for _ in range(concurrency):
            pool.submit(client)
    elapsed = time.monotonic() - begin
    latencies.sort()
    return {
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))] * 1000, 2),
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relations", type=int, default=62_500)
    parser.add_argument("--actors", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    oxigraph = shutil.which("oxigraph")
    if oxigraph is None:
        sys.exit("the oxigraph server is needed: pip install oxigraph")

    with tempfile.TemporaryDirectory() as work:
        data = Path(work) / "data.nq"
        with data.open("wb") as out:
            for chunk in synthetic_nquads(args.relations, args.actors):
                out.write(chunk)
        ours, theirs = Path(work) / "detente", Path(work) / "oxigraph"
        for folder in (ours, theirs):
            subprocess.run(
                [oxigraph, "load", "--location", str(folder), "--file", str(data)],
                check=True,
                capture_output=True,
            )
        triples = sum(1 for _ in data.open("rb"))
        with (
            oxigraph_serve(theirs, seconds=600) as ox,
            detente_server(f"oxigraph:{ours}", token=None, DETENTE_QUERY_TIMEOUT="30") as detente,
        ):
            result = measure(detente, ox, triples, args)
        with (
            oxigraph_serve(theirs, seconds=600) as ox,
            detente_server(f"oxigraph:{ours}", token=None, DETENTE_HTTP_PARSER="httptools") as fast,
        ):
            result["httptools_parser"] = parser_cost(fast, ox, args)
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


def parser_cost(detente: str, ox: str, args: argparse.Namespace) -> dict:
    """SPARQL load on a detente server with the httptools parser, against Oxigraph again."""
    sparql = {"params": {"query": TWO_HOPS}, "headers": ACCEPT_RESULTS}
    load("GET", f"{detente}/sparql", seconds=1, concurrency=2, **sparql)  # warm the workers
    out: dict = {}
    for clients in sorted({1, args.concurrency}):
        common = {"seconds": args.seconds, "concurrency": clients}
        ours = load("GET", f"{detente}/sparql", **sparql, **common)
        theirs = load("GET", f"{ox}/query", **sparql, **common)
        out[f"clients_{clients}"] = {
            "sparql_2hop_detente": ours,
            "sparql_2hop_oxigraph": theirs,
            "sparql_p50_ratio": round(ours["p50_ms"] / theirs["p50_ms"], 2),
        }
    return out


def measure(detente: str, ox: str, triples: int, args: argparse.Namespace) -> dict:
    """Every measurement, on the two running servers: one client (latency as such) and
    ``--concurrency`` clients (latency under load, which on a small machine is mostly
    queueing: p50 ~ clients / throughput)."""
    relations = f"{detente}/relations?theatre=Libya"
    start = time.perf_counter()
    rows = httpx.get(relations, timeout=600).json()  # builds the view
    first_call = time.perf_counter() - start
    sparql = {"params": {"query": TWO_HOPS}, "headers": ACCEPT_RESULTS}
    result: dict = {
        "triples": triples,
        "relations_rows": len(rows),
        "relations_first_call_s": round(first_call, 2),
    }
    for clients in sorted({1, args.concurrency}):
        common = {"seconds": args.seconds, "concurrency": clients}
        run = {
            "relations": load("GET", relations, **common),
            "sparql_2hop_detente": load("GET", f"{detente}/sparql", **sparql, **common),
            "sparql_2hop_oxigraph": load("GET", f"{ox}/query", **sparql, **common),
        }
        run["sparql_p50_ratio"] = round(
            run["sparql_2hop_detente"]["p50_ms"] / run["sparql_2hop_oxigraph"]["p50_ms"], 2
        )
        result[f"clients_{clients}"] = run
    with ThreadPoolExecutor(1) as side:
        started = time.monotonic()
        slow = side.submit(httpx.get, f"{detente}/sparql", params={"query": ENDLESS}, timeout=120)
        time.sleep(1)
        result["relations_during_30s_query"] = load(
            "GET", relations, seconds=args.seconds, concurrency=args.concurrency
        )
        answer = slow.result()
        result["slow_query"] = {
            "status": answer.status_code,
            "seconds": round(time.monotonic() - started, 1),
        }
    result["relations_after_30s_query"] = load(
        "GET", relations, seconds=args.seconds, concurrency=args.concurrency
    )
    result["targets"] = {"relations_p50_ms": 5, "sparql_p50_ratio": 1.3, "errors": 0}
    return result


if __name__ == "__main__":
    main()
