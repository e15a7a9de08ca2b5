"""The knowledge graph as the HTTP service sees it: one store and its live ledger.

Reads are answered from the :class:`~detente.analysis.ledger.Ledger`; a cache of answers
(the HTTP layer's) attaches to the service and is told of every change. A document write
(ingest, replace, remove) applies its own delta to the ledger in the same critical section
as the store write, so an answer is from before or after a write, never from half of one.
Extraction happens before, outside that section. A write the service cannot attribute to
documents (a SPARQL Update, a Graph Store Protocol request) rebuilds the ledger in the
background while the previous one keeps serving.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Protocol, TypeVar

from detente.analysis.actors import find_actor
from detente.analysis.balance import signed_pairs
from detente.analysis.curation import prepare
from detente.analysis.evidence import EvidenceReader, store_evidence
from detente.analysis.ledger import Ledger, open_ledger, save_ledger
from detente.domain.curation import CurationAct, Verdict
from detente.extract import Article, ExtractionProcess, Extractor, Relation
from detente.graph import KnowledgeStore, StoreError, curation, document_iri, open_store
from detente.graph.duplicates import copies_of_store
from detente.graph.oxigraph import OxigraphStore
from detente.graph.store import Capability
from detente.ingest import Ingestor, IngestResult
from detente.lifetime import die_with_parent

T = TypeVar("T")
log = logging.getLogger("detente")


class AnswerCache(Protocol):
    """What the service needs of a cache of answers (the HTTP layer's answer cache)."""

    def answer_again(self) -> Sequence[tuple[tuple, bytes]]:
        """The answers worth having at once after a write, computed on the new state (the
        caller holds the state lock): (cache key, body) pairs."""
        ...

    def advance(self, epoch: int, answers: Sequence[tuple[tuple, bytes]]) -> None:
        """Forget the previous epoch's answers, keeping ``answers`` for ``epoch``."""
        ...


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
        self._sides: dict[str | None, dict[str, int]] = {}  # last blocs, per theatre
        self._memos: dict[str, tuple[int, object]] = {}  # (epoch, value) by name
        self._replay: list[tuple[list[str], list[str]]] | None = None  # deltas to re-apply
        self._subscribers: list[Callable[[], None]] = []
        # Caches of answers (the HTTP layer's answer cache): told of every change of epoch,
        # with the answers they computed again on the new state before it became visible.
        self._answer_caches: list[AnswerCache] = []
        self._writer: Ingestor | None = None
        self.evidence: EvidenceReader = store_evidence(self.store)
        Ingestor(self.store).ensure_vocabulary()

    @property
    def extractor(self) -> Extractor | ExtractionProcess:
        with self._model_lock:
            if self._extractor is None:
                # Its process starts on the first article; a server that dies takes it
                # (and its model) along; a process that died is replaced by the next call.
                self._extractor = ExtractionProcess(guard=die_with_parent)
            return self._extractor

    def _extract(self, article: Article, published: date | None) -> list[Relation]:
        extractor = self.extractor
        with self._model_lock:  # an in-process pipeline is not shared between threads
            return extractor.extract(article.text, published or article.published, article.author)

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

    @property
    def epoch(self) -> int:
        """Counts changes of what answers say (writes, and ledger rebuilds)."""
        return self._epoch

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

    def attach(self, cache: AnswerCache) -> None:
        """Tell ``cache`` of every change of what answers say (see :class:`AnswerCache`)."""
        self._answer_caches.append(cache)

    def _advance(self, *, wrote: bool = True, answer_again: bool = False) -> None:
        """A new epoch: every answer cache forgets what it kept, keeping (with
        ``answer_again``) the answers it computes again on the new state, under the state
        lock, before the change is visible; after a store write (``wrote``) tell the
        subscribers."""
        with self._state:
            fresh = [c.answer_again() if answer_again else () for c in self._answer_caches]
            self._epoch += 1
            for cache, answers in zip(self._answer_caches, fresh, strict=True):
                cache.advance(self._epoch, answers)
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
        self._advance(answer_again=self._ledger is not None)

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

    # ------------------------------------------------------------------ curation
    def curate(
        self,
        verdict: Verdict,
        target: str,
        curator: str,
        why: str | None = None,
        *,
        into: str | None = None,
    ) -> CurationAct:
        """Record an analyst's act: ``target`` is a statement IRI (``wrong``,
        ``confirmed``), an actor's id or name (``hidden``; ``merged``, into the actor
        ``into`` names), or either (``noted``, the note in ``why``); see
        :func:`~detente.analysis.curation.prepare` for what is refused. Every answer
        follows at once: the documents it concerns are read again into the ledger, which
        applies the acts in force."""
        with self._write_lock:
            with self.reading() as ledger:
                iri, into_iri = prepare(self.store, ledger, verdict, target, why, into)
            with self._state:
                act = curation.record(self.store, verdict, iri, curator, why, into_iri)
                self._reread(act)
        return act

    def uncurate(self, act_id: str, curator: str) -> CurationAct:
        """Take an act back (it stays in the curation graph as history); the answers
        follow at once."""
        with self._write_lock, self._state:
            act = curation.retract(self.store, act_id, curator)
            self._reread(act)
        return act

    def curation(self) -> list[CurationAct]:
        """Every curation act, taken back or not, oldest first."""
        return curation.acts(self.store)

    def _reread(self, act: CurationAct) -> None:
        """Read the documents an act concerns again (the copies that count as evidence
        only), under the state lock, so that the ledger applies exactly what the acts in
        force say (a confirmation too: it may overrule an earlier "wrong"; a note, which
        concerns no document, reaches the ledger by the same delta)."""
        copies = copies_of_store(self.store)
        documents = [
            d for d in curation.documents_of(self.store, act) if str(document_iri(d)) not in copies
        ]
        self._apply(documents, documents)

    def close(self) -> None:
        """Save the ledger beside an embedded store (the next start opens it at once),
        then close the store."""
        with self._write_lock, self._state:
            if self._ledger is not None and not self._rebuilding:
                save_ledger(self.store, self._ledger)
            self.store.close()
        if isinstance(self._extractor, ExtractionProcess):
            self._extractor.close()
