"""The CAMEO verb dictionary as dependency patterns.

``lexicon/cameo.json`` is PETRARCH's CAMEO verb dictionary, parsed by
``lexicon/build_cameo.py``; ``lexicon/cameo_map.toml`` maps each CAMEO code to a detente
predicate. This module loads both once, compiles every usable pattern into a spaCy
``DependencyMatcher`` pattern over lemmas and the dependency parse, and matches a parsed
document:

* the anchor is a verb (``LEMMA`` in the verb block, ``POS`` VERB), with its particle or
  second word for phrasal verbs ("carry out", "wage war");
* words after the verb become the object and its modifiers ("impose SANCTIONS", "send
  {MEDICAL AID}"), particles ("put UP resistance") or prepositional phrases with their
  object ("(TO BORDER)", "(AGAINST)");
* a word before the verb is its subject ("&MILITARY *": "troops rushed ...");
* '$' and '+' say which slot holds the source and the target; otherwise the subject is
  the source and the object, a dative or a phrase with a target preposition of the code
  (cameo_map.toml) holds the target.

:func:`match` evaluates the compiled patterns with a search indexed by the verb's lemma
that follows DependencyMatcher's operator semantics (``>``, ``>>``, ``;``): spaCy's
matcher holding all ~9,800 compiled patterns takes some 20 s to build and 40-300 ms per
sentence (it tests every node of every pattern against every token), the index about
2 ms per 300-word article. :func:`dependency_matcher` loads the same patterns into a
real spaCy ``DependencyMatcher``; the tests check that both find the same matches.

Nothing here is wired into the pipeline: the relation component can call :func:`match`.
"""

from __future__ import annotations

import gc
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import tomllib
from spacy.matcher import DependencyMatcher
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

LEXICON_DIR = Path(__file__).parent / "lexicon"

# Dependency labels (spaCy's English ClearNLP scheme) for each slot of a pattern.
SUBJECT_DEPS = ("nsubj", "csubj")
OBJECT_DEPS = (
    "dobj",
    "nsubjpass",
    "attr",
    "oprd",
    "acomp",
    "xcomp",
    "ccomp",
    "advmod",
    "npadvmod",
    "dative",
    "advcl",
)
PARTICLE_DEPS = ("prt", "advmod", "prep", "dobj", "acomp", "oprd", "dative", "npadvmod")
PREP_DEPS = ("prep", "dative", "agent", "prt", "advmod")
POBJ_DEPS = ("pobj", "pcomp")
MODIFIER_DEPS = ("poss", "compound", "amod", "nmod", "nummod", "npadvmod")
# Where a prepositional phrase may hang when it is not on the verb: "sanctions ON Iran".
HOLDER_DEPS = ("dobj", "nsubjpass", "attr", "oprd", "dative", "npadvmod")

# Words read as particles (not nouns) after the verb: "put UP resistance", "kick OFF".
PARTICLES = frozenset(
    {
        "OUT",
        "DOWN",
        "UP",
        "OFF",
        "BACK",
        "FORWARD",
        "AWAY",
        "ASIDE",
        "AHEAD",
        "TOGETHER",
        "FORTH",
        "APART",
    }
)
PARTICLE_WORDS = frozenset(w.lower() for w in PARTICLES)
# Words read as a preposition introducing a phrase when written without brackets
# (TABARI style: "* WITH", "* TOWARD +").
PREPOSITIONS = frozenset(
    {
        "TO",
        "WITH",
        "AGAINST",
        "ON",
        "ONTO",
        "INTO",
        "TOWARD",
        "TOWARDS",
        "AT",
        "FOR",
        "FROM",
        "OF",
        "IN",
        "BY",
        "OVER",
        "UNDER",
        "BETWEEN",
        "AMONG",
        "BEHIND",
        "BEFORE",
        "AFTER",
        "UPON",
        "ACROSS",
        "THROUGH",
        "WITHOUT",
        "WITHIN",
        "ALONGSIDE",
        "NEAR",
        "AROUND",
        "DURING",
        "SINCE",
        "UNTIL",
        "AS",
        "ABOUT",
        "BEYOND",
        "INSIDE",
        "OUTSIDE",
        "ALONG",
    }
)
# A consecutive phrase's head is the last word before one of these ("WEAPONS_OF_MASS_...").
PHRASE_BREAKS = PREPOSITIONS | {"AND", "OR"}
FUNCTION_WORDS = PHRASE_BREAKS | {"THE", "A", "AN"}
# Heads of multi-word verb entries that the parser never makes a VERB anchor.
AUXILIARIES = frozenset({"is", "was", "were", "are", "be", "been", "am"})

