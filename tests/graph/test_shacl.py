"""Every extracted relation, as RDF, satisfies the SHACL shapes; broken ones do not."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal

from detente.graph import relations_to_graph
from detente.graph import validate as _validate
from detente.ontology import NS
from tests.paths import EXAMPLES


@pytest.fixture(scope="module")
def example_graph(extractor) -> Graph:
    relations = []
    for path in sorted(EXAMPLES.glob("*.txt")):
        relations += extractor.extract(path.read_text(encoding="utf-8"))
    assert len(relations) >= 15
    return relations_to_graph(relations)


@pytest.mark.slow
def test_extracted_relations_conform(example_graph):
    ok, report = _validate(example_graph)
    assert ok, report


def test_direct_edges_only_for_asserted_relations(example_graph):
    for node in example_graph.subjects(NS.negated, Literal(True)):
        s = example_graph.value(node, NS.subject)
        p = example_graph.value(node, NS.predicate)
        o = example_graph.value(node, NS.object)
        others = [
            n
            for n in example_graph.subjects(NS.subject, s)
            if example_graph.value(n, NS.predicate) == p
            and example_graph.value(n, NS.object) == o
            and example_graph.value(n, NS.negated) == Literal(False)
        ]
        assert bool(others) == ((s, p, o) in example_graph)


@pytest.mark.slow
@pytest.mark.parametrize("breakage", ["polarity", "subject", "confidence", "offsets", "reported"])
def test_shapes_reject_malformed_relations(example_graph, breakage):
    g = Graph()
    for triple in example_graph:
        g.add(triple)
    node = next(g.subjects(NS.predicate, NS.backs))
    if breakage == "polarity":
        g.set((node, NS.polarity, NS.opposition))
    elif breakage == "subject":
        g.remove((node, NS.subject, None))
    elif breakage == "confidence":
        g.set((node, NS.confidence, Literal(1.5)))
    elif breakage == "reported":
        g.set((node, NS.modality, NS.reported))
        g.remove((node, NS.reportedBy, None))
    else:
        g.set((node, NS.evidenceEnd, Literal(0)))
    ok, _ = _validate(g)
    assert not ok
