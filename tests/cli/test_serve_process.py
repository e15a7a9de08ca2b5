"""``detente serve`` and ``detente demo`` as processes: what raw HTTP clients send, what the
command line can do next to a running server, and how the processes end."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.cli.test_cli import run
from tests.paths import EXAMPLES
from tests.servers import detente_server, free_port

# Starts processes, servers or a browser: outside the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow

TOKEN = "process-token"


def raw_request(base: str, request: bytes) -> bytes:
    """Send ``request`` as is and read the whole answer (the server closes or stops)."""
    where = urlsplit(base)
    with socket.create_connection((where.hostname, where.port), timeout=30) as connection:
        connection.sendall(request)
        answer = b""
        connection.settimeout(5)
        try:
            while b"\r\n\r\n" not in answer or not _complete(answer):
                chunk = connection.recv(65536)
                if not chunk:
                    break
                answer += chunk
        except TimeoutError:
            pass
    return answer


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return body.endswith(b"0\r\n\r\n") or head.startswith(b"HTTP/1.1 204")


def h2c_post(path: str, media: str, body: bytes, token: str | None = None) -> bytes:
    """A POST as Java's HttpClient and ``curl --http2`` send it: offering an upgrade."""
    auth = f"Authorization: Bearer {token}\r\n".encode() if token else b""
    return (
        f"POST {path} HTTP/1.1\r\nHost: localhost\r\n".encode()
        + b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        + b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"
        + auth
        + f"Content-Type: {media}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> str:
    store = tmp_path_factory.mktemp("serve") / "store"
    with detente_server(f"oxigraph:{store}", TOKEN) as base:
        yield base


def test_bodies_survive_an_h2c_upgrade_offer(server: str) -> None:
    update = b"INSERT DATA { GRAPH <http://e/h2c> { <http://e/a> <http://e/p> <http://e/b> } }"
    answer = raw_request(
        server, h2c_post("/sparql/update", "application/sparql-update", update, TOKEN)
    )
    assert answer.startswith(b"HTTP/1.1 204"), answer[:200]
    query = b"ASK { GRAPH <http://e/h2c> { <http://e/a> <http://e/p> <http://e/b> } }"
    answer = raw_request(server, h2c_post("/sparql", "application/sparql-query", query))
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b'"boolean":true' in answer


def test_the_command_line_reads_through_a_running_server(tmp_path: Path) -> None:
    store = tmp_path / "store"
    done = run("ingest", str(EXAMPLES / "libya-2020.txt"), "--store", str(store), "--create")
    assert done.returncode == 0, done.stderr.decode()
    with detente_server(f"oxigraph:{store}", TOKEN) as base:
        listed = run("documents", "--store", str(store))
        assert listed.returncode == 0, listed.stderr.decode()
        assert b"libya-2020.txt" in listed.stdout
        counted = run("query", "SELECT (COUNT(*) AS ?n) { ?a dt:aids ?b }", "--store", str(store))
        assert counted.returncode == 0 and b"n" in counted.stdout
        backers = run("backers", "--theatre", "Libya", "--store", str(store), "--json")
        assert backers.returncode == 0 and json.loads(backers.stdout)
        refused = run("ingest", str(EXAMPLES / "libya-2019.txt"), "--store", str(store))
        assert refused.returncode == 2
        assert base.encode() in refused.stderr and b"Traceback" not in refused.stderr
    # Once the server is gone the store opens directly again.
    assert run("documents", "--store", str(store)).returncode == 0


def test_sources_are_paths_as_typed_and_stdin_has_none(tmp_path: Path) -> None:
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "gulf.txt").write_text("Qatar has long funded Hamas.\n")
    store = tmp_path / "store"
    ingest = run("ingest", "news", "--store", str(store), "--create", cwd=tmp_path)
    assert ingest.returncode == 0, ingest.stderr.decode()
    for text in (b"Iran arms the Houthis in Yemen.\n", b"Egypt backs Haftar in Libya.\n"):
        assert run("ingest", "-", "--store", str(store), stdin=text).returncode == 0
    sparql = "SELECT ?s { ?d dct:source ?s }"
    listed = run("query", sparql, "--store", str(store), "--format", "csv")
    sources = listed.stdout.decode().split()[1:]
    assert "news/gulf.txt" in sources
    assert sum(s.startswith("text:") for s in sources) == 2  # stdin did not replace stdin
    assert not any(s.startswith("/") for s in sources)
    removed = run("remove", "./news/../news/gulf.txt", "--store", str(store), cwd=tmp_path)
    assert removed.returncode == 0, removed.stderr.decode()


def test_a_terminated_demo_leaves_nothing_behind(tmp_path: Path) -> None:
    port = free_port()
    environ = {**os.environ, "TMPDIR": str(tmp_path)}
    demo = subprocess.Popen(
        [sys.executable, "-m", "detente", "demo", "--port", str(port)],
        env=environ,
        cwd=tmp_path,  # not a clone: the examples must come with the package
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
            assert demo.poll() is None, demo.stderr.read().decode()
        rows = httpx.get(f"http://127.0.0.1:{port}/relations", timeout=30).json()
        assert rows
        assert list(tmp_path.glob("detente-demo-*"))
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=60)
    finally:
        if demo.poll() is None:
            demo.kill()
    assert list(tmp_path.glob("detente-demo-*")) == []
    assert list(tmp_path.glob("detente-store-*")) == []
