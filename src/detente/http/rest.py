"""The REST API: relations, actors, paths, balance and documents.

Handlers are plain functions (FastAPI runs them on its thread pool), so a slow request
never holds up the event loop.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import date
from enum import Enum
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from detente.analysis.actors import (
    actor_names,
    actor_partners,
    actor_roles,
    actor_summaries,
    find_actor,
    partners_over_time,
)
from detente.analysis.multigraph import pair_balance
from detente.analysis.paths import ledger_paths
from detente.analysis.relations import pair_rows, relation_count, relation_rows
from detente.analysis.suggestions import (
    SuggestionIndex,
    known_theatre,
    suggestion_index,
    unknown_name,
)
from detente.analysis.theatres import theatre_summaries
from detente.domain import content_source
from detente.domain.filters import StatementFilter
from detente.extract import Article, read_article
from detente.extract.fetch import FetchError, check_destination, read_urls
from detente.extract.text import with_author
from detente.graph import StoreError
from detente.http.answer_cache import AnswerCache, Page, answer_key, page_headers
from detente.http.models import (
    MAX_NAME,
    MAX_URL,
    ActorProfile,
    ActorSummary,
    Balance,
    DocumentIn,
    DocumentInfo,
    DocumentOut,
    FeedIn,
    FeedInfo,
    FetchIn,
    Health,
    Hop,
    IsoDate,
    Polarity,
    Predicate,
    Problem,
    RelationPair,
    RelationRow,
    TheatreSummary,
)
from detente.http.security import WRITE_RESPONSES, require_writer
from detente.ingest import IngestError
from detente.live.service import KnowledgeService
from detente.ontology import load_gazetteer

# What FastAPI's ``responses`` takes: a bare literal is inferred as dict[int, dict], which
# its signature refuses.
Responses = dict[int | str, dict[str, Any]]


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


# Every route may answer these; FastAPI's own 422 schema does not match this service's body.
router = APIRouter(responses={422: _problem("Invalid parameters or body.")})
UNKNOWN_ACTOR: Responses = {404: _problem("Unknown actor; the nearest names are suggested.")}
UNKNOWN_NAME: Responses = {
    404: _problem("Unknown actor or theatre; the nearest names are suggested.")
}


def service(request: Request) -> KnowledgeService:
    return request.app.state.service


def answers(request: Request) -> AnswerCache:
    return request.app.state.answers


def names(svc: KnowledgeService) -> SuggestionIndex:
    """The live names of actors and theatres, built once per state of the graph."""

    def build() -> SuggestionIndex:
        with svc.reading() as ledger:
            return suggestion_index(ledger)

    return svc.memo("suggestions", build)


def _actor(svc: KnowledgeService, name: str) -> str:
    """The id of the actor ``name`` names; an unknown one is a 404 offering the nearest."""
    with svc.reading() as ledger:
        found = find_actor(ledger, name)
    if found is None:
        raise unknown_name("actor", name, names(svc))
    return found


def _theatre(svc: KnowledgeService, name: str | None) -> str | None:
    """The theatre ``name`` names, as the graph spells it; an unknown one is a 404 that
    offers the nearest theatres (an empty answer would read as "no relations there")."""
    if name is None:
        return None
    with svc.reading() as ledger:
        found = known_theatre(ledger, name)
    if found is None:
        raise unknown_name("theatre", name, names(svc))
    return found


@router.get("/health", response_model=Health, tags=["service"])
def health(request: Request, svc: KnowledgeService = Depends(service)) -> Health:
    return Health(
        status="ok",
        store=svc.store.url.partition(":")[0],  # the kind only: no server paths or hosts
        writable=request.app.state.settings.writable,
        generation=svc.generation,
        state="rebuilding" if svc.rebuilding else "live",
    )


def _json(answer: object) -> bytes:
    """An answer of detente.analysis (relations, actors, paths, balance) as JSON. The rows
    are made to the response models' shape (the API tests check them against the OpenAPI
    document); validating thousands of them again per answer cost more than computing
    them."""
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()


def page(
    request: Request,
    limit: int = Query(100, ge=1, le=10_000, description="Items per page."),
    offset: int = Query(0, ge=0, description="Items skipped."),
) -> tuple[int, int]:
    """A list route's page: (limit, offset), the limit capped by the service's row cap."""
    return min(limit, request.app.state.settings.max_rows), offset


def paged(request: Request, rows: list, window: tuple[int, int]) -> Response:
    """The ``window`` (limit, offset) of ``rows`` as JSON, with the whole list's length in
    ``X-Total-Count`` and the next and previous pages in ``Link`` (RFC 8288), as list APIs
    commonly page: the body stays a plain list."""
    limit, offset = window
    body = Page(_json(rows[offset : offset + limit]), total=len(rows), limit=limit, offset=offset)
    return page_response(request, body)


def page_response(request: Request, body: bytes) -> Response:
    """A list route's answer: a page (:class:`Page`) with its headers."""
    headers = page_headers(request.url, body) if isinstance(body, Page) else None
    return Response(body, media_type="application/json", headers=headers)


