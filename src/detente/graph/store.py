"""Where the knowledge graph lives: a small store interface and its backends.

Backends are chosen by a URL-like setting, as rdflib chooses its store plugins:

* ``memory:`` — in-memory pyoxigraph (tests, throwaway analysis);
* ``oxigraph:PATH`` or a plain path — pyoxigraph on disk (the default, ``./detente-data``);
* ``sparql:QUERY_URL[|UPDATE_URL]`` or ``http(s)://…`` — any SPARQL 1.1 Query + Update
  endpoint (Oxigraph server, Virtuoso, GraphDB, Neptune, Stardog; see ``remote.py``).

Every document lives in its own named graph, written in one SPARQL Update request so a
crash leaves the old graph or the new one, never half of either.
"""

from __future__ import annotations

import re
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.term import Node

from detente.errors import StoreError
from detente.settings import DEFAULT_STORE

DEFAULT_LOCATION = DEFAULT_STORE
ONTOLOGY_GRAPH = URIRef("https://w3id.org/detente/graph/ontology")
STAGING = "https://w3id.org/detente/graph/staging/"
JOURNAL_GRAPH = URIRef("https://w3id.org/detente/graph/journal")
GAZETTEER_GRAPH = URIRef("https://w3id.org/detente/graph/gazetteer")
# The project's namespaces, predeclared wherever detente evaluates SPARQL (the embedded
# store, the HTTP endpoint, ``detente query``): a query may use them without PREFIX lines.
PREFIX_MAP = {
    "dt": "https://w3id.org/detente/ns#",
    "actor": "https://w3id.org/detente/actor/",
    "doc": "https://w3id.org/detente/doc/",
    "theatre": "https://w3id.org/detente/theatre/",
    "dct": "http://purl.org/dc/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "wd": "http://www.wikidata.org/entity/",
}
# The same as PREFIX lines, for stores that do not predeclare them (remote endpoints).
PREFIXES = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIX_MAP.items())


@dataclass(frozen=True)
class QueryResult:
    """A SPARQL result in a backend-neutral form."""

    kind: str  # "select" | "ask" | "graph"
    variables: list[str]
    rows: list[dict[str, Node | None]]
    boolean: bool | None = None
    graph: Graph | None = None


class InvalidTermError(StoreError, ValueError):
    """A term no SPARQL or N-Triples text can hold (an IRI that is not an absolute IRI, a
    language tag or blank node label out of syntax): refused, never written as text."""


# What an IRIREF may not contain (SPARQL 1.1 and N-Triples grammars). pyoxigraph's IRI
# parser refuses these too (and more): this says the rule whatever its version does.
_NOT_IN_IRIREF = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANGTAG = re.compile(r"[a-zA-Z]+(?:-[a-zA-Z0-9]+)*")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _shown(text: str) -> str:
    return repr(text if len(text) <= 120 else text[:120] + "…")


@lru_cache(maxsize=65536)
def _iri(term: str) -> str:
    # Predicates, actors and classes repeat in every statement: check and format each
    # IRI once. pyoxigraph parses it as an absolute IRI (RFC 3987) and writes it.
    bad = _NOT_IN_IRIREF.search(term)
    if bad:
        raise InvalidTermError(
            f"not an IRI: {_shown(term)} contains {bad.group()!r}, which no IRI may hold"
        )
    try:
        return str(ox.NamedNode(term))
    except ValueError as exc:
        raise InvalidTermError(f"not an absolute IRI: {_shown(term)}: {exc}") from None


def check_iri(iri: str) -> str:
    """``iri`` if it can be written as a SPARQL or N-Triples IRI (an absolute IRI without
    the characters an IRIREF excludes); else :class:`InvalidTermError` saying why."""
    _iri(str(iri))
    return str(iri)


