"""``detente_attributes``: what the text says *about* each relation.

* negation — a negator on the trigger or on the clause that governs it ("does not
  support", "is not willing to live with"), "no" on a nominal trigger, or a governing verb
  that denies its complement ("refused to back");
* modality — ``hypothetical`` under a modal, a conditional, a question or a verb of
  hoping and fearing; ``reported`` inside the complement of a reporting verb or noun ("X
  said", "Erdogan's belief that", "according to"), with who reported it;
* date — the nearest date expression in the sentence, normalised to the precision the
  text gives; relative dates ("on Wednesday", "last year") only against a known
  publication date, never guessed;
* theatre — an explicit place the clause is "in", the place an argument stands for, or
  the home ground of a non-state party; otherwise none;
* confidence — from the construction and how directly each argument was named.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from detente.extract.components.relations import RelationMention
from detente.extract.lexicon import Lexicon, load_lexicon
from detente.ontology import Actor, Gazetteer, load_gazetteer

_PATTERN_CONFIDENCE = {
    "compound": 0.9,
    "verbal": 0.85,
    "passive": 0.85,
    "adjectival": 0.75,
    "nominal": 0.75,
    "relational": 0.7,
}
_VIA_CONFIDENCE = {
    "name": 1.0,
    "author": 0.85,
    "leader": 0.95,
    "metonym": 0.95,
    "capital": 0.9,
    "demonym": 0.9,
    "official": 0.9,
    "sector": 0.9,
    "coref": 0.85,
    "place": 0.8,
    "person": 0.8,
    "ner": 0.75,
}
_CLIMB = ("xcomp", "acomp", "oprd", "attr", "auxpass")
_LOCATIVE = ("in", "inside", "across", "throughout", "within")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_DURATION = re.compile(r"\b(years|months|weeks|days|decades?|hours)\b|\blong\b", re.IGNORECASE)
_ANCHORED = re.compile(
    r"\b(ago|last|next|this|previous|earlier|later|yesterday|today)\b", re.IGNORECASE
)


@lru_cache(maxsize=4096)
def normalise_date(text: str, published: date | None) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` for a date expression, or None.

    Without a publication date only expressions that name a year are resolved.
    """
    if _DURATION.search(text) and not _ANCHORED.search(text):
        return None
    if published is None and not _YEAR.search(text):
        return None
    from dateparser.date import DateDataParser

    settings = {
        "PREFER_DATES_FROM": "past",
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_TIME_AS_PERIOD": False,
    }
    if published is not None:
        settings["RELATIVE_BASE"] = datetime(published.year, published.month, published.day)
    data = DateDataParser(languages=["en"], settings=settings).get_date_data(text)
    if data is None or data.date_obj is None:
        return None
    when = data.date_obj.date()
    if published is not None and when > published:
        return None  # a date after publication is a misreading, not an event
    if data.period == "year":
        return f"{when.year:04d}"
    if data.period == "month":
        return f"{when.year:04d}-{when.month:02d}"
    return when.isoformat()


