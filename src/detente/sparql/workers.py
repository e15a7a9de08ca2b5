"""SPARQL evaluated in worker processes that can be ended at the deadline, with a memory cap.

Oxigraph cannot be interrupted while it computes (a large aggregate or sort runs to its end
before the first row), and a thread cannot be killed: a runaway query on a thread keeps a
core, a pool slot and its memory until it finishes, which may be never. Each worker here is
a process; a query past its deadline is ended by ending its process, and a fresh worker
takes its place. Each worker's private memory is capped (``RLIMIT_DATA``), so a query that
would take the machine's memory ends its own worker instead, and is answered 503.

Workers read checkpoints of the store (:mod:`detente.sparql.snapshots`), never the live store:
each request carries the checkpoint that holds every write finished before it was sent.
Updates run in a worker too, with the same limits, on the live store that the server lends
them for the time (:meth:`QueryWorkers.update`).

Workers cannot open network sockets (:mod:`detente.sparql.sandbox`) unless federation is
configured, and end themselves when the server is gone.
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
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection

from detente.sparql.engine import Answer, SparqlError, timeout_message
from detente.sparql.sandbox import SandboxUnavailable
from detente.sparql.snapshots import Snapshots
from detente.sparql.worker import memory_message, read_reply

log = logging.getLogger("detente")

# After the deadline, how long the worker's own limit gets to answer 503 itself before the
# process is ended.
GRACE_S = 0.5
# How long a new worker may take to load before it is given up on.
STARTUP_S = 60.0


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
        unconfined_accepted: bool = False,
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
            # Federation needs the network: an operator who lists endpoints accepts that
            # the text check alone keeps other calls out.
            "confine": not allowed_calls,
            "unconfined_accepted": unconfined_accepted,
        }
        self.failure: str | None = None  # why no worker can run here (no sandbox)
        self._ready = threading.Event()  # a first worker is ready, or failure is known
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
            [
                sys.executable,
                "-m",
                "detente.sparql.worker",
                str(theirs.fileno()),
                str(os.getpid()),
            ],
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
            said = worker.conn.recv() if worker.conn.poll(STARTUP_S) else None
            if said == ("ready",):
                if self._closed:
                    worker.conn.close()
                else:
                    self._idle.put(worker)
                    self._ready.set()
                return
            if said and said[0] == "unconfined":  # the platform cannot confine it: no retry
                self.failure = said[1]
                log.error("SPARQL workers cannot start: %s", said[1])
                worker.process.wait()
                worker.conn.close()
                self._ready.set()
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

    def wait_ready(self, timeout: float = STARTUP_S) -> None:
        """Start the pool and wait until a worker is ready; raises
        :class:`~detente.sparql.sandbox.SandboxUnavailable` where workers cannot be
        confined (a server should refuse to start then, saying why)."""
        self.start()
        self._ready.wait(timeout)
        if self.failure is not None:
            raise SandboxUnavailable(self.failure)

    def _retire(self, worker: _Worker) -> None:
        """:meth:`_replace` on a thread of its own: ending and restarting a process takes a
        moment, which the event loop must not wait for."""
        threading.Thread(target=self._replace, args=(worker,), daemon=True).start()

    def _replace(self, worker: _Worker) -> None:
        """End ``worker`` (at once: it may be computing) and put a new one in its place."""
        worker.process.kill()
        worker.process.wait()
        worker.conn.close()
        self.snapshots.release(worker.path)
        if not self._closed:
            self._start()

    async def query(self, **arguments: object) -> Answer:
        """Evaluate a query (:meth:`SparqlEngine.query` arguments) on an idle worker."""
        return await self._run("query", arguments)

    async def graph(self, iri: str | None, accept: str | None) -> Answer:
        """A whole graph (:meth:`SparqlEngine.graph`) read on an idle worker."""
        return await self._run("graph", {"iri": iri, "accept": accept})

    async def balance(self, **arguments: object) -> Answer:
        """:func:`detente.analysis.multigraph.pair_balance` of the arrays given, as JSON, on an
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
        if self.failure is not None:
            raise SparqlError(503, f"SPARQL is unavailable on this server: {self.failure}")
        path: str | None = None
        if reads_store:
            self.snapshots.used()
            # Held from here on: a write meanwhile cannot delete it before it is opened.
            snapshot = self.snapshots.lease_fresh()
            if snapshot is None:
                snapshot = await loop.run_in_executor(None, self.snapshots.lease)
            path = snapshot.path
        try:
            worker, waited_for_start = await self._take(loop)
        except BaseException:
            self.snapshots.release(path)
            raise
        if waited_for_start:  # the pool was still loading: that is not the query's time
            deadline = loop.time() + self.timeout
        if path is None:
            path = worker.path  # what it has open stays open
        elif worker.path == path:
            self.snapshots.release(path)  # the worker holds it already
        else:
            self.snapshots.release(worker.path)  # the worker's hold moves to the new one
            worker.path = path
        try:
            worker.conn.send((path, operation, arguments))
            if not await self._readable(worker.conn, deadline - loop.time() + GRACE_S):
                self._retire(worker)
                raise SparqlError(503, timeout_message(self.timeout))
            (kind, first, second, detail), body = read_reply(worker.conn)
            if kind == "error":
                raise self._refused(worker, operation, first, second, detail, self._retire)
            if body is None:  # a large answer: read on a thread, not on the event loop
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

    async def _take(self, loop: asyncio.AbstractEventLoop) -> tuple[_Worker, bool]:
        """An idle worker, and whether the pool was still starting when it was asked for;
        503 when none becomes idle within the deadline."""
        try:
            return self._idle.get_nowait(), False
        except queue.Empty:
            pass
        starting = self._starting > 0
        wait = STARTUP_S if starting else self.timeout
        try:
            return await loop.run_in_executor(None, self._idle.get, True, wait), starting
        except queue.Empty:
            raise SparqlError(503, "every query worker is busy: try again shortly") from None

    def update(self, location: str, **arguments: object) -> None:
        """Apply an update (:meth:`SparqlEngine.update` arguments) to the store at
        ``location`` on an idle worker, blocking (call it from a thread). The caller has
        lent the store (closed it on its side) and holds the write lock. At the deadline
        the worker is ended and, the update being one transaction, nothing of it stays."""
        self.start()
        if self.failure is not None:
            raise SparqlError(503, f"SPARQL is unavailable on this server: {self.failure}")
        try:
            worker = self._idle.get(True, STARTUP_S if self._starting else self.timeout)
        except queue.Empty:
            raise SparqlError(503, "every SPARQL worker is busy: try again shortly") from None
        try:
            worker.conn.send((location, "update", arguments))
            if not worker.conn.poll(self.timeout + GRACE_S):
                self._replace(worker)  # ended before the store is taken back
                raise SparqlError(503, timeout_message(self.timeout))
            (kind, first, second, detail), _ = read_reply(worker.conn)
        except (EOFError, OSError):
            raise self._died(worker, wait=True) from None
        if kind == "error":
            # The store is taken back next: a worker that goes must be gone by then.
            raise self._refused(worker, "update", first, second, detail, self._replace)
        self._idle.put(worker)

    def _refused(
        self,
        worker: _Worker,
        operation: str,
        status: int,
        message: str,
        detail: str | None,
        end: Callable[[_Worker], None],
    ) -> SparqlError:
        """The error a worker answered, logged with its detail; the worker goes back to
        the pool, or is ended by ``end`` when its memory cap ended the request."""
        if detail:
            log.error("SPARQL worker failed on %s: %s", operation, detail)
        if status == 503 and message == memory_message(self.memory_mb):
            end(worker)
        else:
            self._idle.put(worker)
        return SparqlError(status, message)

    def _died(self, worker: _Worker, *, wait: bool = False) -> SparqlError:
        """The answer for a worker that ended mid-query, and a replacement for it."""
        try:
            code: int | None = worker.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        # An update's caller takes the store back next: the process must be gone by then.
        (self._replace if wait else self._retire)(worker)
        if code == -signal.SIGSEGV:  # the nesting limit should make this impossible
            log.error("SPARQL worker crashed (segmentation fault: a stack overflow?)")
            return SparqlError(
                400,
                "the SPARQL worker crashed evaluating this request (a stack overflow: the "
                "request nests too deeply for the parser?); the server goes on",
            )
        # Oxigraph (Rust) aborts when an allocation fails under the memory cap.
        if code in (-signal.SIGABRT, -signal.SIGKILL):
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

        def settle(readable: bool) -> None:
            if not ready.done():
                ready.set_result(readable)

        fd = conn.fileno()
        loop.add_reader(fd, settle, True)
        # A timer rather than asyncio.wait_for, which wraps the wait in a task of its own:
        # a noticeable share of a small query's time.
        timer = loop.call_later(max(seconds, 0), settle, False)
        try:
            return await ready
        finally:
            timer.cancel()
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
