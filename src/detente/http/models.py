"""Request and response bodies of the REST API (they make the OpenAPI document)."""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field

from detente.domain import Polarity, QuadClass
from detente.domain.curation import Verdict
from detente.domain.records import Relation
from detente.extract.text import MAX_CHARS
from detente.ontology import predicates


def _iso_day(value: object) -> object:
    """Only an ISO 8601 calendar date as text: pydantic would also read 0 or 1700000000 as
    a date (seconds since 1970), which no client means."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_day)]

# Every string a client sends has a bound, checked before any handler runs (422 naming the
# field): an unbounded one reached code with limits of its own (an author of a million
# characters is tokenised as a name, past spaCy's max_length: a 500) or went into the store.
MAX_URL = 2000  # what browsers and proxies commonly carry
MAX_NAME = 200  # an author: a person, an organisation or a government
MAX_TITLE = 1000
# The text as sent: read_article allows HTML four times the text it keeps (MAX_CHARS).
MAX_TEXT = 4 * MAX_CHARS

QUAD_CLASS = (
    "verbalCooperation, materialCooperation, verbalConflict or materialConflict: the "
    "relation's CAMEO/PLOVER quad class (said or done, with or against)."
)


class Where(BaseModel):
    where: str = Field(description="The parameter or body field, e.g. query.limit.")
    problem: str


class Problem(BaseModel):
    """What every 4xx answer of the REST API carries (SPARQL routes answer plain text)."""

    detail: str = Field(description="What is wrong, in one line.")
    errors: list[Where] | None = Field(None, description="Each invalid parameter (422 only).")
    suggestions: list[str] | None = Field(
        None, description="An unknown actor or theatre (404): the nearest names the graph holds."
    )


Predicate = Enum(  # type: ignore[misc]
    "Predicate", {name: name for name in sorted(predicates())}, type=str, module=__name__
)


class ActorLabel(BaseModel):
    id: str
    label: str


class Evidence(BaseModel):
    document: str
    title: str | None = Field(description="The document's title, when it has one.")
    url: str | None = Field(description="The document's URL, when it came from the web.")
    sentence: str
    date: str | None


FAMILY = (
    "The predicate asked for (predicate=) this row is counted under: itself or one of its "
    "super-properties (aids is counted under backs); null when none was asked."
)


class _Statements(BaseModel):
    """What a row of ``/relations`` says of the statements behind it."""

    evidence_count: int
    first_date: str | None
    last_date: str | None
    confidence: float
    documents: list[str]
    evidence: list[Evidence]


class RelationRow(_Statements):
    """One (subject, predicate, object) of ``/relations``: the statements stating it."""

    family: str | None = Field(description=FAMILY)
    subject: ActorLabel
    predicate: str = Field(description="The predicate the statements state.")
    polarity: Polarity
    quad_class: QuadClass = Field(description=QUAD_CLASS)
    object: ActorLabel


class RelationPair(_Statements):
    """One (subject, object) of ``/relations?group=pair``: every statement between them
    (subject to object) that the filters let through, whatever its predicate."""

    family: str | None = Field(description=FAMILY)
    subject: ActorLabel
    object: ActorLabel
    predicates: dict[str, int] = Field(
        description="How many of the statements state each predicate, most first."
    )
    polarity: Polarity | None = Field(
        description="The polarity of the statements; null when they mix alignment and opposition."
    )


class ActorSummary(BaseModel):
    id: str
    label: str
    type: str
    statements: int = Field(description="Statements in which the actor takes part.")


class TheatreSummary(BaseModel):
    theatre: str
    statements: int = Field(description="Statements about the theatre.")
    undated: int = Field(description="Of them, statements the text gives no date for.")
    documents: int = Field(description="Documents they come from (a copy counted once).")
    actors: int = Field(description="Actors taking part in them.")
    first_date: str | None = Field(description="The earliest dated statement's date.")
    last_date: str | None = Field(description="The latest dated statement's date.")


class Partner(BaseModel):
    id: str
    label: str
    evidence_count: int
    predicates: list[str]


class NoteOut(BaseModel):
    act: str = Field(description="The act's id: DELETE /curation/{act} takes the note back.")
    text: str
    curator: str
    at: str


class ActorNote(NoteOut):
    about: str = Field(description="The actor it was written on (itself or one it absorbed).")


class Absorbed(BaseModel):
    id: str
    label: str
    names: list[str] = Field(description="Its label and names: they now lead to the actor.")


class Role(BaseModel):
    person: str | None = Field(
        None, description="Who stood for the actor (for a state, a government)."
    )
    for_: ActorLabel | None = Field(
        None, alias="for", description="The actor this person stood for (for a person)."
    )
    since: str | None
    until: str | None = Field(description="Null while in office.")


class PartnerInPeriod(ActorLabel):
    statements: int = Field(description="Statements between the two in the period.")


class PartnersInPeriod(BaseModel):
    period: str = Field(description="The year.")
    allies: list[PartnerInPeriod] = Field(description="Partners whose statements net to alignment.")
    adversaries: list[PartnerInPeriod] = Field(
        description="Partners whose statements net to opposition."
    )


class PartnersOverTime(BaseModel):
    periods: list[PartnersInPeriod] = Field(description="Each year with dated statements.")
    undated: int = Field(description="Its statements no text dates (in no period).")


class ActorProfile(ActorSummary):
    aliases: list[str] = Field(
        description="Names of the actor itself: its names, demonyms, capital, bodies that "
        "stand for it."
    )
    leaders: list[str] = Field(description="Its people in office now, each by one full name.")
    names_known: int = Field(
        description="Every name the gazetteer reads as the actor (past leaders, variants)."
    )
    wikidata: str | None
    allies: list[Partner]
    adversaries: list[Partner]
    country: ActorLabel | None = Field(
        None, description="The state it belongs to (itself, for a state), when known."
    )
    roles: list[Role] = Field(
        default_factory=list, description="Roles with dates, in office first, the latest first."
    )
    over_time: PartnersOverTime | None = Field(
        None, description="Its allies and adversaries, year by year."
    )
    absorbed: list[Absorbed] = Field(
        default_factory=list, description="The actors analysts merged into it."
    )
    notes: list[ActorNote] = Field(
        default_factory=list, description="Notes analysts attached to it and to those."
    )


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
    text: str = Field(
        min_length=1, max_length=MAX_TEXT, description="Plain text or HTML of one article."
    )
    title: str | None = Field(None, max_length=MAX_TITLE)
    url: str | None = Field(
        None, max_length=MAX_URL, description="Where it came from; identifies the document."
    )
    date: IsoDate | None = Field(None, description="Publication date (YYYY-MM-DD).")
    author: str | None = Field(
        None, max_length=MAX_NAME, description="Who speaks as 'we' in the text."
    )
    format: str = Field("auto", max_length=4, pattern="^(auto|text|html)$")


class FetchIn(BaseModel):
    url: str = Field(min_length=1, max_length=MAX_URL, description="An http(s) page to fetch.")
    author: str | None = Field(
        None, max_length=MAX_NAME, description="Who speaks as 'we' in the text."
    )


class FeedIn(BaseModel):
    url: str = Field(min_length=1, max_length=MAX_URL, description="An RSS or Atom feed.")
    every: float = Field(900.0, ge=60, description="Seconds between two polls (60 at least).")


class FeedInfo(BaseModel):
    url: str
    every: float
    last_poll: str | None = Field(None, description="When it was last polled (UTC).")
    last_error: str | None = Field(None, description="What went wrong last time, if anything.")
    documents: int = Field(description="Documents it added since the server started.")


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
    duplicate_of: str | None = Field(
        None,
        description="The document whose copy of the same story counts as evidence, when "
        "this one is a near-duplicate (its relations are then not counted again).",
    )


class Health(BaseModel):
    status: str
    store: str = Field(description="The kind of store: oxigraph, memory or sparql.")
    writable: bool = Field(description="Whether a write token is configured.")
    generation: int = Field(description="Counts writes since the service started.")
    state: str = Field(
        "live",
        description="live: answers reflect every write; rebuilding: a write the service "
        "could not follow (a SPARQL Update) is being read in, and answers are from before it.",
    )


# ---------------------------------------------------------------------- the explorer
class Suggestion(BaseModel):
    kind: str = Field(description="actor or theatre")
    id: str = Field(description="The actor id, or the theatre's label.")
    label: str
    matched: str = Field(description="The name that matched what was typed.")
    via: str = Field(description="How that name reads as the actor: label, leader, capital…")
    statements: int


class ViewNode(BaseModel):
    id: str
    label: str
    type: str
    evidence: int = Field(description="Statements on the edges shown.")
    bloc: int | None = Field(description="0 or 1: the structural-balance bloc, if any.")


class PredicateTally(BaseModel):
    predicate: str
    quad_class: QuadClass = Field(description=QUAD_CLASS)
    subject: str
    object: str
    count: int


class ViewEdge(BaseModel):
    id: str
    source: str
    target: str
    directed: bool = Field(description="Whether every one-way statement runs source to target.")
    stance: str = Field(description="alignment, opposition or mixed: the net vote.")
    net: float = Field(description="The Goldstein- and confidence-weighted vote.")
    evidence: int = Field(description="Statements (a wire copy's counted once).")
    documents: int = Field(description="Independent documents they come from.")
    outlets: int = Field(
        description="Outlets they come from (web hosts; a document without a URL is its own)."
    )
    confidence: float = Field(description="The statements' mean confidence.")
    material: float = Field(
        description="The share of the pair's weighted votes cast by material acts (aid, "
        "sanctions, fighting) rather than words; a verbal act votes half its Goldstein weight."
    )
    kind: str = Field(description="material (deeds make at least half the vote) or verbal.")
    frustrated: bool = Field(description="Whether the edge contradicts the blocs.")
    predicates: list[PredicateTally]


class TimelineBin(BaseModel):
    start: str = Field(description="The month (YYYY-MM) or year (YYYY).")
    alignment: int = Field(description="Dated statements of alignment in it.")
    opposition: int = Field(description="Dated statements of opposition in it.")


class ViewTimeline(BaseModel):
    period: str
    bins: list[TimelineBin] = Field(description="Every month or year from the first to the last.")
    dated: int
    undated: int = Field(description="Statements no text dates (not in any bin).")


class ViewDates(BaseModel):
    first: str | None
    last: str | None
    undated: int


class PredicateCount(BaseModel):
    predicate: str
    polarity: str
    quad_class: QuadClass = Field(description=QUAD_CLASS)
    count: int


class ViewBalance(BaseModel):
    balance: float | None
    triangles: int
    frustration: int


class AllianceMap(BaseModel):
    focus: str | None = Field(description="The actor asked for, if any.")
    nodes: list[ViewNode]
    edges: list[ViewEdge]
    pairs_total: int = Field(description="Actor pairs matching, before the most evidenced.")
    balance: ViewBalance
    dates: ViewDates = Field(description="The dates of the view without its date filter.")
    predicates: list[PredicateCount] = Field(
        description="Statements per predicate, without the predicate and polarity filters."
    )
    partitioned: bool = Field(
        description="Whether the nodes carry structural-balance blocs: only in a view of one "
        "theatre (blocs across unrelated theatres would say what the data does not)."
    )


class DocumentRef(BaseModel):
    id: str
    title: str | None
    source: str | None


class StatementVerdict(BaseModel):
    act: str = Field(description="The act's id: DELETE /curation/{act} takes it back.")
    verdict: Verdict
    curator: str


class PairStatement(BaseModel):
    statement: str
    subject: ActorLabel
    predicate: str
    quad_class: QuadClass = Field(description=QUAD_CLASS)
    object: ActorLabel
    sentence: str
    mentions: list[str] = Field(description="How the sentence names the two actors.")
    date: str | None
    negated: bool
    reported_by: str | None
    modality: str
    counted: bool = Field(
        description="Whether the edge counts it (negated ones and those marked wrong are not)."
    )
    curation: StatementVerdict | None = Field(
        description="The verdict an analyst gave it, if any (the latest in force)."
    )
    document: DocumentRef


class PairEvidence(BaseModel):
    sparql: str = Field(description="The same question as a SPARQL query.")
    statements: list[PairStatement]


class CurationIn(BaseModel):
    verdict: Verdict = Field(
        description="wrong or confirmed (a statement), hidden (an actor: it and every "
        "statement it takes part in leave the answers)."
    )
    target: str = Field(
        min_length=1,
        max_length=MAX_URL,
        description="The statement's IRI (as /view/evidence gives it) or the actor's id or name.",
    )
    curator: str = Field(
        "analyst", min_length=1, max_length=MAX_NAME, description="Who makes the act."
    )
    why: str | None = Field(None, max_length=2000, description="Why, in a sentence.")


class CurationActOut(BaseModel):
    id: str
    verdict: Verdict
    target: str
    curator: str
    at: str = Field(description="When it was made (UTC).")
    why: str | None
    retracted_at: str | None = Field(description="When it was taken back, if it was.")
    retracted_by: str | None
