"""Which actors a noun phrase denotes, given the mentions found in its document.

"Chilean troops" is Chile (its military); "Malian rebels" is a rebel group of Mali, not
Mali; "the junta's decrees" are the junta's; "them" is whoever the coreference component
found. The head noun decides: only nouns that name an agent of an actor (forces,
government, officials, policies, rebels ... the sector lexicon and the agent nouns of the
gazetteer) take their actor from a nationality modifier or a possessor. A phrase also names
actors through a relative pronoun ("which"), a member list ("states including A and B"),
a leader ("the Saudi-led coalition") or an owner ("bases belonging to the militia").
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from spacy.tokens import Doc, Span, Token

from detente.domain import Via
from detente.extract.lexicon import Lexicon
from detente.ontology import Actor, Gazetteer

_MODIFIER_DEPS = ("compound", "amod", "nmod", "npadvmod")
# Sectors whose members are not the state itself: "Malian rebels" are not Mali.
_NON_STATE = {
    "REB": ("ArmedGroup", "rebels"),
    "OPP": ("Group", "opposition"),
    "CVL": ("Group", "people"),
    "REF": ("Group", "refugees"),
}


def stolen_subject_of(token: Token) -> Token | None:
    """The verb a coordinated noun is really the subject of, where the parser got it wrong.

    In "Chile is arming one side and Peru (through brokers) is funding the other" the small
    English model can attach "Peru" as a conjunct of "one side", leaving "is funding"
    without a subject. A conjunct followed (parentheticals aside) by an auxiliary and a
    subjectless verb is that verb's subject.
    """
    if token.pos_ not in ("NOUN", "PROPN", "PRON"):
        return None
    doc = token.doc
    start = token.i + 1
    if token.dep_ == "pobj":
        # "On 3 May Chile and Peru signed ...": a fronted phrase swallowed the subject.
        # Only a preposition at the start of the clause qualifies.
        prep = token.head
        # The outermost phrase of a nest: "In a rebuke on Saturday, Peru's minister said":
        # "minister" hangs off "on", which hangs off "rebuke", inside the fronted "In".
        while prep.dep_ == "prep" and prep.head.dep_ == "pobj" and prep.head.head.dep_ == "prep":
            prep = prep.head.head
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
        elif t.pos_ == "AUX" or t.tag_ in ("MD", "VBD", "VBZ", "VBP"):
            # Only a finite verb or an auxiliary wants a subject: a participle ("…, backed
            # by C") modifies the phrase before it.
            verb = t if t.pos_ == "VERB" else t.head
            if (
                verb.pos_ == "VERB"
                and verb.i >= t.i
                and not any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)
                # "Egypt and Qatar are mediating": a subject hung off the auxiliary
                and not any(c.dep_ in ("nsubj", "nsubjpass") for c in t.children)
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
    via: Via
    mention: Span  # the underlying actor mention


class Mention(NamedTuple):
    """An actor reading of some words: a name, or a reference resolved to one."""

    span: Span
    actor: Actor
    via: Via


def mentions_of(span: Span) -> list[Mention]:
    """The actor readings a mention span carries (several for "they" = "A and B")."""
    antecedents = span._.antecedents
    if antecedents:
        return [Mention(span, a._.actor, Via.coref) for a in antecedents]
    return [Mention(span, span._.actor, span._.via or Via.name)]


# Words that make the phrase they modify the named actor's: "the Saudi-led coalition".
_LEADING = frozenset({"led", "run", "dominated", "controlled", "commanded", "headed"})
# Designations of military aircraft and armour: maker or role letters, a hyphen, a number.
_MILITARY_DESIGNATION = re.compile(
    r"^(?:F|FA|F/A|A|AV|B|C|E|KC|MQ|RQ|AH|UH|CH|MH|OH|P|S|T|J|JF|JH|Y|Z|H|WZ|MiG|Su|Tu|Yak|Il|An|"
    r"Ka|Mi|Be|M|K)-\d{1,3}[A-Z]?s?$"
)
_LEADING_VERBS = frozenset({"lead", "head", "command", "spearhead"})
_GROUPINGS = frozenset({"coalition", "alliance", "force", "mission", "campaign", "bloc"})
_INCLUDING = frozenset({"include", "comprise", "encompass", "count"})
# A prefix that states a stance, not an identity: "pro-Chilean militias" are not Chile's.
_STANCE = {"pro": "backs", "anti": "opposes"}
# Participles that name whose something is: "bases belonging to X", "towns held by X".
_OWNING = frozenset(
    {
        "belong",
        "hold",
        "control",
        "run",
        "operate",
        "occupy",
        "own",
        "use",
        "link",
        "tie",
        "affiliate",
        "associate",
        "connect",
        "submit",
        "draft",
        "sponsor",
        "issue",
        "propose",
        "table",
        "author",
    }
)
_REFLEXIVE = frozenset({"itself", "themselves", "himself", "herself", "ourselves", "oneself"})
_RELATIVE = ("WDT", "WP")
_LOCATIVE = frozenset(
    {
        "in",
        "from",
        "to",
        "into",
        "at",
        "near",
        "around",
        "outside",
        "inside",
        "across",
        "toward",
        "towards",
        "within",
        "throughout",
    }
)


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
        # Tokens of phrases that name a kind of people, a force or a weapon (detente_noise).
        self.noise: dict[int, str] = (
            doc._.noise_tokens or {} if Doc.has_extension("noise_tokens") else {}
        )

    def at(self, i: int) -> list[Mention]:
        return self._at.get(i, [])

    def argument(self, mention: Mention) -> Argument:
        return Argument(mention.actor, mention.span, mention.via, mention.span)

    def foreign_backer(self, head: Token) -> set[str]:
        """States that back the phrase headed by ``head`` ("Chilean-backed Peruvian units")."""
        backers: set[str] = set()
        for token in head.subtree:
            if token.i >= head.i or token.i < 2 or token.lower_ not in self.lexicon.participles:
                continue
            if self.doc[token.i - 1].text in "-–":
                backers.update(m.actor.id for m in self.at(token.i - 2))
        return backers

    def stance(self, i: int) -> str | None:
        """The predicate a "pro-"/"anti-" prefix gives the mention at token ``i``."""
        doc = self.doc
        if i >= 2 and doc[i - 1].text in "-–" and doc[i - 2].lower_ in _STANCE:
            return _STANCE[doc[i - 2].lower_]
        if "-" in doc[i].text:  # written as one token: "anti-Chilean"
            prefix = doc[i].lower_.split("-", 1)[0]
            return _STANCE.get(prefix)
        return None

    def sector(self, token: Token) -> str | None:
        lemma = token.lemma_.lower()
        found = self.lexicon.sectors.get(lemma)
        if found is None:
            found = self.gazetteer.agents.get(token.lower_) or self.gazetteer.agents.get(lemma)
        if found is None and _MILITARY_DESIGNATION.match(token.text):
            found = "MIL"  # "Turkish F-16s", "a Russian Su-24", "Indian MiG-29s"
        return found

    def resolve(self, head: Token, depth: int = 0) -> list[Argument]:
        """Actors denoted by the phrase headed by ``head`` (not its conjuncts)."""
        if head.lower_ in _REFLEXIVE:
            return []  # "defended itself": the clause's own subject, never a second actor
        direct = [m for m in self.at(head.i) if self.stance(head.i) is None]
        if direct:
            prep = head.head
            if (
                head.dep_ == "pobj"
                and prep.lower_ in _LOCATIVE
                and not (
                    prep.lower_ == "from"
                    and (
                        prep.head.pos_ in ("NOUN", "PROPN")
                        or prep.head.lemma_.lower() in self.lexicon.receiving
                        or prep.head.lemma_.lower() in self.lexicon.incurring
                    )
                )
            ):
                # "withdrew from Lima", "arrived in Santiago": the city, not its government
                # (but "aid from Lima", "received arms from Lima" come from the government)
                direct = [_as_place(m) for m in direct]
            found = [self._argument(m, head, m.span) for m in direct]
            if any(m.actor.type == "Coalition" for m in direct):
                # "Western countries, including Britain and France": the members act too
                found += self._members(head, depth)
            return found
        if depth > 3:
            return []
        if head.tag_ in _RELATIVE:
            # "Chile, which is allied with Peru": the phrase the relative clause modifies.
            clause = next((a for a in head.ancestors if a.dep_ in ("relcl", "acl")), None)
            if clause is not None and clause.head.pos_ in ("NOUN", "PROPN"):
                return self.resolve_all(clause.head, depth + 1)
            return []
        if depth < 2 and head.lemma_.lower() in self.lexicon.quantities:
            of = self._prep_objects(head, ("of",))
            if of:  # "hundreds of Chilean troops", "members of the militia"
                return [a for pobj in of for a in self.resolve_all(pobj, depth + 1)]
        members = self._members(head, depth)
        found = self._identity(head, depth)
        if not found and not members and head.dep_ == "appos" and depth < 2:
            # "the TTP, a militant group allied with …": the apposition is its head
            return self.resolve(head.head, depth + 1)
        return _merge(found, members)

    def _members(self, head: Token, depth: int) -> list[Argument]:
        """ "several Gulf states, including Qatar and Oman", "donors such as Japan", "a
        coalition that includes Peru"; and whoever leads a coalition the clause names
        ("Chile has led a coalition …")."""
        listed: list[Token] = []
        for prep in head.children:
            if prep.dep_ == "relcl" and prep.lemma_.lower() in _INCLUDING:
                listed += [c for c in prep.children if c.dep_ == "dobj"]
            if prep.dep_ != "prep":
                continue
            such_as = prep.lower_ == "as" and prep.i > 0 and self.doc[prep.i - 1].lower_ == "such"
            if prep.lower_ in ("including", "like") or such_as:
                listed += [p for p in prep.children if p.dep_ == "pobj"]
        leaders: list[Token] = []
        if (
            head.dep_ == "dobj"
            and head.lemma_.lower() in _GROUPINGS
            and head.head.lemma_.lower() in _LEADING_VERBS
        ):
            leaders = [c for c in head.head.children if c.dep_ == "nsubj"]
        # Only actors the gazetteer knows: "including" often attaches to the wrong phrase,
        # and a company or a person in a list is not a member of a group of states.
        return [
            a
            for pobj in listed
            for a in self.resolve_all(pobj, depth + 1)
            if a.via not in (Via.ner, Via.coref)
        ] + [a for subject in leaders for a in self.resolve_all(subject, depth + 1)]

    def _identity(self, head: Token, depth: int) -> list[Argument]:
        sector = self.sector(head)
        for child in head.children:  # "opposition groups": the modifier says who they are
            if child.dep_ == "compound" and self.sector(child) in ("OPP", "REB"):
                sector = self.sector(child)
        led = self._leaders(head)
        if led:
            return [self._argument(m, head, self._phrase(m.span, head), None) for m in led]
        if sector in ("ORG", "REB", "OPP"):
            named = self._name_after(head, depth)
            if named:  # "the armed group Hezbollah", "the rebel movement M23"
                return named
        if sector in ("MIL", "REB", "GOV"):
            loyal = self._loyal_to(head, depth)
            if loyal:  # "fighters loyal to the council", "troops loyal to the president"
                return loyal
        appos = [c for c in head.children if c.dep_ == "appos"]
        if sector is None or (sector == "GOV" and appos):
            # "Its prime minister, Ana Ruiz": the apposition names who it is
            named = [a for c in appos for a in self.resolve_all(c, depth + 1)] if depth < 2 else []
            if named:
                return named
            if sector is None:
                owners = self._owners(head, depth)
                if owners:  # "bases belonging to the militia", "towns held by the rebels"
                    return owners
                office = self._office_of(head)
                if office:  # "Peruvian President Ruiz", a name the gazetteer lacks
                    return office
                # "Kosovo's bid", "Chile's independence": what an actor owns stands for it;
                # an event stands for its agent only where one reacts to it ("backed
                # Chile's war effort", "condemned Peru's raids"), see EVENT_ROLES
                if head.lemma_.lower() in self.lexicon.cessation and depth < 2:
                    # "an end to Peru's raids": the stopping of an act stands for its agent
                    return [
                        Argument(
                            a.actor,
                            self.doc[head.left_edge.i : a.span.end],
                            Via.cessation,
                            a.mention,
                        )
                        for pobj in self._prep_objects(head, ("to", "of"))
                        if self.lexicon.nouns.get(pobj.lemma_.lower()) is not None
                        for a in self.resolve_all(pobj, depth + 1)
                        if a.via == Via.event
                    ]
                owned = [m for c in head.children if c.dep_ == "poss" for m in self.at(c.i)]
                event = self.lexicon.nouns.get(head.lemma_.lower()) is not None
                if not owned and (event or head.lemma_.lower() in self.lexicon.possessions):
                    # "condemned the Peruvian blockade of Bolivia", "struck Hamas targets"
                    owned = _specific(self._modifier_mentions(head))
                return [
                    self._argument(m, head, self._phrase(m.span, head), None, event) for m in owned
                ]
        found = _specific(self._modifier_mentions(head))
        if not found:
            found = [m for c in head.children if c.dep_ == "poss" for m in self.at(c.i)]
        if sector == "ORG" and any(m.actor.type == "State" for m in found):
            return []  # "Sudan's rival factions" are not Sudan, and not named here
        if not found and depth < 2:  # "violations by the navy", "an offer from Lima"
            agents = [
                a
                for pobj in self._prep_objects(head, ("by", "from"))
                for a in self.resolve_all(pobj, depth + 1)
            ]
            if agents:
                return agents
        if not found and sector in ("GOV", "MIL"):
            # "the regime in Damascus", "the government of Peru": a state's own organs
            found = [
                m
                for pobj in self._prep_objects(head, ("in", "of"))
                for m in self.at(pobj.i)
                if m.actor.type == "State"
            ]
        if not found and sector in ("REB", "OPP", "CVL", "REF"):
            # "opposition groups in Togo", "students across Nepal"
            found = [
                m
                for pobj in self._prep_objects(head, ("in", "throughout", "across", "inside"))
                for m in self.at(pobj.i)
                if m.actor.type == "State"
            ]
        if not found and depth < 2:
            of = self._prep_objects(head, ("of",))
            if of:  # "the Government of Peru": cite the whole phrase
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
            if appos:
                return [a for c in appos for a in self.resolve_all(c, depth + 1)]
        if not found and sector == "FAC" and depth < 2:  # "a camp for Malian refugees"
            owners = [
                a
                for pobj in self._prep_objects(head, ("for", "of"))
                for a in self.resolve_all(pobj, depth + 1)
            ]
            if owners:
                return owners
        if not found and sector in ("REB", "OPP", "MIL"):
            against = self._opposed_government(head)
            if against is not None:  # "anti-junta rebels" are rebels of the junta's country
                return [against]
        if not found and sector == "MIL":
            # "pro-government forces", "pro-Ruiz troops": the forces of whom they back
            found = [m for stance, m in self.stances(head) if stance == "backs"]
        if not found and sector in ("MIL", "REB", "ORG"):
            minted = self._unknown_force(head)
            if minted:
                return minted
        return [self._argument(m, head, self._phrase(m.span, head), sector) for m in found]

    def _office_of(self, head: Token) -> list[Argument]:
        """The state whose office a titled name holds: "Chilean Defence Minister Ana Ruiz",
        "Prime Minister Ruiz of Peru" (the title a government word of the sector lexicon)."""
        titles = [
            c
            for c in head.children
            if c.dep_ in ("compound", "nmod") and c.i < head.i and self.sector(c) == "GOV"
        ]
        for title in titles:
            for token in (*title.subtree, *head.children):
                if token.i >= head.i and token.dep_ != "prep":
                    continue
                candidates = (
                    [m for p in token.children if p.dep_ == "pobj" for m in self.at(p.i)]
                    if token.dep_ == "prep" and token.lower_ == "of"
                    else self.at(token.i)
                )
                for mention in candidates:
                    if mention.actor.type == "State":
                        span = self.doc[min(token.i, head.left_edge.i) : head.i + 1]
                        return [Argument(mention.actor, span, Via.official, mention.span)]
        return []

    def _backs_by_hyphen(self, span: Span) -> bool:
        """A name before "-backed", "-funded": the backer, not who the phrase names."""
        end = span.end
        return (
            end + 1 < len(self.doc)
            and self.doc[end].text in "-–"
            and self.doc[end + 1].lower_ in self.lexicon.participles
        )

    def _leaders(self, head: Token) -> list[Mention]:
        """Mentions that lead the phrase: "the Saudi-led coalition", "US-led forces"."""
        found: list[Mention] = []
        for child in head.children:
            if child.i < head.i and child.lower_ in _LEADING:
                for token in child.subtree:
                    if token.i < child.i:
                        found += [m for m in self.at(token.i) if m not in found]
        return found

    def _opposed_government(self, head: Token) -> Argument | None:
        """The rebels of a country, named by whom they rise against: "anti-junta forces",
        "the anti-Ruiz rebels" (a government, leader or state of one country)."""
        for token in head.subtree:
            if token.i >= head.i or self.stance(token.i) != "opposes":
                continue
            for mention in self.at(token.i):
                actor = mention.actor
                if actor.type in ("State", "Government", "Leader") and actor.country:
                    state = self.gazetteer.actors.get(actor.country)
                    if state is not None:
                        span = self.doc[token.i - 2 if token.i >= 2 else token.i : head.i + 1]
                        return Argument(self.non_state(state, "REB"), span, Via.sector, span)
        return None

    def stances(self, head: Token) -> list[tuple[str, Mention]]:
        """(predicate, mention) of each "pro-X"/"anti-X" modifier of the phrase."""
        return [
            (stance, mention)
            for token in head.subtree
            if token.i < head.i and (stance := self.stance(token.i)) is not None
            for mention in self.at(token.i)
        ]

    def _loyal_to(self, head: Token, depth: int) -> list[Argument]:
        for child in head.children:
            if child.lower_ in ("loyal", "faithful", "allied", "aligned") and child.i > head.i:
                for prep in child.children:
                    if prep.dep_ == "prep" and prep.lower_ in ("to", "with"):
                        return [
                            a
                            for pobj in prep.children
                            if pobj.dep_ == "pobj"
                            for a in self.resolve_all(pobj, depth + 1)
                        ]
        return []

    def _name_after(self, head: Token, depth: int) -> list[Argument]:
        names = [c for c in head.children if c.i > head.i and c.dep_ in ("appos", "npadvmod")]
        return [a for c in names for a in self.resolve_all(c, depth + 1)]

    def _owners(self, head: Token, depth: int) -> list[Argument]:
        out: list[Argument] = []
        for clause in head.children:
            if clause.dep_ != "acl" or clause.lemma_.lower() not in _OWNING:
                continue
            for prep in clause.children:
                if (prep.dep_ == "agent") or (prep.dep_ == "prep" and prep.lower_ == "to"):
                    for pobj in prep.children:
                        if pobj.dep_ == "pobj":
                            out += self.resolve_all(pobj, depth + 1)
        return out

    def _unknown_force(self, head: Token) -> list[Argument]:
        """Forces named after a people or group the gazetteer lacks ("Amhara militias",
        "Karen fighters"): an armed group of that name."""
        for child in head.children:
            if child.i > head.i or child.dep_ not in ("compound", "amod", "nmod"):
                continue
            if self.stance(child.i) is not None:
                continue
            if child.i in self.noise:
                continue  # "S-400 batteries", "UAV units": a weapon or a kind names no group
            if child.ent_type_ in ("NORP", "ORG") and child.text[:1].isupper():
                words = self.doc[child.left_edge.i : head.i + 1]
                key = "x:" + "-".join(w.lower_ for w in words if w.is_alpha)
                actor = self._minted.get(key)
                if actor is None:
                    actor = Actor(key, words.text, "ArmedGroup", "")
                    self._minted[key] = actor
                return [Argument(actor, words, Via.ner, words)]
        return []

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
        tokens = [head, *(c for c in head.conjuncts if stolen_subject_of(c) is None)]
        for token in tokens:
            for arg in self.resolve(token, depth):
                if arg.actor.id not in seen:
                    seen.add(arg.actor.id)
                    out.append(arg)
        if out and all(a.actor.type == "State" for a in out):
            # "Chile, the United Kingdom, Peru and Oman": the parser reads the second state
            # of a list as an apposition to the first; two states are never one.
            listed = [
                t
                for c in tokens
                for appos in c.children
                if appos.dep_ == "appos"
                for t in (appos, *appos.conjuncts)
            ]
            for token in listed:
                for arg in self.resolve(token, depth):
                    if arg.actor.type == "State" and arg.actor.id not in seen:
                        seen.add(arg.actor.id)
                        out.append(arg)
        return out

    def _modifier_mentions(self, head: Token) -> list[Mention]:
        found: list[Mention] = []
        for child in head.children:
            if child.dep_ not in _MODIFIER_DEPS or child.i > head.i:
                continue
            for token in (child, *child.conjuncts):
                if self.stance(token.i) is not None:
                    continue  # "pro-Chilean militias" are not Chile's
                for mention in self.at(token.i):
                    if mention not in found and not self._backs_by_hyphen(mention.span):
                        found.append(mention)
        return found

    def _phrase(self, mention: Span, head: Token) -> Span:
        start = min(
            mention.start, head.left_edge.i if head.left_edge.i >= mention.start - 3 else head.i
        )
        return self.doc[min(start, mention.start) : head.i + 1]

    def _argument(
        self,
        mention: Mention,
        head: Token,
        span: Span,
        sector: str | None = None,
        event: bool = False,
    ) -> Argument:
        actor, via = mention.actor, mention.via
        if event:
            return Argument(actor, span, Via.event, mention.span)
        if actor.type == "Person" and via in (Via.ner, Via.person):
            # "Chilean Defence Minister Ana Ruiz": an official of a named state.
            for child in head.subtree:
                if child.i < mention.span.start:
                    for owner in self.at(child.i):
                        if owner.actor.type == "State":
                            return Argument(
                                owner.actor,
                                self.doc[child.i : mention.span.end],
                                Via.official,
                                owner.span,
                            )
        if sector == "FAC":
            sector = "CVL"
        if sector == "LOC" and actor.type == "State":
            via = Via.place  # "Peruvian villages": territory, subject to the own-territory rule
        if actor.type == "State" and (
            sector in _NON_STATE or (sector == "MIL" and self.foreign_backer(head) - {actor.id})
        ):
            # "Malian rebels"; "Chilean-backed Peruvian units" are not Peru's army.
            actor = self.non_state(actor, sector if sector in _NON_STATE else "REB")
            via = Via.sector
        return Argument(actor, span, via, mention.span)

    def non_state(self, state: Actor, sector: str) -> Actor:
        """The non-state actor of a country a phrase names ("Malian rebels")."""
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


def _as_place(mention: Mention) -> Mention:
    """A capital named as a location is a place of its state, not its government."""
    return mention._replace(via=Via.place) if mention.via == Via.capital else mention


def _specific(mentions: list[Mention]) -> list[Mention]:
    """A group named with its country ("Lebanese Hezbollah fighters") is the group: the
    state's name only says where it is from."""
    groups = [m for m in mentions if m.actor.type != "State"]
    if not groups:
        return mentions
    homes = {m.actor.home for m in groups}
    return [m for m in mentions if not (m.actor.type == "State" and m.actor.id in homes)]


def _merge(first: list[Argument], second: list[Argument]) -> list[Argument]:
    seen = {a.actor.id for a in first}
    merged = list(first)
    for a in second:
        if a.actor.id not in seen:
            seen.add(a.actor.id)
            merged.append(a)
    return merged
