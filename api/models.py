"""Request and response bodies of the REST API (they make the OpenAPI document)."""

from __future__ import annotations

import datetime as dt
from enum import Enum

from pydantic import BaseModel, Field

from detente.extract.model import Relation


class Polarity(str, Enum):
    alignment = "alignment"
    opposition = "opposition"


class PathKind(str, Enum):
    alignment = "alignment"
    opposition = "opposition"


class ActorLabel(BaseModel):
    id: str
    label: str


class Evidence(BaseModel):
    document: str
    sentence: str
    date: str | None


class RelationRow(BaseModel):
    subject: ActorLabel
    predicate: str
    polarity: Polarity
    object: ActorLabel
    evidence_count: int
    first_date: str | None
    last_date: str | None
    confidence: float
    documents: list[str]
    evidence: list[Evidence]


class ActorSummary(BaseModel):
    id: str
    label: str
    type: str
    statements: int = Field(description="Statements in which the actor takes part.")


class Partner(BaseModel):
    id: str
    label: str
    evidence_count: int
    predicates: list[str]


class ActorProfile(ActorSummary):
    aliases: list[str]
    wikidata: str | None
    allies: list[Partner]
    adversaries: list[Partner]


class Hop(BaseModel):
    source: str
    target: str
    polarity: Polarity
    predicates: list[str]
    evidence: list[Evidence]


class FrustratedEdge(BaseModel):
    source: str
    target: str
    sign: int


class Balance(BaseModel):
    theatre: str | None
    balance: float | None = Field(description="Share of balanced triangles.")
    triangles: int
    blocs: list[list[str]]
    frustrated: list[FrustratedEdge]
    frustration: int


class DocumentIn(BaseModel):
    text: str = Field(min_length=1, description="Plain text or HTML of one article.")
    title: str | None = None
    url: str | None = Field(None, description="Where it came from; identifies the document.")
    date: dt.date | None = Field(None, description="Publication date.")
    author: str | None = Field(None, description="Who speaks as 'we' in the text.")
    format: str = Field("auto", pattern="^(auto|text|html)$")


class DocumentOut(BaseModel):
    id: str
    status: str = Field(description="added, replaced or unchanged")
    replaced: list[str]
    relations: list[Relation]


class DocumentInfo(BaseModel):
    id: str
    source: str | None
    title: str | None
    date: str | None
    relations: int


class Health(BaseModel):
    status: str
    store: str
    writable: bool
    generation: int
