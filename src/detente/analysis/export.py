"""Exporting the knowledge graph for other tools: RDF, graph formats, event tables."""

from __future__ import annotations

import csv
import io

import networkx as nx
from rdflib import RDFS, Dataset, URIRef

from detente.analysis.views import relation_graph
from detente.graph.rdf import actor_id_of
from detente.graph.store import PREFIXES, KnowledgeStore, nt
from detente.ontology import NS

RDF_FORMATS = {"turtle": "turtle", "trig": "trig", "nquads": "nquads", "jsonld": "json-ld"}
GRAPH_FORMATS = ("graphml", "gexf")

# PLOVER-style event rows, one per statement, so event-data tools can load them.
_EVENTS = (
    PREFIXES
    + """
SELECT ?r ?date ?docdate ?s ?sl ?sc ?p ?o ?ol ?oc ?plover ?polarity ?negated ?modality
       ?t ?conf ?doc ?title ?source ?evidence
WHERE { GRAPH ?g { %s
  ?r a dt:Relation ; dt:subject ?s ; dt:object ?o ; dt:predicate ?p ; dt:ploverType ?plover ;
     dt:polarity ?polarity ; dt:negated ?negated ; dt:modality ?modality ;
     dt:confidence ?conf ; dt:document ?doc ; dt:evidence ?evidence .
  OPTIONAL { ?r dt:date ?date } OPTIONAL { ?doc dct:date ?docdate }
  OPTIONAL { ?doc dct:title ?title } OPTIONAL { ?doc dct:source ?source }
  OPTIONAL { ?r dt:theatre ?t }
  OPTIONAL { ?s rdfs:label ?sl } OPTIONAL { ?s dt:code ?sc }
  OPTIONAL { ?o rdfs:label ?ol } OPTIONAL { ?o dt:code ?oc }
} } ORDER BY ?doc ?r"""
)
EVENT_COLUMNS = [
    "event_id",
    "date",
    "source_id",
    "source",
    "source_code",
    "event_type",
    "predicate",
    "polarity",
    "goldstein",
    "target_id",
    "target",
    "target_code",
    "negated",
    "modality",
    "theatre",
    "confidence",
    "document",
    "document_title",
    "document_url",
    "published",
    "sentence",
]


def export(store: KnowledgeStore, fmt: str) -> bytes:
    """The whole store (or its relation view) in ``fmt``."""
    if fmt in RDF_FORMATS:
        dataset = Dataset()
        for iri in store.graphs():
            target = dataset.graph(iri)
            for triple in store.graph_triples(iri):
                target.add(triple)
        if fmt == "turtle":  # Turtle has no graphs: the union
            union = dataset.graph()
            for quad in dataset.quads():
                union.add(quad[:3])
            return union.serialize(format="turtle").encode()
        return dataset.serialize(format=RDF_FORMATS[fmt]).encode()
    if fmt in GRAPH_FORMATS:
        return graph_document(relation_graph(store, include_hypothetical=True), fmt)
    if fmt == "csv":
        return events_csv(store).encode()
    raise ValueError(f"unknown export format {fmt!r}")


def _plain(value: object) -> object:
    """A value GraphML and GEXF can hold: numbers as they are, anything else as text."""
    if isinstance(value, int | float):  # booleans too
        return value
    return "" if value is None else str(value)


def graph_document(graph: nx.Graph, fmt: str) -> bytes:
    """``graph`` as a GraphML or GEXF document, its attributes made plain values."""
    plain = graph.__class__()
    plain.graph.update({k: _plain(v) for k, v in graph.graph.items()})
    plain.add_nodes_from(
        (n, {k: _plain(v) for k, v in d.items()}) for n, d in graph.nodes(data=True)
    )
    if graph.is_multigraph():
        for u, v, k, d in graph.edges(keys=True, data=True):
            plain.add_edge(u, v, key=k, **{name: _plain(val) for name, val in d.items()})
    else:
        for u, v, d in graph.edges(data=True):
            plain.add_edge(u, v, **{name: _plain(val) for name, val in d.items()})
    out = io.BytesIO()
    (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(plain, out)
    return out.getvalue()


def _cell(text: str) -> str:
    """Text from articles as a spreadsheet shows it, never as a formula (OWASP's
    advice for CSV injection: a leading quote)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _labels(store: KnowledgeStore, nodes: list[str]) -> dict[str, str]:
    """The labels of ``nodes``, asked apart: an optional label of an optional theatre in
    the statements' query made Oxigraph read every label of the store."""
    found: dict[str, str] = {}
    for start in range(0, len(nodes), 2000):
        values = " ".join(nt(URIRef(node)) for node in nodes[start : start + 2000])
        query = (
            f"SELECT ?x ?l WHERE {{ GRAPH ?g {{ VALUES ?x {{ {values} }} ?x <{RDFS.label}> ?l }} }}"
        )
        for node, label in store.values(query):
            found.setdefault(str(node), str(label))
    return found


def events_csv(store: KnowledgeStore, statements: list[str] | None = None) -> str:
    """PLOVER-style event rows: every statement, or only ``statements`` (IRIs), 2,000 per
    query."""
    from detente.ontology import predicates

    vocab = predicates()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EVENT_COLUMNS)
    if statements is None:
        found = store.query(_EVENTS % "").rows
    else:
        found = []
        for start in range(0, len(statements), 2000):
            # Inside the graph pattern: outside, Oxigraph joins every statement first.
            values = " ".join(nt(URIRef(iri)) for iri in statements[start : start + 2000])
            found += store.query(_EVENTS % f"VALUES ?r {{ {values} }}").rows
        found.sort(key=lambda row: (str(row["doc"]), str(row["r"])))
    theatres = _labels(store, sorted({str(row["t"]) for row in found if row["t"] is not None}))
    for row in found:
        name = str(row["p"]).removeprefix(str(NS))
        text = {k: "" if v is None else str(v) for k, v in row.items()}
        writer.writerow(
            [
                text["r"].rsplit("/", 1)[1],
                text["date"] or text["docdate"],
                actor_id_of(text["s"]),
                _cell(text["sl"]),
                text["sc"],
                text["plover"],
                name,
                text["polarity"].removeprefix(str(NS)),
                vocab[name].weight,
                actor_id_of(text["o"]),
                _cell(text["ol"]),
                text["oc"],
                text["negated"],
                text["modality"].removeprefix(str(NS)),
                _cell(theatres.get(text["t"], "")),
                text["conf"],
                text["doc"].rsplit("/", 1)[1],
                _cell(text["title"]),
                text["source"] if text["source"].startswith(("http://", "https://")) else "",
                text["docdate"],
                _cell(text["evidence"]),
            ]
        )
    return buffer.getvalue()
