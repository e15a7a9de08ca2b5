"""SPARQL queries evaluated in worker processes that can be ended at the deadline.

Oxigraph cannot be interrupted while it computes (a large aggregate or sort runs to its end
before the first row), and a thread cannot be killed: a runaway query on a thread keeps a
core and a pool slot until it finishes, which may be never. Each worker here is a process
holding a read-only handle on the on-disk store (RocksDB admits one writer and any number
of read-only openers, which also read the writer's log); a query past its deadline is ended
by ending its process, and a fresh worker takes its place.

A worker reopens its handle when the service's write generation has changed since it last
opened it, so a query always sees every write that completed before it was sent.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection

from detente.api.sparql_engine import Answer, SparqlError, timeout_message

# After the deadline, how long the worker's own limit gets to answer 503 itself before the
# process is ended.
GRACE_S = 0.5
# Answers up to this size are read on the event loop; larger ones on a thread.
INLINE_BYTES = 256 * 1024


def _serve(conn: Connection, location: str, timeout: float, max_result_bytes: int) -> None:
    """A worker's loop: (generation, query arguments) in, ("ok", body, media type) or
    ("error", status, message) out."""
    import pyoxigraph as ox

    from detente.api.sparql_engine import SparqlEngine

    opened: int | None = None
    engine: SparqlEngine | None = None
    while True:
        try:
            generation, arguments = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if engine is None or generation != opened:
                engine = SparqlEngine(
                    ox.Store.read_only(location),
                    timeout=timeout,
                    max_result_bytes=max_result_bytes,
                )
                opened = generation
            answer = engine.query(**arguments)
            header: tuple = ("ok", answer.media_type, len(answer.body))
            body = answer.body
        except SparqlError as exc:
            header, body = ("error", exc.status, exc.message), b""
        except Exception as exc:  # reported to the caller as a 500, without a trace
            header = ("error", 500, f"query failed in its worker: {type(exc).__name__}")
            body = b""
        try:
            conn.send(header)  # small: the caller reads it as soon as it arrives
            if header[0] == "ok":
                conn.send_bytes(body)
        except (EOFError, OSError):
            return


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection


class QueryWorkers:
    """``size`` worker processes answering :meth:`SparqlEngine.query` calls for the store at
    ``location``; ``generation`` tells the current write generation."""

    def __init__(
        self,
        location: str,
        *,
        size: int,
        timeout: float,
        max_result_bytes: int,
        generation: Callable[[], int],
    ) -> None:
        self.location = location
        self.timeout = timeout
        self.max_result_bytes = max_result_bytes
        self._generation = generation
        # spawn, not fork: the server process has threads and an open RocksDB.
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._processes: list[multiprocessing.process.BaseProcess] = []  # for close()
        self._closed = False
        for _ in range(size):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(
            target=_serve,
            args=(theirs, self.location, self.timeout, self.max_result_bytes),
            name="detente-sparql-worker",
            daemon=True,
        )
        process.start()
        theirs.close()
        self._processes = [p for p in self._processes if p.is_alive()] + [process]
        return _Worker(process, ours)

    def _retire(self, worker: _Worker) -> None:
        """:meth:`_replace` on a thread of its own: ending and restarting a process takes a
        moment, which the event loop must not wait for."""
        threading.Thread(target=self._replace, args=(worker,), daemon=True).start()

    def _replace(self, worker: _Worker) -> None:
        """End ``worker`` (at once: it may be computing) and put a new one in its place."""
        worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()
        if not self._closed:
            self._idle.put(self._start())

    async def query(self, **arguments: object) -> Answer:
        """Evaluate on an idle worker; 503 when the deadline passes first (waiting for a
        free worker counts towards it).

        Runs on the event loop without a thread hop: the request is written to the worker's
        pipe and the loop wakes when the answer is readable. Only a large answer is read on
        a thread, so that copying it never stalls the loop.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        try:
            worker = self._idle.get_nowait()
        except queue.Empty:
            try:
                worker = await loop.run_in_executor(None, self._idle.get, True, self.timeout)
            except queue.Empty:
                raise SparqlError(503, "every query worker is busy: try again shortly") from None
        try:
            worker.conn.send((self._generation(), arguments))
            if not await self._readable(worker.conn, deadline - loop.time() + GRACE_S):
                self._retire(worker)
                raise SparqlError(503, timeout_message(self.timeout))
            kind, first, second = worker.conn.recv()
            if kind == "error":
                self._idle.put(worker)
                raise SparqlError(first, second)
            if second <= INLINE_BYTES:
                body = worker.conn.recv_bytes()
            else:
                body = await loop.run_in_executor(None, worker.conn.recv_bytes)
        except (EOFError, OSError):
            self._retire(worker)
            raise SparqlError(500, "the query worker stopped; try again") from None
        except asyncio.CancelledError:
            # The request went away mid-query (shutdown): its answer would be left in the
            # pipe for the next caller, so the worker goes and a fresh one takes its place.
            self._retire(worker)
            raise
        self._idle.put(worker)
        return Answer(body, first)

    @staticmethod
    async def _readable(conn: Connection, seconds: float) -> bool:
        """Whether ``conn`` has data within ``seconds``, waiting on the event loop."""
        if conn.poll(0):
            return True
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        fd = conn.fileno()
        loop.add_reader(fd, lambda: ready.done() or ready.set_result(True))
        try:
            return await asyncio.wait_for(ready, max(seconds, 0))
        except TimeoutError:
            return False
        finally:
            loop.remove_reader(fd)
            os.set_blocking(fd, True)  # uvloop made it non-blocking; recv expects blocking

    def close(self) -> None:
        """End every worker: idle ones see their pipe close and exit, busy ones are ended."""
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().conn.close()
            except queue.Empty:
                break
        for process in self._processes:
            process.join(timeout=2)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
