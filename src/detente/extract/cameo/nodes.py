"""The compiled form of a pattern: DependencyMatcher nodes that also carry the checks
the matcher cannot express, so one compiled pattern serves both :func:`.operators.search`
and a real ``DependencyMatcher``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spacy.tokens import Token

from .vocabulary import Lexeme


@dataclass(frozen=True)
class Node:
    """One DependencyMatcher node, plus the checks the matcher cannot express."""

    id: str
    left: str | None = None
    op: str | None = None
    lexeme: Lexeme | None = None  # LOWER in heads; phrases checked on the neighbours
    lower: frozenset[str] | None = None  # exact words (particles, prepositions)
    lemma: frozenset[str] | None = None
    deps: tuple[str, ...] | None = None
    pos: str | None = None
    attach: tuple[str, ...] = ()  # a preposition: the nodes (or "holder") it may hang from
    weight: int = 0

    def attrs(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        words = self.lexeme.heads if self.lexeme else self.lower
        if words is not None:
            out["LOWER"] = {"IN": sorted(words)}
        if self.lemma is not None:
            out["LEMMA"] = {"IN": sorted(self.lemma)}
        if self.deps is not None:
            out["DEP"] = {"IN": list(self.deps)}
        if self.pos is not None:
            out["POS"] = self.pos
        return out

    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"RIGHT_ID": self.id, "RIGHT_ATTRS": self.attrs()}
        if self.left is not None:
            spec = {"LEFT_ID": self.left, "REL_OP": self.op, **spec}
        return spec

    def accepts(self, token: Token, lemma: str | None = None) -> bool:
        """The node's attributes hold for ``token`` (``lemma`` overrides the tagger's)."""
        if self.pos is not None and token.pos_ != self.pos:
            return False
        if self.deps is not None and token.dep_ not in self.deps:
            return False
        if self.lemma is not None and (lemma or token.lemma_.lower()) not in self.lemma:
            return False
        if self.lower is not None and token.lower_ not in self.lower:
            return False
        return self.lexeme is None or self.lexeme.fits(token)


@dataclass(frozen=True)
class CompiledPattern:
    """One dictionary pattern (or a verb's own code) for one verb shape of its block."""

    id: str
    block: str
    line: int
    text: str
    code: str | None
    reverse_code: str | None
    predicate: str | None
    reverse_predicate: str | None
    nodes: tuple[Node, ...]
    target: str | None  # node holding the target; None: the default slots
    target_is_object: bool  # '+' after the verb: the object, and only the object
    source: str | None  # node holding the source; None: the subject
    target_preps: tuple[str, ...]
    origin: frozenset[str] | None  # anchor lemmas it was written for; None: all the block's
    specificity: int
    kind: str  # "pattern", or "verb" for a verb's own code
    shape: str  # the multi-word verb it is compiled for; "" for the one-word verbs
    required: tuple[frozenset[str], ...]  # the sentence must have a word of each (prefilter)

    @property
    def dependency_pattern(self) -> list[dict[str, Any]]:
        """The pattern in spaCy DependencyMatcher form."""
        return [n.spec() for n in self.nodes]
