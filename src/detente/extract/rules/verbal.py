"""Verbal relations: active, passive, reduced relatives, complements, verbless clauses."""

from __future__ import annotations

from spacy.tokens import Span, Token

from detente.domain import Via
from detente.extract.arguments import Argument, MentionIndex
from detente.extract.cameo import CompiledLexicon, match_verb
from detente.extract.lexicon import Lexicon, Trigger
from detente.extract.rules.base import OBJECT_CONTROL, TERRITORIAL, RelationMention, RuleMixin
from detente.ontology import Gazetteer

# Predicates a CAMEO verb may state by itself, without a pattern naming its object.
HOSTILE_ACTS = frozenset(
    {"attacks", "fights", "coerces", "threatens", "mobilizes", "sanctions", "protests", "demands"}
)
# Verbs that state an intent or a commitment (CAMEO 03): "pledged support", "offered aid".
INTENT_VERBS = frozenset(
    {
        "pledge",
        "promise",
        "vow",
        "offer",
        "agree",
        "commit",
        "undertake",
        "express",
        "announce",
        "plan",
        "intend",
        "volunteer",
        "propose",
        "signal",
    }
)
# Verbs too general for that: what they do depends on their object.
GENERIC_VERBS = frozenset({"need", "block", "keep", "leave", "turn", "go", "come", "move"})


