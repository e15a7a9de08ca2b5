"""Nominal relations: 'an embargo on Peru', 'A's aid to B', 'the war between A and B'."""

from __future__ import annotations

from spacy.tokens import Span, Token

from detente.domain import Via
from detente.extract.arguments import Argument, MentionIndex
from detente.extract.lexicon import Lexicon, Trigger
from detente.extract.rules.base import LIGHT_PREPS, RelationMention, RuleMixin
from detente.ontology import Gazetteer


class NominalRules(RuleMixin):
    """Nominal triggers, light verbs, reversals, helped parties and relational nouns."""

    lexicon: Lexicon
    gazetteer: Gazetteer

    # ------------------------------------------------------------------ nominal
    def _governing_verb(self, noun: Token) -> Token | None:
        """The light verb a nominal trigger is the object of, through 'a measure of X'; or
        the receiving verb of a relative clause on it ("the aid they get from X")."""
        for child in noun.children:
            if (
                child.dep_ == "relcl"
                and child.lemma_.lower() in self.lexicon.receiving
                and not any(
                    c.dep_ == "dobj" and c.tag_ not in ("WDT", "WP") for c in child.children
                )
            ):
                return child
        node = noun
        for _ in range(3):
            if node.dep_ in ("dobj", "nsubjpass", "attr") and node.head.pos_ in ("VERB", "AUX"):
                return node.head
            if node.dep_ == "pobj" and node.head.lower_ == "of":
                node = node.head.head
                continue
            if node.dep_ == "pobj" and node.head.dep_ == "agent":
                # "encouraged by backing from": the participle the noun is the agent of
                return node.head.head if node.head.head.pos_ in ("VERB", "AUX") else None
            if node.dep_ == "pobj" and node.head.lower_ in ("in", "for", "as", "during"):
                # "firm in its support of", "served as mediators", "seized during the
                # raid": the clause's verb; "announced $5 million in aid": the amount's
                holder = node.head.head
                if holder.tag_ == "CD" and holder.dep_ in ("dobj", "nsubjpass"):
                    holder = holder.head
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
        quality = trig.qualified(noun)  # "close ties", "strained relations"
        predicate = quality or trig.predicate
        own = self._own_subjects(noun, index)
        if own and all(a.via == Via.coref for a in own):
            # "backed Peru in its war against X": the helped party's war, whatever the
            # possessive's nearest antecedent
            own = self._helped(noun, index) or own
        if (
            trig.only_with
            and not quality
            and not (
                verb is not None
                and (
                    verb.lemma_.lower() in trig.only_with
                    or self.lexicon.reverse(predicate, verb.lemma_.lower())
                )
            )
        ):
            return []  # "relations with Peru": no polarity until a verb gives one
        if verb is not None:
            predicate = self.lexicon.reverse(predicate, verb.lemma_.lower()) or predicate
            if (
                not own
                and noun.head.i == verb.i  # the verb's own object, not an adjunct
                and verb.lemma_.lower() not in self.lexicon.light_verbs
                and verb.lemma_.lower() not in self.lexicon.receiving
                and predicate == trig.predicate
                and self._verb_triggers(verb)
            ):
                return []  # "fight a war against": the verb is the trigger
        between = self._phrase_actors((noun,), {"between"}, index)
        if between and not own:
            return self._between(noun, predicate, between, verb, trigger_span, sent, index)
        if verb is not None and not own and verb.lemma_.lower() in self.lexicon.incurring:
            sources = self._phrase_actors((noun, verb), {"from"}, index)
            if sources:  # "drew condemnation from Lima": Lima condemns the subject
                targets = self._subjects(verb, index)
                return self._make(sources, targets, predicate, trigger_span, sent, "nominal")
        if verb is not None and not own and verb.lemma_.lower() in self.lexicon.receiving:
            received = self._received(noun, trig, verb, trigger_span, sent, index)
            if received:
                return received
        if (
            not own
            and predicate in ("backs", "aids")
            and noun.dep_ == "pobj"
            and noun.head.lower_ == "for"
            and verb is not None
            and noun.head.head.i == verb.i
        ):
            return []  # "turned to Lima for help", "pressed Chile for aid": help sought
        givers = self._givers(noun, trig, index)  # "with support from Oman, the rebels ..."
        subjects = own or givers or self._borrowed_subjects(noun, verb, index)
        objects = between or self._objects(noun, trig.slots, index)
        if not objects and verb is not None:  # "act in solidarity with the strikers"
            objects = self._objects(verb, trig.slots, index)
        if not objects:
            objects = self._complement_objects(noun, index)
        if not objects and verb is not None and verb.lemma_.lower() in self.lexicon.light_verbs:
            light_slots = (*(f"prep:{p}" for p in LIGHT_PREPS), "dative")
            objects = self._objects(verb, light_slots, index)
        if not objects:
            if trig.reciprocal and len(subjects) >= 2:
                found = self._pairs(subjects, predicate, trigger_span, sent, "nominal")
            elif len(subjects) >= 2 and noun.lemma_.lower() in self.lexicon.joint_activities:
                # "Chile and Peru held naval drills": done together, with no target named
                found = self._pairs(subjects, "cooperates", trigger_span, sent, "nominal")
            else:
                return []
        else:
            found = self._make(subjects, objects, predicate, trigger_span, sent, "nominal")
        for rel in found:
            # A noun with its own agent is presupposed, not under the clause's negation or
            # modality: "Lima did not condemn Chile's blockade" still reports a blockade.
            rel.governed = not own
        return found

    def _between(
        self,
        noun: Token,
        predicate: str,
        parties: list[Argument],
        verb: Token | None,
        trigger_span: Span,
        sent: Span,
        index: MentionIndex,
    ) -> list[RelationMention]:
        """ "talks between A and B", "a truce between A and B", "mediators between A and B"."""
        if predicate == "mediates":  # the mediators are whoever the clause is about
            mediators = self._borrowed_subjects(noun, verb, index)
            return self._make(mediators, parties, "mediates", trigger_span, sent, "nominal")
        found = self._pairs(parties, predicate, trigger_span, sent, "nominal")
        if noun.lemma_.lower() in self.lexicon.conflict_ending:
            # A ceasefire or truce between two parties says they have been fighting.
            found += self._pairs(parties, "fights", trigger_span, sent, "nominal")
        if verb is not None and verb.lemma_.lower() in self.lexicon.brokering:
            # "Kenya hosted talks between the two factions"
            hosts = self._subjects(verb, index)
            found += self._make(
                hosts, parties, "mediates", verb.doc[verb.i : verb.i + 1], sent, "nominal"
            )
        return found

    def _received(
        self,
        noun: Token,
        trig,
        verb: Token,
        trigger_span: Span,
        sent: Span,
        index: MentionIndex,
    ) -> list[RelationMention]:
        """ "Ghana received military aid from China", "emboldened by support from its
        neighbours": the giver stands in the relation to whoever received."""
        givers = self._givers(noun, trig, index, verb)
        receivers = self._subjects(verb, index)
        return self._make(givers, receivers, trig.predicate, trigger_span, sent, "nominal")

    def _givers(
        self, noun: Token, trig: Trigger, index: MentionIndex, verb: Token | None = None
    ) -> list[Argument]:
        """Who help comes from: "aid from China", "support from its neighbours"; with a
        receiving verb the phrase may hang off the verb ("received aid from China"), and
        "of" names the giver too ("won the backing of Chile")."""
        if trig.predicate not in ("backs", "aids", "cooperates"):
            return []
        holders = [noun]
        preps = {"from"}
        if verb is not None and verb.lemma_.lower() in self.lexicon.receiving:
            holders.append(verb)
            preps.add("of")
        return self._phrase_actors(holders, preps, index)

    def _own_subjects(self, noun: Token, index: MentionIndex) -> list[Argument]:
        """The agent named inside the noun phrase: possessor, nationality, 'by' phrase."""
        owners = [a for c in noun.children if c.dep_ == "poss" for a in index.resolve_all(c)]
        if owners:
            return owners
        for child in noun.children:  # "Chilean support", "a Western campaign", "Peru-Chile war"
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
        """'support for Peru in its fight against the rebels', 'helped the army in its
        campaign':
        whoever is supported is the one fighting."""
        prep = noun.head
        if noun.dep_ != "pobj" or prep.lower_ not in ("in", "with"):
            return []
        holder = prep.head
        if holder.pos_ == "VERB":  # "renewed its support for Lima in the war": the noun
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
        a relative clause whose object the noun is ("the pact that A and B signed")."""
        if verb is not None:
            if any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children) or (
                verb.dep_ == "acl" and verb.tag_ == "VBN"
            ):  # "hostages taken by the militia during the raid": the agent
                agents = self._objects(verb, ("prep:by",), index)
                if agents:
                    return agents
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
        """'its Andean allies', 'Chile's proxy, the militia', 'an enemy of X'."""
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
