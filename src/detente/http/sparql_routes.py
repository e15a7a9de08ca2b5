"""The SPARQL 1.1 Protocol (query at ``/sparql``, update at ``/sparql/update``) and the
read operations of the Graph Store Protocol (``/graph-store``).

Updates have their own endpoint, behind the write token, so no read request can ever
reach one.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from detente.http.security import WRITE_RESPONSES, require_writer
from detente.http.sparql_openapi import (
    GRAPH_STORE_GET,
    GRAPH_STORE_RESPONSES,
    QUERY_GET,
    QUERY_POST,
    QUERY_RESPONSES,
    UPDATE_POST,
    UPDATE_RESPONSES,
)
from detente.sparql.engine import Answer, SparqlError, check_nesting
from detente.sparql.workers import QueryWorkers

router = APIRouter(tags=["SPARQL"])

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"

SERVICE_DESCRIPTION = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
<{endpoint}> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph ;
    sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON>,
        <http://www.w3.org/ns/formats/SPARQL_Results_XML>,
        <http://www.w3.org/ns/formats/SPARQL_Results_CSV>,
        <http://www.w3.org/ns/formats/SPARQL_Results_TSV>,
        <http://www.w3.org/ns/formats/Turtle>, <http://www.w3.org/ns/formats/N-Triples>,
        <http://www.w3.org/ns/formats/RDF_XML>, <http://www.w3.org/ns/formats/JSON-LD> .
"""


def workers(request: Request) -> QueryWorkers:
    """The query workers (other processes, checkpoints of the store)."""
    found = request.app.state.query_workers
    if found is None:
        raise SparqlError(501, _not_served(request))
    return found


def _not_served(request: Request) -> str:
    if request.app.state.service.store.url == "memory:":
        return (
            "this server was given an in-memory store object, which its query workers "
            "cannot read: serve OxigraphStore.temporary() or the 'memory:' setting instead"
        )
    return "this server keeps its graph in a remote SPARQL store: query that endpoint directly"


def _endpoint(request: Request) -> str:
    """The endpoint's own URL: the service description's subject and the base IRI. It is
    built from the request's Host header, so it is checked as an IRI before it is written
    into any text."""
    url = str(request.url).split("?")[0]
    try:
        return ox.NamedNode(url).value
    except ValueError:
        raise SparqlError(400, "the request's Host header does not make a valid IRI") from None


def _media_type(request: Request) -> tuple[str | None, str | None]:
    header = request.headers.get("content-type")
    if not header:
        return None, None
    media, *params = (p.strip() for p in header.split(";"))
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


def _utf8(body: bytes, charset: str | None) -> str:
    if charset not in (None, "utf-8", "utf8"):
        raise SparqlError(415, f"unsupported charset {charset}: send UTF-8")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SparqlError(400, f"the request body is not UTF-8: {exc}") from exc


def _one(params: dict[str, list[str]], name: str) -> str:
    values = params.get(name, [])
    if len(values) != 1:
        raise SparqlError(400, f"expected exactly one '{name}' parameter, got {len(values)}")
    return values[0]


async def _parameters(
    request: Request, direct_type: str, field: str, url_params: dict[str, list[str]] | None = None
) -> tuple[str, dict]:
    """(operation text, all protocol parameters) of a GET or POST request."""
    if url_params is None:
        url_params = parse_qs(request.url.query, keep_blank_values=True)
    if request.method == "GET":
        return _one(url_params, field), url_params
    media, charset = _media_type(request)
    body = await request.body()
    if media == FORM:
        form = parse_qs(_utf8(body, charset), keep_blank_values=True)
        merged = {k: url_params.get(k, []) + form.get(k, []) for k in {*url_params, *form}}
        return _one(form, field), merged
    if media == direct_type:
        if field in url_params:
            raise SparqlError(400, f"'{field}' given both in the URL and as the body")
        return _utf8(body, charset), url_params
    raise SparqlError(
        415,
        f"POST the {field} as {FORM} (a '{field}' field) or as {direct_type}; "
        f"got {media or 'no content type'}",
    )


def _answer(answer: Answer, method: str = "GET") -> Response:
    body = b"" if method == "HEAD" else answer.body
    headers = {"Content-Length": str(len(answer.body))} if method == "HEAD" else None
    return Response(body, media_type=answer.media_type, headers=headers)


def error_response(exc: SparqlError) -> PlainTextResponse:
    return PlainTextResponse(exc.message + "\n", status_code=exc.status)


