"""The routes the explorer page reads: the alliance map of a view, one edge's evidence,
the view as GraphML or CSV, and search suggestions. Every one is a plain REST answer too."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from enum import Enum

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from detente.analysis.alliance_view import (
    MAX_PAIRS,
    actor_node,
    alliance_view,
    pair_evidence,
    pair_question,
    view_timeline,
)
from detente.analysis.evidence import with_notes
from detente.analysis.export import events_csv, graph_document
from detente.analysis.ledger import Ledger
from detente.analysis.suggestions import suggest
from detente.domain.filters import StatementFilter
from detente.http.answer_cache import answer_key
from detente.http.models import (
    AllianceMap,
    IsoDate,
    PairEvidence,
    PairStatement,
    Polarity,
    Predicate,
    Suggestion,
    ViewTimeline,
)
from detente.http.rest import UNKNOWN_NAME, _actor, _problem, _theatre, answers, names, service
from detente.live.service import KnowledgeService

router = APIRouter(tags=["explorer"], responses={422: _problem("Invalid parameters.")})


class ExportFormat(str, Enum):
    graphml = "graphml"
    csv = "csv"


def view_filter(
    theatre: str | None = Query(None, max_length=200, description="Theatre label, e.g. Libya."),
    actor: str | None = Query(
        None, max_length=200, description="Actor id or name: it, its partners and theirs."
    ),
    since: IsoDate | None = Query(None, description="From this date (YYYY-MM-DD)."),
    until: IsoDate | None = Query(None, description="Up to this date (YYYY-MM-DD)."),
    predicate: list[Predicate] = Query(
        [], description="Relations to show (repeatable); sub-relations included."
    ),
    polarity: Polarity | None = None,
    undated: bool = Query(
        False, description="With since or until: keep the statements no text dates as well."
    ),
    svc: KnowledgeService = Depends(service),
) -> StatementFilter:
    return StatementFilter(  # since after until: an InputError, answered 422
        theatre=_theatre(svc, theatre),
        actor=_actor(svc, actor) if actor else None,
        since=since,
        until=until,
        predicates=tuple(p.value for p in predicate),
        polarity=polarity,
        undated=undated,
    )


@dataclass(frozen=True)
class Strength:
    """How well evidenced a pair must be to be drawn."""

    min_documents: int
    min_confidence: float


def strength(
    min_documents: int = Query(
        1, ge=1, le=10_000, description="Pairs whose statements come from at least N documents."
    ),
    min_confidence: float = Query(
        0.0, ge=0.0, le=1.0, description="Pairs whose statements' mean confidence is at least this."
    ),
) -> Strength:
    return Strength(min_documents, min_confidence)


def _question(kind: str, wanted: StatementFilter, *extra: object) -> tuple:
    return (kind, wanted, *extra)  # the filter is frozen: every field is in the key


@router.get("/view", response_model=AllianceMap, responses=UNKNOWN_NAME)
def view(
    request: Request,
    wanted: StatementFilter = Depends(view_filter),
    limit: int = Query(MAX_PAIRS, ge=1, le=500, description="Actor pairs drawn at most."),
    enough: Strength = Depends(strength),
    svc: KnowledgeService = Depends(service),
) -> Response:
    """The alliance map of a theatre or an actor: one signed edge per actor pair, the
    nodes in their structural-balance blocs, the most evidenced pairs first; each edge with
    its independent documents, outlets and mean confidence."""

    def answer() -> bytes:
        with svc.reading() as ledger:
            found = alliance_view(ledger, wanted, max_pairs=limit, **asdict(enough))
        return json.dumps(found.as_json(wanted.actor), ensure_ascii=False).encode()

    question = _question("view", wanted, limit, enough)
    body = answers(request).response(question, answer, raw=answer_key(request.scope), refresh=False)
    return Response(body, media_type="application/json")


class Period(str, Enum):
    month = "month"
    year = "year"


@router.get("/view/timeline", response_model=ViewTimeline, responses=UNKNOWN_NAME)
def view_timeline_route(
    wanted: StatementFilter = Depends(view_filter),
    period: Period = Query(Period.month, description="The width of a bar."),
    svc: KnowledgeService = Depends(service),
) -> dict:
    """How the view's statements spread over time: per month (or year) the dated ones of
    each polarity, and how many no text dates; every filter of the view applies but its
    dates, so that the range can be chosen from the whole of it."""
    with svc.reading() as ledger:
        return view_timeline(ledger, wanted, period=period.value)


class StatementNote(BaseModel):
    act: str = Field(description="The act's id: DELETE /curation/{act} takes the note back.")
    text: str
    curator: str
    at: str


class NotedStatement(PairStatement):
    notes: list[StatementNote] = Field(
        default_factory=list, description="Notes analysts attached to it, oldest first."
    )


class NotedPairEvidence(PairEvidence):
    statements: list[NotedStatement]  # type: ignore[assignment]


def _with_absorbed(question: str, first: str, second: str, ledger: Ledger) -> str:
    """The pair question widened to the actors merged into either actor: their
    statements are the survivor's, in the edge as in its evidence."""
    ones, others = ([x, *ledger.absorbed(x)] for x in (first, second))
    if len(ones) == len(others) == 1:
        return question
    a, b = actor_node(first), actor_node(second)
    pairs = " ".join(
        f"({actor_node(x)} {actor_node(y)}) ({actor_node(y)} {actor_node(x)})"
        for x in ones
        for y in others
    )
    plain = f"VALUES (?s ?o) {{ ({a} {b}) ({b} {a}) }}"
    if plain not in question:  # the question's shape changed: say so, not answer less
        raise RuntimeError("pair_question no longer binds the pair as expected")
    return question.replace(plain, f"VALUES (?s ?o) {{ {pairs} }}")


