"""Curation over REST: an analyst with the write token marks a statement wrong or
confirmed, or hides an actor, and takes any act back; everyone may read the acts and export
the statement verdicts as labelled examples for the relation model's corpus."""

from __future__ import annotations

import json
from dataclasses import asdict

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from detente.graph.curation import examples
from detente.http.models import MAX_NAME, CurationActOut, CurationIn
from detente.http.rest import _BODY_ERRORS, PAGE_HEADERS, _problem, page, paged, service
from detente.http.security import WRITE_RESPONSES, require_writer
from detente.live.service import KnowledgeService

router = APIRouter(tags=["curation"], responses={422: _problem("Invalid parameters or body.")})


@router.get("/curation", response_model=list[CurationActOut], responses=PAGE_HEADERS)
def curation_acts(
    request: Request,
    in_force: bool = Query(False, description="Only the acts not taken back."),
    window: tuple[int, int] = Depends(page),
    svc: KnowledgeService = Depends(service),
) -> Response:
    """Every act of curation, oldest first, with who made it, when and why (and when and by
    whom it was taken back): the history of corrections."""
    found = [asdict(a) for a in svc.curation() if a.applies or not in_force]
    return paged(request, found, window)


@router.post(
    "/curation",
    response_model=CurationActOut,
    status_code=201,
    dependencies=[Depends(require_writer)],
    responses={**WRITE_RESPONSES, **_BODY_ERRORS, 404: _problem("No such statement or actor.")},
)
def curate(body: CurationIn, svc: KnowledgeService = Depends(service)) -> dict:
    """Mark a statement wrong (it leaves every answer) or confirmed, or hide an actor (it
    and its statements leave every answer). The answers follow before the 201."""
    act = svc.curate(body.verdict, body.target, body.curator, body.why)
    return asdict(act)


@router.delete(
    "/curation/{act_id}",
    response_model=CurationActOut,
    dependencies=[Depends(require_writer)],
    responses={
        **WRITE_RESPONSES,
        404: _problem("No such act."),
        409: _problem("The act was taken back already."),
    },
)
def uncurate(
    act_id: str = Path(max_length=64, pattern=r"^act-[0-9a-f]+$"),
    curator: str = Query("analyst", min_length=1, max_length=MAX_NAME),
    svc: KnowledgeService = Depends(service),
) -> dict:
    """Take an act back: what it withheld returns to the answers; the act stays in the
    history with when and by whom it was taken back."""
    return asdict(svc.uncurate(act_id, curator))


@router.get(
    "/curation/examples",
    responses={200: {"content": {"application/x-ndjson": {}}}},
    response_class=Response,
)
def curation_examples(svc: KnowledgeService = Depends(service)) -> Response:
    """The statement verdicts in force as labelled examples in the relation corpus's
    format (JSON Lines): corrections that can join the model's training data."""
    body = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in examples(svc.store))
    return Response(body, media_type="application/x-ndjson")