class QueryFastPath:
    """SPARQL queries (GET and POST ``/sparql``) straight to their handler, past the
    routing, dependency and exception layers every other request goes through: on a
    2-core machine under load those layers are a third of the service's own time per
    query. The route stays declared below for the OpenAPI document, and both paths run
    the same :func:`_query`. Added as the innermost user middleware, so body limits and
    CORS still apply."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != "/sparql"
            or scope["method"] not in ("GET", "POST")
        ):
            await self.app(scope, receive, send)
            return
        try:
            response: Response = await _query(Request(scope, receive))
        except SparqlError as exc:
            response = error_response(exc)
        await response(scope, receive, send)


async def _query(request: Request) -> Response:
    pool = workers(request)
    url_params = parse_qs(request.url.query, keep_blank_values=True)
    if "update" in url_params or (
        request.method == "POST" and _media_type(request)[0] == UPDATE_TYPE
    ):
        raise SparqlError(400, "this is the query endpoint: POST updates to /sparql/update")
    if request.method == "GET" and "query" not in url_params:
        if url_params:
            given = ", ".join(sorted(url_params))
            raise SparqlError(400, f"{given} given without a query")
        description = SERVICE_DESCRIPTION.format(endpoint=_endpoint(request))
        return Response(description, media_type="text/turtle")
    text, params = await _parameters(request, QUERY_TYPE, "query", url_params)
    if "update" in params:
        raise SparqlError(400, "this is the query endpoint: POST updates to /sparql/update")
    answer = await pool.query(  # bounds its own deadline, ending the worker if need be
        text=text,
        default_graphs=params.get("default-graph-uri", []),
        named_graphs=params.get("named-graph-uri", []),
        accept=request.headers.get("accept"),
        base_iri=_endpoint(request),
    )
    return _answer(answer)


@router.get(
    "/sparql",
    summary="SPARQL 1.1 query by GET (without a query: the service description)",
    operation_id="sparql_query_get",
    responses=QUERY_RESPONSES,
    openapi_extra=QUERY_GET,
)
async def sparql_query_get(request: Request) -> Response:
    return await _query(request)


@router.post(
    "/sparql",
    summary="SPARQL 1.1 query by POST (form or direct)",
    operation_id="sparql_query_post",
    responses=QUERY_RESPONSES,
    openapi_extra=QUERY_POST,
)
async def sparql_query_post(request: Request) -> Response:
    return await _query(request)


@router.post(
    "/sparql/update",
    summary="SPARQL 1.1 update (needs the write token)",
    operation_id="sparql_update",
    status_code=204,
    dependencies=[Depends(require_writer)],
    responses={**WRITE_RESPONSES, **UPDATE_RESPONSES},
    openapi_extra=UPDATE_POST,
)
async def sparql_update(request: Request) -> Response:
    pool = workers(request)
    text, params = await _parameters(request, UPDATE_TYPE, "update")
    if "query" in params:
        raise SparqlError(400, "this is the update endpoint: send queries to /sparql")
    check_nesting(text)  # before the store is lent: a refusal costs nothing
    service = request.app.state.service
    arguments = {
        "text": text,
        "using": params.get("using-graph-uri", []),
        "using_named": params.get("using-named-graph-uri", []),
        "base_iri": _endpoint(request),
    }
    # A worker applies it (confined, with the query limits) to the store lent for the time;
    # readers go on meanwhile, on the ledger and on checkpoints.
    await run_in_threadpool(service.update, lambda location: pool.update(location, **arguments))
    return Response(status_code=204)


async def _graph_store(request: Request) -> Response:
    pool = workers(request)
    params = parse_qs(request.url.query, keep_blank_values=True)
    if ("default" in params) == ("graph" in params):
        raise SparqlError(400, "give exactly one of ?graph=IRI or ?default")
    iri = None if "default" in params else _one(params, "graph")
    answer = await pool.graph(iri, request.headers.get("accept"))
    return _answer(answer, request.method)


@router.get(
    "/graph-store",
    summary="Graph Store Protocol: read a named graph (?graph=IRI) or the default graph",
    operation_id="graph_store_get",
    responses=GRAPH_STORE_RESPONSES,
    openapi_extra=GRAPH_STORE_GET,
)
async def graph_store_get(request: Request) -> Response:
    return await _graph_store(request)


@router.head(
    "/graph-store",
    summary="Graph Store Protocol: the headers of a graph read",
    operation_id="graph_store_head",
    responses=GRAPH_STORE_RESPONSES,
    openapi_extra=GRAPH_STORE_GET,
)
async def graph_store_head(request: Request) -> Response:
    return await _graph_store(request)
