"""Feeds the service watches: registered over HTTP, kept in the store, polled in the
background.

A registration is a few triples in the graph
:data:`~detente.graph.feed_state.FEEDS_GRAPH`, with the validators of the feed's last
answer (so both survive a restart and travel with the store). That graph is public (the
SPARQL endpoint serves every graph), so a feed URL with user-info or a query, which may be
a password or an API key, is registered under a public name without them and its full
URL is kept apart (:class:`~detente.graph.feed_state.FeedSecrets`: a file of mode 0600
beside an embedded store). Whatever an anonymous client sees of a feed (``GET /feeds``,
its last error) and what the log says of it is redacted the same way.

Every term of an update is checked and written by :func:`~detente.graph.store.nt`, so a
URL can only ever be one IRI (a URL that is none is refused), and each registry write
counts as a write of the service: ``/sparql`` sees it at once.

A few threads poll the due feeds, each feed with a
:class:`~detente.extract.fetch.FeedWatcher` and a time budget per poll, so that a slow
feed holds up neither another feed nor :meth:`FeedPoller.close`; each new item's page is
posted through the service, as ``POST /documents`` would.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rdflib import RDF, Literal, URIRef

from detente.domain import content_source
from detente.errors import FeedError
from detente.extract.fetch import FeedWatcher, FetchPolicy
from detente.graph import StoreError
from detente.graph.feed_state import (
    FEEDS_GRAPH,
    FeedSecrets,
    StoredValidators,
    has_secret,
    is_private_name,
    public_name,
    redact,
    scrub,
    without_userinfo,
)
from detente.graph.store import InvalidTermError, check_iri, insert_data, nt
from detente.ingest import IngestError, Ingestor
from detente.live.service import KnowledgeService
from detente.ontology import NS

MIN_EVERY = 60.0  # seconds: no feed is polled more often by the service
POLL_THREADS = 4  # feeds polled at once
# Seconds one poll of one feed may take: past it, the items left wait for the next poll
# (soon after). A single request is bounded by the fetch policy; this bounds their sum.
POLL_BUDGET = 120.0
CLOSE_WAIT = 5.0  # seconds close() waits for polls under way (their threads are daemons)
NOT_KEPT = (
    "its full URL (credentials or query) was not kept over the restart (the store keeps "
    "no file beside it): register it again"
)
log = logging.getLogger("detente")


class _RedactedURLs(logging.Filter):
    """httpx logs the URL of every request at INFO, query included: a feed's API key would
    be in the log of a server run at that level. Its URLs are logged redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        shown = scrub(message)
        if shown != message:
            record.msg, record.args = shown, ()
        return True


_REDACTED_URLS = _RedactedURLs()


class _Stopped(Exception):
    """The poll ran out of its budget, or the poller is closing."""


@dataclass
class Feed:
    name: str  # its IRI in the public feeds graph
    url: str | None  # what is fetched; None: a secret URL not kept over a restart
    every: float
    last_poll: str | None = None
    last_error: str | None = None
    documents: int = 0  # added by this server since it started
    due: float = 0.0
    running: bool = False
    again: bool = False  # registered again while being polled: polled again at once
    watcher: FeedWatcher | None = field(default=None, repr=False)

    @property
    def shown(self) -> str:
        """The URL as anyone may see it (no user-info, query or fragment)."""
        return redact(self.name)

    def public(self) -> dict:
        return {
            "url": self.shown,
            "every": self.every,
            "last_poll": self.last_poll,
            "last_error": self.last_error,
            "documents": self.documents,
        }


