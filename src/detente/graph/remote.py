"""The remote backend: any SPARQL 1.1 Query + Update endpoint over HTTP.

``sparql:QUERY_URL`` (updates go to the same URL), ``sparql:QUERY_URL|UPDATE_URL``,
``sparql:QUERY_URL|UPDATE_URL|GRAPH_STORE_URL`` when the endpoint also speaks the SPARQL 1.1
Graph Store Protocol (then whole graphs are read with GET and new ones written with PUT),
or a plain ``http(s)://`` URL. Credentials, when the endpoint wants them, come from the
environment (``DETENTE_STORE_USER`` / ``DETENTE_STORE_PASSWORD``), never from the URL
that gets logged. Queries use the SPARQL 1.1 Protocol (form-encoded POST) with content
negotiation: JSON results for SELECT/ASK, N-Triples for CONSTRUCT/DESCRIBE.

Tested against the Oxigraph server and OpenLink Virtuoso (tests/graph/test_remote.py).
"""

from __future__ import annotations

import httpx
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from detente.errors import RemoteQueryError
from detente.graph.store import KnowledgeStore, QueryResult, StoreError, nt

_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, "
    "text/turtle;q=0.8, application/rdf+xml;q=0.5"
)


def _term(binding: dict) -> Node:
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in binding:
        return Literal(value, lang=binding["xml:lang"])
    if "datatype" in binding:
        return Literal(value, datatype=URIRef(binding["datatype"]))
    return Literal(value)


class SparqlStore(KnowledgeStore):
    # Virtuoso compiles INSERT DATA to SQL and refuses very large requests.
    max_insert_triples = 500

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        graph_store_url: str | None = None,
        *,
        timeout: float = 60.0,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.graph_store_url = graph_store_url
        self.url = f"sparql:{query_url}"
        auth = httpx.DigestAuth(*credentials) if credentials else None
        self._http = httpx.Client(timeout=timeout, auth=auth, follow_redirects=True)

    def _post(self, url: str, form: dict[str, str], accept: str | None = None) -> httpx.Response:
        headers = {"Accept": accept} if accept else {}
        try:
            response = self._http.post(url, data=form, headers=headers)
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL endpoint {url}: {exc}") from exc
        if response.status_code >= 400:
            detail = " ".join(response.text.split())[:300]
            error = RemoteQueryError if response.status_code < 500 else StoreError
            raise error(f"the SPARQL endpoint answered {response.status_code}: {detail}")
        return response

    def query(self, sparql: str, *, union_default_graph: bool = True) -> QueryResult:
        # The default graph is the endpoint's: Virtuoso's is the union of all graphs; an
        # Oxigraph server needs --union-default-graph for the same behaviour.
        response = self._post(self.query_url, {"query": sparql}, _ACCEPT)
        kind = response.headers.get("content-type", "").split(";")[0].strip()
        if kind in ("application/sparql-results+json", "application/json"):
            data = response.json()
            if "boolean" in data:
                return QueryResult("ask", [], [], boolean=bool(data["boolean"]))
            variables = data["head"].get("vars", [])
            if variables == ["__ASK_RETVAL"]:  # how some Virtuoso set-ups answer ASK
                bindings = data["results"]["bindings"]
                value = bindings[0]["__ASK_RETVAL"]["value"] if bindings else "0"
                return QueryResult("ask", [], [], boolean=value in ("1", "true"))
            rows = [
                {v: _term(b[v]) if v in b else None for v in variables}
                for b in data["results"]["bindings"]
            ]
            return QueryResult("select", variables, rows)
        formats = {
            "application/n-triples": "nt",
            "text/plain": "nt",
            "text/turtle": "turtle",
            "application/rdf+xml": "xml",
        }
        if kind not in formats:
            raise StoreError(f"the SPARQL endpoint answered with unexpected {kind or 'nothing'}")
        graph = Graph().parse(data=response.text, format=formats[kind])
        return QueryResult("graph", [], [], graph=graph)

    def update(self, sparql: str) -> None:
        self._post(self.update_url, {"update": sparql})

    def graph_triples(self, iri: URIRef) -> Graph:
        if not self.graph_store_url:
            return super().graph_triples(iri)
        try:
            response = self._http.get(
                self.graph_store_url,
                params={"graph": str(iri)},
                headers={"Accept": "application/n-triples"},
            )
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the graph store {self.graph_store_url}: {exc}") from exc
        if response.status_code == 404:
            return Graph()
        if response.status_code >= 400:
            raise StoreError(f"the graph store answered {response.status_code}")
        return Graph().parse(data=response.text, format="nt")

    def bulk_write(self, graphs, *, also: str = "") -> None:
        """New graphs, one Graph Store Protocol PUT each (each atomic on the server), then
        ``also``."""
        if not self.graph_store_url:
            super().bulk_write(graphs, also=also)
            return
        for iri, triples in graphs:
            body = "".join(f"{nt(s)} {nt(p)} {nt(o)} .\n" for s, p, o in triples)
            try:
                response = self._http.put(
                    self.graph_store_url,
                    params={"graph": str(iri)},
                    content=body.encode(),
                    headers={"Content-Type": "application/n-triples"},
                )
            except httpx.HTTPError as exc:
                raise StoreError(f"cannot reach the graph store: {exc}") from exc
            if response.status_code >= 400:
                raise StoreError(
                    f"the graph store answered {response.status_code}: "
                    f"{' '.join(response.text.split())[:200]}"
                )
        if also:
            self.update(also)

    def graphs(self) -> list[URIRef]:
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows
        return [URIRef(str(r["g"])) for r in rows if isinstance(r["g"], URIRef)]

    def close(self) -> None:
        self._http.close()


def open_endpoint(rest: str, credentials: tuple[str, str] | None) -> SparqlStore:
    """``sparql:QUERY_URL[|UPDATE_URL[|GRAPH_STORE_URL]]`` (the ``detente.stores`` entry
    point; ``http(s)://`` URLs are read as ``sparql:``)."""
    query_url, update_url, graph_store_url = ([*rest.split("|"), "", ""])[:3]
    return SparqlStore(
        query_url, update_url or None, graph_store_url or None, credentials=credentials
    )
