"""Adjectival ('incensed with', 'at odds') and hyphenated ('Russian-backed') relations."""

from __future__ import annotations

from spacy.tokens import Span, Token

from detente.extract.arguments import Argument, MentionIndex
from detente.extract.lexicon import Lexicon
from detente.extract.rules.base import RelationMention
from detente.ontology import Gazetteer


class ModifierRules:
    """Predicative adjectives and compound participles."""

    lexicon: Lexicon
    gazetteer: Gazetteer

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
