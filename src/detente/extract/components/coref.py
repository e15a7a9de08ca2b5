"""``detente_coref``: resolve the references news relies on to actors named earlier.

Handles personal pronouns (he/his -> the last leader or person; it/its -> the last
singular non-person actor; they/them/their -> the last coordinated pair or plural group),
"the former"/"the latter" (the members of the last "A and B"), relative pronouns (the
noun the clause modifies) and bare definite descriptions ("the regime", "the group",
"the country"). A salience-ordered history in the spirit of Lappin & Leass (1994), reduced
to two of its factors within a short window (sentence recency, then subject emphasis, then
nearness), with a resolved pronoun keeping its chain's salience; plus agreement in person,
number and actor type. Cost: O(w) per reference for a window of w sentences' mentions.

Contract: adds spans with ``span._.via == Via.coref``, ``span._.antecedent`` and
``span._.antecedents`` (all referents: "they" may be "A and B") to ``doc._.actor_mentions``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from detente.domain import Via
from detente.extract.components.blocks import boilerplate_tokens

_PERSONAL = {"he", "him", "his", "she", "her", "hers", "himself", "herself"}
_NEUTER = {"it", "its", "itself"}
_PLURAL = {"they", "them", "their", "theirs", "themselves"}
_RELATIVE = {"who", "whom", "which", "that", "whose"}
_FIRST_PERSON = {"we", "us", "our", "ours", "ourselves", "i", "me", "my"}
_QUOTES = '"“”«»'
_PERSON_TYPES = {"Leader", "Person"}
_ARMED = {"ArmedGroup"}
_NON_STATE = {"ArmedGroup", "Organization", "Group"}
# Definite descriptions and the actor types they can refer to: "the kingdom" is a state,
# "the militants" an armed group, "the junta" a government.
_DESCRIPTIONS = {
    "regime": {"Government", "State"},
    "government": {"Government", "State"},
    "administration": {"Government", "State"},
    "authorities": {"Government", "State"},
    "junta": {"Government", "State"},
    "leadership": {"Government", "State", "Leader"},
    "country": {"State"},
    "kingdom": {"State"},
    "emirate": {"State"},
    "sultanate": {"State"},
    "republic": {"State"},
    "nation": {"State"},
    "state": {"State"},
    "group": _NON_STATE,
    "militia": _ARMED,
    "militias": _ARMED,
    "movement": _NON_STATE,
    "organisation": {"ArmedGroup", "Organization", "IGO"},
    "organization": {"ArmedGroup", "Organization", "IGO"},
    "faction": _NON_STATE,
    "rebels": _ARMED,
    "insurgents": _ARMED,
    "militants": _ARMED,
    "jihadists": _ARMED,
    "separatists": _ARMED,
    "fighters": _ARMED,
    "paramilitaries": _ARMED,
    "alliance": {"IGO", "Coalition", "ArmedGroup"},
    "bloc": {"IGO", "Coalition"},
    "coalition": {"Coalition", "IGO"},
    "president": {"Leader"},
    "leader": {"Leader"},
    "premier": {"Leader"},
}
# Descriptions only a monarchy fits: "the kingdom" two sentences after "Iran and Saudi
# Arabia" is Riyadh. Sovereign states styled so in their official names.
_STYLED = {
    "kingdom": {
        "BEL",
        "BHR",
        "BTN",
        "DNK",
        "ESP",
        "GBR",
        "JOR",
        "KHM",
        "LSO",
        "MAR",
        "NLD",
        "NOR",
        "SAU",
        "SWE",
        "SWZ",
        "THA",
        "TON",
    },
    "emirate": {"ARE", "KWT", "QAT"},
    "sultanate": {"BRN", "OMN"},
}
# How many sentences back a description may reach: further than a pronoun, since it
# carries its own meaning ("the kingdom" two paragraphs after "Saudi Arabia").
DESCRIPTION_WINDOW = 6


@dataclass
class _Entry:
    spans: tuple[Span, ...]
    sentence: int
    plural: bool
    person: bool
    subject: bool = False


def _is_person(span: Span) -> bool:
    return span._.via in (Via.leader, Via.person) or span._.actor.type in _PERSON_TYPES


def _is_plural(span: Span) -> bool:
    return span.root.tag_ in ("NNS", "NNPS")


def _np_head(token: Token) -> Token:
    """The noun a modifier belongs to ("Sudanese" -> "army")."""
    while token.dep_ in ("amod", "compound", "npadvmod") and token.head.i > token.i:
        token = token.head
    return token


def _backer(token: Token) -> bool:
    """A name in an "X-backed", "X-led" modifier: it says who stands behind the phrase,
    not who the phrase is ("the Iranian-backed group" is still a group to resolve)."""
    doc = token.doc
    return (
        token.i + 2 < len(doc)
        and doc[token.i + 1].text in ("-", "–")
        and doc[token.i + 2].lower_.endswith("ed")
    )


def _is_subject(span: Span) -> bool:
    # Every token whose head lies outside the span: a name the parser did not join up
    # ("Kata’ib/npadvmod Hezbollah/nsubjpass") has more than one.
    for head in (t for t in span if not span.start <= t.head.i < span.end):
        while head.dep_ in ("compound", "conj", "appos") and head.head is not head:
            head = head.head
        if head.dep_ in ("nsubj", "nsubjpass"):
            return True
    return False


def _clause_subjects(token: Token) -> set[int]:
    """Tokens of the subject of the pronoun's own clause: a non-reflexive object pronoun
    cannot refer to them (binding Principle B): in "the president praised him" he is not
    the president."""
    if (
        token.dep_ == "nsubj"
        and token.head.dep_ in ("ccomp", "xcomp")
        and token.head.tag_ == "VB"
        and not any(c.dep_ in ("aux", "auxpass") for c in token.head.children)
        and token.head.head is not token.head
    ):
        # "to help it fight": the subject of a bare infinitive is its governor's object
        verb = token.head.head
    elif token.dep_ not in ("dobj", "pobj", "dative", "iobj"):
        return set()
    else:
        verb = token.head if token.dep_ != "pobj" else token.head.head
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    while not subjects and verb.dep_ in ("xcomp", "advcl") and verb.head is not verb:
        # "Rwanda began sending troops to help it": the infinitive's understood subject,
        # Rwanda, is its clause's subject too
        verb = verb.head
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    return {i for c in subjects for i in range(c.left_edge.i, c.right_edge.i + 1)}


def _expletive(token: Token) -> bool:
    """'It is crucial that ...', 'it is important to ...': no referent."""
    head = token.head
    if token.lower_ != "it" or token.dep_ != "nsubj" or head.lemma_ != "be":
        return False
    return any(c.dep_ in ("ccomp", "xcomp", "advcl", "csubj") for c in head.children) or any(
        c.dep_ in ("acomp", "attr") and any(g.dep_ in ("xcomp", "ccomp") for g in c.children)
        for c in head.children
    )


_CANDIDATES = (
    _PERSONAL
    | _NEUTER
    | _PLURAL
    | _RELATIVE
    | _FIRST_PERSON
    | set(_DESCRIPTIONS)
    | {"former", "latter"}
)


def _may_refer(token: Token) -> bool:
    """Whether ``_resolve`` could do anything with this word (a cheap test first)."""
    return token.lower_ in _CANDIDATES


class Coreference:
    def __init__(self, window: int) -> None:
        self.window = window

    def __call__(self, doc: Doc) -> Doc:
        mentions = [m for m in doc._.actor_mentions or () if m._.via != Via.coref]
        if not mentions:
            return doc
        sent_of = {}
        for n, sent in enumerate(doc.sents):
            for i in range(sent.start, sent.end):
                sent_of[i] = n
        starts = {m.start: m for m in mentions}
        # Mentions by the tokens they cover, for relative pronouns: a lookup, not a scan.
        self._covering: dict[int, list[Span]] = {}
        for m in mentions:
            for i in range(m.start, m.end):
                self._covering.setdefault(i, []).append(m)
        pair_ends = self._pairs(mentions)
        # Only entries within the window can be antecedents: older ones are dropped as the
        # text moves on, so each pronoun looks at a few sentences, not the whole document.
        history: deque[_Entry] = deque()
        added: list[Span] = []
        boilerplate = boilerplate_tokens(doc)
        skip_until = -1
        for token in doc:
            n = sent_of.get(token.i, 0)
            while history and n - history[0].sentence > max(self.window, DESCRIPTION_WINDOW):
                history.popleft()
            if token.i in starts:
                m = starts[token.i]
                head = _np_head(m.root)
                if m._.via != Via.demonym or m.root.pos_ in ("NOUN", "PROPN"):
                    history.append(_Entry((m,), n, _is_plural(m), _is_person(m), _is_subject(m)))
                elif head is not m.root and head.pos_ == "NOUN":
                    # "Ukrainian officials ... they": the phrase a demonym heads is an actor
                    history.append(
                        _Entry((m,), n, head.tag_ == "NNS", False, head.dep_.startswith("nsubj"))
                    )
                skip_until = m.end
            if token.i in pair_ends:
                history.append(_Entry(pair_ends[token.i], n, True, False))
            if token.i < skip_until or token.i in boilerplate or not _may_refer(token):
                continue
            for span in self._resolve(doc, token, n, history):
                added.append(span)
                if span.label_ == "COREF":
                    # A chain keeps its salience (Lappin & Leass): "X ... It receives aid
                    # from Iran. It ..." is still X, the subject, not the nearer Iran.
                    referents = tuple(span._.antecedents)
                    history.append(
                        _Entry(
                            referents,
                            n,
                            len(referents) > 1 or token.lower_ in _PLURAL,
                            all(_is_person(r) for r in referents),
                            _is_subject(span),
                        )
                    )
        doc._.actor_mentions = sorted(mentions + added, key=lambda s: (s.start, s.end))
        return doc

    def _pairs(self, mentions: list[Span]) -> dict[int, tuple[Span, ...]]:
        """'A and B' pairs, keyed by the token index where B's phrase ends.

        The coordination is read on the noun phrases, so "the Sudanese army and the RSF"
        pairs the army (named by its demonym) with the RSF.
        """
        by_head: dict[int, Span] = {}
        for m in mentions:
            by_head.setdefault(_np_head(m.root).i, m)
        pairs: dict[int, tuple[Span, ...]] = {}
        for m in mentions:
            head = _np_head(m.root)
            if by_head.get(head.i) is not m:
                continue
            for conj in head.conjuncts:
                other = by_head.get(conj.i)
                if other is not None and other.start > m.start and other._.actor != m._.actor:
                    end = max(other.end - 1, conj.i)
                    pairs[end] = (m, other)
                    break
        return pairs

    def _resolve(self, doc: Doc, token: Token, n: int, history: deque[_Entry]) -> list[Span]:
        low = token.lower_
        if low in _FIRST_PERSON and doc._.author is not None:
            return self._author(doc, token)
        # Salience (after Lappin & Leass): nearer sentences first; within one, subjects
        # before other mentions ("X received aid from Iran that it used": X), then the
        # nearest.
        recent = sorted(
            (e for e in reversed(history) if n - e.sentence <= self.window),
            key=lambda e: (n - e.sentence, 0 if e.subject else 1),
        )
        target: tuple[Span, ...] | None = None
        span = doc[token.i : token.i + 1]
        owner = self._owning_subject(token, recent) if token.dep_ == "poss" else None
        if owner:
            target = owner
        elif low in _PERSONAL:
            bound = _clause_subjects(token)
            target = next(
                (
                    e.spans
                    for e in recent
                    if e.person and not e.plural and not any(s.start in bound for s in e.spans)
                ),
                None,
            )
        elif low in _NEUTER and not _expletive(token):
            bound = _clause_subjects(token)
            target = next(
                (
                    e.spans
                    for e in recent
                    if not e.person and not e.plural and not any(s.start in bound for s in e.spans)
                ),
                None,
            )
        elif low in _PLURAL:
            target = next((e.spans for e in recent if e.plural and n - e.sentence <= 1), None)
        elif (
            low in ("former", "latter")
            and token.i > 0
            and doc[token.i - 1].lower_ == "the"
            and token.dep_ not in ("amod", "compound")
        ):
            pair = next((e.spans for e in recent if len(e.spans) == 2), None)
            if pair:
                target = (pair[0],) if low == "former" else (pair[1],)
                span = doc[token.i - 1 : token.i + 1]
        elif low in _RELATIVE and token.tag_ in ("WP", "WDT", "WP$"):
            clause = next((a for a in token.ancestors if a.dep_ == "relcl"), None)
            if clause is not None:
                target = tuple(self._covering.get(clause.head.i, ()))
        elif low in _DESCRIPTIONS and token.pos_ == "NOUN":
            described = self._description(token, n, history)
            if described:
                target, span = described
        if not target:
            return []
        # One span per reference: spaCy keys span extensions by offsets, so "their" = "A
        # and B" is one span whose antecedents are A and B.
        ref = Span(doc, span.start, span.end, label="COREF")
        ref._.actor = target[0]._.actor
        ref._.via = Via.coref
        ref._.antecedent = target[0]
        ref._.antecedents = list(target)
        return [ref]

    def _author(self, doc: Doc, token: Token) -> list[Span]:
        """'We', 'our', 'I' in the author's own voice: the publishing actor. Inside a
        quotation the speaker is someone else, so quoted first person is left alone."""
        if token.lower_ == "i" and token.text != "I":
            return []
        sentence = token.sent
        before = doc[sentence.start : token.i].text
        if sum(before.count(q) for q in _QUOTES) % 2 == 1:
            return []
        ref = Span(doc, token.i, token.i + 1, label="AUTHOR")
        ref._.actor = doc._.author
        ref._.via = Via.author
        return [ref]

    def _owning_subject(self, token: Token, recent: list[_Entry]) -> tuple[Span, ...] | None:
        """A possessive in a clause refers first to the clause's own subject: "Chile and
        Peru announced their strikes" (theirs), "Lima said its troops …" (Lima's)."""
        low = token.lower_
        if low not in ("its", "their", "his", "her"):
            return None
        verb = token.head
        while verb.pos_ not in ("VERB", "AUX") and verb.head is not verb:
            verb = verb.head
        # The subject's heads (and conjuncts), not what hangs off them: in "A and B, backed
        # by C, announced their …" the backer is not the owner.
        heads = {
            h.i
            for c in verb.children
            if c.dep_ in ("nsubj", "nsubjpass") and c.i < token.i
            for h in (c, *c.conjuncts)
        }
        if not heads:
            return None
        for entry in recent:
            if not all(_np_head(s.root).i in heads for s in entry.spans):
                continue
            if low == "their" and not entry.plural:
                continue
            if low in ("his", "her") and not entry.person:
                continue
            if low == "its" and (entry.person or entry.plural):
                continue
            return entry.spans
        return None

    def _description(
        self, token: Token, n: int, history: deque[_Entry]
    ) -> tuple[tuple[Span, ...], Span] | None:
        """'the regime', 'the Islamist group', 'the rebels': a definite noun phrase that
        names no actor itself. Its referent is the most salient earlier actor of a fitting
        type, within a few sentences; not the subject of its own clause (binding: "Chile
        condemned the country" is about another country)."""
        doc = token.doc
        children = list(token.children)
        if not children or children[0].lower_ != "the" or children[0].i != token.left_edge.i:
            return None
        if any(self._covering.get(c.i) and not _backer(c) for c in token.subtree if c.i != token.i):
            return None  # "the Syrian government" names its actor itself
        if any(c.dep_ in ("prep", "relcl", "appos", "acl") for c in children):
            return None  # "the government of Peru", "the group that …": not a bare reference
        types = _DESCRIPTIONS[token.lower_]
        plural = token.tag_ in ("NNS", "NNPS")
        bound = _clause_subjects(token)
        styled = _STYLED.get(token.lower_)
        # Nearer sentences first; within one, subjects before other mentions, then recency.
        candidates = sorted(
            (e for e in reversed(history) if n - e.sentence <= DESCRIPTION_WINDOW),
            key=lambda e: (n - e.sentence, 0 if e.subject else 1),
        )
        for entry in candidates:
            if len(entry.spans) != 1 or entry.spans[0].start >= token.i:
                continue
            span = entry.spans[0]
            if span.start in bound:
                continue
            kind = "Leader" if span._.via == Via.leader else span._.actor.type
            if styled is not None and span._.actor.id not in styled:
                continue
            if kind in types and (not plural or kind in _NON_STATE or plural == entry.plural):
                return entry.spans, doc[token.left_edge.i : token.i + 1]
        return None


@Language.factory(
    "detente_coref",
    default_config={"window": 2},
    requires=["doc._.actor_mentions"],
    assigns=["doc._.actor_mentions", "span._.antecedent", "span._.antecedents"],
)
def make_coref(nlp: Language, name: str, window: int) -> Coreference:
    return Coreference(window)
