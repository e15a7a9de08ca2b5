"""``detente_actors``: find the actors a document names.

Contract: after this component ``doc._.actor_mentions`` lists spans naming an actor, each
with ``span._.actor`` (an :class:`~detente.ontology.Actor`) and ``span._.via`` (how the
words name it: name, demonym, leader, capital, metonym, or ``ner`` for actors missing from
the gazetteer, never with a possessive ending: "Ana Ruiz's" is "Ana Ruiz"); ``doc._.places``
lists spans naming places (not a city inside a person's longer name), each with
``span._.place``. ``detente_noise`` then drops the recogniser's names that stand for no actor.
Names whose referent depends on time are resolved against ``doc._.published`` or, failing
that, the era estimated by ``detente_blocks``.
"""

from __future__ import annotations

import re
import statistics
import weakref
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, cast

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from detente.domain import Via
from detente.extract.components.blocks import in_dateline
from detente.ontology import Actor, load_gazetteer

if TYPE_CHECKING:
    from spacy.tokenizer import Tokenizer

_NER_TYPES = {"ORG": "Organization", "PERSON": "Person", "NORP": "Group"}


def _register() -> None:
    if not Span.has_extension("actor"):
        Span.set_extension("actor", default=None)
        Span.set_extension("via", default=None)
        Span.set_extension("place", default=None)
        Span.set_extension("antecedent", default=None)
        Span.set_extension("antecedents", default=None)
        Doc.set_extension("actor_mentions", default=None)
        Doc.set_extension("places", default=None)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _plausible_unknown(ent: Span) -> bool:
    """NER names worth treating as actors: short, capitalised, not a bare adjective."""
    words = [t for t in ent if not t.is_punct]
    if not words or len(words) > 6 or not any(t.text[:1].isupper() for t in words):
        return False
    if ent.text.endswith(("-", "–")):
        return False  # half of a suspended compound: "Syrian- and Iranian-backed"
    if _abbreviates_common_noun(ent):
        return False  # "an intermediate-range ballistic missile (IRBM)"
    if ent.label_ == "NORP":
        # "Kurds" or "Yazidis" as a noun can act; "Islamic" as a modifier cannot.
        return ent.root.pos_ in ("NOUN", "PROPN") and ent.root.dep_ not in ("amod", "compound")
    return not all(t.is_stop for t in words)


def _in_name(span: Span, person: Span | None) -> bool:
    """A place name inside a person's longer name (the recogniser's ``person``): "Milan"
    in "Milan Radoicic" is no city."""
    return (
        span.label_ == "PLACE"
        and person is not None
        and span.end <= person.end
        and len(person) > len(span)
    )


# The possessive ending, as the tokenizer splits it off ("Ruiz's", "Ruiz’s", "the rebels'").
_POSSESSIVE = frozenset({"'s", "’s", "'", "’"})


def _without_possessive(ent: Span) -> Span | None:
    """The name without the possessive ending the recogniser sometimes takes into it
    ("Ana Ruiz's" is Ana Ruiz); None for a name glued to its ending, which names no one
    the recogniser can tell."""
    end = ent.end
    while end > ent.start and ent.doc[end - 1].text in _POSSESSIVE:
        end -= 1
    if end == ent.start or ent.doc[end - 1].text.endswith(tuple(_POSSESSIVE - {"'", "’"})):
        return None
    return Span(ent.doc, ent.start, end, label=ent.label_)


def _abbreviates_common_noun(ent: Span) -> bool:
    """An acronym in brackets after the lower-case words it stands for names a thing, not
    an actor: "uncrewed aerial vehicles (UAV)"."""
    doc = ent.doc
    if not ent.text.replace(" ", "").isupper() or ent.start == 0 or ent.end >= len(doc):
        return False
    if doc[ent.start - 1].text != "(" or doc[ent.end].text != ")":
        return False
    before = [t for t in doc[max(0, ent.start - 6) : ent.start - 1] if t.is_alpha]
    return len(before) >= 2 and all(t.is_lower for t in before[-2:])


# Per pipeline, held only as long as the pipeline is.
_MATCHERS: weakref.WeakKeyDictionary[Language, dict[str | None, PhraseMatcher]] = (
    weakref.WeakKeyDictionary()
)


def gazetteer_matcher(nlp: Language, gazetteer: str | None) -> PhraseMatcher:
    """The gazetteer's actor names (``ACTOR``) and other place names (``PLACE``) as one
    phrase matcher, built once per pipeline: ``detente_name_guard`` and ``detente_actors``
    both match them, and tokenizing every name takes about a second."""
    built = _MATCHERS.setdefault(nlp, {})
    if gazetteer not in built:
        built[gazetteer] = _build_matcher(nlp, gazetteer)
    return built[gazetteer]


