"""Evidence for answers over the ledger: the sentences of the statements an answer shows,
read from the store only for the rows and hops returned, and the evidence of a row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import NamedTuple

import numpy as np
from rdflib import URIRef

from detente.analysis.ledger import Ledger
from detente.graph.store import PREFIXES, KnowledgeStore, nt


class Source(NamedTuple):
    """Where a statement is said: its sentence, and its document's title and URL (the
    source it was ingested from, when that is a URL), so that a reader can cite it."""

    sentence: str
    title: str | None = None
    url: str | None = None


# Statement IRI -> its sentence and document, for the statements an answer shows.
EvidenceReader = Callable[[list[str]], dict[str, Source]]
_CHUNK = 2000
_WEB = ("http://", "https://")


def store_evidence(store: KnowledgeStore) -> EvidenceReader:
    """Reads the sentences of statements, and their documents' titles and sources, from
    ``store``, 2,000 statements per query."""

    def read(iris: list[str]) -> dict[str, Source]:
        found: dict[str, Source] = {}
        for start in range(0, len(iris), _CHUNK):
            values = " ".join(nt(URIRef(iri)) for iri in iris[start : start + _CHUNK])
            query = PREFIXES + (
                f"SELECT ?r ?e ?title ?source WHERE {{ VALUES ?r {{ {values} }} "
                "?r dt:evidence ?e . OPTIONAL { ?r dt:document ?doc . "
                "OPTIONAL { ?doc dct:title ?title } OPTIONAL { ?doc dct:source ?source } } }"
            )
            for r, sentence, title, source in store.values(query):
                url = source if source and source.startswith(_WEB) else None
                found[r] = Source(sentence or "", title, url)  # type: ignore[index]
        return found

    return read


def actor_ref(ledger: Ledger, index: int) -> dict:
    return {"id": ledger.actors.values[index], "label": ledger.actor_labels[index]}


def evidence_of(ledger: Ledger, rows: np.ndarray, sources: dict[str, Source]) -> list[dict]:
    """Each row's evidence: its document (id, title, URL), sentence and date."""
    whens = ledger.column("when")[rows]
    docs = ledger.column("document")[rows]
    missing = Source("")
    out = []
    for iri, d, w in zip(ledger.iris(rows), docs, whens, strict=True):
        source = sources.get(iri, missing)
        out.append(
            {
                "document": ledger.documents.values[d],
                "title": source.title,
                "url": source.url,
                "sentence": source.sentence,
                "date": ledger.whens.values[w] if w >= 0 else None,
            }
        )
    return out


def with_notes(ledger: Ledger, statements: list[dict]) -> list[dict]:
    """``statements`` (each with its IRI under ``statement``), each with the notes
    analysts attached to it (act, text, curator, at), oldest first. O(statements)."""
    notes = ledger.curation.notes
    for statement in statements:
        found = notes.get(statement["statement"] or "", ())
        statement["notes"] = [asdict(note) for note in found]
    return statements


def by_date(ledger: Ledger, rows: np.ndarray) -> np.ndarray:
    """``rows`` oldest first (undated first), then by statement IRI: one order whatever
    order the rows were added in."""
    return rows[np.lexsort((ledger.iri_keys(rows), ledger.column("day")[rows]))]
