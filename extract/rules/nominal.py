"""Nominal relations: 'sanctions against', 'A's support for B', 'the conflict between A and B'."""

from __future__ import annotations

from spacy.tokens import Span, Token

from detente.extract.arguments import Argument, MentionIndex
from detente.extract.lexicon import Lexicon, Trigger
from detente.extract.rules.base import LIGHT_PREPS, RelationMention
from detente.ontology import Gazetteer


class NominalRules:
    """Nominal triggers, light verbs, reversals, helped parties and relational nouns."""

    lexicon: Lexicon
    gazetteer: Gazetteer

    # ------------------------------------------------------------------ nominal
    def _governing_verb(self, noun: Token) -> Token | None:
        """The light verb a nominal trigger is the object of, through 'a degree of X'."""
        node = noun
        for _ in range(3):
            if node.dep_ in ("dobj", "nsubjpass", "attr") and node.head.pos_ in ("VERB", "AUX"):
                return node.head
            if node.dep_ == "pobj" and node.head.lower_ == "of":
                node = node.head.head
                continue
            if node.dep_ == "pobj" and node.head.lower_ in ("in", "for"):
                # "steadfast in support of", "joined the talks": the clause's verb
                holder = node.head.head
                if holder.dep_ in ("acomp", "oprd") and holder.head.pos_ in ("VERB", "AUX"):
                    holder = holder.head
                return holder if holder.pos_ in ("VERB", "AUX") else None
            return None
        return None

    def _nominal(self, noun: Token, sent: Span, index: MentionIndex) -> list[RelationMention]:
        trig = self._noun_trigger(noun)
        if trig is None:
            return []
        if trig.relational:
            return self._relational(noun, trig, sent, index)
        trigger_span = noun.doc[noun.i : noun.i + 1]
        verb = self._governing_verb(noun)
        predicate = trig.predicate
        if verb is not None:
            predicate = self.lexicon.reverse(predicate, verb.lemma_.lower()) or predicate
            if (
                verb.lemma_.lower() not in self.lexicon.light_verbs
                and predicate == trig.predicate
                and self._verb_triggers(verb)
            ):
                return []  # "fight a war against": the verb is the trigger
        between = [
            a
            for c in noun.children
            if c.dep_ == "prep" and c.lower_ == "between"
            for p in c.children
            if p.dep_ == "pobj"
            for a in index.resolve_all(p)
        ]
        own = self._own_subjects(noun, index)
        if between and not own:
            found = self._pairs(between, predicate, trigger_span, sent, "nominal")
            if verb is not None and verb.lemma_.lower() in self.lexicon.brokering:
                # "Germany hosted talks between the GNA and the LNA"
                hosts = self._subjects(verb, index)
                found += self._make(
                    hosts, between, "mediates", verb.doc[verb.i : verb.i + 1], sent, "nominal"
                )
            return found
        subjects = own or self._borrowed_subjects(noun, verb, index)
        objects = between or self._objects(noun, trig.slots, index)
        if not objects and verb is not None:  # "act in solidarity with Hamas"
            objects = self._objects(verb, trig.slots, index)
        if not objects:
            objects = self._complement_objects(noun, index)
        if not objects and verb is not None and verb.lemma_.lower() in self.lexicon.light_verbs:
            light_slots = (*(f"prep:{p}" for p in LIGHT_PREPS), "dative")
            objects = self._objects(verb, light_slots, index)
        if not objects:
            if trig.reciprocal and len(subjects) >= 2:
                found = self._pairs(subjects, predicate, trigger_span, sent, "nominal")
            else:
                return []
        else:
            found = self._make(subjects, objects, predicate, trigger_span, sent, "nominal")
        for rel in found:
            rel.governed = not own  # "has not joined the Western campaign": still a campaign
        return found

    def _own_subjects(self, noun: Token, index: MentionIndex) -> list[Argument]:
        """The agent named inside the noun phrase: possessor, nationality, 'by' phrase."""
        owners = [a for c in noun.children if c.dep_ == "poss" for a in index.resolve_all(c)]
        if owners:
            return owners
        for child in noun.children:  # "Russian support", "Western campaign", "Iran-Iraq war"
            if child.dep_ in ("amod", "compound", "nmod") and child.i < noun.i:
                mods: dict[str, Argument] = {}
                for t in (child, *child.conjuncts, *child.subtree):
                    if t.dep_ in ("amod", "compound", "nmod", "npadvmod", "conj") or t is child:
                        for a in index.resolve(t):
                            mods.setdefault(a.actor.id, a)
                if mods:
                    return list(mods.values())
        for child in noun.children:
            if child.dep_ == "prep" and child.lower_ == "by":
                agents = [
                    a for p in child.children if p.dep_ == "pobj" for a in index.resolve_all(p)
                ]
                if agents:
                    return agents
        return []

    def _borrowed_subjects(
        self, noun: Token, verb: Token | None, index: MentionIndex
    ) -> list[Argument]:
        helped = self._helped(noun, index)
        if helped:
            return helped
        return self._clause_subjects(noun, verb, index)

    def _helped(self, noun: Token, index: MentionIndex) -> list[Argument]:
        """'support for Iraq in the fight against ISIL', 'helped the army in its campaign':
        whoever is supported is the one fighting."""
        prep = noun.head
        if noun.dep_ != "pobj" or prep.lower_ not in ("in", "with"):
            return []
        holder = prep.head
        if holder.pos_ == "VERB":  # "reiterates UK support for Iraq in the fight": the noun
            for child in holder.children:
                if child.dep_ == "dobj" and self._noun_trigger(child):
                    holder = child
        if holder.pos_ == "VERB":
            helping = next(iter(self._verb_triggers(holder)), None)
            slots = helping.slots if helping else ()
        elif holder.pos_ in ("NOUN", "PROPN"):
            helping = self._noun_trigger(holder)
            slots = ("prep:for", "prep:to", "prep:of")
        else:
            return []
        if helping is None or helping.predicate not in ("backs", "aids"):
            return []
        return self._objects(holder, (*slots, "dobj"), index)

    def _clause_subjects(
        self, noun: Token, verb: Token | None, index: MentionIndex
    ) -> list[Argument]:
        """The agent of the clause around the noun: a light verb's subject, or the subject of
        a relative clause whose object the noun is ("the cooperation that A and B achieved")."""
        if verb is not None:
            return self._subjects(verb, index)
        for child in noun.children:
            if child.dep_ == "relcl" and any(
                c.dep_ == "dobj" and c.tag_ in ("WDT", "WP") for c in child.children
            ):
                return self._subjects(child, index)
        return []

    def _relational(
        self, noun: Token, trig: Trigger, sent: Span, index: MentionIndex
    ) -> list[RelationMention]:
        """'its Syrian allies', 'Iran's proxy Hezbollah', 'an enemy of X'."""
        owners = [a for c in noun.children if c.dep_ == "poss" for a in index.resolve_all(c)]
        if not owners:
            owners = self._objects(noun, trig.slots, index)
        referents = [
            a
            for c in noun.children
            if c.i < noun.i and c.dep_ in ("amod", "compound")
            for t in (c, *c.conjuncts)
            for a in index.resolve(t)
        ]
        referents += [a for c in noun.children if c.dep_ == "appos" for a in index.resolve_all(c)]
        if not referents and noun.dep_ == "appos":
            referents = index.resolve_all(noun.head)
        if not referents and noun.dep_ == "attr":
            referents = [
                a for c in noun.head.children if c.dep_ == "nsubj" for a in index.resolve_all(c)
            ]
        referents = [r for r in referents if all(r.actor.id != o.actor.id for o in owners)]
        trigger_span = noun.doc[noun.i : noun.i + 1]
        if trig.referent_is_subject:
            return self._make(referents, owners, trig.predicate, trigger_span, sent, "relational")
        return self._make(owners, referents, trig.predicate, trigger_span, sent, "relational")
