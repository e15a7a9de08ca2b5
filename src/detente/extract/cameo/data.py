"""The dictionary (``lexicon/cameo.json``) and its code mapping
(``lexicon/cameo_map.toml``) as frozen dataclasses, read once: everything downstream
compiles from these, never from the JSON."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import tomllib

LEXICON_DIR = Path(__file__).parent.parent / "lexicon"


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
        if code is not None and code in self.code_target_preps:
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