class VerbalRules(RuleMixin):
    """'Chile is arming the rebels'; 'was shot down by Peruvian jets'; 'Oman funds X.'"""

    lexicon: Lexicon
    gazetteer: Gazetteer
    cameo: CompiledLexicon | None
    _sentence_words: tuple[int, frozenset[str]]  # (sentence start, its lower-cased words)

    # ------------------------------------------------------------------ verbal
    def _verb_triggers(self, verb: Token) -> tuple[Trigger, ...]:
        lemma = verb.lemma_.lower()
        for child in verb.children:
            # The parser often reads the particle of "pushed back", "shored up" as an adverb.
            if child.dep_ == "prt" or (child.dep_ == "advmod" and child.i == verb.i + 1):
                phrasal = self.lexicon.verbs.get(f"{lemma} {child.lower_}")
                if phrasal:
                    return phrasal
        return self.lexicon.verbs.get(lemma, ())

    def _noun_trigger(self, noun: Token) -> Trigger | None:
        nouns = self.lexicon.nouns
        return nouns.get(noun.lemma_.lower()) or nouns.get(noun.lower_)

    def _verbal(self, verb: Token, sent: Span, index: MentionIndex) -> list[RelationMention]:
        ouster = self._ouster_demand(verb, sent, index)
        if ouster:
            return ouster
        triggers = self._verb_triggers(verb)
        if not triggers:
            return self._cameo_verbal(verb, sent, index)
        # A CAMEO phrase that names the verb's object is more specific than the verb alone:
        # "gave the green light to", "took part in", "turned its guns on".
        specific = self._cameo_verbal(verb, sent, index, phrases_only=True)
        if specific:
            return specific
        lemma = verb.lemma_.lower()
        if (lemma in self.lexicon.light_verbs or lemma in self.lexicon.receiving) and any(
            c.dep_ == "dobj" and self._noun_trigger(c) for c in verb.children
        ):
            # a light-verb use ("strike a deal"), or help received ("received aid from
            # Lima"): the nominal rule reads it
            return []
        trigger_span = verb.doc[verb.i : verb.i + 1]
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)
        # "militias backed by Chile": a participle with neither subject nor auxiliary
        reduced = (
            verb.dep_ == "acl"
            and verb.tag_ == "VBN"
            and not any(c.dep_ in ("nsubj", "aux", "auxpass") for c in verb.children)
        )
        # "was shelled and overrun by ...": the second verb shares the first's voice and
        # arguments, and the agent may hang off either.
        shared = (
            verb.dep_ == "conj"
            and verb.tag_ == "VBN"
            and any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.head.children)
        )
        if passive or reduced or shared:
            if shared:
                voice = [verb, verb.head]
            else:
                voice = [verb, *(c for c in verb.children if c.dep_ == "conj")]
            agents = [
                a
                for v in voice
                for c in v.children
                if c.dep_ == "agent"
                for p in c.children
                if p.dep_ == "pobj"
                for a in index.resolve_all(p)
            ]
            mediating = triggers[0].predicate == "mediates"
            brokered = self._brokered_parties(verb, index) if mediating else []
            if brokered:  # "a truce between A and B, brokered by C": C mediates for A and B
                patients = brokered
            elif reduced:
                patients = index.resolve_all(verb.head)
            else:
                patients = [
                    a
                    for c in (verb.head if shared else verb).children
                    if c.dep_ == "nsubjpass"
                    for a in index.resolve_all(c)
                ]
            if not agents:
                # A stative passive names its partner in a phrase: "Chile is allied with
                # Peru", "the militia, aligned with the army": the patient relates to it.
                for trig in triggers:
                    slots = tuple(s for s in trig.slots if s.startswith("prep:"))
                    objects = self._objects(verb, slots, index) if slots else []
                    if objects:
                        return self._make(
                            patients, objects, trig.predicate, trigger_span, sent, "verbal"
                        )
            return self._make(
                agents,
                patients,
                triggers[0].predicate,
                trigger_span,
                sent,
                "passive",
                triggers[0].negated_as,
            )
        subjects = self._subjects(verb, index)
        if not subjects:
            return []
        for trig in triggers:
            objects = self._objects(verb, trig.slots, index)
            if objects:
                return self._make(
                    subjects, objects, trig.predicate, trigger_span, sent, "verbal", trig.negated_as
                )
        objects = self._complement_objects(verb, index)
        if objects:
            return self._make(
                subjects,
                objects,
                triggers[0].predicate,
                trigger_span,
                sent,
                "verbal",
                triggers[0].negated_as,
            )
        reciprocal = next((t for t in triggers if t.reciprocal), None)
        partnered = any(c.i in self._idiom_preps for c in verb.children)
        if reciprocal and len(subjects) >= 2 and not partnered:  # not "fought alongside X"
            return self._pairs(subjects, reciprocal.predicate, trigger_span, sent, "verbal")
        return []

    def _ouster_demand(self, verb: Token, sent: Span, index: MentionIndex) -> list[RelationMention]:
        """'called on Maduro to step down', 'urged the general to resign': asking someone to
        leave power demands it of them (CAMEO 1041), whatever the asking verb."""
        if verb.lemma_.lower() not in OBJECT_CONTROL | {"demand", "appeal"}:
            return []
        for comp in verb.children:
            if comp.dep_ not in ("xcomp", "ccomp") or not self._is_ouster(comp):
                continue
            targets = [c for c in comp.children if c.dep_ == "nsubj"]
            targets += [c for c in verb.children if c.dep_ == "dobj"]
            objects = [a for t in targets for a in index.resolve_all(t)]
            objects += self._phrase_actors((verb,), ("on", "upon", "for", "to"), index)
            subjects = self._subjects(verb, index)
            span = verb.doc[verb.i : comp.i + 1]
            return self._make(subjects, objects, "demands", span, sent, "verbal")
        return []

    def _is_ouster(self, verb: Token) -> bool:
        lemma = verb.lemma_.lower()
        words = [lemma] + [
            f"{lemma} {c.lemma_.lower()}" for c in verb.children if c.dep_ in ("prt", "dobj")
        ]
        if any(w in self.lexicon.ouster for w in words if " " in w):
            return True
        return lemma in self.lexicon.ouster and not any(c.dep_ == "dobj" for c in verb.children)

    def _brokered_parties(self, verb: Token, index: MentionIndex) -> list:
        """The parties of what a passive "brokered"/"mediated" is about: the "between"
        phrase of its patient, or the one the participle ended up inside (the parser often
        attaches "…, brokered by C" to the last party)."""
        patients = [c for c in verb.children if c.dep_ == "nsubjpass"] or [verb.head]
        for noun in patients:
            for node in (noun, *noun.ancestors):
                if node.dep_ == "prep" and node.lower_ == "between":
                    return [
                        a for p in node.children if p.dep_ == "pobj" for a in index.resolve_all(p)
                    ]
                if any(c.dep_ == "prep" and c.lower_ == "between" for c in node.children):
                    return self._phrase_actors((node,), ("between",), index)
                if node.pos_ == "VERB":
                    break
        return []

    # ------------------------------------------------------------------ CAMEO
    def _cameo_verbal(
        self, verb: Token, sent: Span, index: MentionIndex, phrases_only: bool = False
    ) -> list[RelationMention]:
        """A verb read with the CAMEO dictionary: its best pattern gives the predicate and
        where the source and target are. Its patterns are written for the active voice.
        ``phrases_only``: only a pattern that constrains the verb's object noun."""
        if self.cameo is None or any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children):
            return []
        # The sentence's words once per sentence, not once per verb.
        if self._sentence_words[0] != sent.start:
            self._sentence_words = (sent.start, frozenset(t.lower_ for t in sent))
        found = match_verb(self.cameo, verb, self._sentence_words[1])
        if found is None or found.predicate is None or found.code in (None, "---"):
            return []
        if found.code.startswith("03") and verb.lemma_.lower() not in INTENT_VERBS:
            return []  # CAMEO files some deliveries under "intent"; only a pledge is one
        bare = found.pattern_id.endswith(":VERB") or len(found.tokens) == 1
        if phrases_only and not any(t.dep_ == "dobj" for t in found.tokens[1:]):
            return []
        if bare and (
            found.predicate not in HOSTILE_ACTS
            or verb.lemma_.lower() in self.lexicon.light_verbs
            or verb.lemma_.lower() in GENERIC_VERBS
        ):
            # A verb's code on its own is a guess about its most common use: trusted for
            # verbs of force ("retaliate", "inflict"), not for "lead", "control" or "take".
            return []
        subjects = (
            index.resolve_all(found.source)
            if found.source is not None and found.source.i != verb.i
            else self._subjects(verb, index)
        )
        objects = [
            # The dictionary's pattern names the target behind its preposition ("recalled its
            # ambassador from Lima"): a capital there is its government, not a place.
            Argument(a.actor, a.span, Via.capital, a.mention)
            if a.via == Via.place
            and a.mention._.via == Via.capital
            and found.predicate not in (*TERRITORIAL, "retreats")
            else a
            for t in found.targets
            for a in self._resolve_or_place(t, index)
        ]
        words = [t for t in found.tokens if t.i >= verb.i and t.dep_ in ("prt", "dobj", "prep")]
        end = max([verb.i, *(t.i for t in words if t.i - verb.i <= 3)]) + 1
        trigger_span = verb.doc[verb.i : end]
        out = self._make(subjects, objects, found.predicate, trigger_span, sent, "verbal")
        if found.reverse_predicate:
            reverse = found.reverse_predicate
            out += self._make(objects, subjects, reverse, trigger_span, sent, "verbal")
        for rel in out:
            rel.matched_by = f"CAMEO {found.code}: {found.text}"
        return out

    # ------------------------------------------------------------------ verbless
    def _verbless(self, sent: Span, index: MentionIndex) -> list[RelationMention]:
        """'Qatar funds Hamas.': in short clauses the tagger may read the verb as a plural
        noun and leave no verb at all. An actor, a word that is a trigger verb once its
        -s is removed, and an actor, in that order, still state a relation."""
        out: list[RelationMention] = []
        doc = sent.doc
        for token in sent:
            low = token.lower_
            if not low.endswith("s") or token.i == sent.start or token.i + 1 >= sent.end:
                continue
            lemma = next((c for c in (low[:-1], low[:-2]) if c in self.lexicon.verbs), None)
            left = index.at(token.i - 1)
            right_i = token.i + 2 if doc[token.i + 1].lower_ == "the" else token.i + 1
            right = index.at(right_i) if right_i < sent.end else []
            if lemma and left and right:
                trig = self.lexicon.verbs[lemma][0]
                out += self._make(
                    [index.argument(m) for m in left],
                    [index.argument(m) for m in right],
                    trig.predicate,
                    doc[token.i : token.i + 1],
                    sent,
                    "verbal",
                )
        return out
