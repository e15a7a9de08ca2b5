"""Putting documents into the knowledge graph: atomic, idempotent, replaceable.

A document's graph is named by the hash of its text, so ingesting the same text twice
changes nothing. A document is *identified* by its source (URL or file path): ingesting an
edited text from the same source replaces the old graph in the same atomic update.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from detente.extract import Article, ExtractionProcess, Extractor, Relation, document_id
from detente.graph.rdf import DOC, actors_to_graph, document_graph, document_iri
from detente.graph.store import (
    GAZETTEER_GRAPH,
    ONTOLOGY_GRAPH,
    PREFIXES,
    KnowledgeStore,
    nt,
)
from detente.graph.validation import validate
from detente.ontology import NS, load_gazetteer, ontology_path


def path_source(name: str | Path) -> str:
    """The source recorded for a file: its path as the user typed it, normalised, and
    relative to the current folder when it lies inside it. Never an absolute path the user
    did not type: sources are shown to anonymous readers of the service."""
    path = Path(name)
    if path.is_absolute():
        try:
            return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            return Path(os.path.normpath(path)).as_posix()
    return Path(os.path.normpath(path)).as_posix()


def content_source(text: str) -> str:
    """The source of a text that came without one (standard input, a POST without a URL):
    its content hash, so that only the same text is ever the same document."""
    return "text:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


class IngestError(ValueError):
    """A document that cannot be ingested; nothing was written."""


@dataclass
class IngestResult:
    doc_id: str
    source: str
    status: str  # "added" | "replaced" | "unchanged"
    relations: int
    replaced: list[str] = field(default_factory=list)
    found: list[Relation] = field(default_factory=list, repr=False)  # what was extracted


def _vocabulary_version() -> str:
    """Changes whenever the ontology or gazetteer files change."""
    digest = hashlib.sha256(ontology_path().read_bytes())
    for path in sorted((ontology_path().parent / "gazetteer").glob("*")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class Ingestor:
    def __init__(
        self,
        store: KnowledgeStore,
        extractor: Extractor | ExtractionProcess | None = None,
        *,
        check_shapes: bool = False,
        bulk: int = 0,
    ) -> None:
        """``bulk``: write new documents in batches of this many through the store's bulk
        loader (faster initial loads; crash-recoverable, see ``KnowledgeStore.bulk_write``);
        0 writes each document in its own transaction."""
        self.store = store
        self._extractor = extractor
        self.check_shapes = check_shapes
        self.bulk = bulk

    @property
    def extractor(self) -> Extractor | ExtractionProcess:
        """The pipeline: an :class:`Extractor` for :meth:`ingest_many`; for
        :meth:`store_extracted` (relations extracted already) either kind does."""
        if self._extractor is None:
            self._extractor = Extractor()
        return self._extractor

    # ------------------------------------------------------------------ vocabulary
    def ensure_vocabulary(self) -> bool:
        """Load the ontology and gazetteer graphs if absent or outdated. True if loaded."""
        version = _vocabulary_version()
        marker = (
            f"ASK {{ GRAPH {nt(ONTOLOGY_GRAPH)} {{ {nt(ONTOLOGY_GRAPH)} "
            f'<{NS.contentHash}> "{version}" }} }}'
        )
        if self.store.query(marker).boolean:
            return False
        self.store.drop_staging()
        ontology = Graph().parse(ontology_path())
        ontology.add((ONTOLOGY_GRAPH, NS.contentHash, Literal(version)))
        self.store.replace_graphs([], ONTOLOGY_GRAPH, ontology)
        # The curated actors only: the tens of thousands converted from the Phoenix
        # dictionaries enter a store with the statements that name them (each document
        # graph carries its actors' type and label), not all at once in every store.
        curated = load_gazetteer(generated=False)
        self.store.replace_graphs([], GAZETTEER_GRAPH, actors_to_graph(curated))
        return True

    # ------------------------------------------------------------------ documents
    def ingest(self, article: Article, source: str, published: date | None = None) -> IngestResult:
        [result] = self.ingest_many([(article, source, published)])
        return result

    def ingest_many(
        self, items: Iterable[tuple[Article, str, date | None]]
    ) -> Iterator[IngestResult]:
        """Extract and store each (article, source, publication date).

        Results come in input order, each once its document is written (with ``bulk``, once
        its batch is).
        """
        self.ensure_vocabulary()
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

        batch: list[tuple[IngestResult, URIRef, Graph]] = []
        for article, relations in self.extractor.process(stream()):
            if not batch:
                yield from unchanged
                unchanged.clear()
            source, published = pending.pop(0)
            result, previous, graph = self._prepare(article, relations, source, published)
            if self.bulk and not previous:
                batch.append((result, document_iri(result.doc_id), graph))
                if len(batch) >= self.bulk:
                    yield from self._flush(batch)
                continue
            self.store.replace_graphs(previous, document_iri(result.doc_id), graph)
            yield result
        yield from self._flush(batch)
        yield from unchanged

    def store_extracted(
        self, article: Article, relations: list[Relation], source: str, published: date | None
    ) -> IngestResult:
        """Write one article whose relations were extracted already (a service extracts
        outside its write lock and writes under it); "unchanged" if its text is stored."""
        doc_id = document_id(article.text)
        if self.store.has_graph(document_iri(doc_id)):
            return IngestResult(doc_id, source, "unchanged", 0, found=relations)
        result, previous, graph = self._prepare(article, relations, source, published)
        self.store.replace_graphs(previous, document_iri(result.doc_id), graph)
        return result

    def _flush(self, batch: list[tuple[IngestResult, URIRef, Graph]]) -> Iterator[IngestResult]:
        if batch:
            self.store.bulk_write([(iri, graph) for _, iri, graph in batch])
            yield from (result for result, _, _ in batch)
            batch.clear()

    def _prepare(
        self, article: Article, relations: list[Relation], source: str, published: date | None
    ) -> tuple[IngestResult, list[URIRef], Graph]:
        doc_id = document_id(article.text)
        graph_iri = document_iri(doc_id)
        previous = [g for g in self.graphs_for_source(source) if g != graph_iri]
        graph = document_graph(
            doc_id,
            relations,
            source=source,
            title=article.title,
            published=published,
            content_hash=doc_id,
            extractor_version=self.extractor.version,
        )
        if self.check_shapes:
            ok, report = validate(graph)
            if not ok:
                raise IngestError(f"{source}: extracted graph violates the shapes:\n{report}")
        status = "replaced" if previous else "added"
        replaced = [str(g).removeprefix(str(DOC)) for g in previous]
        result = IngestResult(doc_id, source, status, len(relations), replaced, relations)
        return result, previous, graph

    def graphs_for_source(self, source: str) -> list[URIRef]:
        rows = self.store.query(
            PREFIXES + "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?d a dt:Document ; "
            f"dct:source {nt(Literal(source))} }} }}"
        ).rows
        return [URIRef(str(r["g"])) for r in rows]

    def remove(self, ref: str) -> list[str]:
        """Retract a document by id (``doc-…``) or source; returns the ids removed."""
        graphs = [document_iri(ref)] if ref.startswith("doc-") else []
        graphs = [g for g in graphs if self.store.has_graph(g)]
        graphs += self.graphs_for_source(ref)
        if not graphs and not ref.startswith("doc-"):
            graphs = self.graphs_for_source(path_source(ref))
        for g in graphs:
            self.store.drop_graph(g)
        return [str(g).removeprefix(str(DOC)) for g in graphs]

    def documents(self) -> list[dict]:
        rows = self.store.query(
            PREFIXES + "SELECT ?g ?source ?title ?date (COUNT(?r) AS ?relations) WHERE { "
            "GRAPH ?g { ?d a dt:Document . OPTIONAL { ?d dct:source ?source } "
            'FILTER (STRSTARTS(STR(?g), "https://w3id.org/detente/doc/")) '
            "OPTIONAL { ?d dct:title ?title } OPTIONAL { ?d dct:date ?date } "
            "OPTIONAL { ?r dt:document ?d } } } GROUP BY ?g ?source ?title ?date ORDER BY ?source"
        ).rows
        return [
            {
                "id": str(r["g"]).removeprefix(str(DOC)),
                "source": str(r["source"]) if r["source"] else None,
                "title": str(r["title"]) if r["title"] else None,
                "date": str(r["date"]) if r["date"] else None,
                "relations": int(r["relations"]),
            }
            for r in rows
        ]