class AttributeTagger:
    def __init__(self, lexicon: str | None, gazetteer: str | None) -> None:
        self.lexicon: Lexicon = load_lexicon(lexicon)
        self.gazetteer: Gazetteer = load_gazetteer(gazetteer) if gazetteer else load_gazetteer()

    def __call__(self, doc: Doc) -> Doc:
        for rel in doc._.relations or ():
            trigger = rel.trigger.root
            chain = self._governing_chain(trigger) if rel.governed else [trigger]
            if rel.pattern != "compound":
                rel.negated = self._negated(trigger, chain)
                if rel.negated and rel.negated_as:
                    rel.predicate, rel.negated = rel.negated_as, False
                rel.modality, rel.reported_by = self._modality(trigger, chain, rel.sentence)
            rel.date = self._date(rel, doc)
            rel.theatre = self._theatre(rel, doc)
            rel.confidence = round(
                _PATTERN_CONFIDENCE[rel.pattern]
                * _VIA_CONFIDENCE.get(rel.subject.via, 0.8)
                * _VIA_CONFIDENCE.get(rel.object.via, 0.8),
                3,
            )
        return doc

    # ------------------------------------------------------------------ negation
    def _governing_chain(self, trigger: Token) -> list[Token]:
        """The trigger and the words whose clause it completes ("not willing to live")."""
        chain = [trigger]
        node = trigger
        for _ in range(4):
            if node.pos_ in ("NOUN", "PROPN") and node.dep_ in ("dobj", "nsubjpass", "attr"):
                node = node.head
            elif (
                node.dep_ == "pobj"
                and node.head.lower_ == "of"
                and node.head.head.dep_ in ("dobj", "attr")
            ):
                node = node.head.head.head
            elif node.dep_ in _CLIMB or (node.dep_ == "pcomp" and node.head.dep_ == "prep"):
                node = node.head if node.dep_ != "pcomp" else node.head.head
            else:
                break
            chain.append(node)
        return chain

    def _negated(self, trigger: Token, chain: list[Token]) -> bool:
        negators = self.lexicon.negators
        for node in chain:
            for child in node.children:
                if child.dep_ == "neg" or (
                    child.lower_ in negators and child.dep_ in ("advmod", "det", "preconj", "cc")
                ):
                    return True
        return any(node.lemma_.lower() in self.lexicon.negating_governors for node in chain[1:])

    # ------------------------------------------------------------------ modality
    def _modality(
        self, trigger: Token, chain: list[Token], sentence: Span
    ) -> tuple[str, str | None]:
        lex = self.lexicon
        if sentence.text.rstrip().endswith("?"):
            return "hypothetical", None
        for node in chain:
            if any(
                c.dep_ == "aux" and (c.lower_ in lex.modal_aux or c.lemma_ in lex.modal_aux)
                for c in node.children
            ):
                return "hypothetical", None
        if any(node.lemma_.lower() in lex.hypothetical_governors for node in chain[1:]):
            return "hypothetical", None
        for node in (trigger, *trigger.ancestors):
            if any(c.dep_ == "mark" and c.lower_ in lex.conditional_marks for c in node.children):
                return "hypothetical", None
            if node.dep_ == "xcomp" and node.head.lemma_.lower() in lex.hypothetical_governors:
                return "hypothetical", None
        reporter = self._reporter(trigger, sentence)
        if reporter is not None:
            return "reported", reporter
        return "asserted", None

    def _reporter(self, trigger: Token, sentence: Span) -> str | None:
        lex = self.lexicon
        node = trigger
        for ancestor in trigger.ancestors:
            if (
                node.dep_ in ("ccomp", "parataxis", "advcl", "conj")
                and ancestor.lemma_.lower() in lex.reporting
                and node.dep_ != "conj"
            ):
                return self._who(ancestor, ("nsubj", "nsubjpass"))
            if (
                node.dep_ in ("acl", "ccomp", "relcl")
                and ancestor.lemma_.lower() in lex.reporting_nouns
            ):
                return self._who(ancestor, ("poss",)) or "unattributed"
            node = ancestor
        doc = sentence.doc
        for token in sentence:
            if (
                token.lower_ == "according"
                and token.i + 1 < len(doc)
                and doc[token.i + 1].lower_ == "to"
            ):
                objs = [c for c in doc[token.i + 1].children if c.dep_ == "pobj"]
                if objs:
                    return _phrase(objs[0])
        return None

    def _who(self, head: Token, deps: tuple[str, ...]) -> str | None:
        for child in head.children:
            if child.dep_ in deps:
                return _phrase(child)
        return None

    # ------------------------------------------------------------------ date
    def _date(self, rel: RelationMention, doc: Doc) -> str | None:
        trigger = rel.trigger.root
        dates = [e for e in rel.sentence.ents if e.label_ == "DATE"]
        for ent in sorted(dates, key=lambda e: abs(e.root.i - trigger.i)):
            value = normalise_date(ent.text, doc._.published)
            if value:
                return value
        return None

    # ------------------------------------------------------------------ theatre
    def _theatre(self, rel: RelationMention, doc: Doc) -> str | None:
        argument_tokens = set(range(rel.subject.span.start, rel.subject.span.end)) | set(
            range(rel.object.span.start, rel.object.span.end)
        )
        places = {
            i: span
            for span in doc._.places or ()
            for i in range(span.start, span.end)
            if not argument_tokens.intersection(range(span.start, span.end))
        }
        trigger = rel.trigger.root
        for node in (trigger, *trigger.ancestors):
            for prep in node.children:
                if prep.dep_ == "prep" and prep.lower_ in _LOCATIVE:
                    for pobj in prep.children:
                        if pobj.dep_ == "pobj" and pobj.i in places:
                            return self._place_label(places[pobj.i]._.place)
        for arg in (rel.object, rel.subject):
            if arg.via == "place" and arg.mention._.place is not None:
                return self._place_label(arg.mention._.place)
        for arg in (rel.object, rel.subject):
            label = self._home_ground(arg.actor)
            if label:
                return label
        return None

    def _place_label(self, place) -> str | None:
        if place.theatre and place.country != place.label:
            return place.label
        return self.gazetteer.country_label(place.country) or place.label

    def _home_ground(self, actor: Actor) -> str | None:
        if actor.type in ("State", "IGO", "Coalition", "Person") or actor.id.startswith("x:"):
            return None
        if actor.theatre:
            return self.gazetteer.country_label(actor.theatre) or actor.theatre
        return self.gazetteer.country_label(actor.home)


def _phrase(token: Token) -> str:
    words = token.doc[token.left_edge.i : token.right_edge.i + 1].text
    return words if len(words) <= 80 else token.text


@Language.factory(
    "detente_attributes",
    default_config={"lexicon": None, "gazetteer": None},
    requires=["doc._.relations"],
    assigns=["doc._.relations"],
)
def make_attribute_tagger(
    nlp: Language, name: str, lexicon: str | None, gazetteer: str | None
) -> AttributeTagger:
    return AttributeTagger(lexicon, gazetteer)