PAGE_HEADERS: Responses = {
    200: {
        "headers": {
            "X-Total-Count": {
                "description": "How many there are in all.",
                "schema": {"type": "integer"},
            },
            "Link": {
                "description": "The next and previous pages (RFC 8288).",
                "schema": {"type": "string"},
            },
        }
    }
}


class Grouping(str, Enum):
    predicate = "predicate"
    pair = "pair"


@router.get(
    "/relations",
    response_model=list[RelationRow] | list[RelationPair],
    tags=["analysis"],
    responses={**UNKNOWN_NAME, **PAGE_HEADERS},
)
def relations(
    request: Request,
    theatre: str | None = Query(
        None, max_length=MAX_NAME, description="Theatre label, e.g. Libya."
    ),
    predicate: Predicate | None = Query(
        None,
        description="Relation, with its sub-relations (rdfs:subPropertyOf*): backs includes "
        "aids. See docs/knowledge-graph.md#predicate-hierarchy.",
    ),
    polarity: Polarity | None = None,
    actor: str | None = Query(
        None, max_length=MAX_NAME, description="Actor id or name, as subject or object."
    ),
    since: IsoDate | None = Query(None, description="From this date (YYYY-MM-DD)."),
    until: IsoDate | None = Query(None, description="Up to this date (YYYY-MM-DD)."),
    undated: bool = Query(
        False, description="With since or until: keep the statements no text dates as well."
    ),
    group: Grouping = Query(
        Grouping.predicate,
        description="predicate: a row per (subject, predicate, object); pair: a row per "
        "(subject, object), counting every predicate asked for, as SPARQL's GROUP BY ?s ?o.",
    ),
    window: tuple[int, int] = Depends(page),
    svc: KnowledgeService = Depends(service),
) -> Response:
    """Aggregated relations, most evidenced first, a page at a time (the total in
    ``X-Total-Count``): who backs whom in Libya is
    ``/relations?theatre=Libya&predicate=backs``, one row per pair with ``&group=pair``."""
    limit, offset = window
    where = StatementFilter(  # since after until: an InputError, answered 422 at once
        theatre=theatre,
        since=since,
        until=until,
        predicates=(predicate.value,) if predicate else (),
        polarity=polarity,
        undated=undated,
    )
    family = predicate.value if predicate else None

    def answer() -> Page:
        # The names are looked up only when the answer is not remembered.
        _theatre(svc, theatre)
        asked = replace(where, actor=_actor(svc, actor)) if actor else where
        with svc.reading() as ledger:
            if group is Grouping.pair:
                rows, total = pair_rows(ledger, svc.evidence, asked, limit=limit, offset=offset)
            else:
                total = relation_count(ledger, asked)
                rows = relation_rows(ledger, svc.evidence, asked, limit=limit, offset=offset)
        found = [{"family": family, **row} for row in rows]
        return Page(_json(found), total=total, limit=limit, offset=offset)

    question = ("relations", where, actor, group, limit, offset)
    body = answers(request).response(question, answer, raw=answer_key(request.scope))
    return page_response(request, body)


