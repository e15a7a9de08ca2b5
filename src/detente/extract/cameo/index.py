"""The compiled dictionary, indexed by the verb's lemma: a sentence's verbs and words
pick the few patterns worth a search, and :func:`rank` decides between those that
match."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .nodes import CompiledPattern


@dataclass(frozen=True)
class ShapeProbe:
    """A verb shape of a block, for the lemmas that anchor it; a multi-word shape carries
    the nodes of its other words (``probe``) to test whether the text has them."""

    block: str
    shape: str
    lemmas: frozenset[str]
    probe: CompiledPattern | None


class LemmaIndex:
    """The patterns of one verb lemma, best first (see :func:`rank`), with an inverted
    index from a word each pattern needs to its rank: a sentence's words pick the few
    patterns worth a search."""

    def __init__(self, lemma: str, patterns: Iterable[CompiledPattern], primary: Mapping[str, str]):
        key = lambda p: rank(p, lemma, primary)  # noqa: E731
        self.patterns = tuple(sorted(patterns, key=key, reverse=True))
        self.always: list[int] = []  # patterns that need no particular word
        self.by_word: dict[str, list[int]] = {}
        for i, p in enumerate(self.patterns):
            if not p.required:
                self.always.append(i)
                continue
            for word in min(p.required, key=len):
                self.by_word.setdefault(word, []).append(i)

    def candidates(self, words: Iterable[str]) -> list[CompiledPattern]:
        found = set(self.always)
        for word in words:
            found.update(self.by_word.get(word, ()))
        return [self.patterns[i] for i in sorted(found)]


@dataclass(frozen=True, eq=False)
class CompiledLexicon:
    patterns: tuple[CompiledPattern, ...]
    by_lemma: Mapping[str, tuple[CompiledPattern, ...]]
    shapes: Mapping[str, tuple[ShapeProbe, ...]]
    primary_block: Mapping[str, str]  # lemma -> the block that first lists it
    irregular: Mapping[str, str]  # listed irregular form -> its verb's lemma
    report: Mapping[str, Any]  # counts: kept and dropped, and why
    _indexes: dict[str, LemmaIndex] = field(default_factory=dict)

    def index(self, lemma: str) -> LemmaIndex:
        """The ranked patterns of a verb lemma, built on first use."""
        if lemma not in self._indexes:
            patterns = self.by_lemma.get(lemma, ())
            self._indexes[lemma] = LemmaIndex(lemma, patterns, self.primary_block)
        return self._indexes[lemma]

    def ranked(self, lemma: str) -> tuple[CompiledPattern, ...]:
        return self.index(lemma).patterns


def rank(pattern: CompiledPattern, lemma: str, primary: Mapping[str, str]) -> tuple:
    """Which pattern speaks for a verb when several match. A pattern written for another
    verb of the block (the dictionary's comment names it) ranks below everything written
    for this one, the verb's own code included: "fight (FOR)" is not "attack (FOR)". Then
    patterns before the verb's own code, the more specific first; then the verb's first
    block (PETRARCH binds a verb to it); then the later line (a later duplicate overrides
    an earlier one in PETRARCH)."""
    return (
        pattern.origin is None or lemma in pattern.origin,
        pattern.kind == "pattern",
        pattern.specificity,
        primary.get(lemma) == pattern.block,
        pattern.line,
    )
