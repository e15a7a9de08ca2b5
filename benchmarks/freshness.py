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
Egypt arms a state it never armed before, in Libya, while ``--clients`` client processes
send one request after another, a quarter of them (at least one) to each of:

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
import multiprocessing
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

# Only light imports at the top: the client processes are spawned, and spawning imports
# this module again in each of them.
HERE = Path(__file__).resolve().parent

TOKEN = "freshness-benchmark"
BACKER = "EGY"
LIBYA_BACKS = {"theatre": "Libya", "predicate": "backs"}


def build_store(folder: Path, relations: int) -> None:
    sys.path.insert(0, str(HERE))
    from store_speed import synthetic_nquads

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
    from detente.analysis.multigraph import with_subproperties

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
    from detente.ontology import load_gazetteer

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


ROUTES = ("relations", "relations_actor", "paths", "balance")


def client(number: int, base: str, sequence: list[str], stop_at, expected, ready, results) -> None:
    """One client process (its own interpreter: threads of one would queue on its lock and
    add that wait to every latency): one request after another to its route, until
    ``stop_at`` (a shared monotonic time, 0 while unknown) passes or, once the posts are
    over, every state posted (``expected[i]`` for ``sequence[i]``) shows on its route.
    Records (route, sent, received, status, states reflected); answers are searched as
    bytes, not parsed. Monotonic clocks are system-wide on Linux, so times compare across
    processes."""
    records = []
    # Each client asks one route (clients n, n+4, ... the same): a client cycling through
    # all routes would wait on the slowest one and be late to see the others.
    route = ROUTES[number % len(ROUTES)]
    shown: set[str] = set()  # the states this client has seen in a path answer
    seen_on: dict[str, set[str]] = {"relations_actor": set(), "balance": set()}
    keys = {s: f'"{s}"'.encode() for s in sequence}
    turn = 0
    with httpx.Client(base_url=base, timeout=120) as http:
        http.get("/health").raise_for_status()
        with ready.get_lock():
            ready.value += 1

        def finished() -> bool:
            if not stop_at.value:
                return False
            if time.monotonic() >= stop_at.value or route == "relations":
                return True  # the plain route measures latency during the posts only
            seen = shown if route == "paths" else seen_on[route]
            return all(s in seen for s, wanted in zip(sequence, expected, strict=True) if wanted)

        while not finished():
            if route == "relations":
                path, params = "/relations", LIBYA_BACKS
            elif route == "relations_actor":
                path, params = "/relations", {**LIBYA_BACKS, "actor": BACKER, "limit": 1000}
            elif route == "paths":
                # The states not shown yet, in turn: a post that failed blocks nothing.
                waiting = [s for s in sequence if s not in shown] or sequence
                target = waiting[turn % min(len(waiting), 3)]
                turn += 1
                path, params = "/paths", {"source": BACKER, "target": target, "max_hops": 1}
            else:
                path, params = "/balance", {"theatre": "Libya"}
            sent = time.monotonic()
            try:
                response = http.get(path, params=params)
            except httpx.HTTPError:
                records.append((route, sent, time.monotonic(), 0, ()))
                continue
            received = time.monotonic()
            body = response.content
            reflected: tuple[str, ...] = ()
            if response.status_code == 200:
                if route == "paths":
                    if body.startswith(b"[["):
                        reflected = (target,)
                        shown.add(target)
                elif route != "relations":
                    # The states this client has not seen on this route yet, in post order,
                    # until three in a row are missing (later posts are not in yet either):
                    # searching every answer for every state made the client the bottleneck.
                    found, hits, misses = seen_on[route], [], 0
                    for state in sequence:
                        if state in found:
                            continue
                        if keys[state] in body:
                            hits.append(state)
                            misses = 0
                        else:
                            misses += 1
                            if misses == 3:
                                break
                    found.update(hits)
                    reflected = tuple(hits)
            records.append((route, sent, received, response.status_code, reflected))
    results.put(records)


