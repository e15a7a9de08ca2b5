"""Writing documents into the knowledge graph: atomic, idempotent, replaceable.

A document's graph is named by the hash of its text, so writing the same text twice
changes nothing. A document is *identified* by its source (URL or file path): writing an
edited text from the same source replaces the old graph in the same atomic update. The
writer takes relations already extracted (:mod:`detente.ingest` runs the pipeline), so
storage is used and tested without the NLP pipeline.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import DCTERMS, Graph, Literal, URIRef

from detente.domain import Article, Relation, document_id
from detente.errors import IngestError
from detente.graph.duplicates import DUPLICATES_GRAPH, Change, DuplicateIndex, signature
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


@dataclass
class IngestResult:
    doc_id: str
    source: str
    status: str  # "added" | "replaced" | "unchanged" | "failed" (nothing written)
    relations: int
    replaced: list[str] = field(default_factory=list)
    found: list[Relation] = field(default_factory=list, repr=False)  # what was extracted
    duplicate_of: str | None = None  # the counted copy, when this document is a copy
    # Other documents that stopped (demoted) or started (promoted) counting as evidence.
    demoted: list[str] = field(default_factory=list)
    promoted: list[str] = field(default_factory=list)
    error: str | None = None  # why a "failed" document could not be read

    def evidence_delta(self) -> tuple[list[str], list[str]]:
        """(documents whose statements now count, documents whose statements no longer
        do) after this write: what a live ledger applies."""
        added = ([] if self.duplicate_of else [self.doc_id]) + self.promoted
        return added, self.replaced + self.demoted


def _published(graph: Graph, iri: URIRef) -> str | None:
    found = graph.value(iri, DCTERMS.date)
    return str(found) if found is not None else None


def _vocabulary_version() -> str:
    """Changes whenever the ontology or gazetteer files change."""
    digest = hashlib.sha256(ontology_path().read_bytes())
    for path in sorted((ontology_path().parent / "gazetteer").glob("*")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class DocumentWriter:
    """Writes documents (relations already extracted) into a store, one named graph each,
    keeping the links between near-duplicate copies (:mod:`detente.graph.duplicates`)."""

    def __init__(
        self,
        store: KnowledgeStore,
        *,
        check_shapes: bool = False,
        bulk: int = 0,
        dedup: bool = True,
    ) -> None:
        """``bulk``: write new documents in batches of this many through the store's bulk
        loader (faster initial loads; crash-recoverable, see ``KnowledgeStore.bulk_write``);
        0 writes each document in its own transaction. ``dedup``: link near-duplicate
        copies so that one copy of a story counts as evidence (see
        :mod:`detente.graph.duplicates`); without it every document counts (its signature
        is stored all the same, so a later run can match it)."""
        self.store = store
        self.check_shapes = check_shapes
        self.bulk = bulk
        self.dedup = dedup
        self._copies: DuplicateIndex | None = None

    def copies(self) -> DuplicateIndex:
        """The store's signatures and copy links, read on first use."""
        if self._copies is None:
            self._copies = DuplicateIndex.from_store(self.store)
        return self._copies

    def write(self, result: IngestResult, previous: list[URIRef], graph: Graph) -> None:
        """One document and the copy links it changes, in one atomic write."""
        try:
            change = self._plan([(result, graph)], result.replaced)
            self.store.replace_graphs(
                previous, document_iri(result.doc_id), graph, also=change.update if change else ""
            )
        except BaseException:
            self._copies = None  # planned but not written: read again
            raise
        self._settle([result], change)

    def _plan(self, new: list[tuple[IngestResult, Graph]], removed: list[str]) -> Change | None:
        if not self.dedup:
            # The copies are not linked, but a replaced document's links still go with it.
            return self.copies().plan([], removed) if removed else None
        added = []
        for result, graph in new:
            iri = document_iri(result.doc_id)
            sig = graph.value(iri, NS.minhash)
            signed = str(sig) if sig is not None else None
            added.append((result.doc_id, result.doc_id, _published(graph, iri), signed))
        return self.copies().plan(added, removed)

    def _settle(self, results: list[IngestResult], change: Change | None) -> None:
        if change is None:
            return
        self.copies().commit()
        for result in results:
            result.duplicate_of = change.counted.get(result.doc_id)
        if results:  # other documents' changes are told once, with the first result
            results[0].demoted, results[0].promoted = change.demoted, change.promoted

    # ------------------------------------------------------------------ vocabulary
    def ensure_vocabulary(self) -> bool:
        """Load the ontology and gazetteer graphs if absent or outdated. True if loaded."""
        version = _vocabulary_version()
        marker = (
            f"ASK {{ GRAPH {nt(ONTOLOGY_GRAPH)} {{ {nt(ONTOLOGY_GRAPH)} "
            f"{nt(NS.contentHash)} {nt(Literal(version))} }} }}"
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

    def store_extracted(
        self,
        article: Article,
        relations: list[Relation],
        source: str,
        published: date | None,
        extractor_version: str,
    ) -> IngestResult:
        """Write one article whose relations were extracted already; "unchanged" if its
        text is stored."""
        doc_id = document_id(article.text)
        if self.store.has_graph(document_iri(doc_id)):
            return IngestResult(doc_id, source, "unchanged", 0, found=relations)
        result, previous, graph = self.prepare(
            article, relations, source, published, extractor_version
        )
        self.write(result, previous, graph)
        return result

    def flush(self, batch: list[tuple[IngestResult, URIRef, Graph]]) -> Iterator[IngestResult]:
        """Write a batch of new documents (see ``bulk``), yielding their results; empties it."""
        if not batch:
            return
        if self.dedup and not self.store.journaled_bulk:
            # Without a journal a batch is written graph by graph: each document then goes
            # in with its own links, so a failure midway leaves no copy unlinked.
            for result, _iri, graph in batch:
                self.write(result, [], graph)
            yield from (result for result, _, _ in batch)
            batch.clear()
            return
        try:
            change = self._plan([(result, graph) for result, _, graph in batch], [])
            self.store.bulk_write(
                [(iri, graph) for _, iri, graph in batch], also=change.update if change else ""
            )
        except BaseException:
            self._copies = None
            raise
        self._settle([result for result, _, _ in batch], change)
        yield from (result for result, _, _ in batch)
        batch.clear()

    def prepare(
        self,
        article: Article,
        relations: list[Relation],
        source: str,
        published: date | None,
        extractor_version: str,
    ) -> tuple[IngestResult, list[URIRef], Graph]:
        """The graph of one document, its result, and the graphs of its source it replaces
        (nothing written yet)."""
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
            extractor_version=extractor_version,
        )
        sig = signature(article.text)
        if sig is not None:
            graph.add((graph_iri, NS.minhash, Literal(sig)))
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
        return self.retract(ref)[0]

    def retract(self, ref: str) -> tuple[list[str], list[str]]:
        """:meth:`remove`, also returning the copies that count as evidence now that the
        copy they were linked to is gone (the next of each cluster), in one atomic write."""
        graphs = [document_iri(ref)] if ref.startswith("doc-") else []
        graphs = [g for g in graphs if self.store.has_graph(g)]
        graphs += self.graphs_for_source(ref)
        if not graphs and not ref.startswith("doc-"):
            graphs = self.graphs_for_source(path_source(ref))
        if not graphs:
            return [], []
        removed = [str(g).removeprefix(str(DOC)) for g in graphs]
        change = self.copies().plan([], removed)  # also without dedup: no link may dangle
        parts = [f"DROP SILENT GRAPH {nt(g)}" for g in graphs]
        try:
            self.store.update(" ;\n".join([*parts, change.update] if change.update else parts))
        except BaseException:
            self._copies = None
            raise
        self.copies().commit()
        return removed, change.promoted

    def documents(self) -> list[dict]:
        rows = self.store.query(
            PREFIXES + "SELECT ?g ?source ?title ?date ?counted (COUNT(?r) AS ?relations) "
            "WHERE { GRAPH ?g { ?d a dt:Document . OPTIONAL { ?d dct:source ?source } "
            'FILTER (STRSTARTS(STR(?g), "https://w3id.org/detente/doc/")) '
            "OPTIONAL { ?d dct:title ?title } OPTIONAL { ?d dct:date ?date } "
            "OPTIONAL { ?r dt:document ?d } } "
            f"OPTIONAL {{ GRAPH {nt(DUPLICATES_GRAPH)} {{ ?g dt:duplicateOf ?counted }} }} }} "
            "GROUP BY ?g ?source ?title ?date ?counted ORDER BY ?source"
        ).rows
        return [
            {
                "id": str(r["g"]).removeprefix(str(DOC)),
                "source": str(r["source"]) if r["source"] else None,
                "title": str(r["title"]) if r["title"] else None,
                "date": str(r["date"]) if r["date"] else None,
                "relations": int(str(r["relations"])),  # a COUNT: always bound
                # A near-duplicate copy: listed with its source, its evidence counted once.
                "duplicate_of": (
                    str(r["counted"]).removeprefix(str(DOC)) if r["counted"] else None
                ),
            }
            for r in rows
        ]