def nt(term: Node) -> str:
    """A term in N-Triples syntax (valid in N-Quads and in SPARQL Update text), checked
    and escaped by pyoxigraph: text from anywhere (a feed URL, an article, a request) can
    only ever be one term, never SPARQL syntax.

    Raises :class:`InvalidTermError` for what no term can hold: an IRI that is not an
    absolute IRI or contains ``<>"{}|^`\\``, spaces or controls; a malformed language tag;
    a blank node label out of syntax. (rdflib's ``n3()`` writes Turtle long strings for
    multi-line literals, which N-Triples and N-Quads do not allow, and no check.)
    """
    if isinstance(term, URIRef):
        return _iri(str(term))
    if isinstance(term, Literal):
        text = str(term)
        try:
            if term.language:
                if not _LANGTAG.fullmatch(term.language):
                    raise InvalidTermError(f"not a language tag: {_shown(term.language)}")
                return f"{ox.Literal(text)}@{term.language}"
            if term.datatype and str(term.datatype) != _XSD_STRING:
                return f"{ox.Literal(text)}^^{_iri(str(term.datatype))}"
            return str(ox.Literal(text))
        except ValueError as exc:  # e.g. a lone surrogate
            raise InvalidTermError(f"not a literal: {_shown(text)}: {exc}") from None
    if isinstance(term, BNode):
        try:
            return str(ox.BlankNode(str(term)))
        except ValueError as exc:
            raise InvalidTermError(f"not a blank node label: {_shown(str(term))}") from exc
    if isinstance(term, Variable):
        try:
            return str(ox.Variable(str(term)))
        except ValueError as exc:
            raise InvalidTermError(f"not a variable name: {_shown(str(term))}") from exc
    raise InvalidTermError(f"not an RDF term: {type(term).__name__}")


def nquads(graphs: Iterable[tuple[URIRef, Iterable[tuple[Node, Node, Node]]]]) -> bytes:
    """N-Quads for (graph name, triples) pairs."""
    return "".join(
        f"{nt(s)} {nt(p)} {nt(o)} {nt(g)} .\n" for g, triples in graphs for s, p, o in triples
    ).encode()


def insert_data(graph_iri: URIRef, triples: Iterable[tuple[Node, Node, Node]]) -> str:
    body = " .\n".join(f"{nt(s)} {nt(p)} {nt(o)}" for s, p, o in triples)
    return f"INSERT DATA {{ GRAPH {nt(graph_iri)} {{\n{body} .\n}} }}"


class Capability(str, Enum):
    """What a backend can do beyond the methods every store has. Code that needs one asks
    :meth:`KnowledgeStore.supports` rather than testing the backend's class, so a new
    backend that can do it is used the same way."""

    # A folder on this machine (``location``): read-only checkpoints for other processes
    # (``checkpoint``), and the whole store lent to a writer in another process (``lend``).
    FILES = "files"
    # Stamps that say whether a ledger saved beside the store still describes it
    # (``ledger_stamp``, ``stamp_ledger``, ``unstamp``).
    SAVED_LEDGER = "saved-ledger"
    # Direct reads of its indexes through a native handle (``holding``): the ledger's
    # one-pass read of a whole store.
    INDEX_READ = "index-read"


