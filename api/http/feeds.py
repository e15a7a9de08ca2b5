"""Feeds the service watches: registered over HTTP, kept in the store, polled in the
background.

A registration is a few triples in the graph
:data:`~detente.graph.feed_state.FEEDS_GRAPH`, with the validators of the feed's last
answer (so both survive a restart and travel with the store); one thread polls every due feed with a
:class:`~detente.extract.fetch.FeedWatcher` and posts each new item through the service,
as ``POST /documents`` would. ``GET /feeds`` shows each feed's last poll and last error.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rdflib import Literal, URIRef

from detente.api.http.service import KnowledgeService
from detente.extract.fetch import FeedWatcher, FetchPolicy
from detente.graph import IngestError, Ingestor, StoreError
from detente.graph.feed_state import FEEDS_GRAPH, StoredValidators
from detente.graph.store import nt
from detente.ontology import NS

MIN_EVERY = 60.0  # seconds: no feed is polled more often by the service
log = logging.getLogger("detente.api")


@dataclass
class Feed:
    url: str
    every: float
    last_poll: str | None = None
    last_error: str | None = None
    documents: int = 0  # added by this server since it started
    due: float = 0.0
    watcher: FeedWatcher | None = field(default=None, repr=False)

    def public(self) -> dict:
        return {
            "url": self.url,
            "every": self.every,
            "last_poll": self.last_poll,
            "last_error": self.last_error,
            "documents": self.documents,
        }


class FeedPoller:
    """The service's feeds and the thread that polls them."""

    def __init__(self, service: KnowledgeService, policy: FetchPolicy) -> None:
        self.service = service
        self.policy = policy
        self._feeds: dict[str, Feed] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        for url, every in service.store.values(
            f"SELECT ?f ?e WHERE {{ GRAPH {nt(FEEDS_GRAPH)} {{ ?f <{NS.pollEvery}> ?e }} }}"
        ):
            self._feeds[str(url)] = Feed(str(url), float(every or MIN_EVERY))
        if self._feeds:
            self._start()

    def feeds(self) -> list[dict]:
        with self._lock:
            return [f.public() for f in sorted(self._feeds.values(), key=lambda f: f.url)]

    def add(self, url: str, every: float) -> dict:
        """Register (or re-time) a feed; it is polled at once, then every ``every`` s."""
        every = max(every, MIN_EVERY)
        with self.service.writing():
            self.service.store.update(
                f"DELETE WHERE {{ GRAPH {nt(FEEDS_GRAPH)} {{ {nt(URIRef(url))} ?p ?o }} }} ;\n"
                f"INSERT DATA {{ GRAPH {nt(FEEDS_GRAPH)} {{ {nt(URIRef(url))} a <{NS.Feed}> ; "
                f"<{NS.pollEvery}> {nt(Literal(every))} }} }}"
            )
        with self._lock:
            feed = self._feeds.setdefault(url, Feed(url, every))
            feed.every, feed.due = every, 0.0
        self._start()
        self._wake.set()
        return feed.public()

    def remove(self, url: str) -> bool:
        with self._lock:
            if self._feeds.pop(url, None) is None:
                return False
        with self.service.writing():
            self.service.store.update(
                f"DELETE WHERE {{ GRAPH {nt(FEEDS_GRAPH)} {{ {nt(URIRef(url))} ?p ?o }} }}"
            )
        return True

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="detente-feeds", daemon=True)
                self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            now = time.monotonic()
            with self._lock:
                due = [f for f in self._feeds.values() if f.due <= now]
            for feed in due:
                if self._stop.is_set():
                    return
                self._poll(feed)
            with self._lock:
                upcoming = min((f.due for f in self._feeds.values()), default=None)
            wait = MIN_EVERY if upcoming is None else upcoming - time.monotonic()
            self._wake.wait(max(wait, 0.05))
            self._wake.clear()

    def _poll(self, feed: Feed) -> None:
        feed.watcher = feed.watcher or FeedWatcher(
            [feed.url], self.policy, StoredValidators(self.service.store, self.service.writing)
        )
        errors: list[str] = []
        seen = Ingestor(self.service.store).graphs_for_source
        try:
            for entry in feed.watcher.poll(lambda link: bool(seen(link)), _collect(errors)):
                result, _ = self.service.ingest(entry.article, entry.url, entry.published)
                feed.documents += result.status != "unchanged"
        except (IngestError, StoreError, OSError) as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        except Exception:  # one bad poll must not end the poller
            log.exception("polling the feed %s failed", feed.url)
            errors.append("internal error; the server log has the details")
        feed.last_poll = datetime.now(UTC).isoformat(timespec="seconds")
        feed.last_error = errors[-1] if errors else None
        feed.due = time.monotonic() + feed.every


def _collect(errors: list[str]):
    def failed(name: str, reason: str) -> None:
        errors.append(f"{name}: {reason}")

    return failed
