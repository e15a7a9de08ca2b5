"""The verbs that anchor patterns. The anchor is a verb (``LEMMA`` in the verb block,
``POS`` VERB), with its particle or second word for phrasal verbs ("carry out", "wage
war"). The irregular forms the dictionary lists join the anchor lemmas, because the
tagger's lemmatizer misses some of them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from .data import Block, CameoLexicon, Verb, load_lexicon
from .grammar import AUXILIARIES, PARTICLE_DEPS, WEIGHT
from .nodes import Node
from .vocabulary import _pieces


@dataclass(frozen=True)
class VerbShape:
    """The anchor of a block's patterns: the block's one-word verbs together, or one
    multi-word verb with the nodes for its other words."""

    key: str  # "" for the one-word verbs
    lemmas: frozenset[str]
    nodes: tuple[Node, ...]  # the anchor first
    verbs: tuple[Verb, ...]


def _verb_lemmas(verb: Verb) -> frozenset[str]:
    """The base form, plus the listed irregular forms of the verb word: if the tagger's
    lemmatizer misses one ("lemma" = the form itself), the anchor still matches."""
    head = _pieces(verb.words[verb.head])[-1].lower()
    out = {head}
    for form in verb.forms or ():
        if len(form) == len(verb.words):
            out.add(_pieces(form[verb.head])[-1].lower())
    if verb.forms == ():  # '+ANGERED_BY {}': the entry is an inflected form
        out |= {head[:-2], head[:-1]} if head.endswith("ed") else set()
    return frozenset(out)


def _shape_nodes(verb: Verb, lemmas: frozenset[str]) -> tuple[Node, ...]:
    nodes = [Node("verb", lemma=lemmas, pos="VERB")]
    before = [p.lower() for w in verb.words[: verb.head] for p in _pieces(w)]
    before += [p.lower() for p in _pieces(verb.words[verb.head])[:-1]]
    left = "verb"
    for i, word in enumerate(reversed(before)):
        # "re-arrest": the tokens just before the verb, right to left ("A ; B": A follows B)
        nodes.append(Node(f"verb_pre{i}", left, ";", lower=frozenset({word}), weight=0))
        left = nodes[-1].id
    for i, word in enumerate(verb.words[verb.head + 1 :]):
        op, deps = (">", PARTICLE_DEPS) if i == 0 else (">>", None)
        low = frozenset({word.lower()})
        nodes.append(Node(f"verb_w{i}", "verb", op, lower=low, deps=deps, weight=WEIGHT["extra"]))
    return tuple(nodes)


def verb_shapes(block: Block) -> tuple[list[VerbShape], Counter[str]]:
    """The anchors of a block; multi-word entries that cannot anchor are dropped."""
    dropped: Counter[str] = Counter()
    single = [v for v in block.verbs if len(v.words) == 1 and len(_pieces(v.words[0])) == 1]
    shapes = []
    if single:
        lemmas = frozenset().union(*map(_verb_lemmas, single))
        shapes.append(VerbShape("", lemmas, _shape_nodes(single[0], lemmas), tuple(single)))
    for verb in block.verbs:
        if verb in single:
            continue
        extra = [w for i, w in enumerate(verb.words) if i != verb.head]
        if any(w in ("AND", "OR") for w in extra):
            dropped["coordination entry (VERB_AND_VERB)"] += 1
            continue
        if verb.words[verb.head].lower() in AUXILIARIES:
            dropped["auxiliary as the verb (IS_DETERMINED)"] += 1
            continue
        lemmas = _verb_lemmas(verb)
        shapes.append(VerbShape(verb.key, lemmas, _shape_nodes(verb, lemmas), (verb,)))
    return shapes, dropped


def irregular_forms(lexicon: CameoLexicon | None = None) -> dict[str, str]:
    """Irregular verb forms listed in the dictionary -> their verb ("sent" -> "send"),
    to check the tagger's lemmatizer against (see :func:`lemmatizer_misses`)."""
    lexicon = lexicon or load_lexicon()
    return {
        _pieces(form[v.head])[-1].lower(): _pieces(v.words[v.head])[-1].lower()
        for b in lexicon.blocks
        for v in b.verbs
        for form in v.forms or ()
        if len(form) == len(v.words)
    }


def lemmatizer_misses(doc: Doc | Span, lexicon: CameoLexicon | None = None) -> list[Token]:
    """Tokens of ``doc`` that are listed irregular forms but were not lemmatized to their
    verb; the anchor sets contain the forms themselves, so these still match."""
    forms = irregular_forms(lexicon)
    return [t for t in doc if t.lower_ in forms and t.lemma_.lower() != forms[t.lower_]]
