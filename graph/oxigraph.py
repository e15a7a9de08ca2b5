"""The embedded backend: pyoxigraph, on disk or in memory.

SPARQL is passed to pyoxigraph as a string and evaluated by Oxigraph itself (a parsed
rdflib query object would fall back to rdflib's much slower evaluator).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from detente.graph.store import KnowledgeStore, QueryResult, StoreError, register_backend


class QuerySyntaxError(StoreError):
    """Malformed SPARQL."""


def to_rdflib(term: object) -> Node | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise StoreError(f"unsupported RDF term {term!r}")


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise StoreError(f"unsupported RDF term {term!r}")


class OxigraphStore(KnowledgeStore):
    def __init__(self, location: str | None) -> None:
        self.url = f"oxigraph:{location}" if location else "memory:"
        try:
            if location:
                Path(location).mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(location)
            else:
                self._store = ox.Store()
        except OSError as exc:
            raise StoreError(f"cannot open the store at {location}: {exc}") from exc

    @property
    def native(self) -> ox.Store:
        """The pyoxigraph store, for bulk loading and benchmarks."""
        return self._store

    def query(self, sparql: str, *, union_default_graph: bool = True) -> QueryResult:
        try:
            result = self._store.query(sparql, use_default_graph_as_union=union_default_graph)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"malformed SPARQL query: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"query failed: {exc}") from exc
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("ask", [], [], boolean=bool(result))
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = [{name: to_rdflib(sol[name]) for name in variables} for sol in result]
            return QueryResult("select", variables, rows)
        graph = Graph()
        for triple in result:
            graph.add(
                (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))
            )
        return QueryResult("graph", [], [], graph=graph)

    def update(self, sparql: str) -> None:
        try:
            self._store.update(sparql)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"malformed SPARQL update: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"update failed: {exc}") from exc

    def replace_graphs(self, drop, graph_iri, triples) -> None:
        """A new document goes in with one transactional ``extend`` (no SPARQL text to
        build and parse); replacing one still takes a single atomic update."""
        drop = [g for g in drop if g != graph_iri]
        if drop or self._store.contains_named_graph(ox.NamedNode(str(graph_iri))):
            super().replace_graphs(drop, graph_iri, triples)
            return
        target = ox.NamedNode(str(graph_iri))
        try:
            self._store.extend(
                ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), target)
                for s, p, o in triples
            )
        except (OSError, ValueError) as exc:
            raise StoreError(f"write failed: {exc}") from exc

    def graphs(self) -> list[URIRef]:
        return [URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)]

    def close(self) -> None:
        self._store.flush()


register_backend("memory", lambda rest: OxigraphStore(None))
register_backend("oxigraph", lambda rest: OxigraphStore(rest or None))