# Weights of a pattern's constraints when two patterns match the same verb: the object
# noun says more than a preposition ("rush AID to" is aid, not a visit "rush (TO)").
WEIGHT = {"head": 3, "modifier": 2, "particle": 2, "extra": 2, "prep": 1, "pobj": 2}


# ============================================================================ data
@dataclass(frozen=True)
class Term:
    """One word slot: alternatives ('A/B'), each a run of consecutive words ('A_B'); a
    word may be a synonym set ('&MILITARY')."""

    alternatives: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class NounPhrase:
    terms: tuple[Term, ...]  # the last term is the head, the others its modifiers
    braced: bool = False

    @property
    def head(self) -> Term:
        return self.terms[-1]


@dataclass(frozen=True)
class Marker:
    role: str  # "source" ($), "target" (+), "skip" (^) or "compound" (%)


@dataclass(frozen=True)
class PrepPhrase:
    preps: tuple[str, ...]
    objects: tuple[NounPhrase | Marker, ...]


Element = NounPhrase | PrepPhrase | Marker


@dataclass(frozen=True)
class Pattern:
    line: int
    code: str | None  # None: only the reverse code applies ("[:173]")
    reverse: str | None
    pre: tuple[Element, ...]
    post: tuple[Element, ...]
    text: str
    origin: tuple[str, ...]  # the block's verbs (keys) the pattern was written for


@dataclass(frozen=True)
class Verb:
    words: tuple[str, ...]
    head: int
    forms: tuple[tuple[str, ...], ...] | None  # irregular forms; () = the entry is a form
    code: str | None
    line: int

    @property
    def key(self) -> str:
        return "_".join(self.words)


@dataclass(frozen=True)
class Block:
    name: str
    code: str | None
    line: int
    verbs: tuple[Verb, ...]
    patterns: tuple[Pattern, ...]


@dataclass(frozen=True)
class Synset:
    name: str
    members: tuple[tuple[tuple[str, ...], bool], ...]  # (consecutive words, plural allowed)


@dataclass(frozen=True)
class CameoMap:
    codes: Mapping[str, str | None]  # code -> predicate, None for "none"
    target_preps: Mapping[str, tuple[str, ...]]  # predicate -> prepositions
    code_target_preps: Mapping[str, tuple[str, ...]]

    def predicate(self, code: str | None) -> str | None:
        return self.codes.get(code) if code else None

    def preps(self, code: str | None) -> tuple[str, ...]:
        if code in self.code_target_preps:
            return self.code_target_preps[code]
        return self.target_preps.get(self.predicate(code) or "", ())


@dataclass(frozen=True, eq=False)  # hashed by identity: cached per instance
class CameoLexicon:
    blocks: tuple[Block, ...]
    synsets: Mapping[str, Synset]
    mapping: CameoMap
    transformations: int
    rejected: int
    source: Mapping[str, Any] = field(compare=False)

    def codes(self) -> set[str]:
        """Every code the dictionary uses, forward and reverse."""
        out: set[str] = set()
        for block in self.blocks:
            for code in [block.code, *(v.code for v in block.verbs)]:
                out.update(_split_code(code))
            for p in block.patterns:
                out.update(c for c in (p.code, p.reverse) if c and c != "---")
        return out


def _split_code(code: str | None) -> list[str]:
    return [c for c in (code or "").split(":") if c and c != "---"]