def run(base: str, args: argparse.Namespace) -> dict:
    pool = targets()
    count = int(args.seconds)
    sequence = [pool[(i + 1) % len(pool)][0] for i in range(count)]
    posted: list[tuple[str, float]] = []  # (state id, monotonic time of the 201)
    post_times: list[float] = []
    unread: list[str] = []
    errors: dict[str, int] = {}
    headers = {"Authorization": f"Bearer {TOKEN}"}

    # Warm-up: the first post starts the extraction process ...
    httpx.post(
        f"{base}/documents",
        json={"text": f"Egypt is sending weapons to {pool[0][1]} in Libya.", "date": "2020-06-01"},
        headers=headers,
        timeout=300,
    ).raise_for_status()
    # ... and every route answers once: the query workers start, the indexes are built.
    for path, params in (
        ("/relations", LIBYA_BACKS),
        ("/paths", {"source": BACKER, "target": pool[0][0], "max_hops": 1}),
        ("/balance", {"theatre": "Libya"}),
    ):
        httpx.get(f"{base}{path}", params=params, timeout=600).raise_for_status()
    context = multiprocessing.get_context("spawn")
    stop_at = context.Value("d", 0.0)
    expected = context.Array("b", len(sequence))  # the states whose post was read as arming
    ready = context.Value("i", 0)
    results = context.Queue()
    clients = [
        context.Process(target=client, args=(n, base, sequence, stop_at, expected, ready, results))
        for n in range(args.clients)
    ]
    for proc in clients:
        proc.start()
    deadline = time.monotonic() + 300
    while ready.value < args.clients and time.monotonic() < deadline:
        time.sleep(0.1)  # every client's interpreter has started and asked once
    time.sleep(1)
    began = time.monotonic()
    with httpx.Client(base_url=base, timeout=60) as http:
        for i in range(count):
            time.sleep(max(0.0, began + i - time.monotonic()))
            state, label = pool[(i + 1) % len(pool)]
            text = f"Egypt is sending weapons to {label} in Libya, report {i} says."
            start = time.monotonic()
            try:
                response = http.post(
                    "/documents", json={"text": text, "date": "2020-06-01"}, headers=headers
                )
            except httpx.HTTPError:
                errors["post"] = errors.get("post", 0) + 1
                continue
            at = time.monotonic()
            post_times.append(at - start)
            found = response.json().get("relations", []) if response.status_code == 201 else []
            if response.status_code != 201:
                errors["post"] = errors.get("post", 0) + 1
                continue
            if not any(r["object"]["id"] == state for r in found):
                # Stored, but the extractor did not read the sentence as Egypt arming that
                # state (an extraction miss, not a service error): not a probe of freshness.
                unread.append(state)
                continue
            posted.append((state, at))
            expected[i] = 1
    ended = time.monotonic()
    # The clients go on until every post shows on their route, at most 30 s more.
    stop_at.value = ended + 30
    records = [r for _ in clients for r in results.get()]
    for proc in clients:
        proc.join()

    latencies: dict[str, list[float]] = {route: [] for route in ROUTES}
    first_seen: dict[str, dict[str, float]] = {"relations": {}, "paths": {}, "balance": {}}
    for route, sent, received, status, reflected in records:
        if status != 200 and not (route == "paths" and status == 404):
            # An actor posted a moment ago but not yet known is a stale answer, not an error.
            errors[route] = errors.get(route, 0) + 1
        if began <= sent and received <= ended:
            latencies[route].append(received - sent)
        kind = "relations" if route == "relations_actor" else route
        if kind in first_seen:
            for state in reflected:
                if received < first_seen[kind].get(state, float("inf")):
                    first_seen[kind][state] = received
    staleness = {}
    for kind, seen in first_seen.items():
        values = [max(0.0, seen[state] - at) for state, at in posted if state in seen]
        staleness[kind] = {
            **percentiles(values),
            "never": len(posted) - len(values),
            # Reported apart, not instead: the first posts after the start wait longest.
            "after_the_first_5_posts": percentiles(values[5:]),
            "by_post_ms": [round(v * 1000) for v in values],
        }

    # The baseline: the first question as one SPARQL aggregate, straight from the store.
    baseline: list[float] = []
    baseline_errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + max(args.seconds / 4, 3)
    query = baseline_query()

    def sparql_client() -> None:
        nonlocal baseline_errors
        with httpx.Client(base_url=base, timeout=120) as http:
            while time.monotonic() < stop:
                start = time.monotonic()
                try:
                    ok = http.get("/sparql", params={"query": query}).status_code == 200
                except httpx.HTTPError:
                    ok = False
                with lock:
                    baseline.append(time.monotonic() - start)
                    baseline_errors += not ok

    alone = []
    with httpx.Client(base_url=base, timeout=120) as http:
        for _ in range(3):  # one client: the query's own time
            start = time.monotonic()
            http.get("/sparql", params={"query": query}).raise_for_status()
            alone.append(time.monotonic() - start)
    threads = [threading.Thread(target=sparql_client) for _ in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "posts": len(posted),
        "posts_not_read_as_arming": unread,
        "post_ms": percentiles(post_times),
        "staleness": staleness,
        "latency_during_ingest": {route: percentiles(v) for route, v in latencies.items()},
        "errors": errors,
        "baseline_sparql_aggregate": {**percentiles(baseline), "errors": baseline_errors},
        "baseline_sparql_aggregate_one_client": percentiles(alone),
    }


def main() -> None:
    sys.path.insert(0, str(HERE.parent))
    from detente.analysis.ledger import ledger_path
    from tests.servers import free_port

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
        # The vocabulary first, as the service loads it: a newer ontology is a write, which
        # makes the saved ledger stale, so the ledger is then read from the store once
        # more and saved (and stamped) beside it; in a process of its own, so that this
        # client's memory is its own.
        existed = saved.exists()
        start = time.perf_counter()
        prepare = (
            "from detente.graph import open_store; from detente.ingest import Ingestor; "
            "from detente.analysis.ledger import open_ledger; "
            f"s = open_store('oxigraph:{folder}'); "
            "new = Ingestor(s).ensure_vocabulary(); open_ledger(s); s.close(); "
            "print('read' if new else 'kept')"
        )
        done = subprocess.run(
            [sys.executable, "-c", prepare], check=True, capture_output=True, text=True
        )
        if "read" in done.stdout or not existed:
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
                "detente",
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
