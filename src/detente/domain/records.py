"""The records the extractor emits, one per relation found in a document, and what the
knowledge graph stores of each."""

from __future__ import annotations

from pydantic import BaseModel, Field

from detente.domain.mentions import Via
from detente.domain.stance import Modality, Polarity, QuadClass


class TextSpan(BaseModel):
    text: str
    start: int
    end: int


class ActorRef(BaseModel):
    """An actor as mentioned in the text."""

    id: str
    label: str
    type: str
    code: str | None = None
    qid: str | None = None
    text: str = Field(description="the words in the document that name the actor")
    start: int = Field(description="character offset of the mention in the document")
    end: int
    via: Via = Field(
        description="how the words name the actor: name, demonym, leader, capital, coref, ..."
    )
    antecedent: TextSpan | None = Field(
        None, description="for a pronoun or 'the former': the earlier mention it refers to"
    )


class Relation(BaseModel):
    """One sourced statement: subject stands in `predicate` to object."""

    document: str = Field(description="content hash of the document text")
    subject: ActorRef
    predicate: str
    object: ActorRef
    polarity: Polarity
    plover: str
    quad_class: QuadClass = Field(
        description="verbal or material, cooperation or conflict (the CAMEO/PLOVER quad class)"
    )
    weight: float = Field(description="stance weight on the Goldstein scale (-10..+10)")
    negated: bool
    modality: Modality
    reported_by: str | None = None
    date: str | None = Field(None, description="YYYY, YYYY-MM or YYYY-MM-DD, from the text only")
    theatre: str | None = None
    sentence: str
    sentence_start: int
    sentence_end: int
    trigger: str
    pattern: str = Field(description="the construction that expressed the relation")
    matched_by: str = Field(
        "detente",
        description="the lexicon entry that matched: detente's own ('detente'), or a CAMEO "
        "dictionary pattern ('CAMEO 163: * SANCTIONS')",
    )
    confidence: float
    extractor_version: str
