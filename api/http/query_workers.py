"""SPARQL evaluated in worker processes that can be ended at the deadline, with a memory cap.

Oxigraph cannot be interrupted while it computes (a large aggregate or sort runs to its end
before the first row), and a thread cannot be killed: a runaway query on a thread keeps a
core, a pool slot and its memory until it finishes, which may be never. Each worker here is
a process; a query past its deadline is ended by ending its process, and a fresh worker
takes its place. Each worker's private memory is capped (``RLIMIT_DATA``), so a query that
would take the machine's memory ends its own worker instead, and is answered 503.

Workers read checkpoints of the store (:mod:`detente.api.http.snapshots`), never the live store:
each request carries the checkpoint that holds every write finished before it was sent.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection

from detente.api.http.query_worker import memory_message
from detente.api.http.snapshots import Snapshots
from detente.api.http.sparql_engine import Answer, SparqlError, timeout_message

log = logging.getLogger("detente.api")

# After the deadline, how long the worker's own limit gets to answer 503 itself before the
# process is ended.
GRACE_S = 0.5
# How long a new worker may take to load before it is given up on.
STARTUP_S = 60.0
# Answers up to this size are read on the event loop; larger ones on a thread.
INLINE_BYTES = 256 * 1024


@dataclass
class _Worker:
    process: subprocess.Popen
    conn: Connection
    path: str | None = None  # the checkpoint it has open


class QueryWorkers:
    """``size`` worker processes answering SPARQL queries and Graph Store reads over
    checkpoints from ``snapshots``. Started on first use."""

    def __init__(
        self,
        snapshots: Snapshots,
        *,
        size: int,
        timeout: float,
        max_result_bytes: int,
        memory_mb: int,
        allowed_calls: frozenset[str] = frozenset(),
        prefixes: dict[str, str] | None = None,
    ) -> None:
        self.snapshots = snapshots
        self.size = size
        self.timeout = timeout
        self.memory_mb = memory_mb
        self._options = {
            "timeout": timeout,
            "max_result_bytes": max_result_bytes,
            "memory_mb": memory_mb,
            "allowed_calls": allowed_calls,
            "prefixes": dict(prefixes or {}),
        }
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._processes: list[subprocess.Popen] = []  # for close()
        self._closed = False
        self._started = False
        self._starting = 0  # processes started that have not said they are ready yet
        self._start_lock = threading.Lock()
        self._count_lock = threading.Lock()

    def start(self) -> None:
        """Start the workers (if not yet): each joins the idle pool once it has loaded;
        a query that finds the pool still starting waits for it without using its own
        deadline. Also after :meth:`close` (an app's lifespan may run more than once)."""
        if self._started:
            return
        with self._start_lock:
            if not self._started:
                self._closed = False
                for _ in range(self.size):
                    self._start()
                self._started = True

    def _start(self) -> None:
        ours, theirs = socket.socketpair()
        process = subprocess.Popen(
            [sys.executable, "-m", "detente.api.http.query_worker", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            # One BLAS thread: a worker's analyses are sparse and single-threaded, and
            # each BLAS thread's buffers would count against the worker's memory cap.
            env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
        )
        theirs.close()
        conn = Connection(ours.detach())
        conn.send(self._options)
        self._processes = [p for p in self._processes if p.poll() is None] + [process]
        with self._count_lock:
            self._starting += 1
        threading.Thread(target=self._admit, args=(_Worker(process, conn),), daemon=True).start()

    def _admit(self, worker: _Worker) -> None:
        """Into the idle pool once the worker says it is ready; a worker that dies while
        starting is logged and replaced after a pause (not in a tight loop)."""
        try:
            if worker.conn.poll(STARTUP_S) and worker.conn.recv() == ("ready",):
                if self._closed:
                    worker.conn.close()
                else:
                    self._idle.put(worker)
                return
        except (EOFError, OSError):
            pass
        finally:
            with self._count_lock:
                self._starting -= 1
        if self._closed:
            return
        worker.process.kill()
        log.error("a SPARQL worker failed to start (exit code %s)", worker.process.wait())
        worker.conn.close()
        if not self._closed:
            time.sleep(1)
            self._start()

    def _retire(self, worker: _Worker) -> None:
        """:meth:`_replace` on a thread of its own: ending and restarting a process takes a
        moment, which the event loop must not wait for."""
        threading.Thread(target=self._replace, args=(worker,), daemon=True).start()

    def _replace(self, worker: _Worker) -> None:
        """End ``worker`` (at once: it may be computing) and put a new one in its place."""
        worker.process.kill()
        worker.process.wait()
        worker.conn.close()
        self.snapshots.opened(None, worker.path)
        if not self._closed:
            self._start()

    async def query(self, **arguments: object) -> Answer:
        """Evaluate a query (:meth:`SparqlEngine.query` arguments) on an idle worker."""
        return await self._run("query", arguments)

    async def graph(self, iri: str | None, accept: str | None) -> Answer:
        """A whole graph (:meth:`SparqlEngine.graph`) read on an idle worker."""
        return await self._run("graph", {"iri": iri, "accept": accept})

    async def balance(self, **arguments: object) -> Answer:
        """:func:`detente.graph.analysis.pair_balance` of the arrays given, as JSON, on an
        idle worker: seconds of CPU on a large theatre, kept off the server's interpreter
        (and its lock) so that other answers go on."""
        return await self._run("balance", arguments, reads_store=False)

    async def _run(self, operation: str, arguments: dict, *, reads_store: bool = True) -> Answer:
        """503 when the deadline passes first (waiting for a free worker counts towards it)
        or when the worker dies (its memory cap).

        Runs on the event loop: the request is written to the worker's pipe and the loop
        wakes when the answer is readable. Only making a checkpoint after a write, waiting
        for a busy pool and reading a large answer happen on threads.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        self.start()
        path: str | None = None
        if reads_store:
            self.snapshots.used()
            snapshot = self.snapshots.fresh() or await loop.run_in_executor(
                None, self.snapshots.current
            )
            path = snapshot.path
        try:
            worker = self._idle.get_nowait()
        except queue.Empty:
            starting = self._starting > 0
            wait = STARTUP_S if starting else self.timeout
            try:
                worker = await loop.run_in_executor(None, self._idle.get, True, wait)
            except queue.Empty:
                raise SparqlError(503, "every query worker is busy: try again shortly") from None
            if starting:  # the pool was still loading: that is not the query's time
                deadline = loop.time() + self.timeout
        if path is None:
            path = worker.path  # what it has open stays open
        elif worker.path != path:
            self.snapshots.opened(path, worker.path)
            worker.path = path
        try:
            worker.conn.send((path, operation, arguments))
            if not await self._readable(worker.conn, deadline - loop.time() + GRACE_S):
                self._retire(worker)
                raise SparqlError(503, timeout_message(self.timeout))
            kind, first, second, detail = worker.conn.recv()
            if kind == "error":
                if detail:
                    log.error("SPARQL worker failed on %s: %s", operation, detail)
                if first == 503 and second == memory_message(self.memory_mb):
                    self._retire(worker)
                else:
                    self._idle.put(worker)
                raise SparqlError(first, second)
            if second <= INLINE_BYTES:
                body = worker.conn.recv_bytes()
            else:
                body = await loop.run_in_executor(None, worker.conn.recv_bytes)
        except (EOFError, OSError):
            raise self._died(worker) from None
        except asyncio.CancelledError:
            # The request went away mid-query (shutdown): its answer would be left in the
            # pipe for the next caller, so the worker goes and a fresh one takes its place.
            self._retire(worker)
            raise
        self._idle.put(worker)
        return Answer(body, first)

    def _died(self, worker: _Worker) -> SparqlError:
        """The answer for a worker that ended mid-query, and a replacement for it."""
        try:
            code: int | None = worker.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        self._retire(worker)
        # Oxigraph (Rust) aborts when an allocation fails under the memory cap.
        if code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGKILL):
            log.warning("SPARQL worker ended by its memory cap (exit code %s)", code)
            return SparqlError(503, memory_message(self.memory_mb))
        log.error("SPARQL worker ended unexpectedly (exit code %s)", code)
        return SparqlError(503, "the query's worker ended unexpectedly; try again")

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
        """End every worker: idle ones see their pipe close and exit; busy ones and ones
        still loading are ended. :meth:`start` may start the pool again."""
        with self._start_lock:
            self._closed = True
            self._started = False
            while True:
                try:
                    self._idle.get_nowait().conn.close()
                except queue.Empty:
                    break
            deadline = time.monotonic() + 1.0
            for process in self._processes:
                try:
                    process.wait(timeout=max(deadline - time.monotonic(), 0.01))
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            self._processes = []
