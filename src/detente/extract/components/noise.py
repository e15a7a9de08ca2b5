"""``detente_noise``: keep names that stand for no actor out of the actor mentions.

The statistical recogniser, which finds the actors the gazetteer lacks, also tags
capitalised common nouns and bare surnames. Three rules, on those mentions only (``via ==
ner``; a gazetteer name is never touched):

* generic nouns: a phrase made only of words for a kind of people ("Fighters",
  "civilians"), for a force or organ of some state ("the Armed Forces", "the Foreign
  Ministry", "the National Assembly") names nobody; with a country attached, outside the
  phrase ("Russia's Defence Ministry", "Syrian armed forces"), the argument resolver reads
  it as that state's, the sector given by its head noun (``detente.extract.arguments``);
* weapons: a phrase holding a weapon noun or a model designation ("UAVs", "the S-400",
  "the Pantsir air defence system") and no word for people or organs is a thing, whatever
  name it carries;
* lone surnames: one word tagged as a person's name ("Ruiz", "President Ruiz") stands for
  the person an earlier full name of the same document names ("Ana Ruiz", last or first
  word), else for the one leader of the gazetteer with that surname in office at the
  document's date; otherwise it is dropped.

The word lists are data (``extract/lexicon/noise.toml``), compiled into one token matcher
and one phrase matcher per pipeline. Runs after ``detente_actors`` and before
``detente_coref``, so a dropped mention is never an antecedent, and the relation model's
candidate pairs (``detente.extract.candidates``), read from the same mentions, never hold
one. Cost: one pass of each matcher over the document, O(m) for m mentions after it.

Contract: filters ``doc._.actor_mentions``; a lone surname that resolves keeps its span with
the person's actor and reading; every dropped span goes to ``doc._.dropped_mentions`` with
``span._.noise`` ("generic", "weapon" or "surname"); ``doc._.noise_tokens`` maps each token
inside a generic or weapon phrase to its kind, for the argument resolver.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, cast

import tomllib
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from detente.domain import Via
from detente.ontology import Actor, Gazetteer, load_gazetteer

if TYPE_CHECKING:
    from spacy.tokenizer import Tokenizer

_PERSON_TYPES = ("Leader", "Person")


def _register() -> None:
    if not Span.has_extension("noise"):
        Span.set_extension("noise", default=None)
    if not Doc.has_extension("dropped_mentions"):
        Doc.set_extension("dropped_mentions", default=None)
        Doc.set_extension("noise_tokens", default=None)


def _plural(word: str) -> str:
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if len(word) > 2 and word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _forms(words: list[str]) -> frozenset[str]:
    return frozenset(w for word in words for w in (word, _plural(word)))


@dataclass(frozen=True)
class NoiseWords:
    """The word lists of ``noise.toml``."""

    determiners: frozenset[str]
    people: frozenset[str]  # head nouns (with plurals)
    people_words: frozenset[str]  # heads and their qualifiers
    organs: frozenset[str]
    organ_words: frozenset[str]
    weapons: tuple[str, ...]  # phrases, with the plural of their last word
    designation: re.Pattern[str]
    titles: frozenset[str]

    @property
    def heads(self) -> frozenset[str]:
        return self.people | self.organs


def default_noise_path() -> Path:
    return Path(__file__).parent.parent / "lexicon" / "noise.toml"


@cache
def load_noise_words(path: str | None = None) -> NoiseWords:
    data = tomllib.loads(Path(path or default_noise_path()).read_text(encoding="utf-8"))
    people, organs = _forms(data["people"]["heads"]), _forms(data["organs"]["heads"])
    weapons = tuple(
        sorted(
            {
                form
                for phrase in data["weapons"]["heads"]
                for form in (phrase, " ".join([*phrase.split()[:-1], _plural(phrase.split()[-1])]))
            }
        )
    )
    return NoiseWords(
        determiners=frozenset(data["determiners"]),
        people=people,
        people_words=people | frozenset(data["people"]["qualifiers"]),
        organs=organs,
        organ_words=organs | frozenset(data["organs"]["qualifiers"]),
        weapons=weapons,
        designation=re.compile(data["weapons"]["designation"]),
        titles=frozenset(data["names"]["titles"]),
    )


def _matchers(nlp: Language, words: NoiseWords) -> tuple[Matcher, PhraseMatcher]:
    """Runs of people words and of organ words (longest), and weapon phrases."""
    runs = Matcher(nlp.vocab)
    runs.add(
        "PEOPLE", [[{"LOWER": {"IN": sorted(words.people_words)}, "OP": "+"}]], greedy="LONGEST"
    )
    runs.add(
        "ORGANS", [[{"LOWER": {"IN": sorted(words.organ_words)}, "OP": "+"}]], greedy="LONGEST"
    )
    runs.add("WEAPON", [[{"TEXT": {"REGEX": words.designation.pattern}}]])
    phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
    # spaCy types nlp.tokenizer as any str -> Doc callable; the pipelines here keep its own.
    tokenizer = cast("Tokenizer", nlp.tokenizer)
    phrases.add("WEAPON", list(tokenizer.pipe(words.weapons)))
    return runs, phrases


class NoiseFilter:
    def __init__(self, nlp: Language, lexicon: str | None, gazetteer: str | None) -> None:
        _register()
        self.words = load_noise_words(lexicon)
        self.runs, self.phrases = _matchers(nlp, self.words)
        self.gazetteer = load_gazetteer(Path(gazetteer)) if gazetteer else load_gazetteer()
        self.surnames = _leader_surnames(self.gazetteer, self.words.titles)

    def __call__(self, doc: Doc) -> Doc:
        runs, weapons = self._marks(doc)
        doc._.noise_tokens = {
            **{i: "generic" for i, spans in runs.items() if spans},
            **dict.fromkeys(weapons, "weapon"),
        }
        kept: list[Span] = []
        dropped: list[Span] = []
        names: dict[str, Span] = {}  # a word of a full name -> the latest mention of it
        for span in doc._.actor_mentions or ():
            if span._.via == Via.ner:
                kind = self._kind(doc, span, runs, weapons)
                if kind is None and span._.actor.type == "Person":
                    resolved = self._lone_surname(doc, span, names)
                    if resolved is False:
                        kind = "surname"
                    elif resolved is not None:
                        span = resolved
                if kind is not None:
                    span._.noise = kind
                    dropped.append(span)
                    continue
            kept.append(span)
            self._remember(span, names)
        doc._.actor_mentions = kept
        doc._.dropped_mentions = dropped
        return doc

    def _marks(self, doc: Doc) -> tuple[dict[int, list[tuple[str, int, int]]], set[int]]:
        """The generic runs of the document by the tokens they cover, as (kind, start,
        end), and the tokens of its weapon phrases and designations."""
        strings, words = doc.vocab.strings, self.words
        heads = {"PEOPLE": words.people, "ORGANS": words.organs}
        runs: dict[int, list[tuple[str, int, int]]] = {}
        weapons: set[int] = set()
        for key, start, end in self.runs(doc):
            kind = strings[key]
            if kind == "WEAPON":
                weapons.update(range(start, end))
            elif any(t.lower_ in heads[kind] for t in doc[start:end]):
                for i in range(start, end):
                    runs.setdefault(i, []).append((kind, start, end))
        for _key, start, end in self.phrases(doc):
            weapons.update(range(start, end))
        return runs, weapons

    def _kind(
        self,
        doc: Doc,
        span: Span,
        runs: dict[int, list[tuple[str, int, int]]],
        weapons: set[int],
    ) -> str | None:
        """ "generic", "weapon" or None for a mention the recogniser made."""
        start = span.start
        while start < span.end and doc[start].lower_ in self.words.determiners:
            start += 1
        if start == span.end:
            return None
        lowers = {t.lower_ for t in doc[start : span.end]}
        outside = {t.lower_ for t in doc[start : span.end] if t.i not in weapons}
        armed = any(i in weapons for i in range(start, span.end))
        if armed and not outside & self.words.heads:
            return "weapon"  # "the Pantsir air defence system": no force or people besides
        heads = {"PEOPLE": self.words.people, "ORGANS": self.words.organs}
        for kind, s, e in runs.get(start, ()):
            if s <= start and span.end <= e and lowers & heads[kind]:
                return "generic"
        return None

    def _words(self, span: Span) -> list[str]:
        """The words of a person's name, titles left out."""
        return [t.text for t in span if t.is_alpha and t.lower_ not in self.words.titles]

    def _remember(self, span: Span, names: dict[str, Span]) -> None:
        """Index a full name (two words or more) by its first and last words."""
        actor = span._.actor
        if actor is None or not (
            span._.via in (Via.leader, Via.person) or actor.type in _PERSON_TYPES
        ):
            return
        words = self._words(span)
        if len(words) >= 2:
            names[words[0]] = span
            names[words[-1]] = span

    def _lone_surname(self, doc: Doc, span: Span, names: dict[str, Span]) -> Span | bool | None:
        """For a one-word person's name: the mention it stands for (same offsets), False
        when nothing explains it, None when it is a full name."""
        words = self._words(span)
        if len(words) != 1:
            return None
        full = names.get(words[0])
        if full is not None:
            actor, via = full._.actor, full._.via
        else:
            found = self._leader(words[0], doc._.published, doc._.era)
            if found is None:
                return False
            actor, via = found, Via.leader
        out = Span(doc, span.start, span.end, label=span.label_)
        out._.actor, out._.via = actor, via
        return out

    def _leader(self, surname: str, when: date | None, era: float | None) -> Actor | None:
        """The one actor that the gazetteer's leaders with this surname stand for at the
        document's date (or within its era); None without a date or with several."""
        if when is None and era is None:
            return None
        found: set[str] = set()
        for name in self.surnames.get(surname, ()):
            for reading in self.gazetteer.readings.get(name, ()):
                if reading.via != Via.leader:
                    continue
                if (when is not None and reading.valid_at(when)) or (
                    when is None and era is not None and reading.distance(era) == 0
                ):
                    found.add(reading.actor)
        if len(found) != 1:
            return None
        return self.gazetteer.actors.get(found.pop())


def _leader_surnames(gazetteer: Gazetteer, titles: frozenset[str]) -> dict[str, list[str]]:
    """The gazetteer's full names of leaders (and officials) with a term, by last word."""
    out: dict[str, list[str]] = {}
    for name, readings in gazetteer.readings.items():
        words = [w for w in name.split() if w.lower() not in titles]
        if len(words) < 2 or not any(r.via == Via.leader and r.since for r in readings):
            continue
        out.setdefault(words[-1], []).append(name)
    return out


@Language.factory(
    "detente_noise",
    default_config={"lexicon": None, "gazetteer": None},
    requires=["doc._.actor_mentions"],
    assigns=["doc._.actor_mentions", "doc._.dropped_mentions", "span._.noise"],
)
def make_noise_filter(
    nlp: Language, name: str, lexicon: str | None, gazetteer: str | None
) -> NoiseFilter:
    return NoiseFilter(nlp, lexicon, gazetteer)
