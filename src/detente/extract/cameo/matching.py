"""The verbs of a parsed text that the dictionary codes, each with its best pattern."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, cast

from spacy.tokens import Doc, Span, Token

from .compile import compile_lexicon
from .index import CompiledLexicon
from .nodes import CompiledPattern
from .operators import search
from .slots import _with_conjuncts, default_source, default_targets


class _Sentenced(Protocol):
    """A Doc or a Span: both have ``sents``, though spaCy's stubs give it to Doc only."""

    @property
    def sents(self) -> Iterator[Span]: ...


@dataclass(frozen=True)
class CameoMatch:
    """A verb in the text that the CAMEO dictionary codes."""

    anchor: Token
    code: str | None  # "---": the dictionary says this use is no event
    predicate: str | None  # None: no detente relation (a null code, or a 01/02 code)
    targets: tuple[Token, ...]  # heads of the target phrase(s)
    source: Token | None  # head of the source phrase
    pattern_id: str  # "BLOCK:line[/MULTI_WORD_VERB]"; a verb's own code "BLOCK:line:VERB"
    text: str  # the dictionary pattern, for provenance
    reverse_code: str | None = None  # dual codes [A:B]: B, from the target to the source
    reverse_predicate: str | None = None
    tokens: tuple[Token, ...] = ()  # every token the pattern matched, the anchor first

    def relations(self) -> list[tuple[Token, str, Token, str]]:
        """(subject, predicate, object, code) of each detente relation the match states;
        the reverse code of a dual pattern runs from the target to the source."""
        out: list[tuple[Token, str, Token, str]] = []
        if self.source is None:
            return out
        for target in self.targets:
            if self.predicate and self.code:
                out.append((self.source, self.predicate, target, self.code))
            if self.reverse_predicate and self.reverse_code:
                out.append((target, self.reverse_predicate, self.source, self.reverse_code))
        return out


def _result(pattern: CompiledPattern, tokens: list[Token]) -> CameoMatch:
    assigned = {n.id: t for n, t in zip(pattern.nodes, tokens, strict=True)}
    anchor = tokens[0]
    if pattern.target is not None:
        targets = _with_conjuncts([assigned[pattern.target]])
    else:
        used = {t.i for t in tokens}
        targets = default_targets(anchor, used, pattern.target_preps, pattern.target_is_object)
        if not targets and "obj" in assigned:
            # "expelled [American] DIPLOMATS": the matched object's phrase names the target
            targets = _with_conjuncts([assigned["obj"]])
    source = assigned[pattern.source] if pattern.source else default_source(anchor)
    return CameoMatch(
        anchor=anchor,
        code=pattern.code,
        predicate=pattern.predicate,
        targets=targets,
        source=source,
        pattern_id=pattern.id,
        text=pattern.text,
        reverse_code=pattern.reverse_code,
        reverse_predicate=pattern.reverse_predicate,
        tokens=tuple(tokens),
    )


def is_predicate(token: Token) -> bool:
    """A verb that predicates something: not a participle used as an adjective
    ("SUSPECTED hideouts", "ARMOURED vehicles"), which PETRARCH's parser would not have
    put in a verb phrase either."""
    return token.pos_ == "VERB" and token.dep_ != "amod"


def anchor_lemma(token: Token, compiled: CompiledLexicon) -> str:
    """The tagger's lemma; for an irregular form the dictionary lists ("rides", "reburied")
    that the lemmatizer got wrong, the dictionary's verb."""
    lemma = token.lemma_.lower()
    if lemma in compiled.by_lemma:
        return lemma
    return compiled.irregular.get(token.lower_, lemma)


def _applicable(compiled: CompiledLexicon, anchor: Token, lemma: str) -> set[tuple[str, str]]:
    """The (block, verb shape) pairs that read this verb: its multi-word entries whose
    other words are in the text ("carried OUT"), else its one-word entries (PETRARCH
    tries the multi-word verbs first)."""
    probes = compiled.shapes.get(lemma, ())
    multi = {
        (p.block, p.shape) for p in probes if p.probe is not None and search(p.probe, anchor, lemma)
    }
    return multi or {(p.block, p.shape) for p in probes if p.probe is None}


def match_verb(
    compiled: CompiledLexicon, anchor: Token, words: frozenset[str] | None = None
) -> CameoMatch | None:
    """The best pattern for one verb; ``words`` (lower-cased words of its sentence) lets
    patterns whose words are absent be skipped without a search."""
    lemma = anchor_lemma(anchor, compiled)
    if not is_predicate(anchor) or lemma not in compiled.by_lemma:
        return None
    words = words if words is not None else frozenset(t.lower_ for t in anchor.sent)
    return _match_lemma(compiled, anchor, lemma, words)


def _match_lemma(
    compiled: CompiledLexicon, anchor: Token, lemma: str, words: frozenset[str]
) -> CameoMatch | None:
    applicable = _applicable(compiled, anchor, lemma)
    for pattern in compiled.index(lemma).candidates(words):
        if (pattern.block, pattern.shape) not in applicable:
            continue
        if any(req.isdisjoint(words) for req in pattern.required):
            continue
        tokens = search(pattern, anchor, lemma)
        if tokens is not None:
            return _result(pattern, tokens)
    return None


def match(doc: Doc | Span, compiled: CompiledLexicon | None = None) -> list[CameoMatch]:
    """Every verb of a parsed document (lemmas, POS, dependencies) that the dictionary
    codes, with its best pattern: code, predicate, target and source tokens, pattern id.
    Null-coded matches (code "---": "fight corruption" is no event) are included, so a
    caller can tell "the dictionary says no" from "the dictionary does not know"."""
    compiled = compiled or compile_lexicon()
    tokens = list(doc)
    offset = tokens[0].i if tokens else 0
    out = []
    for sent in cast(_Sentenced, doc).sents:
        sentence = tokens[sent.start - offset : sent.end - offset]
        words: frozenset[str] | None = None
        for token in sentence:
            if not is_predicate(token):
                continue
            lemma = anchor_lemma(token, compiled)
            if lemma not in compiled.by_lemma:
                continue
            if words is None:
                words = frozenset(t.lower_ for t in sentence)
            found = _match_lemma(compiled, token, lemma, words)
            if found is not None:
                out.append(found)
    return out
