"""The knowledge graph: relations as RDF, stores, and analyses."""

from detente.graph.rdf import (
    DOC,
    THEATRE,
    actor_iri,
    actors_to_graph,
    document_iri,
    relations_to_graph,
)
from detente.graph.validation import validate

__all__ = [
    "DOC",
    "THEATRE",
    "actor_iri",
    "actors_to_graph",
    "document_iri",
    "relations_to_graph",
    "validate",
]