@router.get("/actors", response_model=list[ActorSummary], tags=["actors"], responses=PAGE_HEADERS)
def actors(
    request: Request,
    q: str | None = Query(None, max_length=MAX_NAME, description="Part of a name or id."),
    window: tuple[int, int] = Depends(page),
    svc: KnowledgeService = Depends(service),
) -> Response:
    """Actors in the knowledge graph, most active first, a page at a time (the total in
    ``X-Total-Count``)."""
    limit, offset = window

    def answer() -> Page:
        with svc.reading() as ledger:
            found = actor_summaries(ledger, q)
        body = _json(found[offset : offset + limit])
        return Page(body, total=len(found), limit=limit, offset=offset)

    question = ("actors", q, limit, offset)
    body = answers(request).response(question, answer, raw=answer_key(request.scope))
    return page_response(request, body)


@router.get(
    "/actors/{actor_id}", response_model=ActorProfile, tags=["actors"], responses=UNKNOWN_ACTOR
)
def actor_profile(
    actor_id: str = Path(max_length=MAX_NAME), svc: KnowledgeService = Depends(service)
) -> dict:
    """An actor: its names, Wikidata link, allies and adversaries with evidence counts."""
    node = _actor(svc, actor_id)
    with svc.reading() as ledger:
        profile = actor_partners(ledger, node)
        over_time = partners_over_time(ledger, node)
    gazetteer = load_gazetteer()
    entry = gazetteer.actors.get(node)
    wikidata = f"http://www.wikidata.org/entity/{entry.qid}" if entry and entry.qid else None
    names = actor_names(gazetteer, node)
    # The names of the actors merged into it are its names now.
    absorbed = [n for other in profile["absorbed"] for n in other["names"]]
    names["aliases"] = list(dict.fromkeys([*names["aliases"], *absorbed]))
    roles = actor_roles(gazetteer, node)
    home = gazetteer.actors.get(entry.country) if entry and entry.country else None
    country = {"id": home.id, "label": home.label} if home else None
    return {
        **profile,
        **names,
        "wikidata": wikidata,
        "country": country,
        "roles": roles,
        "over_time": over_time,
    }


@router.get("/paths", response_model=list[list[Hop]], tags=["analysis"], responses=UNKNOWN_ACTOR)
def paths(
    request: Request,
    source: str = Query(..., max_length=MAX_NAME, description="Actor id or name."),
    target: str = Query(..., max_length=MAX_NAME, description="Actor id or name."),
    kind: Polarity = Polarity.alignment,
    max_hops: int = Query(3, ge=1, le=6),
    limit: int = Query(50, ge=1, le=1000),
    svc: KnowledgeService = Depends(service),
) -> Response:
    """Chains of backing (A backs B backs C) or opposition (A opposes B, B backs C)
    between two actors, shortest first, with the evidence of each hop."""

    def answer() -> bytes:
        with svc.reading() as ledger:
            found = ledger_paths(
                ledger,
                svc.evidence,
                _actor(svc, source),
                _actor(svc, target),
                kind=kind.value,
                max_hops=max_hops,
                limit=limit,
            )
        return _json(found)

    question = ("paths", source, target, kind, max_hops, limit)
    body = answers(request).response(question, answer, raw=answer_key(request.scope))
    return Response(body, media_type="application/json")


