"""Verbal relations: active, passive, reduced relatives, complements, verbless clauses."""

from __future__ import annotations

from spacy.tokens import Span, Token

from detente.extract.arguments import MentionIndex
from detente.extract.lexicon import Lexicon, Trigger
from detente.extract.rules.base import RelationMention
from detente.ontology import Gazetteer


class VerbalRules:
    """'Turkey is aiding the GNA'; 'was shot down by Turkish forces'; 'Qatar funds Hamas.'"""

    lexicon: Lexicon
    gazetteer: Gazetteer

    # ------------------------------------------------------------------ verbal
    def _verb_triggers(self, verb: Token) -> tuple[Trigger, ...]:
        lemma = verb.lemma_.lower()
        for child in verb.children:
            if child.dep_ == "prt":
                phrasal = self.lexicon.verbs.get(f"{lemma} {child.lower_}")
                if phrasal:
                    return phrasal
        return self.lexicon.verbs.get(lemma, ())

    def _noun_trigger(self, noun: Token) -> Trigger | None:
        nouns = self.lexicon.nouns
        return nouns.get(noun.lemma_.lower()) or nouns.get(noun.lower_)

    def _verbal(self, verb: Token, sent: Span, index: MentionIndex) -> list[RelationMention]:
        triggers = self._verb_triggers(verb)
        if not triggers:
            return []
        if verb.lemma_.lower() in self.lexicon.light_verbs and any(
            c.dep_ == "dobj" and self._noun_trigger(c) for c in verb.children
        ):
            return []  # a light-verb use ("strike a deal"): the nominal rule reads it
        trigger_span = verb.doc[verb.i : verb.i + 1]
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)
        # "forces backed by Turkey": a participle with neither subject nor auxiliary
        reduced = (
            verb.dep_ == "acl"
            and verb.tag_ == "VBN"
            and not any(c.dep_ in ("nsubj", "aux", "auxpass") for c in verb.children)
        )
        # "was bombed and killed by ...": the second verb shares the first's voice and
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
            if reduced:
                patients = index.resolve_all(verb.head)
            else:
                patients = [
                    a
                    for c in (verb.head if shared else verb).children
                    if c.dep_ == "nsubjpass"
                    for a in index.resolve_all(c)
                ]
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
        if reciprocal and len(subjects) >= 2:
            return self._pairs(subjects, reciprocal.predicate, trigger_span, sent, "verbal")
        return []

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
