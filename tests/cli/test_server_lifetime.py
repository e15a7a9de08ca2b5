"""Reads survive writes, helpers die with the server, and SIGTERM ends it promptly: the
findings of an outside audit, each as a regression test against a real server."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from pathlib import Path

import httpx
import psutil
import pytest

from detente.graph.oxigraph import OxigraphStore
from detente.http.background import BackgroundServer
from detente.http.settings import ServiceSettings
from detente.live.service import KnowledgeService
from detente.sparql.snapshots import Snapshots
from tests.servers import SERVERS, detente_server

# Starts processes, servers or a browser: outside the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow

TOKEN = "test-token"
UPDATE = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}


# ---------------------------------------------------------------------- snapshots
def test_a_leased_checkpoint_outlives_newer_ones_until_released(tmp_path: Path) -> None:
    """The race behind 500s under concurrent writes: a query chose a checkpoint, a write
    made a newer one and deleted the first before the query's worker opened it."""
    store = OxigraphStore(str(tmp_path / "store"))
    generation = [0]
    snapshots = Snapshots(store, lambda: generation[0])
    try:
        leased = snapshots.lease()
        generation[0] += 1
        newer = snapshots.current()
        assert newer.path != leased.path
        assert Path(leased.path).is_dir()  # still there: a query holds it
        snapshots.release(leased.path)
        assert not Path(leased.path).exists()  # gone once nobody holds it
        assert Path(newer.path).is_dir()  # the latest stays
    finally:
        snapshots.stop()
        store.close()


def test_readers_get_answers_while_writers_write(tmp_path: Path) -> None:
    """2 writers and 4 readers of /sparql and /graph-store at once: every read answers."""
    settings = ServiceSettings(store=str(tmp_path / "store"), token=TOKEN, query_workers=2)
    service = KnowledgeService(settings.store)
    failures: list[str] = []
    writing = threading.Event()
    writing.set()

    def write(name: str) -> None:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            for i in range(12):
                triple = f"<http://e/s{i}> <http://e/p> {i}"
                body = f"INSERT DATA {{ GRAPH <http://e/{name}> {{ {triple} }} }}"
                answer = http.post("/sparql/update", content=body, headers=UPDATE)
                if answer.status_code != 204:
                    failures.append(f"write {answer.status_code}: {answer.text}")

    def read(k: int) -> None:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            while writing.is_set():
                if k % 2:
                    answer = http.get("/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 5"})
                else:
                    answer = http.get("/graph-store", params={"default": ""})
                if answer.status_code != 200:
                    failures.append(f"read {answer.status_code}: {answer.text}")

    with BackgroundServer(service, settings=settings) as server:
        readers = [threading.Thread(target=read, args=(k,)) for k in range(4)]
        writers = [threading.Thread(target=write, args=(f"w{k}",)) for k in range(2)]
        for thread in readers + writers:
            thread.start()
        for thread in writers:
            thread.join(timeout=300)
        writing.clear()
        for thread in readers:
            thread.join(timeout=120)
        total = "SELECT (COUNT(*) AS ?n) { ?s <http://e/p> ?o }"
        count = httpx.get(f"{server.url}/sparql", params={"query": total}).json()
    count = count["results"]["bindings"][0]["n"]["value"]
    assert failures == []
    assert count == "24"


# ---------------------------------------------------------------------- processes
def _helpers(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


def test_helpers_die_with_a_server_that_is_killed(tmp_path: Path) -> None:
    with detente_server(str(tmp_path / "store"), token=TOKEN) as url:
        pid = SERVERS[url]
        assert httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=60).status_code == 200
        posted = httpx.post(
            f"{url}/documents",
            json={"text": "Chile condemned Peru for the attack on Arica."},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=120,
        )
        assert posted.status_code in (200, 201), posted.text
        helpers = _helpers(pid)
        assert len(helpers) >= 2  # query workers and the extraction process (and its tracker)
        os.kill(pid, signal.SIGKILL)
        _gone, alive = psutil.wait_procs(helpers, timeout=30)
        assert alive == [], [p.cmdline() for p in alive]


def test_sigterm_ends_the_server_promptly_while_an_update_runs(tmp_path: Path) -> None:
    rows = " ".join(f"<http://e/n{i}> <http://e/p> {i} ." for i in range(300))
    graphs = " ".join(f"GRAPH <http://e/g{k}> {{ {rows} }}" for k in range(3))
    cross = (
        "INSERT { GRAPH <http://e/out> { ?a ?b ?c } } WHERE { GRAPH <http://e/g0> { ?a ?b ?x } "
        "GRAPH <http://e/g1> { ?d ?e ?y } GRAPH <http://e/g2> { ?f ?g ?c } }"
    )
    with detente_server(str(tmp_path / "store"), token=TOKEN, DETENTE_QUERY_TIMEOUT="300") as url:
        process = psutil.Process(SERVERS[url])
        data = httpx.post(
            f"{url}/sparql/update", content=f"INSERT DATA {{ {graphs} }}", headers=UPDATE
        )
        assert data.status_code == 204

        def update() -> None:
            # Its answer never comes: the server is ended while it runs.
            with contextlib.suppress(httpx.HTTPError):
                httpx.post(f"{url}/sparql/update", content=cross, headers=UPDATE, timeout=None)

        threading.Thread(target=update, daemon=True).start()

        # The update is running once the workers compute (their CPU time grows).
        def busy() -> float:
            return sum(p.cpu_times().user for p in _helpers(process.pid))

        before, deadline = busy(), time.monotonic() + 60
        while time.monotonic() < deadline and busy() < before + 1.0:
            time.sleep(0.2)
        process.terminate()
        # "Within a few seconds": generous for a busy machine, far below the update's
        # minutes and the old behaviour (still running after 30 s).
        process.wait(timeout=20)