class FeedPoller:
    """The service's feeds and the threads that poll them."""

    def __init__(
        self,
        service: KnowledgeService,
        policy: FetchPolicy,
        *,
        threads: int = POLL_THREADS,
        budget: float = POLL_BUDGET,
    ) -> None:
        self.service = service
        self.policy = policy
        self.threads = max(1, threads)
        self.budget = budget
        self._secrets = FeedSecrets.beside(service.store)
        logging.getLogger("httpx").addFilter(_REDACTED_URLS)  # once: filters are a set
        self._feeds: dict[str, Feed] = {}  # by name
        self._lock = threading.Lock()  # the dict and the feeds' scheduling fields
        self._registry = threading.Lock()  # one registration or removal at a time
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._queue: queue.SimpleQueue[Feed | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        legacy: list[tuple[str, float]] = []
        for name, every in service.store.values(
            f"SELECT ?f ?e WHERE {{ GRAPH {nt(FEEDS_GRAPH)} {{ ?f {nt(NS.pollEvery)} ?e }} }}"
        ):
            name, seconds = str(name), _seconds(every)
            if is_private_name(name):
                url = self._secrets.get(name)
            elif has_secret(name):  # registered before secrets were kept apart
                legacy.append((name, seconds))
                continue
            else:
                url = name
            self._feeds[name] = Feed(name, url, seconds, last_error=None if url else NOT_KEPT)
        self._move_secrets_out(legacy)
        if any(f.url for f in self._feeds.values()):
            self._start()

    # ------------------------------------------------------------------ the registry
    def feeds(self) -> list[dict]:
        """The feeds as anyone may see them (no credentials, no query)."""
        with self._lock:
            return [f.public() for f in sorted(self._feeds.values(), key=_order)]

    @staticmethod
    def check(url: str) -> str:
        """``url`` if the registry can hold it (an absolute IRI: it is written to the store
        as one, never as text); else :class:`FeedError`, whose message shows no secret."""
        try:
            return check_iri(url)
        except InvalidTermError as exc:
            raise FeedError(f"not a feed URL: {scrub(str(exc))}") from None

    @staticmethod
    def scrub(text: str) -> str:
        """``text`` (a message) with every URL in it redacted."""
        return scrub(text)

    def add(self, url: str, every: float) -> dict:
        """Register (or re-time) a feed; it is polled at once, then every ``every`` s.
        Raises :class:`FeedError` for a URL no IRI can hold."""
        self.check(url)
        every = max(every, MIN_EVERY)
        with self._registry:
            with self._lock:
                known = next((f for f in self._feeds.values() if f.url == url), None)
                lost = [f for f in self._feeds.values() if f.url is None and f.shown == redact(url)]
                if known is None and len(lost) == 1:  # its URL, given again after a restart
                    known = lost[0]
            name = known.name if known else self._secrets.name_of(url) or public_name(url)
            if name != url:
                # Kept before the registration is written: a crash in between leaves an
                # unused entry, never a registration whose URL is lost.
                self._secrets.put(name, url)
                if not self._secrets.durable:
                    log.warning(
                        "the feed %s is kept in memory only: register it again after a "
                        "restart (a store on disk keeps its URL in a file beside it)",
                        redact(url),
                    )
            node = URIRef(name)
            self._write(
                f"DELETE WHERE {{ GRAPH {nt(FEEDS_GRAPH)} {{ {nt(node)} {nt(NS.pollEvery)} ?e }} }}"
                " ;\n"
                + insert_data(
                    FEEDS_GRAPH, [(node, RDF.type, NS.Feed), (node, NS.pollEvery, Literal(every))]
                )
            )
            with self._lock:
                feed = self._feeds.get(name)
                if feed is None:
                    feed = self._feeds[name] = Feed(name, url, every)
                if feed.url is None:  # a secret URL given again after a restart
                    feed.url, feed.last_error = url, None
                feed.every, feed.due, feed.again = every, 0.0, feed.running
                shown = feed.public()
        self._start()
        self._wake.set()
        return shown

    def remove(self, url: str) -> bool:
        """Stop polling a feed, named by its full URL or by the URL ``GET /feeds`` shows
        (raises :class:`FeedError` when several feeds show that URL); False if none."""
        with self._registry:
            with self._lock:
                feed = self._find(url)
                if feed is None:
                    return False
                del self._feeds[feed.name]
            self._write(
                f"DELETE WHERE {{ GRAPH {nt(FEEDS_GRAPH)} {{ {nt(URIRef(feed.name))} ?p ?o }} }}"
            )
            self._secrets.discard(feed.name)
        return True

    def _find(self, url: str) -> Feed | None:
        """The feed ``url`` names (the caller holds the lock)."""
        exact = self._feeds.get(url) or next(
            (f for f in self._feeds.values() if f.url == url), None
        )
        if exact is not None:
            return exact
        shown = [f for f in self._feeds.values() if f.shown == url]
        if len(shown) > 1:
            raise FeedError(f"{len(shown)} feeds are at {redact(url)}: give the full URL")
        return shown[0] if shown else None

    def _write(self, update: str) -> None:
        with self._writing():
            self.service.store.update(update)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """The service's write lock, for a write to the feeds graph. It is a write like any
        other for what reads the store (the checkpoints ``/sparql`` answers from, the
        cached answers): the service's generation moves on. The ledger holds no feed, so
        it is not rebuilt."""
        with self.service.writing():
            yield
            self.service._advance()

    def _move_secrets_out(self, legacy: list[tuple[str, float]]) -> None:
        """Registrations and validators a previous version wrote to the public graph
        under a URL that may hold a secret: moved under a public name (the URL kept
        apart), or dropped."""
        rows = self.service.store.values(
            f"SELECT DISTINCT ?f WHERE {{ GRAPH {nt(FEEDS_GRAPH)} {{ ?f ?p ?o }} }}"
        )
        exposed = [str(f) for (f,) in rows if not is_private_name(str(f)) and has_secret(str(f))]
        if not exposed:
            return
        registered = dict(legacy)
        parts, inserts = [], []
        for old in exposed:
            try:
                node = nt(URIRef(old))
            except InvalidTermError:  # a remote store may hold what no IRI text can say
                log.warning("a feed in the feeds graph has no IRI syntax: left as it is")
                continue
            parts.append(f"DELETE WHERE {{ GRAPH {nt(FEEDS_GRAPH)} {{ {node} ?p ?o }} }}")
            if old in registered:
                name = public_name(old)
                self._secrets.put(name, old)
                every = registered[old]
                inserts += [
                    (URIRef(name), RDF.type, NS.Feed),
                    (URIRef(name), NS.pollEvery, Literal(every)),
                ]
                self._feeds[name] = Feed(name, old, every)
        if inserts:
            parts.append(insert_data(FEEDS_GRAPH, inserts))
        if parts:
            self._write(" ;\n".join(parts))
            log.warning(
                "moved %d feed URLs with user-info or a query out of the store", len(exposed)
            )

    # ------------------------------------------------------------------ polling
    def _start(self) -> None:
        with self._lock:
            if self._threads or self._stop.is_set():
                return
            self._threads = [
                threading.Thread(target=self._schedule, name="detente-feeds", daemon=True)
            ] + [
                threading.Thread(target=self._work, name=f"detente-feed-{i}", daemon=True)
                for i in range(self.threads)
            ]
            for thread in self._threads:
                thread.start()

    def close(self) -> None:
        """Stop polling: polls under way stop at their next item; waits for them
        :data:`CLOSE_WAIT` seconds at most (a request in flight ends by its own timeout)."""
        self._stop.set()
        self._wake.set()
        with self._lock:
            threads = list(self._threads)
        for _ in threads:
            self._queue.put(None)
        deadline = time.monotonic() + CLOSE_WAIT
        for thread in threads:
            thread.join(max(deadline - time.monotonic(), 0.0))

    def _schedule(self) -> None:
        """Hands each due feed to a polling thread; a feed is never polled twice at once."""
        while not self._stop.is_set():
            now = time.monotonic()
            with self._lock:
                idle = [f for f in self._feeds.values() if f.url and not f.running]
                due = [f for f in idle if f.due <= now]
                for feed in due:
                    feed.running, feed.again = True, False
                upcoming = min((f.due for f in idle if f.due > now), default=None)
            for feed in due:
                self._queue.put(feed)
            wait = MIN_EVERY if upcoming is None else upcoming - time.monotonic()
            self._wake.wait(max(wait, 0.05))
            self._wake.clear()

    def _work(self) -> None:
        while True:
            feed = self._queue.get()
            if feed is None or self._stop.is_set():
                return
            try:
                self._poll(feed)
            finally:
                with self._lock:
                    feed.running = False
                    if feed.again:
                        feed.due = 0.0
                self._wake.set()

    def _poll(self, feed: Feed) -> None:
        with self._lock:
            if self._feeds.get(feed.name) is not feed:  # removed while it waited its turn
                return
        url = feed.url
        if url is None:
            return
        if feed.watcher is None or feed.watcher.feeds != [url]:
            validators = StoredValidators(self.service.store, self._writing, key=self._name_of)
            feed.watcher = FeedWatcher([url], self.policy, validators)
        errors: list[str] = []
        stored = Ingestor(self.service.store).graphs_for_source
        deadline = time.monotonic() + self.budget

        def seen(link: str) -> bool:
            # Asked before each item is fetched: where a poll over its budget (or a poller
            # closing) stops, leaving the rest of the feed for the next poll.
            if self._stop.is_set() or time.monotonic() > deadline:
                raise _Stopped
            return bool(stored(without_userinfo(link)))

        cut = False
        try:
            for entry in feed.watcher.poll(seen, _collect(errors)):
                # A relative link of a feed with credentials inherits them: the document's
                # source (public) is the page's address without.
                # (A feed's entries are pages: each has its address.)
                source = (
                    without_userinfo(entry.url) if entry.url else content_source(entry.article.text)
                )
                result, _ = self.service.ingest(entry.article, source, entry.published)
                feed.documents += result.status != "unchanged"
        except _Stopped:
            cut = not self._stop.is_set()
            if cut:
                errors.append(
                    f"the poll used its {self.budget:g} s budget: the rest of the feed is "
                    "read in the next poll"
                )
        except (IngestError, StoreError, OSError) as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # one bad poll must not end the poller
            trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            log.error("polling the feed %s failed:\n%s", feed.shown, scrub(trace))
            errors.append("internal error; the server log has the details")
        feed.last_poll = datetime.now(UTC).isoformat(timespec="seconds")
        feed.last_error = scrub(errors[-1]) if errors else None
        feed.due = time.monotonic() + (min(feed.every, MIN_EVERY) if cut else feed.every)

    def _name_of(self, url: str) -> str | None:
        """The public name the validators of ``url`` are kept under: none once the feed
        is removed (a poll finishing after its removal writes nothing back)."""
        with self._lock:
            feed = next((f for f in self._feeds.values() if f.url == url), None)
        return feed.name if feed is not None else None


def _order(feed: Feed) -> tuple[str, str]:
    return feed.shown, feed.name


def _seconds(value: str | None) -> float:
    try:
        return max(float(value or MIN_EVERY), MIN_EVERY)
    except ValueError:
        return MIN_EVERY


def _collect(errors: list[str]):
    def failed(name: str, reason: str) -> None:
        errors.append(f"{name}: {reason}")

    return failed
