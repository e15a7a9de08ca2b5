"""Finding a relation's subject and objects around its trigger word."""

from __future__ import annotations

from spacy.tokens import Token

from detente.extract.arguments import Argument, MentionIndex, stolen_subject_of
from detente.extract.lexicon import Lexicon
from detente.extract.rules.base import OBJECT_CONTROL
from detente.ontology import Gazetteer


class ArgumentRules:
    """Subjects (through control, coordination and parser repairs) and objects (slots,
    complements, places)."""

    lexicon: Lexicon
    gazetteer: Gazetteer

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
        if dep == "xcomp" and head.lemma_ in OBJECT_CONTROL:
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
