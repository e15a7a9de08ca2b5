"""Freshness under continuous ingest: how soon answers reflect a write, and how fast they
are meanwhile.

    python benchmarks/freshness.py [--relations 1000000] [--seconds 60] [--clients 8]
                                   [--store DIR]

A synthetic store of ``--relations`` relations (the model of ``store_speed.py``: 10,000
actors, ten theatres, one named graph per 50 relations) is bulk-loaded (or reused from
``--store``, which keeps it between runs) and opened once by detente, which saves its
ledger beside it (the time of that first-ever read is reported). Then ``detente serve``
starts on it, and the time to its first ``/relations`` answer is the cold start
(target < 15 s at 1M relations).

For ``--seconds``, one article a second is posted to ``POST /documents``, each saying that
Egypt arms a state it never armed before, in Libya, while ``--clients`` clients send, one
request after another:

* ``/relations?theatre=Libya&predicate=backs`` (who backs whom in Libya, top 100);
* ``/relations?theatre=Libya&predicate=backs&actor=EGY`` (the new row);
* ``/paths?source=EGY&target=<the latest state>&max_hops=1`` (the new hop);
* ``/balance?theatre=Libya`` (the new node in the blocs).

Staleness of a route: from a post's 201 to the first answer of that route that reflects
it (an answer received before the 201 counts as 0). After the last post the clients go on
until every post is reflected everywhere (at most 30 s): a post never reflected is counted.

As the baseline, in the same run, the same clients then send one SPARQL aggregate
answering the first question straight from the store (through the service's SPARQL
endpoint, i.e. Oxigraph's own indexes) for ``--seconds / 4``.

Peak resident memory of every process (the server, its query workers, this client) is
sampled throughout. Prints JSON; targets at 1M relations on 2 cores: staleness p99 < 1 s,
/relations p50 < 5 ms and p99 < 50 ms during ingest and no slower than the baseline,
0 errors, every process < 1 GB.
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
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from store_speed import synthetic_nquads

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from detente.graph.analysis import with_subproperties
from detente.graph.ledger import ledger_path
from detente.ontology import load_gazetteer
from tests.servers import free_port

TOKEN = "freshness-benchmark"
BACKER = "EGY"
LIBYA_BACKS = {"theatre": "Libya", "predicate": "backs"}


def build_store(folder: Path, relations: int) -> None:
    beside = Path(sys.executable).with_name("oxigraph")  # in a virtualenv not activated
    loader = shutil.which("oxigraph") or (str(beside) if beside.exists() else None)
    if loader is None:
        sys.exit("the oxigraph loader is needed: pip install oxigraph")
    data = folder.with_suffix(".nq")
    with data.open("wb") as out:
        for chunk in synthetic_nquads(relations, 10_000):
            out.write(chunk)
    subprocess.run(
        [
            shutil.which("oxigraph") or "oxigraph",
            "load",
            "--location",
            str(folder),
            "--file",
            str(data),
        ],
        check=True,
        capture_output=True,
    )
    data.unlink()


def baseline_query() -> str:
    names = " ".join(f"dt:{p}" for p in sorted(with_subproperties(["backs"])))
    return (
        "PREFIX dt: <https://w3id.org/detente/ns#> "
        "SELECT ?s ?p ?o (COUNT(?r) AS ?n) (MIN(?date) AS ?first) (MAX(?date) AS ?last) "
        "(MAX(?conf) AS ?confidence) WHERE { "
        f"VALUES ?p {{ {names} }} "
        "?r dt:theatre <https://w3id.org/detente/theatre/Libya> ; dt:predicate ?p ; "
        "dt:subject ?s ; dt:object ?o ; dt:negated false ; dt:confidence ?conf . "
        "OPTIONAL { ?r dt:date ?date } } "
        "GROUP BY ?s ?p ?o ORDER BY DESC(?n) ?s LIMIT 100"
    )


def targets() -> list[tuple[str, str]]:
    """States for Egypt to arm, one per post (not Egypt, not Libya; one-word names, which
    the sentence below reads unambiguously)."""
    states = [a for a in load_gazetteer(generated=False).actors.values() if a.type == "State"]
    return [
        (a.id, a.label)
        for a in states
        if a.id not in (BACKER, "LBY") and a.label.isalpha() and a.label[0].isupper()
    ]


class Memory(threading.Thread):
    """Samples the resident memory of a process tree and keeps each process's peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peaks: dict[str, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.25):
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                return
            for proc in [*processes, psutil.Process()]:
                try:
                    name = (
                        "client"
                        if proc.pid == psutil.Process().pid
                        else ("server" if proc.pid == self.root.pid else f"worker-{proc.pid}")
                    )
                    rss = proc.memory_info().rss / 2**20
                except psutil.Error:
                    continue
                self.peaks[name] = round(max(self.peaks.get(name, 0.0), rss), 1)


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    values = sorted(values)
    return {
        "count": len(values),
        "p50_ms": round(statistics.median(values) * 1000, 2),
        "p90_ms": round(values[int(0.9 * (len(values) - 1))] * 1000, 2),
        "p99_ms": round(values[int(0.99 * (len(values) - 1))] * 1000, 2),
        "max_ms": round(values[-1] * 1000, 2),
    }


