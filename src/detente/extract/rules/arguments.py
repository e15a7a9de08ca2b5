"""Finding a relation's subject and objects around its trigger word."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from spacy.tokens import Token

from detente.domain import Via
from detente.extract.arguments import Argument, MentionIndex, stolen_subject_of
from detente.extract.cameo import CompiledLexicon, match_verb
from detente.extract.components.blocks import places_at
from detente.extract.lexicon import Lexicon
from detente.extract.rules.base import OBJECT_CONTROL, RuleMixin
from detente.ontology import Gazetteer

# Prepositions whose gerund shares the clause's subject: "by arming X", "after shelling X",
# "in fighting X", "without consulting X"; not "over", "about", "against", "despite".
SHARED_AGENT_PREPS = frozenset(
    {
        "by",
        "in",
        "after",
        "before",
        "while",
        "when",
        "since",
        "without",
        "through",
        "upon",
        "on",
        "for",
        "to",
        "from",
        "with",
        "of",
        "at",
        "into",
    }
)


class ArgumentRules(RuleMixin):
    """Subjects (through control, coordination and parser repairs) and objects (slots,
    complements, places)."""

    lexicon: Lexicon
    gazetteer: Gazetteer
    _idiom_preps: set[int]  # prepositions that end an idiom of the current sentence
    hostile: set[str]  # the predicates of opposition
    cameo: CompiledLexicon | None

    # ------------------------------------------------------------------ arguments
    def _subjects(self, verb: Token, index: MentionIndex, depth: int = 0) -> list[Argument]:
        explicit = [c for c in verb.children if c.dep_ in ("nsubj", "csubj")]
        if not explicit:
            # "Egypt and Qatar are mediating": the parser may hang the subject off the
            # auxiliary
            explicit = [
                c
                for aux in verb.children
                if aux.dep_ == "aux"
                for c in aux.children
                if c.dep_ == "nsubj"
            ]
        if not explicit and verb.pos_ == "VERB":
            # "Qatar funds Hamas.": short clauses sometimes come back with the subject
            # attached as a modifier of the verb.
            explicit = [
                c
                for c in verb.children
                if c.dep_ in ("compound", "npadvmod") and c.i < verb.i and c.pos_ == "PROPN"
            ]
        if explicit:
            holders = [verb, *explicit]  # the phrase hangs off the verb or the subject
            return [a for c in explicit for a in index.resolve_all(c)] + [
                a for holder in holders for a in self._co_agents(holder, index)
            ]
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
        if dep == "xcomp" and head.lemma_ in OBJECT_CONTROL:
            controllers = [c for c in head.children if c.dep_ in ("dobj", "nsubjpass")]
            if controllers:
                return index.resolve_all(controllers[0])
        if dep in ("xcomp", "conj", "advcl", "acomp", "oprd") and head is not verb:
            return self._subjects(head, index, depth + 1)
        if dep == "pcomp" and head.dep_ == "prep":
            # "accused Peru of arming Y", "blamed Lima for shelling Y": the accused party;
            # "furious with X for supporting Y": the blamed one; "committed to defending
            # Y": whoever is committed.
            governor = head.head
            if head.lower_ in ("of", "for") and governor.lemma_.lower() in self.lexicon.accusing:
                accused = [c for c in governor.children if c.dep_ in ("dobj", "nsubjpass")]
                if accused:  # whoever it is, never the accuser
                    return [a for c in accused for a in index.resolve_all(c)]
            if head.lower_ == "as" and any(c.dep_ == "nsubjpass" for c in governor.children):
                # "Egypt is seen as aligned with X": what it is seen as, it is said to be
                return [
                    a
                    for c in governor.children
                    if c.dep_ == "nsubjpass"
                    for a in index.resolve_all(c)
                ]
            if head.lower_ not in SHARED_AGENT_PREPS:
                return []  # "backing X over fighting with Y": the fighting is someone else's
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
        if dep in ("acl", "relcl") and head.pos_ in ("NOUN", "PROPN", "PRON"):
            return self._noun_clause_subjects(verb, head, index, depth)
        return []

    def _noun_clause_subjects(
        self, verb: Token, noun: Token, index: MentionIndex, depth: int
    ) -> list[Argument]:
        """The subject of a clause that modifies a noun and has none of its own: the noun's
        agent for an event ("Chile's blockade of Peru to force talks"), the noun itself for
        a participle or an infinitive ("rebels fighting the army", "the only group to have
        fought alongside X"), or the subject of the copula the noun completes ("X is the
        only group to …")."""
        owners = [a for c in noun.children if c.dep_ == "poss" for a in index.resolve_all(c)]
        if self.lexicon.nouns.get(noun.lemma_.lower()) is not None:
            return owners or self._own_subjects(noun, index)
        if owners and verb.tag_ not in ("VBG", "VB"):
            return owners
        if verb.tag_ in ("VBG", "VB") or verb.dep_ == "relcl":
            itself = index.resolve_all(noun)
            if itself:
                return itself
            if noun.dep_ == "attr" and noun.head.pos_ in ("AUX", "VERB"):
                return self._subjects(noun.head, index, depth + 1)
        return owners

    def _co_agents(self, holder: Token, index: MentionIndex) -> list[Argument]:
        """Who acts with the subject: "Chile, along with Peru, condemned …", "Chile
        together with Peru signed …"."""
        out: list[Argument] = []
        for prep in holder.children:
            if prep.dep_ != "prep" or prep.lower_ not in ("along", "together"):
                continue
            for inner in prep.children:
                if inner.dep_ == "prep" and inner.lower_ == "with":
                    for pobj in inner.children:
                        if pobj.dep_ == "pobj":
                            out += index.resolve_all(pobj)
        return out

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
            # Not "of": "condemned the blockade of Bolivia" condemns the blockade, not its
            # target.
            holders = [token]
            if word != "of":
                holders += [c for c in token.children if c.dep_ == "dobj"]
            for holder in holders:
                for child in holder.children:
                    # A fronted phrase ("On Monday the US ...") is an adjunct, not an object.
                    if (
                        child.dep_ in ("prep", "agent")
                        and child.lower_ == word
                        and (child.i > token.i or token.pos_ not in ("VERB", "AUX"))
                        and child.i not in self._idiom_preps  # "fought side by side with"
                    ):
                        for pobj in child.children:
                            if pobj.dep_ == "pobj":
                                out += self._resolve_or_place(pobj, index)
        return out

    @staticmethod
    def _phrase_actors(
        holders: Iterable[Token], preps: Collection[str], index: MentionIndex
    ) -> list[Argument]:
        """Actors named in the ``preps`` phrases hanging off any of ``holders`` ("aid from
        Lima", "a truce between A and B")."""
        return [
            a
            for holder in holders
            for c in holder.children
            if c.dep_ == "prep" and c.lower_ in preps
            for p in c.children
            if p.dep_ == "pobj"
            for a in index.resolve_all(p)
        ]

    def _complement_objects(self, word: Token, index: MentionIndex) -> list[Argument]:
        """Targets named in a complement: 'threatened to bomb the rebel bases' (the
        infinitive's object), 'demanded that Chile withdraw its envoy' (the clause's subject),
        'allegations that Peru armed the militia' (the accused)."""
        lemma = word.lemma_.lower()
        out: list[Argument] = []
        for child in word.children:
            if child.dep_ == "xcomp" and lemma in self.lexicon.infinitive_complements:
                friendly = any(t.predicate not in self.hostile for t in self._verb_triggers(word))
                if (lemma in self.lexicon.negating_governors or friendly) and self._hostile(child):
                    # refusing to strike Peru is no hostility towards Peru, and pledging to
                    # hunt down the rebels no agreement with them
                    continue
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
            elif child.dep_ in ("ccomp", "acl") and (
                lemma in self.lexicon.that_complements
                or (word.pos_ == "NOUN" and lemma in self.lexicon.accusation_nouns)
            ):
                out += [
                    a
                    for c in child.children
                    if c.dep_ in ("nsubj", "nsubjpass")
                    for a in index.resolve_all(c)
                ]
        return out

    def _hostile(self, verb: Token) -> bool:
        """Whether a verb, or the noun a light verb takes, states opposition ("strike",
        "launch raids on")."""
        if any(t.predicate in self.hostile for t in self._verb_triggers(verb)):
            return True
        if self.cameo is not None:  # "hunt down", "crack down on": the dictionary knows
            found = match_verb(self.cameo, verb)
            if found is not None and found.predicate in self.hostile:
                return True
        return any(
            c.dep_ == "dobj"
            and (trigger := self._noun_trigger(c)) is not None
            and trigger.predicate in self.hostile
            for c in verb.children
        )

    def _resolve_or_place(self, head: Token, index: MentionIndex) -> list[Argument]:
        """Actors of a phrase; a place with no actor reading stands for its country."""
        args = index.resolve_all(head)
        doc = head.doc
        for token in (head, *head.conjuncts):
            if index.at(token.i) or stolen_subject_of(token) is not None:
                continue
            for span in places_at(doc, token.i):
                if span._.place.country:
                    state = self.gazetteer.actors.get(span._.place.country)
                    if state is not None:
                        args.append(Argument(state, span, Via.place, span))
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
        if not seen and "dobj" in slots and token.pos_ == "VERB":
            # "condemned and sanctioned Peru": the object both verbs share sits on the last
            shared = [
                c
                for c in token.children
                if c.dep_ == "conj" and c.pos_ == "VERB" and not self._own_subject(c)
            ]
            for verb in shared:
                for arg in self._slot(verb, "dobj", index):
                    seen.setdefault(arg.actor.id, arg)
        return list(seen.values())

    @staticmethod
    def _own_subject(verb: Token) -> bool:
        return any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)
