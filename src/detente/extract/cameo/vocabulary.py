"""What a dictionary word matches in the text: its noun forms, its synonym sets
expanded, its multi-word runs as phrases checked on neighbouring tokens."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from spacy.tokens import Token

from .data import Synset, Term
from .grammar import FUNCTION_WORDS, PHRASE_BREAKS


def _plural(word: str) -> str:
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + "s"


def _singular(word: str) -> str | None:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if re.search(r"(ss|x|z|ch|sh)es$", word):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return None


def noun_forms(word: str, plural: bool = True) -> frozenset[str]:
    """Surface forms a dictionary noun matches: itself, and its other number unless the
    dictionary asked for the exact word (a trailing '_')."""
    low = word.lower()
    forms = {low}
    if plural:
        forms.add(_plural(low))
        if (single := _singular(low)) is not None:
            forms.add(single)
    return frozenset(forms)


def _pieces(word: str) -> list[str]:
    """spaCy splits a hyphen between letters into its own token: 'CEASE-FIRE'."""
    return [p for p in re.split(r"(?<=[A-Za-z])(-)(?=[A-Za-z])", word) if p]


@dataclass(frozen=True)
class Phrase:
    """A run of consecutive tokens; the head token is matched by the node, the others by
    their neighbours' text."""

    before: tuple[str, ...]
    after: tuple[str, ...]

    def fits(self, token: Token) -> bool:
        doc, i = token.doc, token.i
        if i - len(self.before) < 0 or i + len(self.after) >= len(doc):
            return False
        left = doc[i - len(self.before) : i]
        right = doc[i + 1 : i + 1 + len(self.after)]
        return (
            tuple(t.lower_ for t in left) == self.before
            and tuple(t.lower_ for t in right) == self.after
        )


@dataclass(frozen=True)
class Lexeme:
    """What one node's token may be: single words, or phrases keyed by their head form."""

    words: frozenset[str]
    phrases: Mapping[str, tuple[Phrase, ...]]
    heads: frozenset[str] = frozenset()  # every form the node's own token may have

    def __post_init__(self) -> None:
        object.__setattr__(self, "heads", self.words | frozenset(self.phrases))

    def fits(self, token: Token) -> bool:
        low = token.lower_
        if low in self.words:
            return True
        return any(p.fits(token) for p in self.phrases.get(low, ()))


def _head_index(words: list[str]) -> int:
    for i, w in enumerate(words):
        if i and w.upper() in PHRASE_BREAKS:
            return i - 1
    return len(words) - 1


class Vocabulary:
    """Expands terms (words, '_' runs, '/' alternatives, synonym sets) into lexemes."""

    def __init__(self, synsets: Mapping[str, Synset]) -> None:
        self.synsets = synsets
        self._cache: dict[Term, Lexeme] = {}

    def runs(self, term: Term) -> Iterator[tuple[list[str], bool]]:
        """Every consecutive word run the term stands for, with its plural flag."""
        for alt in term.alternatives:
            yield from self._expand(list(alt), True)

    def _expand(self, words: list[str], plural: bool) -> Iterator[tuple[list[str], bool]]:
        for i, w in enumerate(words):
            if w.startswith("&"):
                for member, member_plural in self.synsets[w].members:
                    yield from self._expand(
                        words[:i] + list(member) + words[i + 1 :], plural and member_plural
                    )
                return
        pieces = [p for w in words for p in _pieces(w)]
        yield pieces, plural

    def lexeme(self, term: Term) -> Lexeme:
        if term not in self._cache:
            self._cache[term] = self._lexeme(term)
        return self._cache[term]

    def _lexeme(self, term: Term) -> Lexeme:
        words: set[str] = set()
        phrases: dict[str, list[Phrase]] = {}
        for run, plural in self.runs(term):
            h = _head_index(run)
            forms = noun_forms(run[h], plural)
            if len(run) == 1:
                words |= forms
                continue
            before = tuple(w.lower() for w in run[:h])
            after = tuple(w.lower() for w in run[h + 1 :])
            for form in forms:
                phrases.setdefault(form, []).append(Phrase(before, after))
        return Lexeme(frozenset(words), {k: tuple(v) for k, v in phrases.items()})

    def is_function_run(self, term: Term) -> bool:
        """'TANKS_AND', 'ON_THE': a fragment of a TABARI word sequence, not a phrase."""
        return any(len(alt) > 1 and alt[-1] in FUNCTION_WORDS for alt in term.alternatives)
