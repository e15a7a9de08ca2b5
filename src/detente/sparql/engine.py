"""SPARQL evaluation for the HTTP endpoint: pyoxigraph, from the query string, with a
dataset, a deadline, a result-size limit, content negotiation and no outbound calls.

Results are serialised by Oxigraph itself (no per-row Python objects), into a sink that
stops the evaluation when the deadline passes or the result grows past the limit: results
are produced lazily, so this interrupts long queries as they emit rows. A query that
computes for a long time before its first row (a large aggregate) cannot be interrupted
inside Oxigraph: the endpoint evaluates in worker processes that are ended at the deadline
(:mod:`detente.sparql.workers`).

Oxigraph calls whatever URL a query names in ``SERVICE`` (or an update in ``LOAD``) and has
no switch to stop it. The server evaluates in processes that cannot open a network socket
(:mod:`detente.sparql.sandbox`); as a first line, and to say why, the engine also refuses
such text before evaluation unless the target is on the configured allow-list
(:func:`check_outbound`). A call that gets past the text check fails in the sandbox, and the
client is told only that remote access is disabled, never what a host answered.

Oxigraph's parser and evaluator recurse once per nesting level: a few thousand brackets
overflow a thread's stack, which kills the process. Text nested deeper than
:data:`MAX_NESTING` is refused before it is parsed (:func:`check_nesting`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache

import pyoxigraph as ox

from detente.errors import SparqlError
from detente.sparql.text import declares_dataset, outbound_calls, with_using

RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
# CSV and TSV have no form for a boolean.
BOOLEAN_FORMATS = {
    k: v
    for k, v in RESULT_FORMATS.items()
    if v in (ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML)
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


# Brackets of any kind, counted conservatively (also inside strings and IRIs, so the count
# is never below the parser's depth). Oxigraph overflows an 8 MB stack at about 2,500
# levels; no query written by hand or by a tool nests a tenth as deep.
MAX_NESTING = 200
_OPENING = frozenset("({[")
_CLOSING = frozenset(")}]")
REMOTE_DISABLED = (
    "the request tried to reach another server (SERVICE or LOAD): remote access is disabled "
    "on this endpoint"
)


# How RocksDB, under Oxigraph, words its own failures (anything else is a remote call's).
_STORE_FAILURES = ("IO error", "Corruption", "Resource busy", "No space")


def check_nesting(text: str, limit: int = MAX_NESTING) -> None:
    """400 when brackets in ``text`` nest deeper than ``limit``: O(n), before parsing."""
    if sum(text.count(bracket) for bracket in _OPENING) <= limit:
        return  # cannot nest deeper than it has brackets (counted in C: most queries)
    depth = deepest = 0
    for char in text:
        if char in _OPENING:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    raise SparqlError(
                        400,
                        f"the request nests brackets more than {limit} levels deep, more than "
                        "this endpoint parses: flatten the groups or expressions",
                    )
        elif char in _CLOSING and depth:
            depth -= 1


def timeout_message(seconds: float) -> str:
    """What a client is told when its query ran out of time (503)."""
    return f"query exceeded the {seconds:g} s time limit"


class _Stop(Exception):
    pass


class _LimitedSink:
    """A write-only file that refuses to grow past ``limit`` bytes or ``deadline``."""

    def __init__(self, limit: int, deadline: float) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.limit = limit
        self.deadline = deadline
        self.reason: str | None = None

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            self.reason = "size"
            raise _Stop
        if time.monotonic() > self.deadline:
            self.reason = "time"
            raise _Stop
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def negotiate(accept: str | None, offered: Mapping[str, object], default: str) -> str:
    """The offered media type the ``Accept`` header prefers (RFC 9110 q-values,
    wildcards); raises 406 when it accepts none of them."""
    if not accept or not accept.strip():
        return default
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in item.split(";"))
        q = 1.0
        for param in params:
            if param.lower().startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if media and q > 0:
            ranked.append((-q, position, media.lower()))
    for _, _, media in sorted(ranked):
        if media in offered:
            return media
        if media in ("*/*", "*"):
            return default
        if media.endswith("/*"):
            family = media[:-1]
            if default.startswith(family):
                return default
            for candidate in offered:
                if candidate.startswith(family):
                    return candidate
    raise SparqlError(
        406, f"cannot produce any of: {accept}; available: {', '.join(sorted(offered))}"
    )


@dataclass(frozen=True)
class Answer:
    body: bytes
    media_type: str


def check_outbound(
    text: str, *, base_iri: str | None, allowed: frozenset[str], prefixes: dict[str, str]
) -> None:
    """400 unless every ``SERVICE`` / ``LOAD`` in ``text`` calls an allowed IRI."""
    for call in outbound_calls(text, base_iri=base_iri, prefixes=prefixes):
        if call.target is None:
            raise SparqlError(
                400,
                f"{call.operation} whose target is not a fixed IRI is refused: this endpoint "
                "does not call other servers (a variable, or a name that reads as the keyword: "
                "rename prefixes that contain SERVICE or LOAD)",
            )
        if call.target not in allowed:
            reason = (
                "federated queries are off on this endpoint"
                if not allowed
                else "it is not on this endpoint's allow-list"
            )
            raise SparqlError(400, f"{call.operation} <{call.target}> is refused: {reason}")


def named_node(iri: str, parameter: str) -> ox.NamedNode:
    """A protocol parameter as an IRI; 400 when it is not an absolute IRI."""
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise SparqlError(400, f"{parameter}: {iri!r} is not an absolute IRI ({exc})") from None


class SparqlEngine:
    def __init__(
        self,
        store: ox.Store,
        *,
        timeout: float,
        max_result_bytes: int,
        allowed_calls: frozenset[str] = frozenset(),
        prefixes: dict[str, str] | None = None,
    ) -> None:
        self.store = store
        self.timeout = timeout
        self.max_result_bytes = max_result_bytes
        self.allowed_calls = allowed_calls
        self.prefixes = prefixes or {}

    def _guard(self, text: str, base_iri: str | None) -> None:
        check_nesting(text)
        # The same queries come again and again (dashboards, clients polling): remember the
        # verdict on short ones rather than lex them every time.
        if len(text) <= 8192:
            self._checked(text, base_iri)
        else:
            check_outbound(
                text, base_iri=base_iri, allowed=self.allowed_calls, prefixes=self.prefixes
            )

    @cached_property
    def _checked(self):
        @lru_cache(maxsize=1024)
        def checked(text: str, base_iri: str | None) -> None:
            check_outbound(
                text, base_iri=base_iri, allowed=self.allowed_calls, prefixes=self.prefixes
            )

        return checked

    def query(
        self,
        text: str,
        *,
        default_graphs: list[str],
        named_graphs: list[str],
        accept: str | None,
        base_iri: str | None = None,
    ) -> Answer:
        """Evaluate and serialise a query. The default graph is the union of all graphs
        unless the protocol names a dataset (then exactly that dataset is used)."""
        deadline = time.monotonic() + self.timeout
        options: dict = {"base_iri": base_iri, "prefixes": self.prefixes}
        if default_graphs or named_graphs:
            options["default_graph"] = [named_node(g, "default-graph-uri") for g in default_graphs]
            options["named_graphs"] = [named_node(g, "named-graph-uri") for g in named_graphs]
        else:
            options["use_default_graph_as_union"] = True
        self._guard(text, base_iri)
        try:
            result = self.store.query(text, **options)
        except SyntaxError as exc:
            raise SparqlError(400, f"malformed SPARQL query: {exc}") from exc
        except OSError as exc:
            raise self._remote(exc) from exc
        except (ValueError, RuntimeError) as exc:
            raise SparqlError(400, f"query failed: {exc}") from exc
        if isinstance(result, ox.QueryBoolean):
            media = negotiate(accept, BOOLEAN_FORMATS, "application/sparql-results+json")
            serialize = lambda sink: result.serialize(sink, BOOLEAN_FORMATS[media])  # noqa: E731
        elif isinstance(result, ox.QuerySolutions):
            media = negotiate(accept, RESULT_FORMATS, "application/sparql-results+json")
            serialize = lambda sink: result.serialize(sink, RESULT_FORMATS[media])  # noqa: E731
        else:
            media = negotiate(accept, GRAPH_FORMATS, "text/turtle")
            serialize = lambda sink: result.serialize(sink, GRAPH_FORMATS[media])  # noqa: E731
        return Answer(self._write(serialize, deadline), media)

    def graph(self, iri: str | None, accept: str | None) -> Answer:
        """A whole graph, for the Graph Store Protocol. None is the default graph, which
        is what ``/sparql`` queries see by default: the union of all graphs."""
        media = negotiate(accept, GRAPH_FORMATS, "text/turtle")
        triples: Iterable[ox.Triple]
        if iri is None:
            constructed = self.store.query(
                "CONSTRUCT WHERE { ?s ?p ?o }", use_default_graph_as_union=True
            )
            assert isinstance(constructed, ox.QueryTriples)  # a CONSTRUCT gives triples
            triples = constructed
        else:
            graph = named_node(iri, "graph")
            if not self.store.contains_named_graph(graph):
                raise SparqlError(404, f"no graph named <{iri}>")
            triples = (q.triple for q in self.store.quads_for_pattern(None, None, None, graph))
        deadline = time.monotonic() + self.timeout
        return Answer(
            self._write(lambda sink: ox.serialize(triples, sink, GRAPH_FORMATS[media]), deadline),
            media,
        )

    def _write(self, serialize, deadline: float) -> bytes:
        sink = _LimitedSink(self.max_result_bytes, deadline)
        try:
            serialize(sink)
        except Exception as exc:  # Oxigraph re-raises the sink's exception, maybe wrapped
            if sink.reason == "size":
                raise SparqlError(
                    422,
                    f"result larger than {self.max_result_bytes:,} bytes: "
                    "add LIMIT or narrow the query",
                ) from exc
            if sink.reason == "time":
                raise SparqlError(503, self.timeout_message()) from exc
            if isinstance(exc, OSError):
                raise self._remote(exc) from exc
            if isinstance(exc, (ValueError, SyntaxError, RuntimeError)):
                raise SparqlError(400, f"query failed: {exc}") from exc
            raise
        return b"".join(sink.parts)

    def timeout_message(self) -> str:
        return timeout_message(self.timeout)

    def _remote(self, exc: OSError) -> SparqlError:
        """What a client learns of an I/O failure during evaluation: apart from the store's
        own (RocksDB's messages), it is a SERVICE or LOAD call. Without federation nothing
        may be called (the sandbox refused it); with it, the remote's answer, refusal or
        DNS failure is not passed on either, so hosts and ports cannot be probed through
        this endpoint."""
        if str(exc).startswith(_STORE_FAILURES):
            return SparqlError(503, "the store could not be read or written; try again")
        if not self.allowed_calls:
            return SparqlError(400, REMOTE_DISABLED)
        return SparqlError(
            400, "a SERVICE or LOAD call failed: the remote endpoint could not be used"
        )

    def update(
        self, text: str, *, using: list[str], using_named: list[str], base_iri: str | None
    ) -> None:
        if (using or using_named) and declares_dataset(text):
            raise SparqlError(
                400,
                "the update names its dataset with USING or WITH and the request with "
                "using-graph-uri or using-named-graph-uri: use one or the other",
            )
        for iri in using:
            named_node(iri, "using-graph-uri")
        for iri in using_named:
            named_node(iri, "using-named-graph-uri")
        self._guard(text, base_iri)
        try:
            rewritten = with_using(text, using, using_named)
            self.store.update(rewritten, base_iri=base_iri, prefixes=self.prefixes)
        except SyntaxError as exc:
            raise SparqlError(400, f"malformed SPARQL update: {exc}") from exc
        except OSError as exc:
            raise self._remote(exc) from exc
        except (ValueError, RuntimeError) as exc:
            raise SparqlError(400, f"update failed: {exc}") from exc