@router.get("/view/evidence", response_model=NotedPairEvidence, responses=UNKNOWN_NAME)
def view_evidence(
    wanted: StatementFilter = Depends(view_filter),
    a: str = Query(..., max_length=200, description="One actor of the pair (id or name)."),
    b: str = Query(..., max_length=200, description="The other actor."),
    svc: KnowledgeService = Depends(service),
) -> dict:
    """Every statement between two actors under the view's filters (the oldest 500),
    with the SPARQL query that finds them, and the notes analysts attached to each.
    Negated statements are listed, flagged, and not counted. An actor's statements include
    those of the actors merged into it."""
    first, second = _actor(svc, a), _actor(svc, b)
    if first == second:
        raise HTTPException(422, "a and b are the same actor: an edge joins two")
    with svc.reading() as ledger:
        question = _with_absorbed(pair_question(wanted, first, second), first, second, ledger)
    statements = pair_evidence(svc.store, question)
    with svc.reading() as ledger:
        with_notes(ledger, statements)
    return {"sparql": question, "statements": statements}


_SAFE = re.compile(r"[^A-Za-z0-9_-]+")
MAX_EXPORT_STATEMENTS = 50_000  # about 15 MB of CSV


@router.get(
    "/view/export",
    responses={
        200: {"content": {"application/graphml+xml": {}, "text/csv": {}}},
        **UNKNOWN_NAME,
    },
    response_class=Response,
)
def view_export(
    request: Request,
    wanted: StatementFilter = Depends(view_filter),
    format: ExportFormat = Query(..., description="graphml (the map) or csv (its statements)."),
    limit: int = Query(MAX_PAIRS, ge=1, le=500, description="Actor pairs drawn at most."),
    enough: Strength = Depends(strength),
    svc: KnowledgeService = Depends(service),
) -> Response:
    """The view as the page draws it: GraphML with one edge per pair (stance, evidence,
    blocs), or CSV with one PLOVER-style row per statement behind it (50,000 at most: a
    larger view is refused with 422, and ``detente export`` writes a whole store)."""
    name = "-".join(_SAFE.sub("_", x) for x in (wanted.theatre, wanted.actor) if x) or "all"
    if wanted.since or wanted.until:
        name += f"-{wanted.since or ''}_{wanted.until or ''}"
    disposition = f'attachment; filename="detente-{name}.{format.value}"'
    if format is ExportFormat.graphml:

        def graphml() -> bytes:
            with svc.reading() as ledger:
                found = alliance_view(ledger, wanted, max_pairs=limit, **asdict(enough))
            return graph_document(found.as_graph(f"detente view {name}"), "graphml")

        # Kept like the view's own answer: placing a large view's actors takes a second or
        # two, which a client asking again (or many asking at once) need not repeat.
        question = _question("graphml", wanted, limit, enough)
        body = answers(request).response(question, graphml, refresh=False)
        return Response(
            body,
            media_type="application/graphml+xml",
            headers={"Content-Disposition": disposition},
        )
    with svc.reading() as ledger:
        found = alliance_view(ledger, wanted, max_pairs=limit, **asdict(enough))
        statements = ledger.iris(found.rows)
    if len(statements) > MAX_EXPORT_STATEMENTS:  # an anonymous read stays a bounded one
        raise HTTPException(
            422,
            f"this view rests on {len(statements):,} statements and an export here holds at "
            f"most {MAX_EXPORT_STATEMENTS:,}: narrow its dates or relations, or export the "
            "store with `detente export`",
        )
    return Response(
        events_csv(svc.store, statements).encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )


@router.get("/suggest", response_model=list[Suggestion])
def suggestions(
    q: str = Query(..., min_length=1, max_length=100, description="What was typed so far."),
    limit: int = Query(8, ge=1, le=50),
    svc: KnowledgeService = Depends(service),
) -> Response:
    """Actors and theatres whose names (aliases, leaders, capitals too) match ``q``."""

    # Not kept among the answers writes refresh: each keystroke is a new question.
    found = suggest(names(svc), q, limit=limit)
    return Response(json.dumps(found, ensure_ascii=False), media_type="application/json")
