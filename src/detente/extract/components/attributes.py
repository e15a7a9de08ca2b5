"""``detente_attributes``: what the text says *about* each relation.

* negation — a negator on the trigger or on the clause that governs it ("does not
  support", "is not ready to work with"), "no" on a nominal trigger, or a governing verb
  that denies its complement ("refused to back");
* modality — ``hypothetical`` under a modal or "will" (what is still to come is no fact
  yet), a conditional, a question or a verb of hoping, fearing or scheduling; ``reported``
  inside the complement of a reporting verb or noun ("X said", "the minister's claim
  that", "according to"), in what an accuser says the accused did, after hearsay words
  ("reportedly", "suspected") and inside a quoted clause, with who reported it;
* date — the relation's own clause first: a date phrase attached to the clause of its
  trigger ("struck on Monday", "in March 2019", "last year"); then the rest of its
  sentence, nearest first, leaving out dates inside a relative clause or apposition that
  describes one of its actors ("Ruritania, which joined the bloc in 1995, ..."); then, for
  a sentence with no date of its own, its paragraph: only when the relation's clause
  narrates a past event, the paragraph gives a day before the sentence and every date it
  gives is that day (a paragraph that narrates one day's event). Never from a caption or
  other boilerplate block, a dateline or another paragraph; relative dates ("on
  Wednesday", "last year") only against a known publication date; a date after
  publication is a misreading; never guessed. Precision as the text gives it: ``YYYY``,
  ``YYYY-MM`` or ``YYYY-MM-DD``;
* theatre — where the event takes place: a place the trigger's clause locates it in
  ("strikes in northern Ruritania", "shelling near Zenda", "into Ruritanian waters"), or a
  place standing as an argument ("shelled Zenda"); else, for events that happen on the
  target's ground (attacks, deployments, aid, withdrawals, threats), the target's country
  when the phrase names the target itself or its ground ("Ruritania", "Ruritanian
  villages", not "a Ruritanian frigate"); else the home ground of a non-state party. Never
  the subject's home because it is the subject, never a dateline's place; otherwise none;
* confidence — the relation model's calibrated probability of the relation where it
  decided it (``detente_relation_model``); else from the construction and how directly
  each argument was named.

Every lookup is local: dates and places are indexed by sentence once per document, so a
relation costs the same in a long document as in a short one.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from detente.domain import Via
from detente.extract.arguments import stolen_subject_of
from detente.extract.components.blocks import boilerplate_tokens, in_dateline, paragraph_of
from detente.extract.components.relations import RelationMention
from detente.extract.lexicon import Lexicon, load_lexicon
from detente.ontology import Actor, Gazetteer, load_gazetteer

_PATTERN_CONFIDENCE = {
    "compound": 0.9,
    "verbal": 0.85,
    "passive": 0.85,
    "adjectival": 0.75,
    "idiom": 0.8,
    "nominal": 0.75,
    "relational": 0.7,
}
_VIA_CONFIDENCE = {
    Via.name: 1.0,
    Via.author: 0.85,
    Via.leader: 0.95,
    Via.metonym: 0.95,
    Via.capital: 0.9,
    Via.demonym: 0.9,
    Via.official: 0.9,
    Via.sector: 0.9,
    Via.coref: 0.85,
    Via.place: 0.8,
    Via.person: 0.8,
    Via.ner: 0.75,
}
_CLIMB = ("xcomp", "acomp", "oprd", "attr", "auxpass")
_LOCATIVE = ("in", "inside", "across", "throughout", "within", "into", "near", "outside", "off")
# Nouns for a stretch of ground, which a nationality adjective locates ("Ruritanian soil").
_GROUND_WORDS = (
    "territory soil airspace waters border borders frontier coast coastline side land "
    "lands region province city cities town towns village villages capital countryside "
    "north south east west northeast northwest southeast southwest"
)
_GROUND = frozenset(_GROUND_WORDS.split())
# Predicates whose event happens on the target's ground: its country is the theatre when
# the clause names no place. Coercion is not among them (an expulsion or a ban happens
# where the coercer is, a blockade where the target is), nor fighting, whose two sides
# are interchangeable ("A fought B" is "B fought A"): the object says nothing about where.
_ON_TARGET_GROUND = frozenset({"attacks", "mobilizes", "aids", "retreats", "threatens"})
# Clause boundaries: a date or place attached beyond one belongs to another event.
_CLAUSE = frozenset({"ccomp", "advcl", "relcl", "acl", "parataxis", "csubj", "csubjpass"})
_MODIFIER_CLAUSE = frozenset({"relcl", "acl", "appos"})
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_DURATION = re.compile(r"\b(years|months|weeks|days|decades?|hours)\b|\blong\b", re.IGNORECASE)
_ANCHORED = re.compile(
    r"\b(ago|last|next|this|previous|earlier|later|yesterday|today)\b", re.IGNORECASE
)
_DECADE = re.compile(r"\b(\d{4}|'?\d0)s\b")
# What a date expression must name: a month, a weekday, a year, or a span anchored to the
# publication date. A bare number ("21" in a newspaper's name) is not a date.
_CALENDAR = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(\s|$)|"
    r"\b(mon|tues|wednes|thurs|fri|satur|sun)day\b|\b\d{4}\b|"
    r"\b(today|yesterday|ago|week|month|year|weekend)\b",
    re.IGNORECASE,
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = re.compile(
    r"^(?:on )?(?:(late|early|last) )?(" + "|".join(_WEEKDAYS) + r")"
    r"(?: (?:morning|afternoon|evening|night))?$",
    re.IGNORECASE,
)
_WEEK = re.compile(r"^(?:earlier |later )?(this|last|past|previous) week$", re.IGNORECASE)
# "early 2020", "mid-2019", "late last year", "the end of March": the period they qualify,
# at its own precision.
_QUALIFIED = re.compile(
    r"^(?:the )?(?:early|mid|late|earlier|later|end of|beginning of|start of|middle of|"
    r"first half of|second half of|(?:spring|summer|autumn|fall|winter) of|"
    r"(?:spring|summer|autumn|fall|winter))[- ](?:of )?(.+)$",
    re.IGNORECASE,
)


# Words of time without a date: a sentence or paragraph using them places its event in
# time, and a date taken from elsewhere could contradict it.
_VAGUE = re.compile(
    r"\b(recent|recently|earlier|later|previous|previously|past|ago|since|now|then|"
    r"times?|decades?|centur(y|ies)|season|days?|nights?|morning|evening|weeks?|months?)\b",
    re.IGNORECASE,
)


def _names_a_time(text: str) -> bool:
    """Whether a DATE entity is about time at all: the small model tags bare numbers ("21"
    in a newspaper's name) and even place names as dates."""
    return bool(_CALENDAR.search(text) or _VAGUE.search(text))


_LENGTH = re.compile(r"\b(years?|months?|weeks?|days?|decades?|hours?|nights?)\b", re.I)


def _is_length(text: str) -> bool:
    """'one week', 'three days', 'for years': a length of time, not a point in it."""
    return bool(_LENGTH.search(text)) and not _ANCHORED.search(text) and not _YEAR.search(text)


def _weekday(text: str, published: date) -> str | None:
    """'on Tuesday', 'late Friday', 'Sunday night': the last such day up to publication (the
    day itself when it is that day: wire copy names the day of the week, not "today")."""
    m = _WEEKDAY.match(text.strip())
    if m is None:
        return None
    back = (published.weekday() - _WEEKDAYS.index(m[2].lower())) % 7
    if back == 0 and (m[1] or "").lower() == "last":
        back = 7
    return (published - timedelta(days=back)).isoformat()


def _week(text: str, published: date) -> str | None:
    """'this week', 'last week': the month, when the whole week lies in one; else None."""
    m = _WEEK.match(text.strip())
    if m is None:
        return None
    monday = published - timedelta(days=published.weekday())
    if m[1].lower() != "this":
        monday -= timedelta(days=7)
    end = min(monday + timedelta(days=6), published)
    return f"{end.year:04d}-{end.month:02d}" if monday.month == end.month else None


@lru_cache(maxsize=4096)
def normalise_date(text: str, published: date | None) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` for a date expression, or None.

    Without a publication date only expressions that name a year are resolved. Decades,
    durations and anything after the publication date give None.
    """
    text = " ".join(text.split())
    if _DECADE.search(text) or not _CALENDAR.search(text):
        return None
    if published is not None:
        if _WEEKDAY.match(text):
            return _weekday(text, published)
        if _WEEK.match(text):
            return _week(text, published)
    qualified = _QUALIFIED.match(text)
    if qualified:
        return normalise_date(qualified[1], published)
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
    if data.period == "week":
        return None  # a week is not a day
    return when.isoformat()


def _clause_path(token: Token) -> list[Token]:
    """``token`` and the words above it up to the verb (or root) heading its clause;
    infinitival complements ("agreed to send") belong to the clause that governs them."""
    path = [token]
    while token.head.i != token.i and token.dep_ not in _CLAUSE:
        if token.dep_ == "conj" and token.pos_ in ("VERB", "AUX"):
            break  # a coordinated clause: "struck X on Monday and shelled Y"
        token = token.head
        path.append(token)
    return path


def _clause_head(token: Token) -> Token:
    return _clause_path(token)[-1]


def _dominates(node: Token, token: Token) -> bool:
    return node.left_edge.i <= token.i <= node.right_edge.i


def _about_a_participant(ent: Span, rel: RelationMention) -> bool:
    """A date inside a relative clause or apposition describing one of the relation's
    actors ("Ruritania, which joined the bloc in 1995, ...") dates that actor's story,
    not this relation."""
    trigger = rel.trigger.root
    spans = (rel.subject.span, rel.object.span, rel.subject.mention, rel.object.mention)
    for node in (ent.root, *ent.root.ancestors):
        if (
            node.dep_ in _MODIFIER_CLAUSE
            and not _dominates(node, trigger)
            and any(span.start <= node.head.i < span.end for span in spans)
        ):
            return True
    return False


def _names_ground(arg) -> bool:
    """Whether a target phrase names the actor itself ("Ruritania", "the rebels") or a
    stretch of its ground ("Ruritanian villages", "the Ruritanian port of Zenda"), rather
    than its forces or equipment ("a Ruritanian frigate", "Ruritanian troops"), which may be
    anywhere."""
    root = arg.span.root
    if arg.mention.start <= root.i < arg.mention.end:
        return True
    return root.lemma_.lower() in _GROUND or root.lower_ in _GROUND


def _narrates_past(head: Token) -> bool:
    """A clause in the simple past ("struck", "was struck", "did not strike")."""
    if head.tag_ == "VBD":
        return True
    return head.tag_ == "VBN" and any(
        c.dep_ in ("aux", "auxpass") and c.tag_ == "VBD" and c.lower_ != "had"
        for c in head.children
    )


class _DocIndex:
    """What the attributes read, indexed by sentence once per document."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.starts: list[int] = [s.start for s in doc.sents]
        boilerplate = boilerplate_tokens(doc)
        self.dates: dict[int, list[Span]] = defaultdict(list)
        for ent in doc.ents:
            if ent.label_ != "DATE" or ent.start in boilerplate:
                continue
            if in_dateline(doc, ent.start_char):
                continue  # the day a story was filed, not the day of its events
            if _names_a_time(ent.text):
                self.dates[self.sentence(ent.start)].append(ent)
        self.places: dict[int, list[Span]] = defaultdict(list)
        for span in doc._.places or ():
            self.places[self.sentence(span.start)].append(span)
        self.demonyms: dict[int, Actor] = {}
        for span in doc._.actor_mentions or ():
            if span._.via == Via.demonym and span._.actor.type == "State":
                for i in range(span.start, span.end):
                    self.demonyms[i] = span._.actor

    def sentence(self, i: int) -> int:
        """The number of the sentence holding token ``i``."""
        return bisect_right(self.starts, i) - 1

    def sentence_places(self, n: int) -> list[Span]:
        return self.places.get(n, [])

    def paragraph_sentences(self, n: int, token: Token) -> range:
        """Numbers of the sentences in the prose paragraph of ``token``, which is in
        sentence ``n`` (empty when it is in no paragraph)."""
        doc = self.doc
        paragraph = paragraph_of(doc, token.idx)
        if paragraph is None:
            return range(0)
        first = last = n
        while first > 0 and doc[self.starts[first - 1]].idx >= paragraph[0]:
            first -= 1
        while last + 1 < len(self.starts) and doc[self.starts[last + 1]].idx < paragraph[1]:
            last += 1
        return range(first, last + 1)


class AttributeTagger:
    def __init__(self, lexicon: str | None, gazetteer: str | None) -> None:
        self.lexicon: Lexicon = load_lexicon(lexicon)
        self.gazetteer: Gazetteer = (
            load_gazetteer(Path(gazetteer)) if gazetteer else load_gazetteer()
        )

    def __call__(self, doc: Doc) -> Doc:
        relations = doc._.relations or ()
        if not relations:
            return doc
        index = _DocIndex(doc)
        for rel in relations:
            trigger = rel.trigger.root
            chain = self._governing_chain(trigger) if rel.governed else [trigger]
            # A compound states no clause to negate; the model's own relations carry the
            # status it read.
            if rel.pattern not in ("compound", "model"):
                rel.negated = self._negated(trigger, chain)
                if rel.negated and rel.negated_as:
                    rel.predicate, rel.negated = rel.negated_as, False
                rel.modality, rel.reported_by = self._modality(trigger, chain, rel.sentence)
            rel.date = self._date(rel, index)
            rel.theatre = self._theatre(rel, index)
            if rel.model_probability is not None:
                # The model's calibrated probability: what ``confidence`` promises.
                rel.confidence = round(rel.model_probability, 3)
                continue
            rel.confidence = round(
                _PATTERN_CONFIDENCE[rel.pattern]
                * _VIA_CONFIDENCE.get(rel.subject.via, 0.8)
                * _VIA_CONFIDENCE.get(rel.object.via, 0.8),
                3,
            )
        return doc

    # ------------------------------------------------------------------ negation
    def _governing_chain(self, trigger: Token) -> list[Token]:
        """The trigger and the words whose clause it completes ("not ready to work")."""
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
            elif node.dep_ == "pobj" and self._participates(node.head.head):
                # "will not take part in the strikes", "was not involved in the raid"
                node = node.head.head
            elif node.dep_ in _CLIMB or (node.dep_ == "pcomp" and node.head.dep_ == "prep"):
                node = node.head if node.dep_ != "pcomp" else node.head.head
            else:
                break
            chain.append(node)
        return chain

    def _participates(self, word: Token) -> bool:
        """A verb of taking part ("participate in", "take part in", "join in")."""
        if word.pos_ not in ("VERB", "AUX"):
            return False
        lemma = word.lemma_.lower()
        if any(c.dep_ == "dobj" for c in word.children):
            objects = " ".join(c.lower_ for c in word.children if c.dep_ == "dobj")
            lemma = f"{lemma} {objects}"
        return lemma in self.lexicon.participation

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
        quotation = _quotation(trigger, sentence)
        if quotation is not None:
            return "reported", self._speaker(quotation) or "unattributed"
        for node in chain:
            if any(c.dep_ in ("advmod", "amod") and c.lower_ in lex.hearsay for c in node.children):
                return "reported", "unattributed"
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
            if (
                node.dep_ == "prep"
                and node.lower_ in ("of", "about")
                and ancestor.lemma_.lower() in lex.reporting_nouns | lex.accusation_nouns
            ):
                # "reports of Chilean assistance", "allegations of collusion"
                return self._who(ancestor, ("poss",)) or "unattributed"
            if (
                node.dep_ == "prep"
                and node.lower_ in ("of", "for")
                and ancestor.pos_ == "VERB"
                and ancestor.lemma_.lower() in lex.accusing
            ):
                # "Lima accused Quito of arming the rebels": the arming is Lima's claim
                return self._who(ancestor, ("nsubj",)) or "unattributed"
            node = ancestor
        if (
            trigger.dep_ == "pcomp"
            and trigger.head.lower_ == "as"
            and trigger.head.head.lemma_.lower() in _PERCEIVING
            and any(c.dep_ == "nsubjpass" for c in trigger.head.head.children)
        ):
            # "Egypt is seen as backing X": how others see it, not the author's word
            agents = [
                p for c in trigger.head.head.children if c.dep_ == "agent" for p in c.children
            ]
            return _phrase(agents[0]) if agents else "unattributed"
        # "Egypt delivered aid to Somalia, three sources said": the parser may hang the
        # reporting clause off the reported one.
        clause = trigger
        while clause.dep_ not in ("ROOT", "parataxis") and clause.head is not clause:
            clause = clause.head
        for child in clause.children:
            if (
                child.dep_ == "parataxis"
                and child.i > trigger.i
                and child.lemma_.lower() in lex.reporting
            ):
                who = self._who(child, ("nsubj",))
                if who:
                    return who
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

    def _speaker(self, quotation: Span) -> str | None:
        """Who a quotation is attributed to: the subject of a reporting verb outside it, in
        the sentence where it opens or closes ("“...,” the minister said")."""
        doc = quotation.doc
        sentences = {quotation[0].sent, doc[max(quotation.end - 1, quotation.start)].sent}
        for token in (t for sent in sentences for t in sent):
            if quotation.start <= token.i < quotation.end:
                continue
            if token.lemma_.lower() in self.lexicon.reporting:
                who = self._who(token, ("nsubj",))
                if who:
                    return who
        return None

    def _who(self, head: Token, deps: tuple[str, ...]) -> str | None:
        for child in head.children:
            if child.dep_ in deps:
                return _phrase(child)
        if "nsubj" in deps:  # a subject the parser hung elsewhere ("In a speech on Monday, X said")
            # the nearest such phrase (an outer "In a rebuke ..." holds the inner one)
            for token in reversed(head.doc[head.sent.start : head.i]):
                verb = stolen_subject_of(token)
                if verb is not None and verb.i == head.i:
                    # its own noun phrase, not what the parser hung from it
                    modifiers = [
                        c.left_edge.i
                        for c in token.children
                        if c.dep_ in ("det", "poss", "compound", "amod") and c.i < token.i
                    ]
                    return token.doc[min([token.i, *modifiers]) : token.i + 1].text
        return None

    # ------------------------------------------------------------------ date
    def _date(self, rel: RelationMention, index: _DocIndex) -> str | None:
        published = index.doc._.published
        trigger = rel.trigger.root
        n = index.sentence(trigger.i)
        dates = index.dates.get(n, [])
        clause = _clause_head(trigger).i
        by_distance = sorted(dates, key=lambda e: abs(e.root.i - trigger.i))
        own = [e for e in by_distance if _clause_head(e.root).i == clause]
        rest = [e for e in by_distance if e not in own and not _about_a_participant(e, rel)]
        if not own and not rest:
            return self._paragraph_date(rel, index, n)
        for ent in own + rest:
            value = normalise_date(ent.text, published)
            if value:
                return value
        return None  # the sentence names its time, in words that give no date

    def _paragraph_date(self, rel: RelationMention, index: _DocIndex, n: int) -> str | None:
        """The day of the one event a paragraph narrates, for a sentence in the past tense
        that gives none: every date of the paragraph must be the same day, and one must
        come before the sentence ("On 3 May Ruritania shelled the port. Its navy blockaded
        the coast." dates the blockade 3 May)."""
        if not _narrates_past(_clause_head(rel.trigger.root)):
            return None
        published = index.doc._.published
        values: set[str] = set()
        before = False
        for m in index.paragraph_sentences(n, rel.trigger.root):
            for ent in index.dates.get(m, ()):
                value = normalise_date(ent.text, published)
                if value:
                    values.add(value)
                    before = before or m < n
                elif not _is_length(ent.text):
                    return None  # a time the paragraph names that may be another day
        if len(values) == 1 and before:
            value = values.pop()
            # A day: a paragraph narrating what happened that day. A year or a month
            # frames a story that may go on past it.
            return value if len(value) == 10 else None
        return None

    # ------------------------------------------------------------------ theatre
    def _theatre(self, rel: RelationMention, index: _DocIndex) -> str | None:
        arguments = set(range(rel.subject.span.start, rel.subject.span.end)) | set(
            range(rel.object.span.start, rel.object.span.end)
        )
        n = index.sentence(rel.trigger.root.i)
        places: dict[int, Span] = {}
        for span in index.sentence_places(n):
            if arguments.isdisjoint(range(span.start, span.end)):
                for i in range(span.start, span.end):
                    places[i] = span
        located = self._located(rel.trigger.root, places, index)
        if located:
            return located
        for arg in (rel.object, rel.subject):
            if arg.via == Via.place and arg.mention._.place is not None:
                return self._place_label(arg.mention._.place)
        if rel.predicate in _ON_TARGET_GROUND and _names_ground(rel.object):
            label = self._ground(rel.object.actor)
            if label:
                return label
        for arg in (rel.object, rel.subject):
            label = self._home_ground(arg.actor)
            if label:
                return label
        return None

    def _located(self, trigger: Token, places: dict[int, Span], index: _DocIndex) -> str | None:
        """The place a locative phrase of the trigger's clause names: on the trigger, on the
        words its clause hangs from (up to the clause's head), or inside its own phrase
        ("strikes on rebel positions in the north of Ruritania")."""
        nodes = _clause_path(trigger)
        below = [trigger]
        k = 0
        while k < len(below) and len(below) < 60:
            for child in below[k].children:
                if child.dep_ not in _CLAUSE and not (
                    child.dep_ == "conj" and child.pos_ in ("VERB", "AUX")
                ):
                    below.append(child)
            k += 1
        for holder in (trigger, *below[1:], *nodes[1:]):
            for prep in holder.children:
                if prep.dep_ != "prep" or prep.lower_ not in _LOCATIVE:
                    continue
                for pobj in prep.children:
                    if pobj.dep_ == "pobj":
                        label = self._place_of_phrase(pobj, places, index)
                        if label:
                            return label
        return None

    def _place_of_phrase(
        self, head: Token, places: dict[int, Span], index: _DocIndex
    ) -> str | None:
        """The place a noun phrase names: itself or a modifier ("Ruritania's Zenda province"),
        an "of" phrase ("the north of Ruritania"), or a nationality adjective on a stretch
        of ground ("Ruritanian soil", "Ruritanian waters")."""
        modifiers = [c for c in head.children if c.dep_ in ("compound", "poss", "nmod", "amod")]
        for token in (head, *modifiers):
            if token.i in places:
                return self._place_label(places[token.i]._.place)
        for prep in head.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                for pobj in prep.children:
                    if pobj.dep_ == "pobj" and pobj.i in places:
                        return self._place_label(places[pobj.i]._.place)
        if head.lemma_.lower() in _GROUND or head.lower_ in _GROUND or head.pos_ == "PROPN":
            for token in modifiers:
                state = index.demonyms.get(token.i)
                if state is not None:
                    return state.label
        return None

    def _place_label(self, place) -> str | None:
        if place.theatre and place.country != place.label:
            return place.label
        return self.gazetteer.country_label(place.country) or place.label

    def _ground(self, actor: Actor) -> str | None:
        """The country an actor is on: a state itself, anyone else where they operate."""
        if actor.type == "State":
            return actor.label
        if actor.type in ("IGO", "Coalition") or actor.id.startswith("x:"):
            return None
        if actor.theatre:
            return self.gazetteer.country_label(actor.theatre) or actor.theatre
        return self.gazetteer.country_label(actor.home)

    def _home_ground(self, actor: Actor) -> str | None:
        """Where a non-state party is at home (an armed group, a contested government);
        states, their leaders and officials, IGOs and coalitions have none here."""
        if actor.type in ("State", "IGO", "Coalition", "Person", "Leader"):
            return None
        if actor.id.startswith("x:"):
            return None
        if actor.theatre:
            return self.gazetteer.country_label(actor.theatre) or actor.theatre
        return self.gazetteer.country_label(actor.home)


# Verbs of judging someone to be something ("is seen as", "was described as").
_PERCEIVING = frozenset(
    {
        "see",
        "view",
        "regard",
        "consider",
        "describe",
        "perceive",
        "portray",
        "characterise",
        "characterize",
        "depict",
        "paint",
        "brand",
        "label",
    }
)
_OPENING = "“«"
_CLOSING = "”»"


def _quotation(token: Token, sentence: Span) -> Span | None:
    """The quoted clause of its paragraph ``token`` stands in, if any (a quotation runs on
    until it is closed, across sentences). A quoted word or name with no verb in it is a
    title or a scare quote ("what Lima called “an outrage”"), not a quotation."""
    doc = token.doc
    bounds = paragraph_of(doc, token.idx) or (sentence.start_char, sentence.end_char)
    block = doc.char_span(*bounds, alignment_mode="expand")
    if block is None:
        return None
    # The paragraph's own text: Doc.text would join the whole document on every call.
    start, text = block.start_char, block.text
    opened: int | None = None
    for k in range(token.idx - start):
        ch = text[k]
        if ch in _OPENING or (ch == '"' and opened is None):
            opened = k
        elif ch in _CLOSING or ch == '"':
            opened = None
    if opened is None:
        return None
    end = len(text)
    for k in range(token.idx - start, len(text)):
        if text[k] in _CLOSING or text[k] == '"':
            end = k
            break
    opened, end = opened + start, end + start
    inside = doc.char_span(opened + 1, end, alignment_mode="expand")
    if inside is None or not any(t.pos_ in ("VERB", "AUX") for t in inside):
        return None
    return inside


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
