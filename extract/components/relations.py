"""``detente_relations``: relations between actors, from the dependency parse.

Four constructions carry nearly every relation in news text, and each has a rule:

* verbal — "Turkey is aiding the GNA"; passive "was shot down by Turkish forces"; with the
  subject inherited through control and coordination ("offered to mediate", "reached out
  ... and offered"), and the blamed party of "angry with X for supporting Y";
* nominal — "sanctions against Russia", "Russia's support for Assad", "the conflict between
  A and B", light verbs ("impose sanctions on", "established cooperation"), and reversals
  ("lifted sanctions on X" is a concession);
* adjectival — "incensed with the U.S.", "at odds", "hostile to";
* compound — "the Russian-backed Assad regime", "UN-recognised government".

Relational nouns ("its Syrian allies", "Iran's proxy Hezbollah") are a fifth, smaller one.
The trigger words come from the lexicon file, not from code.

Contract: sets ``doc._.relations`` to a list of :class:`RelationMention`; negation,
modality, date, theatre and confidence are left for ``detente_attributes``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from detente.extract.arguments import Argument, MentionIndex, stolen_subject_of
from detente.extract.lexicon import Lexicon, Trigger, load_lexicon
from detente.ontology import load_gazetteer, predicates

# Verbs whose object, not subject, does what their infinitive says ("urged X to ...").
_OBJECT_CONTROL = {
    "urge",
    "press",
    "ask",
    "force",
    "persuade",
    "tell",
    "allow",
    "compel",
    "pressure",
    "encourage",
    "call",
    "help",
    "invite",
    "order",
    "want",
    "like",
}
_LIGHT_PREPS = ("on", "against", "to", "with", "for", "between", "upon")


@dataclass
class RelationMention:
    """A relation found in one sentence, before and after its attributes are set."""

    subject: Argument
    object: Argument
    predicate: str
    trigger: Span
    sentence: Span
    pattern: str
    negated_as: str | None = None
    governed: bool = True  # negation and modality of the governing clause apply
    negated: bool = False
    modality: str = "asserted"
    reported_by: str | None = None
    date: str | None = None
    theatre: str | None = None
    confidence: float = 0.0


def _trim(sent: Span) -> Span:
    """The sentence without the whitespace tokens the parser leaves at its edges."""
    start, end = sent.start, sent.end
    while start < end and sent.doc[start].is_space:
        start += 1
    while end > start and sent.doc[end - 1].is_space:
        end -= 1
    return sent.doc[start:end]


def _register() -> None:
    if not Doc.has_extension("relations"):
        Doc.set_extension("relations", default=None)


class RelationExtractor:
    def __init__(self, lexicon: str | None, gazetteer: str | None) -> None:
        _register()
        self.lexicon: Lexicon = load_lexicon(lexicon)
        self.gazetteer = load_gazetteer(gazetteer) if gazetteer else load_gazetteer()
        self.symmetric = {name for name, p in predicates().items() if p.symmetric}

    def __call__(self, doc: Doc) -> Doc:
        index = MentionIndex(doc, self.lexicon, self.gazetteer)
        found: list[RelationMention] = []
        for sent in doc.sents:
            if sent._.is_boilerplate or not any(index.at(i) for i in range(sent.start, sent.end)):
                continue
            sent = _trim(sent)
            for token in sent:
                for rel in self._at(token, sent, index):
                    found.append(rel)
            if not any(t.pos_ in ("VERB", "AUX") for t in sent):
                found += self._verbless(sent, index)
        doc._.relations = self._dedupe(found)
        return doc

    # ------------------------------------------------------------------ dispatch
    def _at(self, token: Token, sent: Span, index: MentionIndex) -> list[RelationMention]:
        out: list[RelationMention] = []
        out += self._compound(token, sent, index)
        if token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB"):
            out += self._verbal(token, sent, index)
        if token.pos_ in ("NOUN", "PROPN"):
            out += self._nominal(token, sent, index)
        if not out:
            out += self._adjectival(token, sent, index)
        return out

    def _make(
        self,
        subjects: list[Argument],
        objects: list[Argument],
        predicate: str,
        trigger: Span,
        sent: Span,
        pattern: str,
        negated_as: str | None = None,
    ) -> list[RelationMention]:
        out = []
        for s, o in itertools.product(subjects, objects):
            if s.actor.id == o.actor.id or s.mention == o.mention:
                continue
            if o.via == "place" and o.actor.id == (s.actor.country or s.actor.id):
                continue  # a state acting on its own territory ("retake Idlib")
            out.append(RelationMention(s, o, predicate, trigger, sent, pattern, negated_as))
        return out

    def _pairs(
        self, args: list[Argument], predicate: str, trigger: Span, sent: Span, pattern: str
    ) -> list[RelationMention]:
        """Reciprocal relations among coordinated actors ("A and B clashed")."""
        out = []
        for a, b in itertools.combinations(args, 2):
            out += self._make([a], [b], predicate, trigger, sent, pattern)
        return out

    # ------------------------------------------------------------------ arguments
    def _subjects(self, verb: Token, index: MentionIndex, depth: int = 0) -> list[Argument]:
        explicit = [c for c in verb.children if c.dep_ in ("nsubj", "csubj")]
        if not explicit and verb.pos_ == "VERB":
            # "Qatar funds Hamas.": short clauses sometimes come back with the subject
            # attached as a modifier of the verb.
            explicit = [
                c
                for c in verb.children
                if c.dep_ in ("compound", "npadvmod") and c.i < verb.i and c.pos_ == "PROPN"
            ]
        if explicit:
            return [a for c in explicit for a in index.resolve_all(c)]
        stolen = [
            a
            for token in verb.doc[verb.sent.start : verb.i]
            if token.dep_ in ("conj", "pobj")
            and (v := stolen_subject_of(token)) is not None
            and v.i == verb.i
            for a in index.resolve(token)
        ]
        if stolen:
            return stolen
        if depth > 3:
            return []
        head, dep = verb.head, verb.dep_
        if dep == "xcomp" and head.lemma_ in _OBJECT_CONTROL:
            controllers = [c for c in head.children if c.dep_ in ("dobj", "nsubjpass")]
            if controllers:
                return index.resolve_all(controllers[0])
        if dep in ("xcomp", "conj", "advcl", "acomp", "oprd") and head is not verb:
            return self._subjects(head, index, depth + 1)
        if dep == "pcomp" and head.dep_ == "prep":
            # "angry with X for supporting Y": the blamed party; "committed to defeating Y":
            # whoever is committed.
            governor = head.head
            if head.lower_ in ("for", "by"):
                for prep in governor.children:
                    if prep.dep_ == "prep" and prep.lower_ in ("with", "at"):
                        blamed = [
                            a
                            for p in prep.children
                            if p.dep_ == "pobj"
                            for a in index.resolve_all(p)
                        ]
                        if blamed:
                            return blamed
            return self._subjects(governor, index, depth + 1)
        if dep == "acl" and head.pos_ in ("NOUN", "PROPN"):
            owners = [a for c in head.children if c.dep_ == "poss" for a in index.resolve_all(c)]
            if owners:
                return owners
        return []

    def _slot(self, token: Token, slot: str, index: MentionIndex) -> list[Argument]:
        out: list[Argument] = []
        if slot in ("dobj", "dative"):
            deps = {slot} if slot == "dative" else {"dobj", "npadvmod", "oprd"}
            for child in token.children:
                if child.dep_ in deps and (child.dep_ == "dobj" or child.i > token.i):
                    out += self._resolve_or_place(child, index)
        elif slot.startswith("prep:"):
            word = slot[5:]
            # The phrase may hang off the object instead ("withdraw troops from Lebanon").
            holders = [token, *(c for c in token.children if c.dep_ == "dobj")]
            for holder in holders:
                for child in holder.children:
                    # A fronted phrase ("On Monday the US ...") is an adjunct, not an object.
                    if (
                        child.dep_ in ("prep", "agent")
                        and child.lower_ == word
                        and (child.i > token.i or token.pos_ not in ("VERB", "AUX"))
                    ):
                        for pobj in child.children:
                            if pobj.dep_ == "pobj":
                                out += self._resolve_or_place(pobj, index)
        return out

    def _complement_objects(self, word: Token, index: MentionIndex) -> list[Argument]:
        """Targets named in a complement: 'threatened to shell Iraqi towns' (the infinitive's
        object), 'demanded that Israel ease restrictions' (the clause's subject)."""
        lemma = word.lemma_.lower()
        out: list[Argument] = []
        for child in word.children:
            if child.dep_ == "xcomp" and lemma in self.lexicon.infinitive_complements:
                out += self._objects(
                    child,
                    (
                        "dobj",
                        "dative",
                        "prep:to",
                        "prep:against",
                        "prep:on",
                        "prep:with",
                        "prep:from",
                    ),
                    index,
                )
            elif child.dep_ in ("ccomp", "acl") and lemma in self.lexicon.that_complements:
                out += [
                    a
                    for c in child.children
                    if c.dep_ in ("nsubj", "nsubjpass")
                    for a in index.resolve_all(c)
                ]
        return out

    def _resolve_or_place(self, head: Token, index: MentionIndex) -> list[Argument]:
        """Actors of a phrase; a place with no actor reading stands for its country."""
        args = index.resolve_all(head)
        doc = head.doc
        for token in (head, *head.conjuncts):
            if index.at(token.i) or stolen_subject_of(token) is not None:
                continue
            for span in doc._.places or ():
                if span.start <= token.i < span.end and span._.place.country:
                    state = self.gazetteer.actors.get(span._.place.country)
                    if state is not None:
                        args.append(Argument(state, span, "place", span))
        return args

    def _objects(
        self,
        token: Token,
        slots: tuple[str, ...],
        index: MentionIndex,
    ) -> list[Argument]:
        seen: dict[str, Argument] = {}
        for slot in slots:
            for arg in self._slot(token, slot, index):
                seen.setdefault(arg.actor.id, arg)
        return list(seen.values())

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
            light_slots = (*(f"prep:{p}" for p in _LIGHT_PREPS), "dative")
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

    # ------------------------------------------------------------------ adjectival
    def _adjectival(self, word: Token, sent: Span, index: MentionIndex) -> list[RelationMention]:
        trig = self.lexicon.adjectives.get(word.lower_) or self.lexicon.adjectives.get(
            word.lemma_.lower()
        )
        if trig is None:
            return []
        trigger_span = word.doc[word.i : word.i + 1]
        if word.lower_ == "odds":  # "A and B are at odds (with C)"
            if word.dep_ != "pobj" or word.head.lower_ != "at":
                return []
            holder = word.head.head
            subjects = self._subjects(holder, index)
            objects = self._objects(word, trig.slots, index) or self._objects(
                holder, ("prep:with",), index
            )
        else:
            if word.dep_ in ("acomp", "attr", "oprd"):
                holder = word.head
            elif word.dep_ in ("ROOT", "conj", "ccomp", "xcomp", "advcl") and word.pos_ in (
                "ADJ",
                "VERB",
            ):
                holder = word
            else:
                return []
            subjects = [
                a
                for c in holder.children
                if c.dep_ in ("nsubj", "nsubjpass")
                for a in index.resolve_all(c)
            ]
            objects = self._objects(word, trig.slots, index)
        if objects:
            return self._make(subjects, objects, trig.predicate, trigger_span, sent, "adjectival")
        if len(subjects) >= 2 and word.lower_ == "odds":
            return self._pairs(subjects, trig.predicate, trigger_span, sent, "adjectival")
        return []

    # ------------------------------------------------------------------ compound
    def _compound(self, token: Token, sent: Span, index: MentionIndex) -> list[RelationMention]:
        """'Russian-backed Assad regime', 'UN-backed GNA', 'U.N.-recognized government'."""
        doc = token.doc
        low = token.lower_
        backers: list[Argument] = []
        if low in self.lexicon.participles and token.i >= 2 and doc[token.i - 1].text in "-–":
            predicate = self.lexicon.participles[low]
            backers = [index.argument(m) for m in index.at(token.i - 2)]
        elif "-" in token.text[1:]:
            prefix, word = token.text.rsplit("-", 1)
            predicate = self.lexicon.participles.get(word.lower(), "")
            resolved = (
                self.gazetteer.resolve(prefix, doc._.published, doc._.era) if predicate else None
            )
            if resolved:
                backers = [
                    Argument(
                        resolved[0],
                        doc[token.i : token.i + 1],
                        resolved[1].via,
                        doc[token.i : token.i + 1],
                    )
                ]
        if not backers:
            return []
        backed = [m for m in index.at(token.i) if m.via != "coref"]
        if backed:
            targets = [index.argument(m) for m in backed]
        else:
            modifier = token
            while modifier.dep_ == "conj":  # "Turkish and Turkish-backed Syrian forces"
                modifier = modifier.head
            head = modifier.head if modifier.dep_ in ("amod", "compound", "npadvmod") else token
            targets = index.resolve(head)
            if not targets:
                for j in range(token.i + 1, min(token.i + 5, sent.end)):
                    found = index.at(j)
                    if found:
                        targets = [index.argument(m) for m in found]
                        break
                    if doc[j].pos_ in ("VERB", "ADP", "PUNCT"):
                        break
        targets = [t for t in targets if all(t.actor.id != b.actor.id for b in backers)]
        return self._make(backers, targets, predicate, doc[token.i : token.i + 1], sent, "compound")

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

    # ------------------------------------------------------------------ cleanup
    def _dedupe(self, found: list[RelationMention]) -> list[RelationMention]:
        """One relation per actor pair, predicate and sentence: the most specific pattern."""
        rank = {
            "compound": 0,
            "passive": 1,
            "verbal": 2,
            "adjectival": 3,
            "nominal": 4,
            "relational": 5,
        }
        best: dict[tuple, RelationMention] = {}
        for rel in found:
            pair = (rel.subject.actor.id, rel.object.actor.id)
            if rel.predicate in self.symmetric:
                pair = tuple(sorted(pair))
            key = (*pair, rel.predicate, rel.sentence.start, rel.trigger.start)
            if key not in best or rank[rel.pattern] < rank[best[key].pattern]:
                best[key] = rel
        return sorted(best.values(), key=lambda r: (r.sentence.start, r.trigger.start))


@Language.factory(
    "detente_relations",
    default_config={"lexicon": None, "gazetteer": None},
    requires=["doc._.actor_mentions", "token.dep"],
    assigns=["doc._.relations"],
)
def make_relation_extractor(
    nlp: Language, name: str, lexicon: str | None, gazetteer: str | None
) -> RelationExtractor:
    return RelationExtractor(lexicon, gazetteer)