# ---------------------------------------------------------------------------- loading
@contextmanager
def _collector_paused() -> Iterator[None]:
    """Building tens of thousands of small objects next to a loaded spaCy model makes
    the cyclic garbage collector rescan the model's heap over and over: paused, loading
    and compiling take less than half the time. Nothing built here forms cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _element(raw: dict[str, Any]) -> Element:
    if raw["kind"] == "marker":
        return Marker(raw["marker"])
    if raw["kind"] == "pp":
        objects = tuple(_element(o) for o in raw["objects"])
        return PrepPhrase(tuple(raw["preps"]), objects)  # type: ignore[arg-type]
    terms = tuple(Term(tuple(tuple(a) for a in t)) for t in raw["terms"])
    return NounPhrase(terms, raw["braced"])


def _pattern(raw: dict[str, Any]) -> Pattern:
    return Pattern(
        raw["line"],
        raw["code"],
        raw["reverse"],
        tuple(_element(e) for e in raw["pre"]),
        tuple(_element(e) for e in raw["post"]),
        raw["text"],
        tuple(raw["origin"]),
    )


def _verb(raw: dict[str, Any]) -> Verb:
    forms = None if raw["forms"] is None else tuple(tuple(f) for f in raw["forms"])
    return Verb(tuple(raw["words"]), raw["head"], forms, raw["code"], raw["line"])


def _block(raw: dict[str, Any]) -> Block:
    return Block(
        raw["name"],
        raw["code"],
        raw["line"],
        tuple(_verb(v) for v in raw["verbs"]),
        tuple(_pattern(p) for p in raw["patterns"]),
    )


def load_map(path: Path) -> CameoMap:
    from detente.ontology import predicates  # the ontology is the authority on names

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    known = predicates()
    codes: dict[str, str | None] = {}
    for code, name in data["codes"].items():
        if name != "none" and name not in known:
            raise ValueError(f"{path}: code {code}: unknown predicate {name!r}")
        codes[code] = None if name == "none" else name
    unknown = set(data.get("target_preps", {})) - set(known)
    if unknown:
        raise ValueError(f"{path}: target_preps for unknown predicates {sorted(unknown)}")
    return CameoMap(
        codes,
        {k: tuple(v) for k, v in data.get("target_preps", {}).items()},
        {k: tuple(v) for k, v in data.get("code_target_preps", {}).items()},
    )


@cache
def load_lexicon(path: str | None = None, map_path: str | None = None) -> CameoLexicon:
    """The dictionary (``cameo.json``) and its mapping (``cameo_map.toml``), read once."""
    source = Path(path) if path else LEXICON_DIR / "cameo.json"
    with _collector_paused():
        return _read_lexicon(source, Path(map_path) if map_path else None)


def _read_lexicon(source: Path, map_path: Path | None) -> CameoLexicon:
    data = json.loads(source.read_text(encoding="utf-8"))
    synsets = {
        name: Synset(name, tuple((tuple(m["words"]), m["plural"]) for m in s["members"]))
        for name, s in data["synsets"].items()
    }
    return CameoLexicon(
        tuple(_block(b) for b in data["blocks"]),
        synsets,
        load_map(map_path or LEXICON_DIR / "cameo_map.toml"),
        len(data["transformations"]),
        len(data["rejected"]),
        data["source"],
    )


# ============================================================================ word forms
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


def _simple_word(element: Element) -> str | None:
    """The single plain word of a bare noun phrase, if that is what the element is."""
    if isinstance(element, NounPhrase) and not element.braced and len(element.terms) == 1:
        alts = element.terms[0].alternatives
        if len(alts) == 1 and len(alts[0]) == 1 and not alts[0][0].startswith("&"):
            return alts[0][0]
    return None


# ============================================================================ compiled form
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


class Drop(Exception):
    """A pattern that cannot be expressed over a dependency parse; the message says why."""


# ---------------------------------------------------------------------------- verb shapes
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


# ---------------------------------------------------------------------------- patterns
class PatternCompiler:
    """Turns one pattern into the nodes below its verb, and the slots of its actors."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocab = vocabulary
        self.nodes: list[Node] = []
        self.target: str | None = None
        self.target_is_object = False
        self.source: str | None = None
        self.bare_pobj: str | None = None
        self.object: str | None = None
        self.subject: str | None = None

    # -------------------------------------------------------------- entry
    def compile(self, pattern: Pattern) -> None:
        for element in (*pattern.pre, *pattern.post):
            if isinstance(element, Marker) and element.role == "compound":
                raise Drop("compound-actor marker '%'")
        self._pre(list(pattern.pre))
        self._post(self._bracket_bare_preps(list(pattern.post)))
        if self.target is None and self.bare_pobj is not None:
            self.target = self.bare_pobj

    # -------------------------------------------------------------- before the verb
    def _pre(self, elements: list[Element]) -> None:
        role = None
        if elements and isinstance(elements[0], Marker):
            role = elements.pop(0).role
        nps = [e for e in elements if isinstance(e, NounPhrase)]
        if any(isinstance(e, Marker) for e in elements) or len(nps) > 1:
            raise Drop("word sequence before the verb")
        if role == "skip":
            raise Drop("skip marker '^' before the verb")
        if nps and elements[0] is not nps[0]:
            raise Drop("phrase before the subject")
        if nps:
            word = _simple_word(nps[0])
            if word and word.endswith("LY"):  # "SHARPLY *": a manner adverb
                self._add(
                    Node(
                        "adv",
                        "verb",
                        ">",
                        lower=frozenset({word.lower()}),
                        deps=("advmod",),
                        weight=WEIGHT["particle"],
                    )
                )
                if role:
                    raise Drop("marker on an adverb before the verb")
            else:
                self.subject = self._noun_phrase(
                    nps[0], "subj", "verb", SUBJECT_DEPS, WEIGHT["head"]
                )
        elif role in ("source", "target"):
            self.subject = self._add(Node("subj", "verb", ">", deps=SUBJECT_DEPS))
        if role == "target":
            self.target = self.subject
        elif role == "source":
            self.source = self.subject
        for element in elements:
            if isinstance(element, PrepPhrase):
                self._phrase(element, (self.subject or "verb",))

    # -------------------------------------------------------------- after the verb
    def _bracket_bare_preps(self, elements: list[Element]) -> list[Element]:
        """TABARI's unbracketed prepositions ("* WITH", "* TOWARD +") as phrases."""
        out: list[Element] = []
        i = 0
        while i < len(elements):
            element, word = elements[i], _simple_word(elements[i])
            i += 1
            if word in PREPOSITIONS:
                objects: list[NounPhrase | Marker] = []
                while i < len(elements) and _simple_word(elements[i]) not in PREPOSITIONS:
                    if not isinstance(elements[i], Marker | NounPhrase):
                        break
                    objects.append(elements[i])  # type: ignore[arg-type]
                    i += 1
                element = PrepPhrase((word,), tuple(objects))
            elif (
                isinstance(element, PrepPhrase)
                and not element.objects
                and i < len(elements)
                and isinstance(elements[i], Marker)
            ):
                # "(AGAINST) +": the marker is the object of the empty phrase before it
                element = PrepPhrase(element.preps, (elements[i],))  # type: ignore[arg-type]
                i += 1
            out.append(element)
        return out

    def _post(self, elements: list[Element]) -> None:
        for element in elements:
            if isinstance(element, Marker):
                self._post_marker(element, elements)
            elif isinstance(element, PrepPhrase):
                holders = ("verb", self.object) if self.object else ("verb", "holder")
                self._phrase(element, holders)  # type: ignore[arg-type]
            else:
                self._post_word(element)

    def _post_marker(self, marker: Marker, elements: list[Element]) -> None:
        if marker.role == "target":
            if any(isinstance(e, NounPhrase) for e in elements):
                raise Drop("target marker '+' next to an object word")
            self.target_is_object = True
        elif marker.role == "source":
            raise Drop("source marker '$' after the verb outside a phrase")
        else:
            raise Drop("skip marker '^' after the verb outside a phrase")

    def _post_word(self, np: NounPhrase) -> None:
        word = _simple_word(np)
        if word in PARTICLES:
            n = len([x for x in self.nodes if x.id.startswith("prt")])
            self._add(
                Node(
                    f"prt{n}",
                    "verb",
                    ">",
                    lower=frozenset({word.lower()}),
                    deps=PARTICLE_DEPS,
                    weight=WEIGHT["particle"],
                )
            )
            return
        if self.object is not None:
            raise Drop("word sequence after the verb (two object words)")
        self.object = self._noun_phrase(np, "obj", "verb", OBJECT_DEPS, WEIGHT["head"])

    # -------------------------------------------------------------- pieces
    def _add(self, node: Node) -> str:
        self.nodes.append(node)
        return node.id

    def _noun_phrase(
        self, np: NounPhrase, name: str, left: str, deps: tuple[str, ...], weight: int
    ) -> str:
        if self.vocab.is_function_run(np.head):
            raise Drop("word run ending in a function word (TABARI sequence)")
        lexeme = self.vocab.lexeme(np.head)
        head = self._add(Node(name, left, ">", lexeme=lexeme, deps=deps, weight=weight))
        for i, term in enumerate(np.terms[:-1]):
            if self.vocab.is_function_run(term):
                raise Drop("word run ending in a function word (TABARI sequence)")
            self._add(
                Node(
                    f"{name}_mod{i}",
                    head,
                    ">",
                    lexeme=self.vocab.lexeme(term),
                    weight=WEIGHT["modifier"],
                )
            )
        return head

    def _phrase(self, pp: PrepPhrase, holders: tuple[str, ...]) -> None:
        n = len([x for x in self.nodes if x.id.startswith("pp") and "_" not in x.id])
        prep = self._add(
            Node(
                f"pp{n}",
                "verb",
                ">>",
                lower=frozenset(p.lower() for p in pp.preps),
                deps=PREP_DEPS,
                attach=holders,
                weight=WEIGHT["prep"],
            )
        )
        nps = [o for o in pp.objects if isinstance(o, NounPhrase)]
        markers = [o for o in pp.objects if isinstance(o, Marker)]
        if len(markers) > 1:
            raise Drop("two markers in one phrase")
        if nps:
            # "(IN AIR ATTACK)": several bare words in a phrase read as one noun phrase
            merged = NounPhrase(tuple(t for np in nps for t in np.terms), True)
            pobj = self._noun_phrase(merged, f"{prep}_obj", prep, POBJ_DEPS, WEIGHT["pobj"])
        else:
            pobj = self._add(Node(f"{prep}_obj", prep, ">", deps=POBJ_DEPS))
        role = markers[0].role if markers else None
        if role and nps:
            # "(TO + BORDER)": the actor modifies the phrase's noun ("to the Iraqi border")
            slot = self._add(Node(f"{prep}_actor", pobj, ">", deps=MODIFIER_DEPS))
        else:
            slot = pobj
        if role == "target":
            self.target = slot
        elif role == "source":
            self.source = slot
        elif not markers and not nps and self.bare_pobj is None:
            self.bare_pobj = slot  # "(TO)": the object of the phrase is the target


