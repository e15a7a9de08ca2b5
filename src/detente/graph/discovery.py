"""Finding the ``detente serve`` that holds an embedded store open.

An on-disk store admits one process, and opening it read-only next to its writer is
undefined behaviour in pyoxigraph. So a server records where it listens in a small file
beside the store, and the command line, finding the store in use, reads through that
server's SPARQL endpoint instead, as any other client would.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from detente.graph.remote import SparqlStore
from detente.graph.store import StoreError


def advert_path(location: str) -> Path:
    store = Path(location).resolve()
    return store.parent / f".{store.name}.server.json"


def local_url(host: str, port: int) -> str:
    """A URL this machine's clients can use for a server listening on ``host``."""
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@contextmanager
def advertised(location: str, url: str) -> Iterator[None]:
    """Record that this process serves the store at ``location`` on ``url``."""
    path = advert_path(location)
    record = {"url": url, "pid": os.getpid()}
    try:
        path.write_text(json.dumps(record))
    except OSError:  # a read-only parent folder: the command line just cannot find us
        yield
        return
    try:
        yield
    finally:
        try:
            if json.loads(path.read_text()) == record:
                path.unlink()
        except (OSError, ValueError):
            pass


def running_server(location: str) -> tuple[str, int] | None:
    """(URL, process id) of the live server of the store at ``location``, if any."""
    try:
        record = json.loads(advert_path(location).read_text())
        url, pid = str(record["url"]), int(record["pid"])
        os.kill(pid, 0)  # raises if no such process
        alive = httpx.get(f"{url}/health", timeout=3).status_code == 200
    except (OSError, ValueError, KeyError, TypeError, httpx.HTTPError):
        return None
    return (url, pid) if alive else None


class ServedStore(SparqlStore):
    """The store behind a running ``detente serve``, read through its SPARQL endpoint."""

    predeclares_prefixes = True

    def __init__(self, server: str) -> None:
        super().__init__(f"{server}/sparql")
        self.server = server

    def update(self, sparql: str) -> None:
        raise StoreError(
            f"the store is open in detente serve at {self.server}: it is read-only from here "
            f"(post documents to {self.server}/documents with the write token, or stop it)"
        )
