"""Real SPARQL servers for the tests, started by the tests themselves.

* the Oxigraph server from PyPI (``oxigraph serve``), on a free loopback port;
* OpenLink Virtuoso from Debian (``virtuoso-t``), an instance of the tests' own on free
  loopback ports, with a throw-away password.

Each fixture skips, saying exactly why, only when its server is not installed.
"""

from __future__ import annotations

import os
import secrets
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

# Base URL -> process id of each server the tests started and have not stopped yet.
SERVERS: dict[str, int] = {}


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
    """``detente serve`` on ``store`` in a subprocess; yields its base URL (its process id
    is ``SERVERS[url]`` while it runs)."""
    port = free_port()
    environ = {**os.environ, **env}
    if token:
        environ["DETENTE_TOKEN"] = token
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "detente",
            "serve",
            "--store",
            store,
            "--create",
            "--port",
            str(port),
        ],
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
        SERVERS[base] = proc.pid
        yield base
    finally:
        SERVERS.pop(base, None)
        proc.terminate()
        proc.wait(timeout=30)


VIRTUOSO_INI = """[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = .
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = 10
[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""


def _isql(port: int, password: str, statement: str) -> None:
    isql = shutil.which("isql-vt") or shutil.which("isql")
    if isql is None:
        raise RuntimeError("Virtuoso's isql client is missing")
    subprocess.run(
        [isql, f"127.0.0.1:{port}", "dba", password, f"exec={statement}"],
        check=True,
        capture_output=True,
        timeout=60,
    )


@contextmanager
def virtuoso_serve(folder: Path, seconds: float = 120.0) -> Iterator[str]:
    """A Virtuoso instance of the tests' own: its database in ``folder``, both ports on
    127.0.0.1, a dba password made up for this run; stopped on exit. Yields the SPARQL
    endpoint's URL. Anonymous SPARQL may write: only this process's loopback clients can
    reach it, and it is gone when the tests end."""
    binary = shutil.which("virtuoso-t")
    if binary is None:
        raise RuntimeError("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(folder=folder, sql_port=sql_port, http_port=http_port))
    proc = subprocess.Popen(
        [binary, "+foreground", "+configfile", str(ini)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{http_port}/sparql"
    try:
        wait_for(endpoint, seconds, proc)
        # Hex: a password that starts with "-" would read as an option to isql.
        password = secrets.token_hex(18)
        # A new database starts with Virtuoso's well-known dba password: replace it first.
        _isql(sql_port, "dba", f"USER_SET_PASSWORD('dba', '{password}');")
        _isql(sql_port, password, 'GRANT SPARQL_UPDATE TO "SPARQL";')
        _isql(sql_port, password, "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);")
        SERVERS[endpoint] = proc.pid
        yield endpoint
    finally:
        SERVERS.pop(endpoint, None)
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory) -> Iterator[str]:
    if shutil.which("virtuoso-t") is None:
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    with virtuoso_serve(tmp_path_factory.mktemp("virtuoso")) as endpoint:
        yield f"sparql:{endpoint}"


def run_cli(
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    text: bool = True,
    stdin: bytes | str | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess:
    """``detente ARGS...`` in a subprocess, its output captured; ``env`` adds to this
    process's environment."""
    return subprocess.run(
        [sys.executable, "-m", "detente", *args],
        input=stdin,
        capture_output=True,
        text=text,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, **env} if env else None,
    )
