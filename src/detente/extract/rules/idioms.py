"""Idioms: multiword expressions that state a relation ("at war with", "side by side with").

The lexicon lists them as written; they are matched as token sequences (case-insensitive),
so hyphenated spellings tokenise the way the text does. The subject is the subject of the
clause the expression belongs to (or the noun phrase it modifies: "troops side by side with
the army"); the object is the object of its last word when that is a preposition. An
expression without a final preposition relates coordinated subjects to each other ("Chile
and Peru are at loggerheads").
"""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Span, Token

from detente.extract.arguments import Argument, MentionIndex
from detente.extract.lexicon import Idiom, Lexicon
from detente.extract.rules.base import RelationMention, RuleMixin


def idiom_matcher(nlp: Language, lexicon: Lexicon) -> tuple[PhraseMatcher, dict[int, Idiom]]:
    """A phrase matcher over lower-cased tokens, and the idiom each match id stands for."""
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    by_key: dict[int, Idiom] = {}
    for idiom in lexicon.idioms:
        key = nlp.vocab.strings.add(f"IDIOM:{idiom.predicate}:{idiom.phrase}")
        by_key[key] = idiom
        matcher.add(f"IDIOM:{idiom.predicate}:{idiom.phrase}", [nlp.make_doc(idiom.phrase)])
    return matcher, by_key


class IdiomRules(RuleMixin):
    """Relations stated by multiword expressions."""

    lexicon: Lexicon
    idioms: PhraseMatcher
    idiom_by_key: dict[int, Idiom]

    def _idiom_matches(self, sent: Span) -> list[tuple[Idiom, Span]]:
        """The idioms of a sentence, longest first where they overlap ("at war with", not
        also "at war")."""
        found: list[tuple[Idiom, Span]] = []
        matches = sorted(self.idioms(sent), key=lambda m: (m[1], -(m[2] - m[1])))
        taken = -1
        for key, start, end in matches:
            if start < taken:
                continue
            taken = end
            found.append((self.idiom_by_key[key], sent[start - sent.start : end - sent.start]))
        return found

    def _idiom(
        self, idiom: Idiom, span: Span, sent: Span, index: MentionIndex
    ) -> list[RelationMention]:
        last = span[-1]
        objects: list[Argument] = []
        if last.pos_ == "ADP" or last.dep_ in ("prep", "agent"):
            for child in last.children:
                if child.dep_ in ("pobj", "pcomp"):
                    objects += self._resolve_or_place(child, index)
        subjects = self._idiom_subjects(span, index)
        if objects:
            return self._make(subjects, objects, idiom.predicate, span, sent, "idiom")
        if idiom.reciprocal and len(subjects) >= 2:
            return self._pairs(subjects, idiom.predicate, span, sent, "idiom")
        return []

    def _idiom_subjects(self, span: Span, index: MentionIndex) -> list[Argument]:
        """Whoever the expression is said of: its clause's subject, or the phrase it
        modifies. The expression's first word hangs off either."""
        anchor: Token = span.root
        holder = anchor.head if anchor.head is not anchor else anchor
        for _ in range(4):
            if holder.pos_ in ("VERB", "AUX"):
                # "are locked in a dispute": a passive's subject is whom it is said of
                return self._subjects(holder, index) or [
                    a
                    for c in holder.children
                    if c.dep_ == "nsubjpass"
                    for a in index.resolve_all(c)
                ]
            if holder.pos_ in ("NOUN", "PROPN", "PRON"):
                named = index.resolve_all(holder)
                if named:  # "troops side by side with X"
                    return named
                # else the phrase is a place or an event of the clause: "took part in the
                # war alongside X" is said of the clause's subject
            if holder.head is holder:
                break
            holder = holder.head
        return []