# ---------------------------------------------------------------------------- the whole
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


# ============================================================================ matching
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
        out = []
        if self.source is None:
            return out
        for target in self.targets:
            if self.predicate and self.code:
                out.append((self.source, self.predicate, target, self.code))
            if self.reverse_predicate and self.reverse_code:
                out.append((target, self.reverse_predicate, self.source, self.reverse_code))
        return out


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


# ---------------------------------------------------------------------------- slots
def _passive(verb: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)


def _with_conjuncts(tokens: Iterable[Token]) -> tuple[Token, ...]:
    seen: dict[int, Token] = {}
    for t in tokens:
        for x in (t, *t.conjuncts):
            seen.setdefault(x.i, x)
    return tuple(seen.values())


def _pobjs(prep: Token) -> list[Token]:
    return [c for c in prep.children if c.dep_ in POBJ_DEPS]


def default_targets(
    verb: Token, used: set[int], preps: tuple[str, ...], object_only: bool = False
) -> tuple[Token, ...]:
    """The object (a passive subject, a dative) and the objects of phrases with a target
    preposition on the verb or on its object; never a fronted phrase ("On Monday, ...")
    and never a word the pattern itself matched."""
    passive = _passive(verb)
    direct = [
        c
        for c in verb.children
        if c.i not in used
        and (
            c.dep_ == "dobj"
            or (passive and c.dep_ == "nsubjpass")
            or (c.dep_ == "dative" and c.pos_ != "ADP")
        )
    ]
    if object_only:
        return _with_conjuncts(direct)
    holders = [verb, *(c for c in verb.children if c.dep_ in (*HOLDER_DEPS, "prt"))]
    holders += [c for c in verb.children if c.dep_ == "prep" and c.lower_ in PARTICLE_WORDS]
    found = [
        obj
        for holder in holders
        for c in holder.children
        if c.dep_ in ("prep", "dative") and c.lower_ in preps and c.i > verb.i
        for obj in _pobjs(c)
        if obj.i not in used
    ]
    # Both: "imposed an embargo on North Korea" has the target in the phrase, "attacked
    # Ukraine" in the object; the caller keeps the ones that name actors.
    return _with_conjuncts(direct + found)


def default_source(verb: Token, depth: int = 0) -> Token | None:
    """The subject; in the passive the 'by' agent; through coordination and control
    ("decided to send", "imposed sanctions and froze assets") the governing verb's."""
    if _passive(verb):
        agents = [p for c in verb.children if c.dep_ == "agent" for p in _pobjs(c)]
        return agents[0] if agents else None
    for c in verb.children:
        if c.dep_ in SUBJECT_DEPS:
            return c
    for c in verb.children:
        # "Qatar funds Hamas.": a short clause's subject can come back as a modifier
        if c.dep_ in ("compound", "npadvmod") and c.pos_ == "PROPN" and c.i < verb.i:
            return c
    if depth < 3 and verb.dep_ in ("xcomp", "conj", "advcl") and verb.head.i != verb.i:
        return default_source(verb.head, depth + 1)
    return None


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


# ---------------------------------------------------------------------------- match
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
    for sent in doc.sents:
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
