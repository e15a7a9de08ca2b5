"""Which actors a noun phrase denotes, given the mentions found in its document.

"Turkish forces" is Turkey (its military); "Sudanese rebels" is a rebel group of Sudan,
not Sudan; "the Assad regime's actions" are the Assad regime's; "them" is whoever the
coreference component found. The head noun decides: only nouns that name an agent of
an actor (forces, government, officials, policies, rebels ... the sector lexicon) take
their actor from a nationality modifier or a possessor.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from spacy.tokens import Doc, Span, Token

from detente.extract.lexicon import Lexicon
from detente.ontology import Actor, Gazetteer

_MODIFIER_DEPS = ("compound", "amod", "nmod", "npadvmod")
# Sectors whose members are not the state itself: "Syrian rebels" are not Syria.
_NON_STATE = {
    "REB": ("ArmedGroup", "rebels"),
    "OPP": ("Group", "opposition"),
    "CVL": ("Group", "people"),
    "REF": ("Group", "refugees"),
}


def stolen_subject_of(token: Token) -> Token | None:
    """The verb a coordinated noun is really the subject of, where the parser got it wrong.

    In "Turkey is aiding the former and Russia (via contractors) is helping the latter" the
    small English model attaches "Russia" as a conjunct of "the former", leaving "is
    helping" without a subject. A conjunct followed (parentheticals aside) by an auxiliary
    and a subjectless verb is that verb's subject.
    """
    if token.pos_ not in ("NOUN", "PROPN", "PRON"):
        return None
    doc = token.doc
    start = token.i + 1
    if token.dep_ == "pobj":
        # "On 12 January the United States and the UK struck ...": a fronted phrase
        # swallowed the subject. Only a preposition at the start of the clause qualifies.
        prep = token.head
        if (
            prep.dep_ != "prep"
            or prep.head.pos_ != "VERB"
            or prep.head.i < token.i
            or prep.i != prep.head.left_edge.i
        ):
            return None
        start = max(c.right_edge.i for c in (token, *token.conjuncts)) + 1
    elif token.dep_ != "conj":
        return None
    depth = 0
    for j in range(start, min(start + 15, len(doc))):
        t = doc[j]
        if t.text in "([":
            depth += 1
        elif t.text in ")]":
            depth -= 1
        elif depth > 0:
            continue
        elif t.pos_ == "AUX" or t.tag_ == "MD" or t.pos_ == "VERB":
            verb = t if t.pos_ == "VERB" else t.head
            if (
                verb.pos_ == "VERB"
                and verb.i >= t.i
                and not any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)
            ):
                return verb
            return None
        elif t.pos_ in ("NOUN", "PROPN", "PRON", "ADP", "PUNCT", "CCONJ") and t.text != ",":
            return None
    return None


@dataclass(frozen=True)
class Argument:
    """One actor filling a relation slot, and the words that say so."""

    actor: Actor
    span: Span  # the words to cite: the mention, or the phrase it heads
    via: str
    mention: Span  # the underlying actor mention


class Mention(NamedTuple):
    """An actor reading of some words: a name, or a reference resolved to one."""

    span: Span
    actor: Actor
    via: str


def mentions_of(span: Span) -> list[Mention]:
    """The actor readings a mention span carries (several for "they" = "A and B")."""
    antecedents = span._.antecedents
    if antecedents:
        return [Mention(span, a._.actor, "coref") for a in antecedents]
    return [Mention(span, span._.actor, span._.via or "name")]


class MentionIndex:
    """Mentions by token, for the argument resolver."""

    def __init__(self, doc: Doc, lexicon: Lexicon, gazetteer: Gazetteer) -> None:
        self.doc = doc
        self.lexicon = lexicon
        self.gazetteer = gazetteer
        self._at: dict[int, list[Mention]] = defaultdict(list)
        for span in doc._.actor_mentions or ():
            for mention in mentions_of(span):
                for i in range(span.start, span.end):
                    self._at[i].append(mention)
        self._minted: dict[str, Actor] = {}

    def at(self, i: int) -> list[Mention]:
        return self._at.get(i, [])

    def argument(self, mention: Mention) -> Argument:
        return Argument(mention.actor, mention.span, mention.via, mention.span)

    def foreign_backer(self, head: Token) -> set[str]:
        """States that back the phrase headed by ``head`` ("Turkish-backed Syrian forces")."""
        backers: set[str] = set()
        for token in head.subtree:
            if token.i >= head.i or token.i < 2 or token.lower_ not in self.lexicon.participles:
                continue
            if self.doc[token.i - 1].text in "-–":
                backers.update(m.actor.id for m in self.at(token.i - 2))
        return backers

    def sector(self, token: Token) -> str | None:
        return self.lexicon.sectors.get(token.lemma_.lower())

    def resolve(self, head: Token, depth: int = 0) -> list[Argument]:
        """Actors denoted by the phrase headed by ``head`` (not its conjuncts)."""
        direct = self.at(head.i)
        if direct:
            return [self._argument(m, head, m.span) for m in direct]
        if depth < 2 and head.lemma_.lower() in self.lexicon.quantities:
            of = self._prep_objects(head, ("of",))
            if of:  # "thousands of Iraqi Kurds", "members of the tribe"
                return [a for pobj in of for a in self.resolve_all(pobj, depth + 1)]
        sector = self.sector(head)
        for child in head.children:  # "opposition groups": the modifier says who they are
            if child.dep_ == "compound" and self.sector(child) in ("OPP", "REB"):
                sector = self.sector(child)
        appos = [c for c in head.children if c.dep_ == "appos"]
        if sector is None or (sector == "GOV" and appos):
            # "Its prime minister, Fayez al-Sarraj": the apposition names who it is
            named = [a for c in appos for a in self.resolve_all(c, depth + 1)] if depth < 2 else []
            if named:
                return named
            if sector is None:
                # "Ukraine's bid", "Kosovo's independence": what an actor owns stands for it
                owners = [m for c in head.children if c.dep_ == "poss" for m in self.at(c.i)]
                return [self._argument(m, head, self._phrase(m.span, head), None) for m in owners]
        found = self._modifier_mentions(head)
        if not found:
            found = [m for c in head.children if c.dep_ == "poss" for m in self.at(c.i)]
        if not found and depth < 2:  # "violations by the Israeli military", "offer from Kabul"
            agents = [
                a
                for pobj in self._prep_objects(head, ("by", "from"))
                for a in self.resolve_all(pobj, depth + 1)
            ]
            if agents:
                return agents
        if not found and sector in ("REB", "OPP", "CVL", "REF", "ORG"):
            # "opposition groups in Zimbabwe", "students throughout Indonesia"
            found = [
                m
                for pobj in self._prep_objects(head, ("in", "throughout", "across", "inside"))
                for m in self.at(pobj.i)
                if m.actor.type == "State"
            ]
        if not found and depth < 2:
            of = self._prep_objects(head, ("of",))
            if of:  # "the Government of Iraq": cite the whole phrase
                return [
                    Argument(
                        a.actor,
                        self.doc[head.left_edge.i : max(a.span.end, pobj.i + 1)],
                        a.via,
                        a.mention,
                    )
                    for pobj in of
                    for a in self.resolve_all(pobj, depth + 1)
                ]
            appos = [c for c in head.children if c.dep_ == "appos"]
            if appos:
                return [a for c in appos for a in self.resolve_all(c, depth + 1)]
        if not found and sector == "FAC" and depth < 2:  # "a camp for Congolese refugees"
            owners = [
                a
                for pobj in self._prep_objects(head, ("for", "of"))
                for a in self.resolve_all(pobj, depth + 1)
            ]
            if owners:
                return owners
        if not found and sector in ("CVL", "FAC"):
            civilians = self.gazetteer.actors.get("CIVILIANS")
            if civilians is not None:  # unnamed civilians and civilian objects as targets
                span = self.doc[head.left_edge.i : head.i + 1]
                return [Argument(civilians, span, "sector", span)]
        return [self._argument(m, head, self._phrase(m.span, head), sector) for m in found]

    @staticmethod
    def _prep_objects(head: Token, words: tuple[str, ...]) -> list[Token]:
        return [
            pobj
            for prep in head.children
            if prep.dep_ == "prep" and prep.lower_ in words
            for pobj in prep.children
            if pobj.dep_ == "pobj"
        ]

    def resolve_all(self, head: Token, depth: int = 0) -> list[Argument]:
        """Actors of ``head`` and of every phrase coordinated with it ("A and B")."""
        seen: set[str] = set()
        out: list[Argument] = []
        for token in (head, *(c for c in head.conjuncts if stolen_subject_of(c) is None)):
            for arg in self.resolve(token, depth):
                if arg.actor.id not in seen:
                    seen.add(arg.actor.id)
                    out.append(arg)
        return out

    def _modifier_mentions(self, head: Token) -> list[Mention]:
        found: list[Mention] = []
        for child in head.children:
            if child.dep_ not in _MODIFIER_DEPS or child.i > head.i:
                continue
            for token in (child, *child.conjuncts):
                for mention in self.at(token.i):
                    if mention not in found:
                        found.append(mention)
        return found

    def _phrase(self, mention: Span, head: Token) -> Span:
        start = min(
            mention.start, head.left_edge.i if head.left_edge.i >= mention.start - 3 else head.i
        )
        return self.doc[min(start, mention.start) : head.i + 1]

    def _argument(
        self, mention: Mention, head: Token, span: Span, sector: str | None = None
    ) -> Argument:
        actor, via = mention.actor, mention.via
        if actor.type == "Person" and via == "ner":
            # "British Defence Secretary Tom King": an official of a named state.
            for child in head.subtree:
                if child.i < mention.span.start:
                    for owner in self.at(child.i):
                        if owner.actor.type == "State":
                            return Argument(
                                owner.actor,
                                self.doc[child.i : mention.span.end],
                                "official",
                                owner.span,
                            )
        if sector == "FAC":
            sector = "CVL"
        if sector == "LOC" and actor.type == "State":
            via = "place"  # "Iraqi towns": territory, subject to the own-territory rule
        if actor.type == "State" and (
            sector in _NON_STATE or (sector == "MIL" and self.foreign_backer(head) - {actor.id})
        ):
            # "Sudanese rebels"; "Turkish-backed Syrian forces" are not Syria's army.
            actor = self.non_state(actor, sector if sector in _NON_STATE else "REB")
            via = "sector"
        return Argument(actor, span, via, mention.span)

    def non_state(self, state: Actor, sector: str) -> Actor:
        """The non-state actor of a country a phrase names ("Sudanese rebels")."""
        key = f"{state.id}-{sector}"
        known = self.gazetteer.actors.get(key)
        if sector in ("REB", "OPP"):
            known = known or self.gazetteer.actors.get(f"{state.id}-OPP")
        if known:
            return known
        if key not in self._minted:
            kind, noun = _NON_STATE[sector]
            demonym = next(
                (
                    d
                    for d, sid in self.gazetteer.demonyms.items()
                    if sid == state.id and not d.endswith("s")
                ),
                state.label,
            )
            self._minted[key] = Actor(
                key, f"{demonym} {noun}", kind, state.id + sector, home=state.id
            )
        return self._minted[key]
