"""Extraction on a Dask cluster, for corpora that outgrow one machine.

:class:`DaskExtractor` has the ``process`` and ``version`` of an
:class:`~detente.extract.Extractor`, so an :class:`~detente.graph.Ingestor` drives it as it
drives a local one: the client reads the corpus, skips what the store holds already, sends
partitions of articles to the workers, and writes each document itself, in input order.
The store is therefore the same, quad for quad, as a plain ingest of the same corpus, and a
rerun finds every document stored and changes nothing.

Each worker process loads the pipeline once, on its first partition, and keeps it. A
partition is a pure function of its articles: when a worker dies mid-partition, the
scheduler runs it again elsewhere, and since nothing is written until the client has the
answer, nothing is lost or written twice. An article that fails wherever it runs (it makes
the pipeline raise, or kills the worker: a pathological text) is found by running its
partition again one article per task; it is reported, and the run goes on without it.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING

from detente.errors import ClusterError
from detente.extract import Article, Extractor, Relation
from detente.ingest.ingestor import ExtractionFailure

if TYPE_CHECKING:
    from distributed import Client

PARTITION = 16  # articles per task: seconds of work, against milliseconds of scheduling
# A task that raises is tried again this many times; one whose worker dies is run again
# elsewhere up to the scheduler's allowed-failures (3 by default), then fails the run.
RETRIES = 2


@contextmanager
def dask_client(address: str) -> Iterator[Client]:
    """A client of the cluster ``address`` names: ``local:N`` starts N worker processes on
    this machine (bound to 127.0.0.1, no dashboard), ``tcp://HOST:PORT`` (or ``tls://``)
    joins a running scheduler (``dask scheduler``, dask-jobqueue, Kubernetes)."""
    from distributed import Client, LocalCluster

    kind, _, rest = address.partition(":")
    if kind == "local":
        if not rest.isdigit() or int(rest) < 1:
            raise ClusterError(f"bad cluster {address!r}: local:N needs N >= 1 workers")
        try:
            cluster = LocalCluster(
                n_workers=int(rest),
                threads_per_worker=1,  # the pipeline is not shared between threads
                processes=True,
                host="127.0.0.1",
                # No dashboard; the scheduler's own HTTP endpoint on a free local port
                # (by default it takes :8787, and says so when that is in use).
                dashboard_address=None,
                scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
                silence_logs=logging.ERROR,  # restarts and retries are its business
            )
        except Exception as exc:  # ports, memory: whatever stopped the workers
            raise ClusterError(f"could not start a local Dask cluster: {exc}") from exc
        with cluster, Client(cluster) as client:
            yield client
    elif kind in ("tcp", "tls"):
        try:
            client = Client(address, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"no Dask scheduler answers at {address}: {exc}") from exc
        with client:
            yield client
    else:
        raise ClusterError(
            f"bad cluster {address!r}: give local:N or the scheduler's tcp://HOST:PORT"
        )


class DaskExtractor:
    """An extractor whose pipelines run on the workers of a Dask ``client``."""

    def __init__(self, client: Client, *, partition: int = PARTITION) -> None:
        self.client = client
        self.partition = partition
        self._version: str | None = None

    @property
    def version(self) -> str:
        """The workers' extractor version (every document graph records it)."""
        if self._version is None:
            self._version = self.client.submit(_version, pure=False).result()
        return self._version

    def workers(self) -> int:
        return max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))

    def process(
        self, articles: Iterable[tuple[Article, date | None]]
    ) -> Iterator[tuple[Article, list[Relation] | ExtractionFailure]]:
        """(article, relations) in input order. At most two partitions per worker are in
        flight, so memory is bounded by the partition size, not by the corpus. A partition
        that fails (an article raised, or killed its workers, every time) is run again one
        article per task; an article that fails alone comes with an
        :class:`~detente.ingest.ingestor.ExtractionFailure` instead of relations."""
        window: deque = deque()
        batch: list[tuple[Article, date | None]] = []
        ahead = 2 * self.workers()

        def send(items: list[tuple[Article, date | None]]) -> None:
            future = self.client.submit(_extract_partition, items, pure=False, retries=RETRIES)
            window.append((items, future))

        try:
            for item in articles:
                batch.append(item)
                if len(batch) == self.partition:
                    send(batch)
                    batch = []
                while len(window) > ahead:
                    yield from _done(self.client, window.popleft())
            if batch:
                send(batch)
            while window:
                yield from _done(self.client, window.popleft())
        finally:
            for _items, future in window:  # a caller that stops early leaves no work queued
                future.cancel()

    def close(self) -> None:
        """Nothing to stop: the cluster belongs to whoever made the client."""


def _lost(exc: BaseException) -> ClusterError:
    return ClusterError(
        f"extraction failed on the cluster ({type(exc).__name__}: {exc}); every document "
        "reported so far is stored: run again to go on"
    )


# The cluster itself is gone (the scheduler, the connection): no article is to blame.
_CLUSTER_ERRORS = (OSError, TimeoutError, concurrent.futures.CancelledError)


def _done(
    client: Client, pending: tuple
) -> Iterator[tuple[Article, list[Relation] | ExtractionFailure]]:
    items, future = pending
    try:
        found = future.result()
    except _CLUSTER_ERRORS as exc:
        raise _lost(exc) from exc
    except Exception:  # an article raised, or killed its workers: which one?
        yield from _one_by_one(client, items)
        return
    yield from zip((article for article, _ in items), found, strict=True)


def _one_by_one(
    client: Client, items: list[tuple[Article, date | None]]
) -> Iterator[tuple[Article, list[Relation] | ExtractionFailure]]:
    """A failed partition again, one article per task: the articles that fail alone are
    reported as failures and the others go on."""
    futures = [
        client.submit(_extract_partition, [item], pure=False, retries=RETRIES) for item in items
    ]
    for (article, _), future in zip(items, futures, strict=True):
        try:
            [relations] = future.result()
        except _CLUSTER_ERRORS as exc:
            raise _lost(exc) from exc
        except Exception as exc:
            yield article, ExtractionFailure(f"{type(exc).__name__}: {exc}")
        else:
            yield article, relations


_pipeline: Extractor | None = None  # one per worker process, loaded by its first task
_lock = threading.Lock()  # a worker with several threads still runs one pipeline at a time


def _version() -> str:
    with _lock:
        return _extractor().version


def _extract_partition(items: list[tuple[Article, date | None]]) -> list[list[Relation]]:
    with _lock:
        return [relations for _article, relations in _extractor().process(items)]


def _extractor() -> Extractor:
    global _pipeline
    if _pipeline is None:
        _pipeline = Extractor()
    return _pipeline
