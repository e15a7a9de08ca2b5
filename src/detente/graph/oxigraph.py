"""The embedded backend: pyoxigraph, on disk or in memory.

SPARQL is passed to pyoxigraph as a string and evaluated by Oxigraph itself (a parsed
rdflib query object would fall back to rdflib's much slower evaluator).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from detente.errors import QuerySyntaxError
from detente.graph.store import (
    JOURNAL_GRAPH,
    PREFIX_MAP,
    PREFIXES,
    Capability,
    KnowledgeStore,
    QueryResult,
    StoreError,
    insert_data,
    nquads,
    nt,
)
from detente.ontology import NS

# The saved ledger's stamp: a graph of its own, so dropping it touches nothing else.
_STATE = ox.NamedNode("https://w3id.org/detente/graph/ledger")
_STAMP = ox.NamedNode(str(NS) + "ledgerStamp")

# Large enough that each bulk_load call amortises its setup, small enough to overlap well.
_BULK_CHUNK_TRIPLES = 50_000


def _chunks(graphs: list[tuple[URIRef, list]], size: int):
    """Consecutive runs of whole graphs holding about ``size`` triples each."""
    chunk: list[tuple[URIRef, list]] = []
    count = 0
    for item in graphs:
        chunk.append(item)
        count += len(item[1])
        if count >= size:
            yield chunk
            chunk, count = [], 0
    if chunk:
        yield chunk


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
    predeclares_prefixes = True

    def __init__(self, location: str | None) -> None:
        self.url = f"oxigraph:{location}" if location else "memory:"
        self.location = location  # None: in memory
        self._temporary = False
        # Lending the store to another process (see lend): while it is lent, callers wait;
        # long reads (streams) are counted so that lending waits for them to finish.
        self._lent = False
        self._reopen_pending = False
        self._streams = 0
        self._gate = threading.Condition()
        self._stamped: bool | None = None  # whether the ledger stamp is there (None: unknown)
        try:
            if location:
                Path(location).mkdir(parents=True, exist_ok=True)
                self._db: ox.Store | None = ox.Store(location)
            else:
                self._db = ox.Store()
        except OSError as exc:
            raise StoreError(f"cannot open the store at {location}: {exc}") from exc
        self.recover()

    @classmethod
    def temporary(cls) -> OxigraphStore:
        """A store on disk in a fresh temporary folder, removed by :meth:`close`: the
        ``memory:`` of a server, whose query workers (other processes) need files to read."""
        folder = tempfile.mkdtemp(prefix="detente-store-")
        store = cls(folder)
        store.url = "memory:"
        store._temporary = True
        # Also when nobody calls close(): when the store is collected or the program ends.
        weakref.finalize(store, shutil.rmtree, folder, ignore_errors=True)
        return store

    def capabilities(self) -> frozenset[Capability]:
        found = {Capability.INDEX_READ}
        if self.location is not None:
            found.add(Capability.FILES)
        if not self._temporary and self.location is not None:
            found.add(Capability.SAVED_LEDGER)  # a server's memory: keeps no ledger
        return frozenset(found)

    @property
    def _store(self) -> ox.Store:
        if self._lent:
            with self._gate:
                self._gate.wait_for(lambda: not self._lent)
        if self._db is None:
            if self._reopen_pending:  # a lend could not open it again: try once more
                with self._gate:
                    if self._db is None and self._reopen_pending:
                        self._db = self._reopen()
                        self._reopen_pending = False
                return self._db  # type: ignore[return-value]
            raise StoreError("the store is closed")
        return self._db

    @contextmanager
    def holding(self) -> Iterator[ox.Store]:
        """The pyoxigraph store for a long read that keeps its own handle (several queries,
        threads): counted like a stream, so the store is not lent meanwhile."""
        with self._gate:
            self._gate.wait_for(lambda: not self._lent)
            self._streams += 1
        try:
            yield self._store
        finally:
            with self._gate:
                self._streams -= 1
                self._gate.notify_all()

    @contextmanager
    def lend(self, *, wait: float = 30.0) -> Iterator[str]:
        """Close the store in this process while the block runs, so that another process
        may open and write it (a SPARQL update, confined to a worker); yields its folder.
        Callers in this process wait meanwhile, and the store is open again afterwards.
        The caller holds the service's write lock. Raises :class:`StoreError` when a long
        read does not finish within ``wait`` seconds."""
        if self.location is None or self._db is None:
            raise StoreError("only an open store on disk can be lent to another process")
        with self._gate:
            # Long reads in progress finish first (they may still run short queries, which
            # must not wait for this); the count is read and the store taken under one lock.
            if not self._gate.wait_for(lambda: self._streams == 0, timeout=wait):
                raise StoreError("the store is busy with a long read: try again shortly")
            self._lent = True
            db, self._db = self._db, None
        try:
            db.flush()
            del db  # the last reference: RocksDB releases the folder's lock
            yield self.location
        finally:
            try:
                self._db = self._reopen()
            except StoreError:
                # A handle of this process outlived the lend: the next use tries again.
                self._reopen_pending = True
                raise
            finally:  # callers wait no longer: they find the store open, or reopen it
                with self._gate:
                    self._lent = False
                    self._gate.notify_all()

    def _reopen(self) -> ox.Store:
        """The store opened again after a lend; a reader of this process that still held
        the old handle for a moment delays it (its lock), a few seconds at most."""
        deadline = time.monotonic() + 10.0
        while True:
            try:
                return ox.Store(self.location)
            except OSError as exc:
                if time.monotonic() > deadline:
                    raise StoreError(f"cannot open the store again after a write: {exc}") from exc
                time.sleep(0.02)

    @property
    def native(self) -> ox.Store:
        """The pyoxigraph store, for bulk loading and benchmarks."""
        return self._store

    def _evaluate(self, sparql: str, union_default_graph: bool):
        try:
            return self._store.query(
                sparql, use_default_graph_as_union=union_default_graph, prefixes=PREFIX_MAP
            )
        except SyntaxError as exc:
            raise QuerySyntaxError(f"malformed SPARQL query: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"query failed: {exc}") from exc

    def query(self, sparql: str, *, union_default_graph: bool = True) -> QueryResult:
        result = self._evaluate(sparql, union_default_graph)
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("ask", [], [], boolean=bool(result))
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = [{name: to_rdflib(sol[name]) for name in variables} for sol in result]
            return QueryResult("select", variables, rows)
        graph = Graph()
        for triple in result:
            # A triple's terms are never unbound: to_rdflib gives None only for None.
            graph.add(
                (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))  # type: ignore[arg-type]
            )
        return QueryResult("graph", [], [], graph=graph)

    def values(self, sparql: str) -> list[tuple[str | None, ...]]:
        """Skips building rdflib terms, which costs more than the query on large reads."""
        solutions = self._evaluate(sparql, True)
        if not isinstance(solutions, ox.QuerySolutions):
            raise StoreError("values() needs a SELECT query")
        return [tuple(None if t is None else t.value for t in row) for row in solutions]

    # ------------------------------------------------------------------ ledger stamp
    def ledger_stamp(self) -> str | None:
        """The stamp of the saved ledger (see :mod:`detente.analysis.ledger`), if no write
        happened since it was saved."""
        for quad in self._store.quads_for_pattern(None, _STAMP, None, _STATE):
            return str(quad.object.value)  # type: ignore[union-attr]  # a literal
        return None

    def stamp_ledger(self, stamp: str) -> None:
        self.unstamp()
        self._store.add(ox.Quad(_STATE, _STAMP, ox.Literal(stamp), _STATE))
        self._stamped = True

    def unstamp(self) -> None:
        """Every write removes the stamp before it changes anything, so a saved ledger is
        never taken for the state of a store written since."""
        if self._stamped is None:
            self._stamped = self._store.contains_named_graph(_STATE)
        if self._stamped:
            self._store.remove_graph(_STATE)
            self._stamped = False

    def stream_values(self, sparql: str) -> Iterator[tuple[str | None, ...]]:
        with self.holding():  # counted, so the store is not lent while this reads
            solutions = self._evaluate(sparql, True)
            if not isinstance(solutions, ox.QuerySolutions):
                raise StoreError("stream_values() needs a SELECT query")
            try:
                for row in solutions:
                    yield tuple(None if t is None else t.value for t in row)
            finally:
                del solutions  # the handle goes before the count says so

    def update(self, sparql: str) -> None:
        self.unstamp()
        try:
            self._store.update(sparql, prefixes=PREFIX_MAP)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"malformed SPARQL update: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"update failed: {exc}") from exc

    def replace_graphs(self, drop, graph_iri, triples, *, also: str = "") -> None:
        """A new document goes in with one transactional ``extend`` (no SPARQL text to
        build and parse); replacing one, or writing links with it, still takes a single
        atomic update."""
        drop = [g for g in drop if g != graph_iri]
        if also or drop or self._store.contains_named_graph(ox.NamedNode(str(graph_iri))):
            super().replace_graphs(drop, graph_iri, triples, also=also)
            return
        target = ox.NamedNode(str(graph_iri))
        self.unstamp()
        try:
            self._store.extend(
                ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), target)  # type: ignore[arg-type]
                for s, p, o in triples
            )
        except (OSError, ValueError) as exc:
            raise StoreError(f"write failed: {exc}") from exc

    journaled_bulk = True

    def bulk_write(self, graphs, *, also: str = "") -> None:
        """Oxigraph's bulk loader for many new graphs at once, about twice as fast as
        transactional writes but not atomic. It is made crash-recoverable by a journal:
        the graphs are recorded as pending (one transaction) before the load and cleared
        after it, together with ``also``; :meth:`recover` drops whatever a crash left
        pending.

        Serialising N-Quads (Python) and loading them (Rust, without the GIL) overlap:
        one chunk loads on a worker thread while the next is written, which hides most of
        the serialising cost.
        """
        graphs = [(iri, list(triples)) for iri, triples in graphs]
        if not graphs:
            return
        pending = [(iri, NS.pending, Literal(True)) for iri, _ in graphs]
        self.update(insert_data(JOURNAL_GRAPH, pending))
        try:
            with ThreadPoolExecutor(max_workers=1) as loader:
                loading: Future | None = None
                for chunk in _chunks(graphs, _BULK_CHUNK_TRIPLES):
                    data = nquads(chunk)
                    if loading is not None:
                        loading.result()
                    loading = loader.submit(
                        self._store.bulk_load, data, format=ox.RdfFormat.N_QUADS
                    )
                if loading is not None:
                    loading.result()
        except (OSError, SyntaxError, ValueError) as exc:
            self.recover()
            raise StoreError(f"bulk load failed: {exc}") from exc
        body = " .\n".join(f"{nt(URIRef(iri))} {nt(NS.pending)} true" for iri, _ in graphs)
        done = f"DELETE DATA {{ GRAPH {nt(JOURNAL_GRAPH)} {{ {body} }} }}"
        self.update(f"{done} ;\n{also}" if also else done)

    def recover(self) -> list[URIRef]:
        """Drop the graphs an interrupted bulk load left half-written."""
        rows = self._store.query(
            PREFIXES + f"SELECT ?g WHERE {{ GRAPH {nt(JOURNAL_GRAPH)} {{ ?g dt:pending true }} }}"
        )
        assert isinstance(rows, ox.QuerySolutions)
        broken = [URIRef(row["g"].value) for row in rows]
        if broken:
            drops = " ;\n".join(f"DROP SILENT GRAPH {nt(g)}" for g in broken)
            self.update(f"{drops} ;\nDROP SILENT GRAPH {nt(JOURNAL_GRAPH)}")
        return broken

    def graphs(self) -> list[URIRef]:
        return [URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)]

    def checkpoint(self, target: str | Path) -> None:
        """A consistent copy of the store as of now in the new folder ``target`` (hard
        links on the same file system, so it takes milliseconds); other processes may open
        it read-only while this one keeps writing."""
        try:
            self._store.backup(str(target))
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"cannot checkpoint the store into {target}: {exc}") from exc

    def close(self) -> None:
        """Flush and release the store (and its lock on the folder)."""
        if self._db is not None:
            self._db.flush()
            self._db = None
        if self._temporary and self.location:
            shutil.rmtree(self.location, ignore_errors=True)


def open_in_memory(rest: str, credentials: tuple[str, str] | None) -> OxigraphStore:
    """``memory:`` (the ``detente.stores`` entry point)."""
    return OxigraphStore(None)


def open_on_disk(rest: str, credentials: tuple[str, str] | None) -> OxigraphStore:
    """``oxigraph:PATH`` (the ``detente.stores`` entry point)."""
    return OxigraphStore(rest or None)