@router.get("/balance", response_model=Balance, tags=["analysis"], responses=UNKNOWN_NAME)
async def balance(
    request: Request,
    theatre: str | None = Query(
        None, max_length=MAX_NAME, description="Only relations concerning this theatre."
    ),
) -> Response:
    """Structural balance of the signed alliance graph and its two-bloc partition."""
    svc: KnowledgeService = request.app.state.service
    workers = request.app.state.query_workers

    def blocs(body: bytes) -> dict:
        """The blocs of the worker's answer, decoded alone: the frustrated edges after them
        (tens of thousands of objects on a large theatre) are not parsed on this
        interpreter. ``json.dumps`` wrote the key so; a string before it (the theatre)
        cannot hold it, its quotes being escaped."""
        at = body.find(b'"blocs": ')
        if at < 0:
            return json.loads(body)
        return {"blocs": json.JSONDecoder().raw_decode(body[at + 9 :].decode())[0]}

    async def answer() -> bytes:
        await run_in_threadpool(_theatre, svc, theatre)
        nodes, u, v, sign, weight = await run_in_threadpool(svc.signed_pairs, theatre)
        if workers is not None:  # seconds of CPU on a large theatre: off this interpreter
            start = svc.blocs_before(theatre)
            # Narrower integers (the same values): half the bytes pickled and written to
            # the worker's pipe, which the event loop waits for.
            found = await workers.balance(
                theatre=theatre,
                nodes=nodes,
                u=u.astype("int32"),
                v=v.astype("int32"),
                sign=sign.astype("int8"),
                weight=weight,
                start=start,
            )
            # The blocs are the next answer's start, whichever worker computes it; read
            # from the answer on a thread, after this one is sent.
            asyncio.get_running_loop().run_in_executor(
                None, lambda: svc.remember_blocs(theatre, blocs(found.body))
            )
            return found.body

        def compute() -> bytes:
            start = svc.blocs_before(theatre)
            result = pair_balance(nodes, u, v, sign, weight, start=start)
            svc.remember_blocs(theatre, result)
            return _json({"theatre": theatre, **result})

        return await run_in_threadpool(compute)

    body = await answers(request).response_async(("balance", theatre), answer)
    return Response(body, media_type="application/json")


_BODY_ERRORS: Responses = {
    400: _problem("The body is not JSON."),
    413: {"description": "Request body too large.", "content": {"text/plain": {}}},
}
_DOCUMENT_WRITE: Responses = {
    200: {"description": "The same text was already stored; nothing changed."},
    **_BODY_ERRORS,
}


@router.get(
    "/documents", response_model=list[DocumentInfo], tags=["documents"], responses=PAGE_HEADERS
)
def documents(
    request: Request,
    window: tuple[int, int] = Depends(page),
    svc: KnowledgeService = Depends(service),
) -> Response:
    """The documents in the graph, a page at a time (the total in ``X-Total-Count``)."""
    return paged(request, svc.documents(), window)


@router.get(
    "/theatres", response_model=list[TheatreSummary], tags=["analysis"], responses=PAGE_HEADERS
)
def theatres(
    request: Request,
    window: tuple[int, int] = Depends(page),
    svc: KnowledgeService = Depends(service),
) -> Response:
    """The theatres the graph holds statements about, most recent evidence first: each
    with its statements (and how many are undated), documents, actors and dates."""
    with svc.reading() as ledger:
        found = theatre_summaries(ledger)
    return paged(request, found, window)


@router.post(
    "/documents",
    response_model=DocumentOut,
    status_code=201,
    tags=["documents"],
    dependencies=[Depends(require_writer)],
    responses={
        **WRITE_RESPONSES,
        **_DOCUMENT_WRITE,
        422: _problem("The text cannot be read as an article, or a field is invalid."),
    },
)
def post_document(
    body: DocumentIn,
    response: Response,
    svc: KnowledgeService = Depends(service),
) -> dict:
    """Extract relations from one article (text or HTML) and store them as a document
    graph; returns the relations found. Needs the write token."""
    # An InputError is answered 422 by the app's handler for every DetenteError.
    article = with_author(read_article(body.text, kind=body.format), body.author)
    if body.title:
        article = replace(article, title=body.title)
    # Without a URL the text itself identifies the document. A page's canonical link is not
    # an identity: sites give one canonical to many pages, which would replace each other.
    source = body.url or content_source(article.text)
    return _stored(svc, response, article, source, body.date or article.published)


def _stored(
    svc: KnowledgeService,
    response: Response,
    article: Article,
    source: str,
    published: date | None,
) -> dict:
    """Ingest ``article``: the answer of a document write (200 when the text was stored)."""
    try:
        result, found = svc.ingest(article, source, published)
    except (IngestError, StoreError) as exc:
        raise HTTPException(422, str(exc)) from exc
    if result.status == "unchanged":
        response.status_code = 200
    return {
        "id": result.doc_id,
        "status": result.status,
        "replaced": result.replaced,
        "relations": found,
    }