def _build_matcher(nlp: Language, gazetteer: str | None) -> PhraseMatcher:
    gaz = load_gazetteer(Path(gazetteer)) if gazetteer else load_gazetteer()
    matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    names = sorted(gaz.names())
    places = sorted(set(gaz.place_names()) - set(names))
    # spaCy types nlp.tokenizer as any str -> Doc callable; the pipelines here keep its own.
    tokenizer = cast("Tokenizer", nlp.tokenizer)
    matcher.add("ACTOR", list(tokenizer.pipe(names)))
    matcher.add("PLACE", list(tokenizer.pipe(places)))
    return matcher


class ActorRecognizer:
    def __init__(self, nlp: Language, gazetteer: str | None, unknown_actors: bool) -> None:
        _register()
        self.gazetteer = load_gazetteer(Path(gazetteer)) if gazetteer else load_gazetteer()
        self.unknown_actors = unknown_actors
        self.matcher = gazetteer_matcher(nlp, gazetteer)
        self._minted: dict[str, Actor] = {}

    def __call__(self, doc: Doc) -> Doc:
        # Actors minted for names the gazetteer lacks are named as this document writes
        # them: what a document yields depends on its text alone, not on which documents
        # the same process read before (a worker pool or a cluster reads them in any order).
        self._minted = {}
        gaz = self.gazetteer
        published, era = doc._.published, doc._.era
        mentions: list[Span] = []
        places: list[Span] = []
        persons = {i: e for e in doc.ents if e.label_ == "PERSON" for i in range(e.start, e.end)}
        spans = [
            s
            for s in filter_spans(self.matcher(doc, as_spans=True))
            if not _in_name(s, persons.get(s.start))
        ]
        if published is None and era is None:
            # A text with no date and no year: the leaders it names say when it was written
            # ("the embattled Assad" is before December 2024).
            era = self._era_of_leaders(spans)
            doc._.era = era
        for span in spans:
            if span._.is_boilerplate or in_dateline(doc, span.start_char):
                continue  # page furniture; a dateline's place is where the story was filed
            span._.place = gaz.place(span.text)
            if span.label_ == "ACTOR":
                resolved = gaz.resolve(span.text, when=published, era=era)
                if resolved:
                    span._.actor, reading = resolved
                    span._.via = reading.via
                    mentions.append(span)
            if span._.place is not None:
                places.append(span)
        if self.unknown_actors:
            taken = {i for span in spans for i in range(span.start, span.end)}
            for ent in doc.ents:
                if any(i in taken for i in range(ent.start, ent.end)) or ent._.is_boilerplate:
                    continue
                if in_dateline(doc, ent.start_char):
                    continue
                name = _without_possessive(ent)
                if name is None or name.label_ not in _NER_TYPES or not _plausible_unknown(name):
                    continue
                span = Span(doc, name.start, name.end, label="ACTOR")
                known = gaz.resolve(name.text, published, era) if name.end < ent.end else None
                if known:  # "Ana Ruiz's" is Ana Ruiz, whom the gazetteer may know
                    span._.actor, reading = known
                    span._.via = reading.via
                else:
                    span._.actor = self._mint(name)
                    span._.via = Via.ner
                mentions.append(span)
        doc._.actor_mentions = sorted(mentions, key=lambda s: s.start)
        doc._.places = places
        return doc

    def _era_of_leaders(self, spans: list[Span]) -> float | None:
        """The middle of the time every named leader was in office together, or failing
        that the median of their terms' middles; None without a leader of one term."""
        terms: list[tuple[float, float]] = []
        for span in spans:
            readings = [
                r
                for r in self.gazetteer.readings.get(span.text, ())
                if r.via == Via.leader and r.since is not None
            ]
            if len({(r.since, r.until) for r in readings}) != 1:
                continue  # no leader, or several terms: no single period
            term = readings[0]
            since = term.since
            assert since is not None  # only readings with a start were kept
            end = term.until or date.today()
            terms.append(
                (
                    since.year + since.timetuple().tm_yday / 366,
                    end.year + end.timetuple().tm_yday / 366,
                )
            )
        if not terms:
            return None
        lo, hi = max(t[0] for t in terms), min(t[1] for t in terms)
        if lo <= hi:
            return (lo + hi) / 2
        return statistics.median((a + b) / 2 for a, b in terms)

    def _mint(self, ent: Span) -> Actor:
        """An actor for a name the gazetteer lacks: its id is the same in every document,
        its label is this document's first spelling of it."""
        text = ent.text.removeprefix("the ").removeprefix("The ")
        key = f"x:{slug(text)}"
        if key not in self._minted:
            self._minted[key] = Actor(key, text, _NER_TYPES[ent.label_], "")
        return self._minted[key]


@Language.factory(
    "detente_actors",
    default_config={"gazetteer": None, "unknown_actors": True},
    requires=["doc.ents", "token.dep"],
    assigns=["doc._.actor_mentions", "doc._.places", "span._.actor", "span._.place"],
)
def make_actor_recognizer(
    nlp: Language, name: str, gazetteer: str | None, unknown_actors: bool
) -> ActorRecognizer:
    return ActorRecognizer(nlp, gazetteer, unknown_actors)