class KnowledgeStore(ABC):
    """What detente needs from an RDF store. Backends may offer more; each extra is a
    :class:`Capability`, and its methods here refuse with a :class:`StoreError`."""

    url: str
    location: str | None = None  # the folder of a store on this machine (Capability.FILES)
    # Whether queries may use PREFIX_MAP's prefixes without declaring them.
    predeclares_prefixes: bool = False
    # Largest INSERT DATA a backend takes in one request (None: no limit). Bigger graphs
    # are written to a staging graph in chunks and moved into place atomically.
    max_insert_triples: int | None = None

    @abstractmethod
    def query(self, sparql: str, *, union_default_graph: bool = True) -> QueryResult:
        """Evaluate a SPARQL query, given as a string."""

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Apply a SPARQL Update request atomically."""

    @abstractmethod
    def graphs(self) -> list[URIRef]:
        """The named graphs in the store."""

    def close(self) -> None:  # noqa: B027  (backends without resources need nothing)
        """Release resources."""

    # ------------------------------------------------------------------ capabilities
    def capabilities(self) -> frozenset[Capability]:
        """What this store can do beyond the methods every store has."""
        return frozenset()

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities()

    def _cannot(self, capability: Capability) -> StoreError:
        return StoreError(f"the store {self.url} has no {capability.value} capability")

    def checkpoint(self, target: str | Path) -> None:
        """A read-only copy at ``target`` that another process can open (FILES)."""
        raise self._cannot(Capability.FILES)

    def lend(self, *, wait: float = 30.0) -> AbstractContextManager[str]:
        """The store's folder, closed here while another process writes it (FILES)."""
        raise self._cannot(Capability.FILES)

    def ledger_stamp(self) -> str | None:
        """The stamp of the saved ledger, if nothing was written since (SAVED_LEDGER)."""
        raise self._cannot(Capability.SAVED_LEDGER)

    def stamp_ledger(self, stamp: str) -> None:
        raise self._cannot(Capability.SAVED_LEDGER)

    def unstamp(self) -> None:
        raise self._cannot(Capability.SAVED_LEDGER)

    def holding(self) -> AbstractContextManager[Any]:
        """A native handle on the store, held for a long read (INDEX_READ)."""
        raise self._cannot(Capability.INDEX_READ)

    def __enter__(self) -> KnowledgeStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ built on the above
    def pairs(self, sparql: str) -> dict[str, str]:
        """A two-variable SELECT as a mapping from the first value to the second, for the
        rows that bind both (the last row wins for a repeated key)."""
        return {
            str(row[0]): str(row[1])
            for row in self.values(sparql)
            if row[0] is not None and row[1] is not None
        }

    def values(self, sparql: str) -> list[tuple[str | None, ...]]:
        """A SELECT query's rows as the lexical values of its variables, in order (None
        when unbound): the cheap form for bulk reads such as the networkx views."""
        result = self.query(sparql)
        return [
            tuple(None if row.get(v) is None else str(row[v]) for v in result.variables)
            for row in result.rows
        ]

    def stream_values(self, sparql: str) -> Iterator[tuple[str | None, ...]]:
        """:meth:`values` one row at a time, for reads too large to hold as a list (here:
        the list; backends that stream override it)."""
        return iter(self.values(sparql))

    def has_graph(self, iri: URIRef) -> bool:
        return self.query(f"ASK {{ GRAPH {nt(iri)} {{ ?s ?p ?o }} }}").boolean is True

    def replace_graphs(
        self,
        drop: Iterable[URIRef],
        graph_iri: URIRef,
        triples: Iterable[tuple[Node, Node, Node]],
        *,
        also: str = "",
    ) -> None:
        """Drop ``drop`` and write ``graph_iri`` in one atomic update, with the SPARQL
        update ``also`` (links the write changes elsewhere) in the same request.

        When the graph is larger than the backend takes at once, it is first written to a
        private staging graph, then ``MOVE``d into place in the same request that drops the
        old graphs, so readers still see the old graph or the new one, never a half.
        """
        rows = list(triples)
        drops = [f"DROP SILENT GRAPH {nt(g)}" for g in {*drop, graph_iri}]
        limit = self.max_insert_triples
        extra = [also] if also else []
        if limit is None or len(rows) <= limit:
            self.update(" ;\n".join([*drops, insert_data(graph_iri, rows), *extra]))
            return
        staging = URIRef(STAGING + uuid.uuid4().hex)
        try:
            for start in range(0, len(rows), limit):
                self.update(insert_data(staging, rows[start : start + limit]))
            move = f"MOVE SILENT GRAPH {nt(staging)} TO {nt(graph_iri)}"
            self.update(" ;\n".join([*drops, move, *extra]))
        finally:
            self.update(f"DROP SILENT GRAPH {nt(staging)}")

    # Whether bulk_write is all-or-nothing, with ``also`` (a journal): without one, writers
    # that must keep links in step write graph by graph instead.
    journaled_bulk = False

    def bulk_write(
        self, graphs: list[tuple[URIRef, Iterable[tuple[Node, Node, Node]]]], *, also: str = ""
    ) -> None:
        """Write several new graphs as fast as the backend allows, then the update ``also``
        (with the last graph). Here: one atomic write each; backends with a bulk loader
        override it (see ``OxigraphStore``)."""
        for i, (iri, triples) in enumerate(graphs):
            self.replace_graphs([], iri, triples, also=also if i == len(graphs) - 1 else "")

    def drop_staging(self) -> None:
        """Remove staging graphs a crashed writer left behind."""
        for g in self.graphs():
            if str(g).startswith(STAGING):
                self.drop_graph(g)

    def drop_graph(self, iri: URIRef) -> None:
        self.update(f"DROP SILENT GRAPH {nt(iri)}")

    def graph_triples(self, iri: URIRef) -> Graph:
        result = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {nt(iri)} {{ ?s ?p ?o }} }}")
        return result.graph if result.graph is not None else Graph()


