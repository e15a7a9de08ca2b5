"""The trigger lexicon (lexicon/triggers.toml) as lookup tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import tomllib

from detente.ontology import predicates


@dataclass(frozen=True)
class Trigger:
    """One way a word expresses a relation."""

    predicate: str
    slots: tuple[str, ...] = ("dobj",)  # where the object is: "dobj", "dative", "prep:<word>"
    reciprocal: bool = False
    negated_as: str | None = None
    relational: bool = False  # ally, enemy: the noun's referent is an argument
    referent_is_subject: bool = False
    # Only these governing verbs (or a reversing one) give the noun a polarity: "restored
    # relations with" cooperates, "severed relations with" sanctions, "relations with" alone
    # says nothing.
    only_with: frozenset[str] = frozenset()
    # ... or an adjective on the noun does: (adjective, predicate) pairs ("close ties").
    qualifiers: tuple[tuple[str, str], ...] = ()

    def qualified(self, noun) -> str | None:
        """The predicate an adjective of ``noun`` (a spaCy token) gives it, if any."""
        if not self.qualifiers:
            return None
        found = dict(self.qualifiers)
        adjectives = [c for c in noun.children if c.dep_ == "amod"]
        if noun.dep_ == "nsubj":  # "relations have been tense"
            adjectives += [c for c in noun.head.children if c.dep_ == "acomp"]
        for adjective in adjectives:
            for word in (adjective.lower_, adjective.lemma_.lower()):
                if word in found:
                    return found[word]
        return None


@dataclass(frozen=True)
class Idiom:
    """A multiword expression that states a relation ("at odds with", "side by side with").
    Its subject is the clause's (or the phrase it modifies); its object is the object of
    its last word when that is a preposition; without one, coordinated subjects relate to
    each other ("A and B are at odds")."""

    predicate: str
    phrase: str
    reciprocal: bool = False


@dataclass(frozen=True)
class Lexicon:
    verbs: dict[str, tuple[Trigger, ...]]
    nouns: dict[str, Trigger]
    adjectives: dict[str, Trigger]
    participles: dict[str, str]
    light_verbs: frozenset[str]
    brokering: frozenset[str]
    reversers: dict[str, tuple[frozenset[str], frozenset[str]]]  # new predicate -> (verbs, from)
    sectors: dict[str, str]
    quantities: frozenset[str]
    infinitive_complements: frozenset[str]
    that_complements: frozenset[str]
    reporting: frozenset[str]
    reporting_nouns: frozenset[str]
    modal_aux: frozenset[str]
    hypothetical_governors: frozenset[str]
    conditional_marks: frozenset[str]
    negating_governors: frozenset[str]
    negators: frozenset[str]
    idioms: tuple[Idiom, ...] = ()
    receiving: frozenset[str] = frozenset()
    accusing: frozenset[str] = frozenset()
    conflict_ending: frozenset[str] = frozenset()
    accusation_nouns: frozenset[str] = frozenset()
    ouster: frozenset[str] = frozenset()
    joint_activities: frozenset[str] = frozenset()
    hearsay: frozenset[str] = frozenset()
    cessation: frozenset[str] = frozenset()
    possessions: frozenset[str] = frozenset()
    participation: frozenset[str] = frozenset()
    incurring: frozenset[str] = frozenset()
    source: Path = field(compare=False, default=Path())

    def reverse(self, predicate: str, verb_lemma: str) -> str | None:
        """The predicate a reversing verb turns ``predicate`` into ("lift sanctions")."""
        for new, (verbs, originals) in self.reversers.items():
            if verb_lemma in verbs and predicate in originals:
                return new
        return None


def default_lexicon_path() -> Path:
    return Path(__file__).parent / "lexicon" / "triggers.toml"


# The [frames] word lists of the lexicon file, each a field of ``Lexicon``.
_FRAMES = (
    "receiving",
    "accusing",
    "conflict_ending",
    "accusation_nouns",
    "cessation",
    "possessions",
    "participation",
    "incurring",
    "ouster",
    "joint_activities",
)


@cache
def load_lexicon(path: str | None = None) -> Lexicon:
    source = Path(path) if path else default_lexicon_path()
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    known = predicates()

    def check(name: str) -> str:
        if name not in known:
            raise ValueError(f"{source}: unknown predicate {name!r}")
        return name

    verbs: dict[str, list[Trigger]] = {}
    for entry in data.get("verb", []):
        trig = Trigger(
            check(entry["predicate"]),
            tuple(entry.get("objects", ["dobj"])),
            bool(entry.get("reciprocal")),
            check(entry["negated_as"]) if entry.get("negated_as") else None,
        )
        for lemma in entry["lemmas"]:
            verbs.setdefault(lemma, []).append(trig)
    nouns: dict[str, Trigger] = {}
    for entry in data.get("noun", []):
        reverse = set(entry.get("referent_is_subject", []))
        for lemma in entry["lemmas"]:
            nouns[lemma] = Trigger(
                check(entry["predicate"]),
                tuple(f"prep:{p}" for p in entry.get("preps", [])),
                bool(entry.get("reciprocal")),
                None,
                bool(entry.get("relational")),
                lemma in reverse,
                frozenset(entry.get("only_with", [])),
                tuple(
                    (adjective, check(predicate))
                    for predicate, adjectives in entry.get("qualifiers", {}).items()
                    for adjective in adjectives
                ),
            )
    adjectives = {
        lemma: Trigger(check(e["predicate"]), tuple(f"prep:{p}" for p in e.get("preps", [])))
        for e in data.get("adjective", [])
        for lemma in e["lemmas"]
    }
    participles = {w: check(e["predicate"]) for e in data.get("participle", []) for w in e["words"]}
    rev = data.get("reversers", {})
    reversers = {
        check(new): (frozenset(rev[new]), frozenset(check(p) for p in rev.get(f"{new}_from", [])))
        for new in rev
        if not new.endswith("_from")
    }
    sectors = {
        noun: sector for sector, nouns_ in data.get("sectors", {}).items() for noun in nouns_
    }
    mod = data.get("modality", {})
    idioms = tuple(
        Idiom(check(e["predicate"]), phrase, bool(e.get("reciprocal")))
        for e in data.get("idiom", [])
        for phrase in e["phrases"]
    )
    frames = data.get("frames", {})
    unknown = set(frames) - set(_FRAMES)
    if unknown:
        raise ValueError(f"{source}: unknown frames {sorted(unknown)}")
    return Lexicon(
        verbs={k: tuple(v) for k, v in verbs.items()},
        nouns=nouns,
        adjectives=adjectives,
        participles=participles,
        light_verbs=frozenset(data.get("light_verbs", {}).get("lemmas", [])),
        brokering=frozenset(data.get("light_verbs", {}).get("brokering", [])),
        reversers=reversers,
        sectors=sectors,
        quantities=frozenset(data.get("quantities", {}).get("nouns", [])),
        infinitive_complements=frozenset(data.get("complements", {}).get("infinitive", [])),
        that_complements=frozenset(data.get("complements", {}).get("that_clause", [])),
        reporting=frozenset(mod.get("reporting", [])),
        reporting_nouns=frozenset(mod.get("reporting_nouns", [])),
        modal_aux=frozenset(mod.get("modal_aux", [])),
        hearsay=frozenset(mod.get("hearsay", [])),
        hypothetical_governors=frozenset(mod.get("hypothetical_governors", [])),
        conditional_marks=frozenset(mod.get("conditional_marks", [])),
        negating_governors=frozenset(mod.get("negating_governors", [])),
        negators=frozenset(mod.get("negators", [])),
        idioms=idioms,
        source=source,
        **{name: frozenset(frames.get(name, [])) for name in _FRAMES},
    )
