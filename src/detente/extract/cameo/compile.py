"""Every pattern of every block compiled for every verb shape of the block, with each
verb's own code as a fallback, and a report of what was kept and dropped and why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .data import (
    Block,
    CameoLexicon,
    CameoMap,
    Pattern,
    Verb,
    _collector_paused,
    load_lexicon,
)
from .index import CompiledLexicon, ShapeProbe
from .nodes import CompiledPattern
from .patterns import Drop, PatternCompiler
from .verbs import VerbShape, _shape_nodes, _verb_lemmas, irregular_forms, verb_shapes
from .vocabulary import Vocabulary


def _predicate(mapping: CameoMap, code: str | None) -> str | None:
    return mapping.predicate(code) if code and code != "---" else None


def _compiled(lexicon: CameoLexicon, block: Block, **fields: Any) -> CompiledPattern:
    mapping = lexicon.mapping
    nodes = fields["nodes"]
    return CompiledPattern(
        block=block.name,
        predicate=_predicate(mapping, fields["code"]),
        reverse_predicate=_predicate(mapping, fields["reverse_code"]),
        target_preps=mapping.preps(fields["code"]),
        specificity=sum(n.weight for n in nodes),
        required=tuple(w for n in nodes[1:] if (w := n.lexeme.heads if n.lexeme else n.lower)),
        **fields,
    )


def _for_shape(
    lexicon: CameoLexicon,
    block: Block,
    shape: VerbShape,
    pattern: Pattern,
    compiler: PatternCompiler,
) -> CompiledPattern:
    """A compiled pattern body under the anchor of one verb shape."""
    origin = frozenset(
        lemma for v in shape.verbs if v.key in pattern.origin for lemma in _verb_lemmas(v)
    )
    return _compiled(
        lexicon,
        block,
        id=f"{block.name}:{pattern.line}" + (f"/{shape.key}" if shape.key else ""),
        line=pattern.line,
        text=pattern.text,
        code=pattern.code,
        reverse_code=pattern.reverse,
        nodes=shape.nodes + tuple(compiler.nodes),
        target=compiler.target,
        target_is_object=compiler.target_is_object,
        source=compiler.source,
        origin=origin if pattern.origin else None,
        kind="pattern",
        shape=shape.key,
    )


def _own_code(verb: Verb, block: Block) -> str:
    code = verb.code or block.code or "---"
    return "---" if code in ("", "---") else code


def ambiguous_verbs(lexicon: CameoLexicon) -> frozenset[str]:
    """Verbs listed in several blocks with different codes of their own ("PULL_OUT" is
    040 in GO_SOMEWHERE and 080 in RETREAT). PETRARCH takes the first block; here such a
    verb gets no code of its own, only its patterns: a guess would flip the polarity."""
    codes: dict[str, set[str]] = {}
    for block in lexicon.blocks:
        for verb in block.verbs:
            codes.setdefault(verb.key, set()).add(_own_code(verb, block))
    return frozenset(k for k, v in codes.items() if len(v - {"---"}) > 1)


def _verb_codes(
    lexicon: CameoLexicon, block: Block, shape: VerbShape, ambiguous: frozenset[str]
) -> list[CompiledPattern]:
    """A verb's own code (or its block's), for when none of the patterns match."""
    out = []
    for verb in shape.verbs:
        code, _, reverse = _own_code(verb, block).partition(":")
        if (code in ("", "---") and not reverse) or verb.key in ambiguous:
            continue
        nodes = _shape_nodes(verb, _verb_lemmas(verb))
        out.append(
            _compiled(
                lexicon,
                block,
                id=f"{block.name}:{verb.line}:{verb.key}",
                line=verb.line,
                text=verb.key,
                code=code or None,
                reverse_code=reverse or None,
                nodes=nodes,
                target=None,
                target_is_object=False,
                source=None,
                origin=nodes[0].lemma,
                kind="verb",
                shape=shape.key,
            )
        )
    return out


@cache
def compile_lexicon(lexicon: CameoLexicon | None = None) -> CompiledLexicon:
    """Every pattern of every block, for every verb shape of the block."""
    with _collector_paused():
        return _compile_all(lexicon or load_lexicon())


@dataclass
class _Tally:
    """What compiling kept and dropped, for the report."""

    kept: Counter[str] = field(default_factory=Counter)  # by structure
    dropped: Counter[str] = field(default_factory=Counter)  # by reason
    verbs_dropped: Counter[str] = field(default_factory=Counter)
    null: int = 0

    def as_dict(self, compiled: list[CompiledPattern], lemmas: int) -> dict[str, Any]:
        def by_count(counter: Counter[str]) -> dict[str, int]:
            return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))

        return {
            "patterns_kept": sum(self.kept.values()),
            "patterns_dropped": sum(self.dropped.values()),
            "kept_by_structure": by_count(self.kept),
            "dropped_by_reason": by_count(self.dropped),
            "kept_null_code": self.null,
            "compiled_patterns": sum(p.kind == "pattern" for p in compiled),
            "verb_codes": sum(p.kind == "verb" for p in compiled),
            "verb_entries_dropped": by_count(self.verbs_dropped),
            "anchor_lemmas": lemmas,
        }


def _structure(compiler: PatternCompiler) -> str:
    """'object+prep', 'subject', ...: which slots a compiled pattern constrains."""
    ids = [n.id for n in compiler.nodes]
    parts = {
        "subject": "subj" in ids,
        "object": "obj" in ids,
        "prep": any(i.startswith("pp") for i in ids),
        "particle": any(i.startswith(("prt", "adv")) for i in ids),
        "marked": compiler.source is not None
        or compiler.target_is_object
        or (compiler.target is not None and compiler.target != compiler.bare_pobj),
    }
    return "+".join(k for k, v in parts.items() if v) or "bare"


def _compile_all(lexicon: CameoLexicon) -> CompiledLexicon:
    vocab = Vocabulary(lexicon.synsets)
    ambiguous = ambiguous_verbs(lexicon)
    tally = _Tally()
    tally.verbs_dropped["own code differs between blocks (no code of its own)"] = len(ambiguous)
    compiled: list[CompiledPattern] = []
    probes: list[ShapeProbe] = []
    for block in lexicon.blocks:
        shapes, verb_drops = verb_shapes(block)
        tally.verbs_dropped.update(verb_drops)
        for shape in shapes:
            probes.append(_probe(lexicon, block, shape))
            compiled += _verb_codes(lexicon, block, shape, ambiguous)
        for pattern in block.patterns:
            compiler = PatternCompiler(vocab)
            try:
                compiler.compile(pattern)
            except Drop as why:
                tally.dropped[str(why)] += 1
                continue
            if not shapes:
                tally.dropped["block has no usable verb"] += 1
                continue
            tally.kept[_structure(compiler)] += 1
            tally.null += pattern.code == "---"
            compiled += [_for_shape(lexicon, block, s, pattern, compiler) for s in shapes]
    return _index(lexicon, compiled, probes, tally)


def _probe(lexicon: CameoLexicon, block: Block, shape: VerbShape) -> ShapeProbe:
    if len(shape.nodes) == 1:
        return ShapeProbe(block.name, shape.key, shape.lemmas, None)
    probe = _compiled(
        lexicon,
        block,
        id=f"{block.name}:{shape.key}",
        line=0,
        text=shape.key,
        code=None,
        reverse_code=None,
        nodes=shape.nodes,
        target=None,
        target_is_object=False,
        source=None,
        origin=None,
        kind="verb",
        shape=shape.key,
    )
    return ShapeProbe(block.name, shape.key, shape.lemmas, probe)


def _index(
    lexicon: CameoLexicon,
    compiled: list[CompiledPattern],
    probes: list[ShapeProbe],
    tally: _Tally,
) -> CompiledLexicon:
    by_lemma: dict[str, list[CompiledPattern]] = {}
    for p in compiled:
        for lemma in p.nodes[0].lemma or ():
            by_lemma.setdefault(lemma, []).append(p)
    shapes: dict[str, list[ShapeProbe]] = {}
    primary: dict[str, str] = {}
    for probe in probes:  # in file order: the first block of a lemma is its primary one
        for lemma in probe.lemmas:
            shapes.setdefault(lemma, []).append(probe)
            primary.setdefault(lemma, probe.block)
    report = {
        "patterns_in_dictionary": sum(len(b.patterns) for b in lexicon.blocks),
        **tally.as_dict(compiled, len(by_lemma)),
        "unmapped_codes": sorted(lexicon.codes() - set(lexicon.mapping.codes)),
    }
    return CompiledLexicon(
        tuple(compiled),
        {k: tuple(v) for k, v in by_lemma.items()},
        {k: tuple(v) for k, v in shapes.items()},
        primary,
        {f: v for f, v in irregular_forms(lexicon).items() if v in by_lemma},
        report,
    )


def compile_stats(lexicon: CameoLexicon | None = None) -> dict[str, Any]:
    """Patterns kept (by structure) and dropped (by reason), for reports and tests."""
    return dict(compile_lexicon(lexicon or load_lexicon()).report)
