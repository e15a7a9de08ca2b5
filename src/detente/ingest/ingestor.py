"""Ingestion, the write use case: articles -> extraction -> the knowledge graph.

One :class:`Ingestor` drives every path an article takes into a store (the CLI's ingest
and watch, Dask corpora, the service's posts and feeds): it runs the pipeline and hands
the relations to the store's :class:`~detente.graph.documents.DocumentWriter`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

from rdflib import Graph, URIRef

from detente.domain import Article, Relation, document_id
from detente.extract import ExtractionProcess, Extractor
from detente.graph.documents import DocumentWriter, IngestResult, path_source
from detente.graph.duplicates import DuplicateIndex
from detente.graph.rdf import document_iri
from detente.graph.store import KnowledgeStore

__all__ = ["ExtractionFailure", "IngestResult", "Ingestor", "path_source"]


@dataclass(frozen=True)
class ExtractionFailure:
    """What an extractor gives instead of an article's relations when it could not read
    that article (it raised, or killed its worker, every time it was tried): the article is
    reported as ``failed`` and not stored, so a rerun tries it again."""

    reason: str


@runtime_checkable
class StreamExtractor(Protocol):
    """An extractor that runs over a stream of articles, in input order: an
    :class:`Extractor` on this machine, or a Dask cluster's
    (:class:`~detente.ingest.distributed.DaskExtractor`)."""

    @property
    def version(self) -> str: ...

    def process(
        self, articles: Iterable[tuple[Article, date | None]]
    ) -> Iterator[tuple[Article, list[Relation] | ExtractionFailure]]: ...


class Ingestor:
    def __init__(
        self,
        store: KnowledgeStore,
        extractor: Extractor | ExtractionProcess | None = None,
        *,
        check_shapes: bool = False,
        bulk: int = 0,
        dedup: bool = True,
    ) -> None:
        """``extractor``: the pipeline (by default an :class:`Extractor`, loaded on first
        use); the other arguments are the writer's (:class:`DocumentWriter`)."""
        self.store = store
        self.writer = DocumentWriter(store, check_shapes=check_shapes, bulk=bulk, dedup=dedup)
        self._extractor = extractor

    @property
    def extractor(self) -> Extractor | ExtractionProcess:
        """The pipeline: an :class:`Extractor` for :meth:`ingest_many`; for
        :meth:`store_extracted` (relations extracted already) either kind does."""
        if self._extractor is None:
            self._extractor = Extractor()
        return self._extractor

    # What the writer does, for callers that hold an ingestor.
    def copies(self) -> DuplicateIndex:
        return self.writer.copies()

    def ensure_vocabulary(self) -> bool:
        return self.writer.ensure_vocabulary()

    def remove(self, ref: str) -> list[str]:
        return self.writer.remove(ref)

    def retract(self, ref: str) -> tuple[list[str], list[str]]:
        return self.writer.retract(ref)

    def documents(self) -> list[dict]:
        return self.writer.documents()

    def graphs_for_source(self, source: str) -> list[URIRef]:
        return self.writer.graphs_for_source(source)

    # ------------------------------------------------------------------ documents
    def ingest(self, article: Article, source: str, published: date | None = None) -> IngestResult:
        [result] = self.ingest_many([(article, source, published)])
        return result

    def ingest_many(
        self, items: Iterable[tuple[Article, str, date | None]]
    ) -> Iterator[IngestResult]:
        """Extract and store each (article, source, publication date).

        Results come in input order, each once its document is written (with ``bulk``, once
        its batch is); an article the extractor could not read (an
        :class:`ExtractionFailure`) is reported ``failed`` at once and nothing is written.
        """
        self.writer.ensure_vocabulary()
        pending: list[tuple[str, date | None]] = []
        unchanged: list[IngestResult] = []
        seen: set[str] = set()

        def stream() -> Iterator[tuple[Article, date | None]]:
            for article, source, published in items:
                doc_id = document_id(article.text)
                if doc_id in seen or self.store.has_graph(document_iri(doc_id)):
                    # Same text as before: nothing to extract, nothing to write.
                    unchanged.append(IngestResult(doc_id, source, "unchanged", 0))
                    continue
                seen.add(doc_id)
                pending.append((source, published or article.published))
                yield article, published

        extractor = self.extractor
        if not isinstance(extractor, StreamExtractor):
            raise TypeError(
                "ingest_many needs an extractor of streams (an Extractor or a DaskExtractor); "
                "an extraction process extracts one article at a time (store_extracted)"
            )
        batch: list[tuple[IngestResult, URIRef, Graph]] = []
        for article, relations in extractor.process(stream()):
            if not batch:
                yield from unchanged
                unchanged.clear()
            source, published = pending.pop(0)
            if isinstance(relations, ExtractionFailure):
                doc_id = document_id(article.text)
                yield IngestResult(doc_id, source, "failed", 0, error=relations.reason)
                continue
            result, previous, graph = self.writer.prepare(
                article, relations, source, published, self.extractor.version
            )
            if self.writer.bulk and not previous:
                batch.append((result, document_iri(result.doc_id), graph))
                if len(batch) >= self.writer.bulk:
                    yield from self.writer.flush(batch)
                continue
            self.writer.write(result, previous, graph)
            yield result
        yield from self.writer.flush(batch)
        yield from unchanged

    def store_extracted(
        self, article: Article, relations: list[Relation], source: str, published: date | None
    ) -> IngestResult:
        """Write one article whose relations were extracted already (a service extracts
        outside its write lock and writes under it); "unchanged" if its text is stored."""
        return self.writer.store_extracted(
            article, relations, source, published, self.extractor.version
        )
