"""Real SPARQL servers for the tests, started by the tests themselves.

* the Oxigraph server from PyPI (``oxigraph serve``), on a free loopback port;
* OpenLink Virtuoso from Debian (``/etc/init.d/virtuoso-opensource-7``, port 8890).

Each fixture skips, saying exactly why, only when its server is not installed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

VIRTUOSO_INIT = Path("/etc/init.d/virtuoso-opensource-7")
VIRTUOSO_SPARQL = "http://127.0.0.1:8890/sparql"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    """Until ``url`` answers a SPARQL ASK below 500; fails early if ``proc`` exits."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.args}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up within {seconds:.0f} s")


@contextmanager
def oxigraph_serve(location: Path, seconds: float = 60.0) -> Iterator[str]:
    """``oxigraph serve`` (the PyPI server) on ``location``, with the union of all graphs as
    the default graph; yields its base URL."""
    binary = shutil.which("oxigraph")
    if binary is None:
        raise RuntimeError("the oxigraph server is not installed (pip install oxigraph)")
    port = free_port()
    proc = subprocess.Popen(
        [
            binary,
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/query", seconds, proc)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory) -> Iterator[str]:
    if shutil.which("oxigraph") is None:
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    with oxigraph_serve(tmp_path_factory.mktemp("oxigraph-server")) as base:
        yield f"sparql:{base}/query|{base}/update|{base}/store"


@contextmanager
def detente_server(store: str, token: str | None = "test-token", **env: str) -> Iterator[str]:
    """``detente serve`` on ``store`` in a subprocess; yields its base URL."""
    port = free_port()
    environ = {**os.environ, **env}
    if token:
        environ["DETENTE_TOKEN"] = token
    proc = subprocess.Popen(
        [sys.executable, "-m", "detente.api", "serve", "--store", store, "--port", str(port)],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"detente serve did not start: {proc.stderr.read().decode()}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _isql(statement: str) -> None:
    isql = shutil.which("isql-vt") or shutil.which("isql")
    if isql is None:
        raise RuntimeError("Virtuoso's isql client is missing")
    subprocess.run(
        [isql, "1111", "dba", "dba", f"exec={statement}"],
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture(scope="session")
def virtuoso_server() -> Iterator[str]:
    if not VIRTUOSO_INIT.exists():
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    try:
        wait_for(VIRTUOSO_SPARQL, seconds=1)
    except RuntimeError:
        subprocess.run([str(VIRTUOSO_INIT), "start"], check=True, capture_output=True, timeout=120)
        wait_for(VIRTUOSO_SPARQL, seconds=120)
    # Let the anonymous SPARQL user write, as a dedicated test instance may.
    _isql('GRANT SPARQL_UPDATE TO "SPARQL";')
    _isql("DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);")
    yield f"sparql:{VIRTUOSO_SPARQL}"
