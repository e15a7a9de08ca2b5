"""The knowledge graph as the HTTP service sees it: one store and its live ledger.

Reads are answered from the :class:`~detente.analysis.ledger.Ledger` (and from answers cached
until the next write). A document write (ingest, replace, remove) applies its own delta to
the ledger in the same critical section as the store write, so an answer is from before
or after a write, never from half of one. Extraction happens before, outside that section.
A write the service cannot attribute to documents (a SPARQL Update, a Graph Store Protocol
request) rebuilds the ledger in the background while the previous one keeps serving.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from datetime import date
from typing import TypeVar

from detente.analysis.actors import find_actor
from detente.analysis.balance import signed_pairs
from detente.analysis.evidence import EvidenceReader, store_evidence
from detente.analysis.ledger import Ledger, open_ledger, save_ledger
from detente.extract import Article, ExtractionProcess, Extractor, Relation
from detente.graph import KnowledgeStore, StoreError, document_iri, open_store
from detente.graph.oxigraph import OxigraphStore
from detente.graph.store import Capability
from detente.ingest import Ingestor, IngestResult
from detente.lifetime import die_with_parent

RESPONSES_KEPT = 512
HOT_QUESTIONS = 8  # answered again by every document write, before its 201
T = TypeVar("T")
log = logging.getLogger("detente")


class KnowledgeService:
    def __init__(
        self,
        store: KnowledgeStore | str,
        extractor: Extractor | ExtractionProcess | None = None,
        *,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        """``extractor``: the pipeline to extract posted articles with; by default one in a
        worker process of its own (started on the first post), so that the service's
        process holds answers, not a language model. ``credentials``: for a remote store
        named by ``store``."""
        if isinstance(store, str):
            # A server's query workers are other processes: they need files to read, so a
            # server's "memory:" store is a temporary folder removed when it closes.
            store = (
                OxigraphStore.temporary()
                if store == "memory:"
                else open_store(store, credentials=credentials)
            )
        self.store = store
        self._extractor = extractor
        self._ledger: Ledger | None = None
        self._generation = 0  # store writes
        self._epoch = 0  # changes of what answers say: store writes and ledger swaps
        # Held by readers of the ledger and by writers of store and ledger together.
        self._state = threading.RLock()
        self._write_lock = threading.Lock()  # one writer at a time
        self._model_lock = threading.Lock()  # the pipeline is neither shared nor loaded twice
        self._rebuild_wanted = threading.Event()
        self._rebuilding = False
        # Serialised answers of this generation, by question: between writes the same
        # question gets the same bytes, without recomputing or re-encoding its rows.
        self._responses: OrderedDict[tuple, bytes] = OrderedDict()
        # Only ever held for a dict operation: the event loop takes it (answer_cache).
        self._responses_lock = threading.Lock()
        self._computing: dict[tuple, threading.Lock] = {}  # one computation per question
        # The questions answered again by each document write, most recently asked last,
        # and the answer cache's keys for them.
        self._hot: OrderedDict[tuple, tuple[Callable[[], bytes], tuple | None]] = OrderedDict()
        self._hot_raw: dict[tuple, tuple] = {}
        # The same, on the event loop: the computation's answer, shared by those asking.
        self._computing_async: dict[tuple, asyncio.Future[bytes | None]] = {}
        self._sides: dict[str | None, dict[str, int]] = {}  # last blocs, per theatre
        self._memos: dict[str, tuple[int, object]] = {}  # (epoch, value) by name
        self._replay: list[tuple[list[str], list[str]]] | None = None  # deltas to re-apply
        self._subscribers: list[Callable[[], None]] = []
        self._writer: Ingestor | None = None
        self.evidence: EvidenceReader = store_evidence(self.store)
        Ingestor(self.store).ensure_vocabulary()

    @property
    def extractor(self) -> Extractor | ExtractionProcess:
        with self._model_lock:
            return self._pipeline()

    def _pipeline(self) -> Extractor | ExtractionProcess:
        """The extractor, started on first use (the caller holds the model lock)."""
        if self._extractor is None:
            # A server that dies takes its extraction process (and its model) with it.
            self._extractor = ExtractionProcess(guard=die_with_parent)
        return self._extractor

    def _extract(self, article: Article, published: date | None) -> list[Relation]:
        when = published or article.published
        with self._model_lock:  # the pipeline is not shared between threads
            try:
                return self._pipeline().extract(article.text, when, article.author)
            except BrokenProcessPool:  # the worker died (killed, out of memory): a new one
                self._extractor = None
                return self._pipeline().extract(article.text, when, article.author)

    # ------------------------------------------------------------------ reading
    def ledger(self) -> Ledger:
        """The live ledger, opened on first use (saved beside an embedded store, or read
        from the store)."""
        ledger = self._ledger
        if ledger is not None:
            return ledger
        with self._state:
            if self._ledger is None:
                self._ledger = open_ledger(self.store)
            return self._ledger

    @contextmanager
    def reading(self) -> Iterator[Ledger]:
        """The ledger, held still (no write applies meanwhile) for one answer."""
        with self._state:
            yield self.ledger()

    def response(
        self,
        question: tuple,
        answer: Callable[[], bytes],
        *,
        raw: tuple | None = None,
        refresh: bool = True,
    ) -> bytes:
        """The serialised answer to ``question`` in the current generation, computed by
        ``answer`` at most once per generation (of the last ``RESPONSES_KEPT`` questions).
        ``raw``, the request's key in the answer cache (:func:`answer_key`), keeps it there
        too.
        The questions computed last are answered again by each document write, before
        its 201 (see :meth:`_apply`), unless ``refresh`` is false: an answer that may take
        a second on a large store is computed again when next asked, not in every write."""
        key = (self._epoch, *question)
        found = self._responses.get(key)
        if found is not None:
            return found
        # Clients asking the same question at once wait for one computation, not eight.
        with self._responses_lock:
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:
            found = self._responses.get(key)
            if found is not None:
                return found
            try:
                body = answer()
            finally:  # also when it fails (a 404): no gate is left behind per question
                with self._responses_lock:
                    self._computing.pop(key, None)
            if refresh:
                self._make_hot(question, answer, raw)
            self.keep(question, key[0], body)
            if raw is not None:
                self.keep(raw, key[0], body)
        return body

    def _make_hot(self, question: tuple, answer: Callable[[], bytes], raw: tuple | None) -> None:
        with self._responses_lock:
            self._hot[question] = (answer, raw)
            self._hot.move_to_end(question)
            if raw is not None:
                self._hot_raw[raw] = question
            while len(self._hot) > HOT_QUESTIONS:
                _, (_, gone) = self._hot.popitem(last=False)
                if gone is not None:
                    self._hot_raw.pop(gone, None)

    def memo(self, name: str, build: Callable[[], T]) -> T:
        """A value derived from the ledger (an index), built at most once per epoch and
        not answered again by writes: it is built again when next asked."""
        epoch = self._epoch
        found = self._memos.get(name)
        if found is not None and found[0] == epoch:
            return found[1]  # type: ignore[return-value]
        value = build()
        self._memos[name] = (epoch, value)
        return value

    def _answer_hot(self) -> list[tuple[tuple, bytes]]:
        """The questions asked last, answered again on the current state (the caller
        holds the state lock): (cache key, body) pairs for the next epoch."""
        with self._responses_lock:
            hot = list(self._hot.items())
        fresh = []
        for question, (answer, raw) in hot:
            try:
                body = answer()
            except Exception:  # e.g. an actor the write removed: asked again, it says so
                with self._responses_lock:
                    self._hot.pop(question, None)
                    if raw is not None:
                        self._hot_raw.pop(raw, None)
                continue
            fresh.append((question, body))
            if raw is not None:
                fresh.append((raw, body))
        return fresh

    def signed_pairs(self, theatre: str | None) -> tuple:
        """The signed pairs about ``theatre`` (see :func:`signed_pairs`), read under the
        state lock; the partition is then computed outside it."""
        with self.reading() as ledger:
            return signed_pairs(ledger, theatre=theatre)

    def blocs_before(self, theatre: str | None) -> dict[str, int] | None:
        """The sides of the last balance answered for ``theatre``: the next one starts
        from them, so after a write only the nodes it touched usually move."""
        return self._sides.get(theatre.casefold() if theatre else None)

    def remember_blocs(self, theatre: str | None, result: dict) -> None:
        first, second = result["blocs"]
        self._sides[theatre.casefold() if theatre else None] = {n: 0 for n in first} | {
            n: 1 for n in second
        }

    async def response_async(
        self, question: tuple, answer: Callable[[], Awaitable[bytes]]
    ) -> bytes:
        """:meth:`response` for answers computed on the event loop (awaiting threads or
        worker processes).

        Those asking the same question in the same epoch while it is computed get that
        computation's answer, also when a write came meanwhile (it is not kept then): it
        was computed on a state no older than their question. Computing it again for them
        would only compete with the next epoch's computation for the CPU (a balance on a
        large theatre, each time the posts came faster than it was computed). If the
        computation fails, each of them computes its own."""
        key = (self._epoch, *question)
        while True:
            found = self._responses.get(key)
            if found is not None:
                return found
            pending = self._computing_async.get(key)
            if pending is None:
                break
            shared = await asyncio.shield(pending)
            if shared is not None:
                return shared
        pending = asyncio.get_running_loop().create_future()
        self._computing_async[key] = pending
        body: bytes | None = None
        try:
            body = await answer()
        finally:
            self._computing_async.pop(key, None)
            pending.set_result(body)  # None when it failed: the others compute their own
        self.keep(question, key[0], body)
        return body

    @property
    def epoch(self) -> int:
        """Counts changes of what answers say (writes, and ledger rebuilds)."""
        return self._epoch

    def cached(self, key: tuple) -> bytes | None:
        """The answer kept under ``key`` since the last change, if any (an answer asked
        for stays among the questions each write answers again)."""
        found = self._responses.get((self._epoch, *key))
        if found is not None and key in self._hot_raw:
            with self._responses_lock:
                question = self._hot_raw.get(key)
                if question is not None and question in self._hot:
                    self._hot.move_to_end(question)
        return found

    def keep(self, key: tuple, epoch: int, body: bytes) -> None:
        """Keep ``body`` as the answer to ``key`` computed at ``epoch`` (dropped if
        something changed since)."""
        with self._responses_lock:
            if epoch == self._epoch:
                self._responses[(epoch, *key)] = body
                while len(self._responses) > RESPONSES_KEPT:
                    self._responses.popitem(last=False)

    def actor_id(self, name: str) -> str | None:
        """An actor id from an id, a label or any gazetteer name; None if unknown."""
        with self.reading() as ledger:
            return find_actor(ledger, name)

    @property
    def generation(self) -> int:
        """Counts writes: clients may use it to tell whether the graph changed."""
        return self._generation

    @property
    def rebuilding(self) -> bool:
        """Whether the ledger is being rebuilt after a write it could not follow."""
        return self._rebuilding

    # ------------------------------------------------------------------ writing
    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the write lock and the state (call :meth:`changed` inside after a write
        that did not go through :meth:`ingest` or :meth:`remove`)."""
        with self._write_lock, self._state:
            yield

    def subscribe(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (quickly: it runs in the writer's thread) after every write."""
        self._subscribers.append(callback)

    def _advance(self, *, wrote: bool = True, answers: Sequence[tuple[tuple, bytes]] = ()) -> None:
        """Forget cached answers, keeping ``answers`` (computed on the new state) in their
        place; after a store write (``wrote``) tell the subscribers."""
        with self._state, self._responses_lock:
            self._epoch += 1
            self._responses.clear()
            self._computing.clear()
            for key, body in answers:
                self._responses[(self._epoch, *key)] = body
            if wrote:
                self._generation += 1
        if wrote:
            for callback in self._subscribers:
                callback()

    def changed(self) -> None:
        """Something wrote to the store that the ledger cannot follow: rebuild it in the
        background, serving the previous one meanwhile."""
        if self.store.supports(Capability.SAVED_LEDGER):
            self.store.unstamp()  # the saved ledger no longer describes the store
        self._writer = None  # nor may the copy links it knows
        self._advance()
        self._rebuild_wanted.set()
        with self._state:
            if not self._rebuilding:
                self._rebuilding = True
                threading.Thread(target=self._rebuild, name="detente-ledger", daemon=True).start()

    def update(self, apply: Callable[[str], None]) -> None:
        """A write the ledger cannot follow, made by another process: ``apply`` gets the
        store's folder while the store is lent to it (closed here; see
        :meth:`OxigraphStore.lend`) and writes it in one transaction, or raises having
        written nothing. Only other writers wait: readers go on with the ledger as it was,
        which is rebuilt in the background once something was written."""
        store = self.store
        if not store.supports(Capability.FILES):
            raise StoreError("only a store on disk can be written by another process")
        with self._write_lock:
            # The saved ledger no longer describes the store, even if this process dies
            # before the update returns.
            store.unstamp()
            try:
                with store.lend() as location:
                    apply(location)
            except Exception as exc:
                # A refused request wrote nothing; a worker ended at its deadline may have
                # committed just before: then the ledger is read again to be sure.
                if getattr(exc, "status", 500) >= 500:
                    self.changed()
                raise
            self.changed()

    def _rebuild(self) -> None:
        try:
            while self._rebuild_wanted.is_set():
                self._rebuild_wanted.clear()
                # Document writes go on meanwhile (on the previous ledger, and logged): the
                # new ledger re-applies them, each retiring what the read caught of it first.
                with self._state:
                    self._replay = []
                fresh = Ledger.from_store(self.store)
                with self._state:
                    for added, removed in self._replay or ():
                        # apply() retires first: what the read caught of ``added`` goes too.
                        graphs = [str(document_iri(d)) for d in added]
                        fresh.apply(self.store, added=graphs, removed=removed + added)
                    self._replay = None
                    self._ledger = fresh
                self._advance(wrote=False)
        except Exception:  # a broken store: the next read reports it
            log.exception("rebuilding the ledger failed")
            with self._state:
                self._ledger = None
                self._replay = None
        finally:
            with self._state:
                self._rebuilding = False
            if self._rebuild_wanted.is_set():
                self.changed()

    def ingest(
        self, article: Article, source: str, published: date | None
    ) -> tuple[IngestResult, list[Relation]]:
        """Store one article; returns the result and the relations its graph holds.
        Extraction runs before the write lock is taken; the write and its delta run under it."""
        found = self._extract(article, published)
        with self._write_lock:
            # The copy signatures are read (once; long on a large store) before readers are
            # held, but after other writers: nothing writes meanwhile.
            ingestor = self._ingestor()
            ingestor.copies()
            with self._state:
                result = ingestor.store_extracted(article, found, source, published)
                if result.status != "unchanged":
                    self._apply(*result.evidence_delta())
        return result, found

    def _apply(self, added: list[str], removed: list[str]) -> None:
        """A document write's delta (documents by id: those whose statements now count as
        evidence, and those whose statements no longer do), under the state lock."""
        if self._ledger is not None:
            graphs = [str(document_iri(d)) for d in added]
            self._ledger.apply(self.store, added=graphs, removed=removed)
        if self._replay is not None:
            self._replay.append((added, removed))
        # The questions asked last are answered on the new state before the write is
        # visible (and before its 201): readers get the answer before the write until
        # then, and the one after it at once, without waiting for a computation.
        self._advance(answers=self._answer_hot() if self._ledger is not None else [])

    def _ingestor(self) -> Ingestor:
        """The writer of documents, kept: it holds the store's copy signatures, read once."""
        if self._writer is None:
            self._writer = Ingestor(self.store, self.extractor)
        return self._writer

    def remove(self, ref: str) -> list[str]:
        with self._write_lock:
            self._ingestor().copies()  # read before readers are held (see ingest)
            with self._state:
                removed, promoted = self._ingestor().retract(ref)
                if removed:
                    self._apply(promoted, removed)
            return removed

    def documents(self) -> list[dict]:
        return Ingestor(self.store).documents()

    def close(self) -> None:
        """Save the ledger beside an embedded store (the next start opens it at once),
        then close the store."""
        with self._write_lock, self._state:
            if self._ledger is not None and not self._rebuilding:
                save_ledger(self.store, self._ledger)
            self.store.close()
        if isinstance(self._extractor, ExtractionProcess):
            self._extractor.close()