@router.post(
    "/documents/fetch",
    response_model=DocumentOut,
    status_code=201,
    tags=["documents"],
    dependencies=[Depends(require_writer)],
    responses={
        **WRITE_RESPONSES,
        **_DOCUMENT_WRITE,
        422: _problem(
            "The URL gave no article: refused address, 404, timeout, not a page, no text, "
            "or a feed (register feeds at /feeds)."
        ),
    },
)
def fetch_document(
    body: FetchIn, request: Request, response: Response, svc: KnowledgeService = Depends(service)
) -> dict:
    """Fetch one web page (politely, never from a private address unless the server allows
    it) and store it as ``POST /documents`` would, with the page's URL as its source and
    the date its metadata gives. Needs the write token."""
    failures: list[str] = []
    entries = list(
        read_urls(
            [body.url],
            lambda _name, why: failures.append(why),
            policy=request.app.state.feeds.policy,
            author=body.author,
            feeds=False,
        )
    )
    if not entries:
        raise HTTPException(422, failures[0] if failures else "the URL gave no article")
    [entry] = entries
    assert entry.url is not None  # a fetched page's entry carries the URL it came from
    return _stored(svc, response, entry.article, entry.url, entry.published)


@router.get("/feeds", response_model=list[FeedInfo], tags=["feeds"], responses=PAGE_HEADERS)
def feeds(request: Request, window: tuple[int, int] = Depends(page)) -> Response:
    """The feeds the server polls, with their last poll and last error, a page at a time
    (the total in ``X-Total-Count``)."""
    return paged(request, request.app.state.feeds.feeds(), window)


@router.post(
    "/feeds",
    response_model=FeedInfo,
    status_code=201,
    tags=["feeds"],
    dependencies=[Depends(require_writer)],
    responses={
        **WRITE_RESPONSES,
        **_BODY_ERRORS,
        422: _problem("Not an http(s) URL, or a refused address."),
    },
)
def add_feed(body: FeedIn, request: Request) -> dict:
    """Register a feed (or change how often it is polled): it is polled at once, then
    every ``every`` seconds, each new item's page ingested. Needs the write token.
    A URL with user-info or a query is fetched as given but shown, and kept in the
    public graph, without them. A URL that is no absolute IRI is refused."""
    poller = request.app.state.feeds
    try:
        poller.check(body.url)  # before anything else reads it: one IRI, or nothing
        check_destination(body.url, poller.policy)
        return poller.add(body.url, body.every)
    except FetchError as exc:  # a refused address, said without the URL's secrets
        raise HTTPException(422, poller.scrub(str(exc))) from exc
    except ValueError as exc:  # FeedError: no IRI
        raise HTTPException(422, poller.scrub(str(exc))) from exc


@router.delete(
    "/feeds",
    status_code=204,
    tags=["feeds"],
    dependencies=[Depends(require_writer)],
    responses={**WRITE_RESPONSES, 404: _problem("No such feed.")},
)
def remove_feed(
    request: Request,
    url: str = Query(
        ...,
        description="The feed's URL as GET /feeds shows it (no secret to send), or in full.",
    ),
) -> Response:
    """Stop polling a feed (what it brought stays)."""
    poller = request.app.state.feeds
    try:
        removed = poller.remove(url)
    except ValueError as exc:  # several feeds show that URL
        raise HTTPException(422, poller.scrub(str(exc))) from exc
    if not removed:
        raise HTTPException(404, poller.scrub(f"no such feed: {url}"))
    return Response(status_code=204)


@router.delete(
    "/documents/{doc_id}",
    status_code=204,
    tags=["documents"],
    dependencies=[Depends(require_writer)],
    responses={**WRITE_RESPONSES, 404: _problem("No such document.")},
)
def delete_document(
    doc_id: str = Path(max_length=MAX_URL), svc: KnowledgeService = Depends(service)
) -> Response:
    """Retract a document (by id or source) and everything it asserted."""
    if not svc.remove(doc_id):
        raise HTTPException(404, f"no such document: {doc_id}")
    return Response(status_code=204)
