"""Evidence for answers over the ledger: the sentences of the statements an answer shows,
read from the store only for the rows and hops returned, and the evidence of a row."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from rdflib import URIRef

from detente.analysis.ledger import Ledger
from detente.graph.store import PREFIXES, KnowledgeStore, nt

# Statement IRI -> evidence sentence, for the statements an answer shows.
EvidenceReader = Callable[[list[str]], dict[str, str]]
_CHUNK = 2000


def store_evidence(store: KnowledgeStore) -> EvidenceReader:
    """Reads the sentences of statements from ``store``, 2,000 per query."""

    def read(iris: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(iris), _CHUNK):
            values = " ".join(nt(URIRef(iri)) for iri in iris[start : start + _CHUNK])
            query = (
                PREFIXES + f"SELECT ?r ?e WHERE {{ VALUES ?r {{ {values} }} ?r dt:evidence ?e }}"
            )
            found.update(store.values(query))  # type: ignore[arg-type]
        return found

    return read


def actor_ref(ledger: Ledger, index: int) -> dict:
    return {"id": ledger.actors.values[index], "label": ledger.actor_labels[index]}


def evidence_of(ledger: Ledger, rows: np.ndarray, sentences: dict[str, str]) -> list[dict]:
    whens = ledger.column("when")[rows]
    docs = ledger.column("document")[rows]
    return [
        {
            "document": ledger.documents.values[d],
            "sentence": sentences.get(iri, ""),
            "date": ledger.whens.values[w] if w >= 0 else None,
        }
        for iri, d, w in zip(ledger.iris(rows), docs, whens, strict=True)
    ]


def by_date(ledger: Ledger, rows: np.ndarray) -> np.ndarray:
    """``rows`` oldest first (undated first), then by statement IRI: one order whatever
    order the rows were added in."""
    return rows[np.lexsort((ledger.iri_keys(rows), ledger.column("day")[rows]))]