# ---------------------------------------------------------------------- registry
# A factory gets the rest of the URL and the credentials the caller was given (a backend
# without authentication ignores them).
Factory = Callable[[str, "tuple[str, str] | None"], KnowledgeStore]
# Backends are entry points of this group, named by their URL scheme, loaded on first use
# (a command on the embedded store never imports the remote backend, nor it httpx); a
# distribution adds one by declaring an entry point. register_backend adds one at run time.
ENTRY_POINTS = "detente.stores"
_BACKENDS: dict[str, Factory] = {}


def register_backend(scheme: str, factory: Factory) -> None:
    """Make ``scheme:`` URLs open stores built by ``factory``, before the entry points."""
    _BACKENDS[scheme] = factory


@lru_cache(maxsize=1)
def _declared() -> dict[str, EntryPoint]:
    """The group's entry points by scheme, read once: scanning the installed distributions
    costs milliseconds, and they do not change while the process runs."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINTS)}


def _schemes() -> set[str]:
    return set(_declared()) | set(_BACKENDS)


def _backend(scheme: str) -> Factory:
    if scheme not in _BACKENDS:
        _BACKENDS[scheme] = _declared()[scheme].load()
    return _BACKENDS[scheme]


def local_location(url: str | Path | None) -> str | None:
    """The folder of an embedded on-disk store setting (None for memory: or a remote)."""
    text = str(url) if url is not None else DEFAULT_LOCATION
    scheme, _, rest = text.partition(":") if ":" in text else ("", "", text)
    if scheme == "oxigraph":
        return rest or None
    return text if len(scheme) <= 1 else None


def open_store(
    url: str | Path | None = None, *, credentials: tuple[str, str] | None = None
) -> KnowledgeStore:
    """The store a setting names: ``memory:``, ``oxigraph:PATH``, a path, or a SPARQL URL;
    ``credentials``: (user, password) for a store that asks for them."""
    text = str(url) if url is not None else DEFAULT_LOCATION
    scheme = text.split(":", 1)[0] if ":" in text else ""
    if scheme in ("http", "https"):
        scheme, text = "sparql", f"sparql:{text}"
    if scheme not in _schemes():
        if len(scheme) <= 1:  # a bare path (or a Windows drive letter)
            scheme, text = "oxigraph", f"oxigraph:{text}"
        else:
            raise StoreError(
                f"unknown store {text!r}: use memory:, oxigraph:PATH, a path, "
                "or a SPARQL endpoint URL"
            )
    return _backend(scheme)(text.split(":", 1)[1], credentials)


def result_to_json(result: QueryResult) -> dict:
    """SPARQL 1.1 Query Results JSON for a SELECT or ASK result."""
    if result.kind == "ask":
        return {"head": {}, "boolean": bool(result.boolean)}

    def term(value: Node | None) -> dict | None:
        if value is None:
            return None
        if isinstance(value, URIRef):
            return {"type": "uri", "value": str(value)}
        if isinstance(value, Literal):
            out = {"type": "literal", "value": str(value)}
            if value.language:
                out["xml:lang"] = value.language
            elif value.datatype:
                out["datatype"] = str(value.datatype)
            return out
        return {"type": "bnode", "value": str(value)}

    rows = [{k: t for k, v in row.items() if (t := term(v)) is not None} for row in result.rows]
    return {"head": {"vars": result.variables}, "results": {"bindings": rows}}
