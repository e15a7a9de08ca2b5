"""Candidate actor pairs: the pairs of actors a text may relate, as the relation model and
the annotators of the training corpus both see them.

A candidate is two different actors mentioned in one sentence, or in two neighbouring
sentences of one paragraph (a stance often takes a sentence to name its actor and the next
to state it). Where coreference is unsure ("they" for "A and B"), each reading is its own
candidate. Of the mentions of one actor in a window the ones nearest each other stand for
the pair, so a window holds each pair of actors once. Cost: O(m^2) per window of m mentions.

The same function makes the annotators' candidates and the model's at run time, so the
model decides on exactly the kind of pair it was trained on.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span

from detente.extract.arguments import Mention, mentions_of

# Sentences longer than this are page furniture or run-on lists, not a statement of stance.
MAX_WINDOW_TOKENS = 120


@dataclass(frozen=True)
class Candidate:
    """Two actors in one window of text, ``first`` mentioned before ``second``."""

    first: Mention
    second: Mention
    window: Span  # the sentence, or the two neighbouring sentences, holding both mentions

    @property
    def pair(self) -> frozenset[str]:
        return frozenset((self.first.actor.id, self.second.actor.id))

    @property
    def crosses_sentences(self) -> bool:
        return self.first.span.sent.start != self.second.span.sent.start

    def key(self, document: str) -> str:
        """A stable id: the document and the character offsets of both mentions."""
        a, b = self.first.span, self.second.span
        return f"{document}:{a.start_char}-{a.end_char}:{b.start_char}-{b.end_char}"


def _readings(doc: Doc) -> list[Mention]:
    """Every actor reading of the document's mentions outside page furniture."""
    found: list[Mention] = []
    for span in doc._.actor_mentions or ():
        if span._.is_boilerplate or (span._.actor is None and not span._.antecedents):
            continue
        found.extend(m for m in mentions_of(span) if m.actor is not None)
    return found


def _same_paragraph(doc: Doc, a: Span, b: Span) -> bool:
    paragraphs = doc._.paragraphs
    if not paragraphs:
        return True
    return any(start <= a.start_char and b.end_char <= end for start, end in paragraphs)


def _pairs(window: Span, mentions: list[Mention], across: bool) -> list[Candidate]:
    """One candidate per pair of actors in ``window``: the nearest two of their mentions.
    ``across``: keep only pairs that are not both in one sentence (those have their own)."""
    nearest: dict[tuple[str, str], tuple[int, Mention, Mention]] = {}
    for i, a in enumerate(mentions):
        for b in mentions[i + 1 :]:
            if a.actor.id == b.actor.id or a.span.start == b.span.start:
                continue
            if across and a.span.sent.start == b.span.sent.start:
                continue
            first, second = (a, b) if a.span.start <= b.span.start else (b, a)
            key = (first.actor.id, second.actor.id)
            if (second.actor.id, first.actor.id) in nearest:
                key = (second.actor.id, first.actor.id)
            gap = abs(second.span.start - first.span.end)
            if key not in nearest or gap < nearest[key][0]:
                nearest[key] = (gap, first, second)
    return [Candidate(first, second, window) for _, first, second in nearest.values()]


def candidate_pairs(doc: Doc, *, neighbours: bool = True) -> list[Candidate]:
    """The candidate pairs of ``doc`` in text order: within each sentence, then (with
    ``neighbours``) across each two neighbouring sentences of one paragraph for the pairs
    that neither sentence holds alone. Needs the actor recogniser and coreference."""
    readings = _readings(doc)
    by_sentence: dict[int, list[Mention]] = {}
    for m in readings:
        by_sentence.setdefault(m.span.sent.start, []).append(m)
    sentences = [s for s in doc.sents if len(s) <= MAX_WINDOW_TOKENS]
    out: list[Candidate] = []
    seen: set[tuple[frozenset[str], int]] = set()  # (pair of actors, sentence start)
    for i, sent in enumerate(sentences):
        inside = by_sentence.get(sent.start, [])
        for c in _pairs(sent, inside, across=False):
            seen.add((c.pair, sent.start))
            out.append(c)
        if not neighbours or i + 1 >= len(sentences):
            continue
        nxt = sentences[i + 1]
        if nxt.start != sent.end or not _same_paragraph(doc, sent, nxt):
            continue
        following = by_sentence.get(nxt.start, [])
        if not inside or not following:
            continue
        window = doc[sent.start : nxt.end]
        if len(window) > MAX_WINDOW_TOKENS:
            continue
        for c in _pairs(window, inside + following, across=True):
            # A pair one of the two sentences already holds is decided there.
            if (c.pair, sent.start) in seen or (c.pair, nxt.start) in seen:
                continue
            out.append(c)
    out.sort(key=lambda c: (c.window.start, c.first.span.start, c.second.span.start))
    return out
