"""Read-only checkpoints of the served store, one per write generation, for query workers.

The query workers are other processes. Opening the live store read-only next to its writer
is undefined behaviour in pyoxigraph 0.5 and replays the writer's whole log on every open,
so a worker reads a checkpoint instead: a consistent copy of the store made with RocksDB's
checkpoint (hard links on the same file system: milliseconds, and almost no disk), taken the
first time a query needs the state after a write. Making it also flushes the writer's
memtable, so the log never grows while the service runs.

A checkpoint is deleted once it is neither the latest nor held. A query holds the
checkpoint it will read from the moment it is chosen (:meth:`Snapshots.lease`, under the
same lock that deletes checkpoints) until its worker has moved on to another one
(:meth:`Snapshots.release`): a write that makes a newer checkpoint meanwhile cannot delete
the one a query is about to open.
"""

from __future__ import annotations

import itertools
import logging
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the query workers import this module: it must stay light
    from detente.graph.store import KnowledgeStore


log = logging.getLogger("detente")
RECENT_S = 60.0  # queries this recent make writes refresh the checkpoint in the background


@dataclass(frozen=True)
class Snapshot:
    generation: int  # the service's write generation it contains (at least)
    path: str


def snapshot_folder(location: str) -> Path:
    """Where the checkpoints of the store at ``location`` are kept: a hidden sibling (hard
    links need the same file system; inside the store's own folder RocksDB would see them)."""
    store = Path(location).resolve()
    return store.parent / f".{store.name}.snapshots"


class Snapshots:
    def __init__(self, store: KnowledgeStore, generation: Callable[[], int]) -> None:
        if store.location is None:
            raise ValueError("checkpoints need a store on disk")
        self._store = store
        self._generation = generation
        self.root = snapshot_folder(store.location)
        # Whatever a previous server left (it crashed): this process holds the store's lock,
        # so nobody else can be reading them.
        shutil.rmtree(self.root, ignore_errors=True)
        try:
            self.root.mkdir(parents=True)
        except OSError:  # the store's parent is not writable: copies instead of links
            self.root = Path(tempfile.mkdtemp(prefix="detente-snapshots-"))
        self._latest: Snapshot | None = None
        self._open: Counter[str] = Counter()
        self._names = itertools.count()
        self._lock = threading.Lock()  # the bookkeeping below: held for moments only
        self._making = threading.Lock()  # held while a checkpoint is copied
        self._creating: str | None = None
        self._wanted = threading.Event()
        self._closed = False
        self._idle = False
        self._used = float("-inf")  # when a query last needed a checkpoint
        threading.Thread(target=self._refresher, name="detente-checkpoints", daemon=True).start()

    def refresh_soon(self) -> None:
        """Make the checkpoint of the latest write in the background, so the next query
        usually finds it ready (many writes in a row coalesce into one checkpoint) — when
        queries came lately: each checkpoint flushes the writer's memtable into a new
        file for RocksDB to compact, work a service nobody queries by SPARQL need not do
        after every write (the next query makes its checkpoint then)."""
        if time.monotonic() - self._used < RECENT_S:
            self._wanted.set()

    def _refresher(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            if self._closed:
                return
            if self._idle:
                continue
            try:
                self.current()
            except Exception:  # the next query makes it, and reports what is wrong
                log.warning("background checkpoint failed", exc_info=True)

    def used(self) -> None:
        """A query is about to read a checkpoint (see :meth:`refresh_soon`)."""
        self._used = time.monotonic()

    def fresh(self) -> Snapshot | None:
        """The latest checkpoint if no write finished since it was made, else None."""
        latest = self._latest
        return latest if latest is not None and latest.generation == self._generation() else None

    def lease_fresh(self) -> Snapshot | None:
        """:meth:`lease` when the latest checkpoint is fresh (no copy to make: this may run
        on the event loop), else None."""
        with self._lock:
            latest = self.fresh()
            if latest is not None:
                self._open[latest.path] += 1
            return latest

    def lease(self) -> Snapshot:
        """:meth:`current`, held until :meth:`release`: it is not deleted meanwhile."""
        return self.current(hold=True)

    def release(self, path: str | None) -> None:
        """A holder of ``path`` (a query, or a worker that had it open) is done with it."""
        if path:
            with self._lock:
                self._open[path] -= 1
                if self._open[path] <= 0:
                    del self._open[path]
                    # Only a checkpoint nobody holds can go (a query's own lease, dropped
                    # because its worker holds the same one, deletes nothing: no sweep).
                    self._sweep()

    def current(self, *, hold: bool = False) -> Snapshot:
        """A checkpoint holding every write the service finished before this call (held
        for the caller with ``hold``). Copying happens outside the bookkeeping lock, which
        the event loop takes for every query: a copy that waits for the store (lent to an
        update) must not stall the loop."""
        generation = self._generation()
        if not hold:
            latest = self.fresh()
            if latest is not None:
                return latest
        self._idle = False
        with self._making:  # one copy at a time; callers meanwhile get it when it is made
            with self._lock:
                latest = self._latest
                if latest is not None and latest.generation >= generation:
                    if hold:
                        self._open[latest.path] += 1
                    return latest
                # Read the generation before copying: the copy holds at least that much (a
                # write finishing meanwhile may be in it too, which does no harm).
                generation = self._generation()
                self.root.mkdir(parents=True, exist_ok=True)  # again after close()
                path = self.root / f"g{generation}-{next(self._names)}"
                self._creating = str(path)  # not swept while it is being made
            try:
                self._store.checkpoint(path)
            finally:
                with self._lock:
                    self._creating = None
            with self._lock:
                self._latest = Snapshot(generation, str(path))
                if hold:
                    self._open[self._latest.path] += 1
                self._sweep()
                return self._latest

    def _sweep(self) -> None:
        keep = set(self._open) | ({self._latest.path} if self._latest else set())
        for folder in self.root.iterdir() if self.root.is_dir() else ():
            name = str(folder)
            # RocksDB makes a checkpoint in a sibling folder (``<path>.tmp``) and renames it.
            if self._creating and name in (self._creating, self._creating + ".tmp"):
                continue
            if name not in keep:
                shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        """Remove every checkpoint (the workers must be gone); :meth:`current` makes new
        ones if the service goes on."""
        with self._lock:
            self._idle = True  # no background checkpoints until a query asks again
            self._latest = None
            self._open.clear()
            shutil.rmtree(self.root, ignore_errors=True)

    def stop(self) -> None:
        """Close for good: the background thread ends too."""
        self._closed = True
        self._wanted.set()
        self.close()
