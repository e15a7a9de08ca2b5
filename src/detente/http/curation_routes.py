"""Curation over REST: an analyst with the write token marks a statement wrong or
confirmed, hides an actor, merges one actor into another, attaches a note to an actor or a
statement, and takes any act back; everyone may read the acts, what they say of an actor,
and export the statement verdicts as labelled examples for the relation model's corpus."""

from __future__ import annotations

import json
from dataclasses import asdict

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field, model_validator

from detente.analysis.actors import actor_curation
from detente.domain.curation import Verdict
from detente.graph.curation import examples
from detente.http.models import (
    MAX_NAME,
    MAX_URL,
    Absorbed,
    ActorNote,
    CurationActOut,
    CurationIn,
)
from detente.http.rest import (
    _BODY_ERRORS,
    PAGE_HEADERS,
    UNKNOWN_ACTOR,
    _actor,
    _problem,
    page,
    paged,
    service,
)
from detente.http.security import WRITE_RESPONSES, require_writer
from detente.live.service import KnowledgeService

router = APIRouter(tags=["curation"], responses={422: _problem("Invalid parameters or body.")})


class CurationRequest(CurationIn):
    """An act to make: a verdict on a statement, an actor hidden or merged, or a note."""

    verdict: Verdict = Field(
        description="wrong or confirmed (a statement); hidden (an actor: it and every "
        "statement it takes part in leave the answers); merged (an actor, into the actor "
        "named by into: its statements become that actor's); noted (a note, the text in "
        "why, on an actor or a statement)."
    )
    why: str | None = Field(
        None, max_length=2000, description="Why, in a sentence; for a note, the note."
    )
    into: str | None = Field(
        None,
        min_length=1,
        max_length=MAX_URL,
        description="For merged only: the id or name of the actor the target becomes (an "
        "actor merged already stands for the one it was merged into).",
    )

    @model_validator(mode="after")
    def _fits_the_verdict(self) -> CurationRequest:
        if (self.verdict is Verdict.merged) != (self.into is not None):
            raise ValueError("into is required for a merge, and only for a merge")
        if self.verdict is Verdict.noted and not (self.why and self.why.strip()):
            raise ValueError("a note needs its text, in why")
        return self


class CurationActRecord(CurationActOut):
    into: str | None = Field(None, description="For a merge: the IRI of the actor it became.")


class ActorCuration(BaseModel):
    id: str
    absorbed: list[Absorbed] = Field(description="The actors merged into it.")
    notes: list[ActorNote] = Field(description="Notes on it and on those, oldest first.")


@router.get("/curation", response_model=list[CurationActRecord], responses=PAGE_HEADERS)
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
    response_model=CurationActRecord,
    status_code=201,
    dependencies=[Depends(require_writer)],
    responses={
        **WRITE_RESPONSES,
        **_BODY_ERRORS,
        404: _problem("No such statement or actor."),
        409: _problem(
            "A merge the curation's state refuses: an actor into itself, one merged already, "
            "or a cycle."
        ),
    },
)
def curate(body: CurationRequest, svc: KnowledgeService = Depends(service)) -> dict:
    """Mark a statement wrong (it leaves every answer) or confirmed; hide an actor (it and
    its statements leave every answer); merge an actor into another (its statements, names
    and notes become that actor's); or attach a note to an actor or a statement. The
    answers follow before the 201."""
    act = svc.curate(body.verdict, body.target, body.curator, body.why, into=body.into)
    return asdict(act)


@router.delete(
    "/curation/{act_id}",
    response_model=CurationActRecord,
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
    """Take an act back: what it changed returns to the answers; the act stays in the
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


@router.get(
    "/actors/{actor_id}/curation",
    response_model=ActorCuration,
    tags=["actors"],
    responses=UNKNOWN_ACTOR,
)
def actor_curation_route(
    actor_id: str = Path(max_length=MAX_NAME), svc: KnowledgeService = Depends(service)
) -> dict:
    """What analysts said of an actor: the actors merged into it and the notes on it. An
    actor merged into another answers as that other (as /actors/{id} does)."""
    node = _actor(svc, actor_id)
    with svc.reading() as ledger:
        return {"id": node, **actor_curation(ledger, node)}
