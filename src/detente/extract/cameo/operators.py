"""One compiled pattern evaluated at one verb, following DependencyMatcher's operator
semantics (``>``, ``>>``, ``;``).

spaCy's matcher holding all ~9,800 compiled patterns takes some 20 s to build and
40-300 ms per sentence (it tests every node of every pattern against every token); the
search here, run only for the patterns indexed under a verb's lemma, takes about 2 ms
per 300-word article. :func:`dependency_matcher` loads the same patterns into a real
spaCy ``DependencyMatcher``; the tests check that both find the same matches."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.matcher import DependencyMatcher
from spacy.tokens import Token
from spacy.vocab import Vocab

from .compile import compile_lexicon
from .grammar import HOLDER_DEPS
from .nodes import CompiledPattern, Node


def dependency_matcher(
    vocab: Vocab, patterns: Iterable[CompiledPattern] | None = None
) -> DependencyMatcher:
    """A spaCy DependencyMatcher holding the compiled patterns (all of them by default),
    each under its pattern id. Its matches still need :func:`verify` for the checks the
    matcher cannot express (consecutive phrase words, where a preposition hangs)."""
    matcher = DependencyMatcher(vocab)
    for p in compile_lexicon().patterns if patterns is None else patterns:
        matcher.add(p.id, [p.dependency_pattern])
    return matcher


def _candidates(assigned: dict[str, Token], node: Node) -> Iterable[Token]:
    left = assigned[node.left or "verb"]
    if node.op == ">":
        return left.children
    if node.op == ">>" and node.attach:
        # the descendants that _attached() can accept: children of the allowed heads
        return (c for head in _heads(node, assigned) for c in head.children)
    if node.op == ">>":
        return (t for t in left.subtree if t.i != left.i)
    if node.op == ";":
        return (left.doc[left.i - 1],) if left.i > 0 else ()
    raise ValueError(f"operator {node.op!r} is not supported")


def _heads(node: Node, assigned: dict[str, Token]) -> list[Token]:
    """The tokens a prepositional phrase may hang from (see :func:`_attached`)."""
    verb = assigned["verb"]
    heads = [assigned[n] for n in node.attach if n in assigned]
    if "verb" in node.attach:
        heads += [t for n, t in assigned.items() if n.startswith(("verb_w", "prt"))]
    if "holder" in node.attach:
        heads += [c for c in verb.children if c.dep_ in HOLDER_DEPS]
    return heads


def _attached(prep: Token, node: Node, assigned: dict[str, Token]) -> bool:
    """A prepositional phrase counts where the pattern put it: on the verb (or on its
    particle: "pulled out OF"), on the matched object, or on the verb's direct object
    ("holder")."""
    head, verb = prep.head, assigned["verb"]
    if "verb" in node.attach and any(
        t.i == head.i for n, t in assigned.items() if n.startswith(("verb_w", "prt"))
    ):
        return True
    for name in node.attach:
        if name == "holder":
            if head.head.i == verb.i and head.dep_ in HOLDER_DEPS and head.i != verb.i:
                return True
        elif name in assigned and assigned[name].i == head.i:
            return True
    return False


def verify(pattern: CompiledPattern, tokens: list[Token]) -> bool:
    """The checks a DependencyMatcher cannot make, on one of its matches (tokens in the
    order of the pattern's nodes)."""
    assigned = {n.id: t for n, t in zip(pattern.nodes, tokens, strict=True)}
    for node, token in zip(pattern.nodes, tokens, strict=True):
        if node.lexeme is not None and not node.lexeme.fits(token):
            return False
        if node.attach and not _attached(token, node, assigned):
            return False
    return len({t.i for t in tokens}) == len(tokens)


def search(pattern: CompiledPattern, anchor: Token, lemma: str | None = None) -> list[Token] | None:
    """The first assignment of tokens to the pattern's nodes with ``anchor`` as the verb
    (backtracking over the DependencyMatcher operators), or None."""
    nodes = pattern.nodes
    if not nodes[0].accepts(anchor, lemma):
        return None
    assigned: dict[str, Token] = {"verb": anchor}
    used = {anchor.i}

    def extend(k: int) -> bool:
        if k == len(nodes):
            return True
        node = nodes[k]
        for cand in _candidates(assigned, node):
            if cand.i in used or not node.accepts(cand):
                continue
            assigned[node.id] = cand
            if node.attach and not _attached(cand, node, assigned):
                continue
            used.add(cand.i)
            if extend(k + 1):
                return True
            used.discard(cand.i)
        assigned.pop(node.id, None)
        return False

    return [assigned[n.id] for n in nodes] if extend(1) else None
