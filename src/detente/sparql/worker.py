"""A SPARQL worker: a process of its own, started by :mod:`detente.sparql.workers`.

    python -m detente.sparql.worker FD PARENT_PID

It reads requests from the socket ``FD`` (a :class:`multiprocessing.connection.Connection`),
confines itself so that it cannot reach the network (:mod:`detente.sparql.sandbox`), caps
its own private memory, and answers until the socket closes or its parent is gone. It is a
program, not a ``multiprocessing`` child, so starting it never re-runs the server's main
script.

Queries read a read-only checkpoint of the store. An update opens the store itself, which
the server has lent it (closed on its side meanwhile), applies the update in one
transaction and closes it again: a worker ended at its deadline leaves nothing written.
"""

from __future__ import annotations

import contextlib
import pickle
import struct
import sys
from multiprocessing.connection import Connection

from detente.sparql.engine import SparqlError

LEND_WAIT_S = 5.0  # how long an update waits for the server to release the store's lock


INLINE_BYTES = 256 * 1024  # answers up to this size travel with their header


def reply(conn: Connection, header: tuple, body: bytes) -> None:
    """Send ("ok", media type, size, None) or ("error", status, message, detail), then the
    body of an "ok": a small body in the same message as its header (one write, one read
    on the server's event loop), a large one as a message of its own, which the server
    reads on a thread."""
    framed = pickle.dumps(header, protocol=pickle.HIGHEST_PROTOCOL)
    inline = header[0] == "ok" and len(body) <= INLINE_BYTES
    conn.send_bytes(struct.pack("!I", len(framed)) + framed + (body if inline else b""))
    if header[0] == "ok" and not inline:
        conn.send_bytes(body)


def read_reply(conn: Connection) -> tuple[tuple, bytes | None]:
    """The header :func:`reply` sent and the body if it came along (None: it follows as a
    message of its own)."""
    raw = conn.recv_bytes()
    (size,) = struct.unpack_from("!I", raw)
    header = pickle.loads(raw[4 : 4 + size])
    if header[0] != "ok":
        return header, None
    return header, raw[4 + size :] if header[2] <= INLINE_BYTES else None


def memory_message(megabytes: int) -> str:
    return (
        f"the query needed more than the {megabytes:,} MB of memory a query may use: "
        "add LIMIT, narrow the patterns, or avoid ORDER BY over large cross products"
    )


PRELOAD_MB = 512  # memory caps from which a worker loads the analysis module at start
# The heap a worker touches at start and keeps (glibc): about what a balance of a theatre
# of 100,000 statements allocates in large blocks.
WARM_HEAP_MB = 32


def _balance(arguments: dict) -> bytes:
    """The ``/balance`` answer for ``theatre`` from its signed pairs (the other arguments
    of :func:`detente.analysis.multigraph.pair_balance`), as JSON: seconds of CPU on a large
    theatre, kept off the server's interpreter, which sends these bytes as they are."""
    # Loaded at the worker's start unless its memory cap is small (see PRELOAD_MB).
    import json

    from detente.analysis.multigraph import pair_balance

    theatre = arguments.pop("theatre")
    return json.dumps({"theatre": theatre, **pair_balance(**arguments)}).encode()


