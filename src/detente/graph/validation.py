"""SHACL validation of detente graphs against ontology/shapes.ttl."""

from __future__ import annotations

from functools import cache

import pyshacl
from rdflib import Graph

from detente.ontology import ontology_path, shapes_path


@cache
def _shapes() -> Graph:
    return Graph().parse(shapes_path())


@cache
def _ontology() -> Graph:
    return Graph().parse(ontology_path())


def validate(graph: Graph) -> tuple[bool, str]:
    """(conforms, report text). The ontology is read alongside the data, because some
    constraints (a relation's polarity is its predicate's family) need both."""
    data = Graph()
    for triple in graph:
        data.add(triple)
    for triple in _ontology():
        data.add(triple)
    ok, _, report = pyshacl.validate(
        data, shacl_graph=_shapes(), inference="rdfs", advanced=True, allow_warnings=False
    )
    return bool(ok), str(report)
