"""The knowledge graph as the HTTP service sees it: one store, one cached analysis view.

The networkx view is built on first use and rebuilt after a write, so reads between
writes are answered from memory (and from the answers cached on the view).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

import networkx as nx

from detente.extract import Article, Extractor, Relation
from detente.graph import Ingestor, IngestResult, KnowledgeStore, open_store
from detente.graph.oxigraph import OxigraphStore
from detente.graph.views import find_actor, relation_graph

RESPONSES_KEPT = 512


class KnowledgeService:
    def __init__(self, store: KnowledgeStore | str, extractor: Extractor | None = None) -> None:
        if isinstance(store, str):
            # A server's query workers are other processes: they need files to read, so a
            # server's "memory:" store is a temporary folder removed when it closes.
            store = OxigraphStore.temporary() if store == "memory:" else open_store(store)
        self.store = store
        self._extractor = extractor
        self._view: nx.MultiDiGraph | None = None
        self._generation = 0
        self._lock = threading.RLock()  # the view is built once, not by every reader
        self._write_lock = threading.Lock()  # one writer at a time
        self._model_lock = threading.Lock()  # the pipeline is loaded once, without the view lock
        # Serialised answers of this generation, by question: between writes the same
        # question gets the same bytes, without rebuilding or re-encoding its rows.
        self._responses: OrderedDict[tuple, bytes] = OrderedDict()
        self._subscribers: list[Callable[[], None]] = []
        Ingestor(self.store).ensure_vocabulary()

    @property
    def extractor(self) -> Extractor:
        with self._model_lock:
            if self._extractor is None:
                self._extractor = Extractor()
            return self._extractor

    def view(self) -> nx.MultiDiGraph:
        view = self._view
        if view is not None:
            return view
        with self._lock:
            if self._view is None:
                self._view = relation_graph(self.store)
            return self._view

    def changed(self) -> None:
        """Forget the view and the answers after anything wrote to the store, and tell
        whoever subscribed."""
        with self._lock:
            self._view = None
            self._generation += 1
            self._responses.clear()
        for callback in self._subscribers:
            callback()

    def subscribe(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (quickly: it runs in the writer's thread) after every write."""
        self._subscribers.append(callback)

    def response(self, question: tuple, answer: Callable[[], bytes]) -> bytes:
        """The serialised answer to ``question`` in the current generation, computed by
        ``answer`` at most once per generation (of the last ``RESPONSES_KEPT`` questions)."""
        key = (self._generation, *question)
        found = self._responses.get(key)
        if found is not None:
            return found
        body = answer()
        with self._lock:
            if key[0] == self._generation:  # not stale: no write happened meanwhile
                self._responses[key] = body
                while len(self._responses) > RESPONSES_KEPT:
                    self._responses.popitem(last=False)
        return body

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the write lock (call :meth:`changed` inside when the store changed)."""
        with self._write_lock:
            yield

    @property
    def generation(self) -> int:
        """Counts writes: clients may use it to tell whether the graph changed."""
        return self._generation

    def ingest(
        self, article: Article, source: str, published: date | None
    ) -> tuple[IngestResult, list[Relation]]:
        """Store one article; returns the result and the relations its graph holds."""
        ingestor = Ingestor(self.store, self.extractor)
        # The pipeline is not thread-safe: extraction happens under the write lock too.
        with self.writing():
            result = ingestor.ingest(article, source, published)
            if result.status != "unchanged":
                self.changed()
            else:
                # Stored already; extraction is deterministic, so this is what it holds.
                return result, self.extractor.extract(
                    article.text, published or article.published, article.author
                )
        return result, result.found

    def remove(self, ref: str) -> list[str]:
        with self.writing():
            removed = Ingestor(self.store).remove(ref)
            if removed:
                self.changed()
            return removed

    def documents(self) -> list[dict]:
        return Ingestor(self.store).documents()

    def actor_id(self, name: str) -> str | None:
        """An actor id from an id, a label or any gazetteer name; None if unknown."""
        return find_actor(self.view(), name)

    def close(self) -> None:
        self.store.close()