def run(base: str, args: argparse.Namespace) -> dict:
    pool = targets()
    posted: list[tuple[str, float]] = []  # (state id, time of the 201)
    seen: dict[str, dict[int, float]] = {"relations": {}, "paths": {}, "balance": {}}
    latencies: dict[str, list[float]] = {
        "relations": [],
        "relations_actor": [],
        "paths": [],
        "balance": [],
    }
    errors: dict[str, int] = {}
    lock = threading.Lock()
    ingest_done = threading.Event()
    stop = threading.Event()
    post_times: list[float] = []

    def note(route: str, reflected: set[str], received: float) -> None:
        with lock:
            for i, (state, at) in enumerate(posted):
                if i not in seen[route] and state in reflected:
                    seen[route][i] = max(0.0, received - at)

    def error(route: str) -> None:
        with lock:
            errors[route] = errors.get(route, 0) + 1

    def everything_seen() -> bool:
        with lock:
            return all(len(found) == len(posted) for found in seen.values())

    def client(number: int) -> None:
        routes = ["relations", "relations_actor", "paths", "balance"]
        step = number  # clients start on different routes
        with httpx.Client(base_url=base, timeout=60) as http:
            while not stop.is_set():
                route = routes[step % len(routes)]
                step += 1
                with lock:  # the oldest post the paths have not shown yet, else the latest
                    waiting = [s for i, (s, _) in enumerate(posted) if i not in seen["paths"]]
                    latest = waiting[0] if waiting else (posted[-1][0] if posted else None)
                if route == "relations":
                    params = {**LIBYA_BACKS}
                    path = "/relations"
                elif route == "relations_actor":
                    params = {**LIBYA_BACKS, "actor": BACKER, "limit": 1000}
                    path = "/relations"
                elif route == "paths":
                    if latest is None:
                        continue
                    params = {"source": BACKER, "target": latest, "max_hops": 1}
                    path = "/paths"
                else:
                    params = {"theatre": "Libya"}
                    path = "/balance"
                start = time.perf_counter()
                try:
                    response = http.get(path, params=params)
                except httpx.HTTPError:
                    error(route)
                    continue
                received = time.perf_counter()
                if response.status_code != 200:
                    # An actor posted a moment ago but not yet known is a stale answer
                    # (404), not a failure; anything else is an error.
                    if not (route == "paths" and response.status_code == 404):
                        error(route)
                    continue
                if not ingest_done.is_set():
                    latencies[route].append(received - start)
                body = response.json()
                if route == "relations_actor":
                    note("relations", {row["object"]["id"] for row in body}, received)
                elif route == "paths" and body:
                    note("paths", {body[0][0]["target"]}, received)
                elif route == "balance":
                    note("balance", {n for bloc in body["blocs"] for n in bloc}, received)

    def ingest() -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            headers = {"Authorization": f"Bearer {TOKEN}"}
            begin = time.perf_counter()
            for i in range(int(args.seconds)):
                due = begin + i
                time.sleep(max(0.0, due - time.perf_counter()))
                state, label = pool[(i + 1) % len(pool)]
                text = f"Egypt is sending weapons to {label} in Libya, report {i} says."
                start = time.perf_counter()
                try:
                    response = http.post(
                        "/documents", json={"text": text, "date": "2020-06-01"}, headers=headers
                    )
                except httpx.HTTPError:
                    error("post")
                    continue
                at = time.perf_counter()
                post_times.append(at - start)
                found = response.json().get("relations", []) if response.status_code == 201 else []
                if not any(r["object"]["id"] == state for r in found):
                    error("post_without_the_relation")
                    continue
                with lock:
                    posted.append((state, at))
        ingest_done.set()

    # Warm-up: the first post loads the extraction pipeline.
    label = pool[0][1]
    httpx.post(
        f"{base}/documents",
        json={"text": f"Egypt is sending weapons to {label} in Libya.", "date": "2020-06-01"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=300,
    ).raise_for_status()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    writer = threading.Thread(target=ingest)
    for t in [*threads, writer]:
        t.start()
    writer.join()
    deadline = time.monotonic() + 30
    while not everything_seen() and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    for t in threads:
        t.join()

    # The baseline: the first question as one SPARQL aggregate, straight from the store.
    baseline: list[float] = []
    baseline_errors = 0
    stop_at = time.monotonic() + max(args.seconds / 4, 3)
    query = baseline_query()

    def sparql_client() -> None:
        nonlocal baseline_errors
        with httpx.Client(base_url=base, timeout=120) as http:
            while time.monotonic() < stop_at:
                start = time.perf_counter()
                try:
                    ok = http.get("/sparql", params={"query": query}).status_code == 200
                except httpx.HTTPError:
                    ok = False
                with lock:
                    baseline.append(time.perf_counter() - start)
                    baseline_errors += not ok

    sparql = [threading.Thread(target=sparql_client) for _ in range(args.clients)]
    for t in sparql:
        t.start()
    for t in sparql:
        t.join()

    stale = {
        route: {
            **percentiles(list(found.values())),
            "never": len(posted) - len(found),
        }
        for route, found in seen.items()
    }
    return {
        "posts": len(posted),
        "post_ms": percentiles(post_times),
        "staleness": stale,
        "latency_during_ingest": {route: percentiles(v) for route, v in latencies.items()},
        "errors": errors,
        "baseline_sparql_aggregate": {**percentiles(baseline), "errors": baseline_errors},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relations", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--store", type=Path, help="Keep the synthetic store here (reused).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        folder = (args.store or Path(work) / "kg").resolve()
        if not folder.exists():
            build_store(folder, args.relations)
        saved = ledger_path(str(folder))
        first_read = None
        if not saved.exists():
            # Read from the store once, saved (and stamped) beside it; in a process of its
            # own, so that this client's memory is its own.
            start = time.perf_counter()
            # The vocabulary first, as the service loads it (a write: it would make the
            # saved ledger stale).
            read = (
                "from detente.graph import Ingestor, open_store; from detente.graph.ledger "
                f"import open_ledger; s = open_store('oxigraph:{folder}'); "
                "Ingestor(s).ensure_vocabulary(); open_ledger(s); s.close()"
            )
            subprocess.run([sys.executable, "-c", read], check=True)
            first_read = round(time.perf_counter() - start, 2)
        # Each run starts from the same store (the stamp in it, the ledger beside it):
        # posts of an earlier run are not in it.
        live = Path(work) / "live"
        shutil.copytree(folder, live)
        shutil.copy(saved, ledger_path(str(live)))

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        started = time.perf_counter()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "detente.api",
                "serve",
                "--store",
                str(live),
                "--port",
                str(port),
            ],
            env={
                **__import__("os").environ,
                "DETENTE_TOKEN": TOKEN,
                "DETENTE_QUERY_TIMEOUT": "120",
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        memory = Memory(server.pid)
        memory.start()
        try:
            cold = None
            while time.perf_counter() - started < 600:
                try:
                    if (
                        httpx.get(f"{base}/relations", params=LIBYA_BACKS, timeout=600).status_code
                        == 200
                    ):
                        cold = round(time.perf_counter() - started, 2)
                        break
                except httpx.HTTPError:
                    if server.poll() is not None:
                        sys.exit("detente serve exited")
                    time.sleep(0.1)
            result = run(base, args)
        finally:
            memory.stop.set()
            server.terminate()
            server.wait(timeout=60)
    relations = result["latency_during_ingest"]["relations"]
    baseline = result["baseline_sparql_aggregate"]
    out = {
        "relations": args.relations,
        "clients": args.clients,
        "first_read_of_the_store_s": first_read,
        "cold_start_to_first_relations_s": cold,
        **result,
        "peak_rss_mb": memory.peaks,
        "relations_p50_to_baseline_p50": round(relations["p50_ms"] / baseline["p50_ms"], 4)
        if relations.get("count") and baseline.get("count")
        else None,
        "targets": {
            "staleness_p99_ms": 1000,
            "relations_p50_ms": 5,
            "relations_p99_ms": 50,
            "cold_start_s": 15,
            "peak_rss_mb": 1024,
        },
    }
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
