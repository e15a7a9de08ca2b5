"""RDF storage: relations as RDF in named graphs, the store interface and its backends,
SHACL validation. Nothing here runs the NLP pipeline (that is :mod:`detente.ingest`)."""

from detente.graph.rdf import (
    DOC,
    THEATRE,
    actor_iri,
    actors_to_graph,
    document_graph,
    document_iri,
    relations_to_graph,
)
from detente.graph.store import KnowledgeStore, QueryResult, StoreError, open_store
from detente.graph.validation import validate

__all__ = [
    "DOC",
    "THEATRE",
    "KnowledgeStore",
    "QueryResult",
    "StoreError",
    "actor_iri",
    "actors_to_graph",
    "document_graph",
    "document_iri",
    "open_store",
    "relations_to_graph",
    "validate",
]