def _warm_balance() -> None:
    """One balance of a small signed ring, through every step of a large one: the modules
    and code paths a first real balance would load are loaded before the worker is ready.

    Then what the worker holds so far (the objects of every module imported, 140,000 and
    more) is collected once and frozen out of the collector's reach: a large theatre's
    answer builds tens of thousands of rows, and the first one in each worker otherwise
    set off a full collection walking all of those objects (0.1 s alone, 0.4–0.8 s on a
    busy machine: the first posts after a start waited for it, once per worker).

    Last, the memory a large balance works in is made ready (glibc only): blocks up to
    32 MB come from the heap, freed memory stays in it rather than going back to the
    kernel after every answer, and ``WARM_HEAP_MB`` of it is touched now. A page's first
    touch is dear on a busy virtual machine: each worker's first large balance spent
    45–120 ms in the kernel on 8,000 page faults, later ones 2–20 ms on 3,000–4,500; with
    the heap kept and touched, the first one takes 2,400 faults and under 10 ms, later
    ones 500–1,800."""
    import ctypes
    import gc

    import numpy as np
    from scipy.sparse.linalg import eigsh  # noqa: F401  (the solver of large theatres)

    from detente.analysis.multigraph import pair_balance

    n = 24
    u = np.arange(n)
    v = (u + 1) % n
    sign = np.where(u % 3 == 0, -1, 1)
    weight = np.ones(n, dtype=np.int64)
    nodes = [f"a{i}" for i in range(n)]
    first = pair_balance(nodes, u, v, sign, weight)
    pair_balance(nodes, u, v, sign, weight, start={x: 0 for x in first["blocs"][0]})
    gc.collect()
    gc.freeze()
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc
        return
    m_trim_threshold, m_mmap_threshold = -1, -3  # malloc.h
    if mallopt(m_mmap_threshold, 32 << 20) and mallopt(m_trim_threshold, 4 * WARM_HEAP_MB << 20):
        blocks = [np.empty(8 << 20, dtype=np.uint8) for _ in range(WARM_HEAP_MB // 8)]
        for block in blocks:
            block[::4096] = 1  # one byte a page
        del blocks, block


def serve(conn: Connection) -> None:
    """A worker's loop: its options first, then (checkpoint, operation, arguments) in and
    ("ok", media type, size) then the body, or ("error", status, message, detail) out."""
    import resource

    import pyoxigraph as ox

    from detente.sparql.engine import SparqlEngine

    try:
        options = conn.recv()
    except (EOFError, OSError):
        return
    if options.get("confine", True):
        from detente.sparql.sandbox import SandboxUnavailable, confine

        try:
            confine(accept_unconfined=options.get("unconfined_accepted", False))
        except SandboxUnavailable as exc:
            with contextlib.suppress(EOFError, OSError):
                conn.send(("unconfined", str(exc)))
            return
    if options["memory_mb"] >= PRELOAD_MB:
        # A balance's first call would otherwise import networkx, scipy.sparse and its
        # eigensolver (a second or more on a busy machine, right after a write); under a
        # small cap their memory is left to the queries instead.
        _warm_balance()
    cap = options["memory_mb"] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
    try:
        conn.send(("ready",))
    except (EOFError, OSError):
        return
    opened: str | None = None
    engine: SparqlEngine | None = None
    while True:
        try:
            path, operation, arguments = conn.recv()
        except (EOFError, OSError):
            return
        body, fatal = b"", False
        try:
            if operation == "balance":  # analysis of arrays sent along: no store to open
                body, media_type = _balance(arguments), "application/json"
            elif operation == "update":  # the live store, lent by the server
                _update(path, arguments, options)
                body, media_type = b"", "text/plain"
            else:
                if engine is None or path != opened:
                    engine = None  # the old checkpoint's files are released first
                    engine = SparqlEngine(
                        ox.Store.read_only(path),
                        timeout=options["timeout"],
                        max_result_bytes=options["max_result_bytes"],
                        allowed_calls=options["allowed_calls"],
                        prefixes=options["prefixes"],
                    )
                    opened = path
                run = engine.graph if operation == "graph" else engine.query
                answer = run(**arguments)
                body, media_type = answer.body, answer.media_type
            header: tuple = ("ok", media_type, len(body), None)
        except SparqlError as exc:
            header = ("error", exc.status, exc.message, None)
        except MemoryError:
            header = ("error", 503, memory_message(options["memory_mb"]), None)
            fatal = True  # what is left of this process's memory is not worth keeping
        except Exception as exc:  # the caller logs the detail; the client gets one line
            header = ("error", 500, "the query failed in its worker", repr(exc))
        try:
            reply(conn, header, body)
        except (EOFError, OSError):
            return
        if fatal:
            return


def _update(path: str, arguments: dict, options: dict) -> None:
    """Apply an update to the store at ``path`` (Oxigraph applies it in one transaction)
    and close the store, so the server can open it again."""
    import gc
    import time

    import pyoxigraph as ox

    from detente.sparql.engine import SparqlEngine

    deadline = time.monotonic() + LEND_WAIT_S
    while True:
        try:
            store = ox.Store(path)
            break
        except OSError as exc:  # the server's last reader of the store is finishing
            if time.monotonic() > deadline:
                raise SparqlError(503, "the store is busy: try the update again") from exc
            time.sleep(0.02)
    refused: tuple[int, str] | None = None
    try:
        SparqlEngine(
            store,
            timeout=options["timeout"],
            max_result_bytes=options["max_result_bytes"],
            allowed_calls=options["allowed_calls"],
            prefixes=options["prefixes"],
        ).update(**arguments)
        store.flush()
    except SparqlError as exc:
        refused = (exc.status, exc.message)
    # The store must be closed before the server hears back. An exception's traceback
    # holds the engine's frame, and with it the store, in a reference cycle: only the
    # collector frees it, so it is run here rather than whenever it would run.
    del store
    gc.collect()
    if refused is not None:
        raise SparqlError(*refused)


def main() -> None:
    from detente.lifetime import die_with_parent

    if len(sys.argv) > 2:
        die_with_parent(int(sys.argv[2]))  # a dead server takes its workers along
    conn = Connection(int(sys.argv[1]))
    try:
        serve(conn)
    finally:
        conn.close()


if __name__ == "__main__":
    main()
