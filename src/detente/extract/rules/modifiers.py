"""Adjectival ('hostile to', 'furious with') and hyphenated ('Chinese-funded') relations."""

from __future__ import annotations

from spacy.tokens import Span, Token

from detente.domain import Via
from detente.extract.arguments import Argument, MentionIndex
from detente.extract.lexicon import Lexicon
from detente.extract.rules.base import RelationMention, RuleMixin
from detente.ontology import Gazetteer


class ModifierRules(RuleMixin):
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
        if not objects:
            return []
        return self._make(subjects, objects, trig.predicate, trigger_span, sent, "adjectival")

    # ------------------------------------------------------------------ stance
    def _stance(self, noun: Token, sent: Span, index: MentionIndex) -> list[RelationMention]:
        """'pro-junta militias' back the junta; 'anti-Chilean protesters' oppose Chile:
        whoever the phrase otherwise names stands in that relation to the prefixed actor."""
        stances = index.stances(noun)
        if not stances:
            return []
        holders = index.resolve(noun)
        out: list[RelationMention] = []
        for predicate, mention in stances:
            target = index.argument(mention)
            trigger = noun.doc[max(mention.span.start - 2, 0) : mention.span.end]
            out += self._make(holders, [target], predicate, trigger, sent, "compound")
        return out

    # ------------------------------------------------------------------ compound
    def _suspended(self, j: int, doc) -> list[Argument]:
        """Backers named before a suspended hyphen: "Chilean- and Peruvian-backed units"
        (the tagger keeps "Chilean-" as one token, which names no actor by itself)."""
        found: list[Argument] = []
        while j >= 1 and doc[j].lower_ in ("and", "or", ","):
            piece = doc[j - 1]
            if not piece.text.endswith(("-", "–")):
                break
            resolved = self.gazetteer.resolve(piece.text[:-1], doc._.published, doc._.era)
            if resolved:
                found.append(Argument(resolved[0], doc[j - 1 : j], resolved[1].via, doc[j - 1 : j]))
            j -= 2
        return found

    def _compound(self, token: Token, sent: Span, index: MentionIndex) -> list[RelationMention]:
        """'the Chinese-funded militia', 'a UN-backed government', 'U.S.-trained units'."""
        doc = token.doc
        low = token.lower_
        backers: list[Argument] = []
        if low in self.lexicon.participles and token.i >= 2 and doc[token.i - 1].text in "-–":
            predicate = self.lexicon.participles[low]
            # (not a reference that covers the whole phrase: "the Iranian-backed group")
            backers = [index.argument(m) for m in index.at(token.i - 2) if m.via != Via.coref]
            backers += self._suspended(token.i - 3, doc)
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
        backed = [m for m in index.at(token.i) if m.via != Via.coref]
        if backed:
            targets = [index.argument(m) for m in backed]
        else:
            modifier = token
            while modifier.dep_ == "conj":  # "Chilean and Chilean-trained Bolivian units"
                modifier = modifier.head
            head = (
                modifier.head
                if modifier.dep_ in ("amod", "compound", "npadvmod", "nmod")
                else token
            )
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
