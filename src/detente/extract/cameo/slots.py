"""The source and target of a match whose pattern does not mark them ('$', '+'): the
subject is the source; the object, a dative or a phrase with a target preposition of the
code (``cameo_map.toml``) holds the target."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Token

from .grammar import HOLDER_DEPS, PARTICLE_WORDS, POBJ_DEPS, SUBJECT_DEPS


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
