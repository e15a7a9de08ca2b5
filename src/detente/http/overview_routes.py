"""The explorer's landing: the theatres, most recent evidence first, each with its small
graph, instead of every actor at once."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from detente.analysis.theatres import THUMBNAIL_PAIRS, theatre_overview
from detente.http.models import TheatreSummary
from detente.http.rest import _problem, answers, service
from detente.live.service import KnowledgeService

router = APIRouter(tags=["explorer"], responses={422: _problem("Invalid parameters.")})


class PlacedActor(BaseModel):
    id: str
    label: str
    bloc: int | None = Field(description="0 or 1: the theatre's structural-balance bloc, if any.")
    x: float = Field(description="Where to draw it, 0 (left) to 1 (right).")
    y: float = Field(description="Where to draw it, 0 to 1.")


class ThumbnailEdge(BaseModel):
    source: str
    target: str
    stance: str = Field(description="alignment, opposition or mixed.")
    kind: str = Field(description="material (mostly deeds) or verbal (mostly words).")
    directed: bool
    evidence: int


class TheatreCard(TheatreSummary):
    pairs_total: int = Field(description="Actor pairs in the theatre's view.")
    nodes: list[PlacedActor]
    edges: list[ThumbnailEdge] = Field(description="Its most evidenced pairs.")


@router.get("/view/theatres", response_model=list[TheatreCard])
def theatre_cards(
    request: Request,
    limit: int = Query(12, ge=1, le=100, description="Theatres, most recent evidence first."),
    pairs: int = Query(THUMBNAIL_PAIRS, ge=1, le=30, description="Pairs in each small graph."),
    svc: KnowledgeService = Depends(service),
) -> Response:
    """The theatres the graph holds, most recent evidence first, each with its small graph:
    its most evidenced pairs as its own view draws them, the actors placed."""

    def answer() -> bytes:
        with svc.reading() as ledger:
            cards = theatre_overview(ledger, limit=limit, pairs=pairs)
        return json.dumps(cards, ensure_ascii=False).encode()

    body = answers(request).response(("theatre cards", limit, pairs), answer, refresh=False)
    return Response(body, media_type="application/json")
