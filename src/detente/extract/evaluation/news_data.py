"""The news development set's texts and gold (``eval/news``, schema in its README), its
development/held-back split, and the resolver from extracted actor strings to gold keys.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from detente.domain import Via
from detente.domain.records import ActorRef

# Part A (01-35) is for development; part B (36-50) is held back and looked at only at
# milestones, so that its score still says something about text nobody tuned rules to.
NEWS_SPLIT: dict[str, range] = {"a": range(1, 36), "b": range(36, 51)}
PARTS = ("a", "b", "all")
_HEADER = re.compile(r"^(SOURCE|TITLE|DATE|LICENSE|WORDS):[ \t]*(.*)$")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def part_of(article: str) -> str | None:
    """``"a"`` or ``"b"`` for an article number such as ``"07"``; None outside the split."""
    number = int(article)
    return next((name for name, numbers in NEWS_SPLIT.items() if number in numbers), None)


def in_part(article: str, part: str) -> bool:
    return part == "all" or part_of(article) == part


# ------------------------------------------------------------------ texts and gold
@dataclass(frozen=True)
class NewsText:
    number: str
    file: str
    body: str
    title: str | None = None
    published: date | None = None


def read_news_text(path: Path) -> NewsText:
    """One excerpt without its header lines (SOURCE/TITLE/DATE/LICENSE/WORDS and the blank
    line after them): the extractor must not read the header as article text."""
    lines = path.read_text(encoding="utf-8").split("\n")
    header: dict[str, str] = {}
    while lines and (m := _HEADER.match(lines[0])):
        header[m[1]] = m[2].strip()
        lines.pop(0)
    if header and lines and not lines[0].strip():
        lines.pop(0)
    published = date.fromisoformat(header["DATE"]) if header.get("DATE") else None
    return NewsText(
        number=path.name.split("_", 1)[0],
        file=path.name,
        body="\n".join(lines),
        title=header.get("TITLE") or None,
        published=published,
    )


@dataclass(frozen=True)
class Pair:
    """A (subject, polarity, object) pair of gold keys in one article."""

    article: str
    subject: str
    polarity: str
    object: str
    symmetric: bool  # an alignment the text states as mutual: either direction matches

    def matched_by(self, subject: str | None, polarity: str, obj: str | None) -> bool:
        if polarity != self.polarity or subject is None or obj is None:
            return False
        if (subject, obj) == (self.subject, self.object):
            return True
        reverse = (obj, subject) == (self.subject, self.object)
        return reverse and (self.polarity == "opposition" or self.symmetric)

    def __str__(self) -> str:
        arrow = "<->" if self.symmetric or self.polarity == "opposition" else "->"
        return f"{self.subject} {arrow} {self.object} ({self.polarity})"


@dataclass(frozen=True)
class GoldPair(Pair):
    theatre: str | None
    evidence: str
    constructions: tuple[str, ...]


@dataclass(frozen=True)
class ForbiddenPair(Pair):
    kind: str
    reason: str


@dataclass
class NewsGold:
    aliases: dict[str, list[str]]
    gold: list[GoldPair]
    forbidden: list[ForbiddenPair]
    _keys: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def article_keys(self, article: str) -> frozenset[str]:
        """The keys of the article's gold and forbidden pairs: they settle shared aliases."""
        if article not in self._keys:
            pairs = [p for p in [*self.gold, *self.forbidden] if p.article == article]
            self._keys[article] = frozenset(k for p in pairs for k in (p.subject, p.object))
        return self._keys[article]


def parse_news_gold(data: dict) -> NewsGold:
    """``gold.json`` as loaded (schema in eval/news/README.md)."""
    symmetric = {(nn, frozenset((s, o))) for nn, s, o in data.get("symmetric", [])}
    tags = data.get("gold_constructions") or [[] for _ in data["gold"]]
    gold = [
        GoldPair(nn, s, pol, o, (nn, frozenset((s, o))) in symmetric, theatre, evidence, tuple(t))
        for (nn, s, pol, o, theatre, evidence), t in zip(data["gold"], tags, strict=True)
    ]
    kinds = data.get("forbidden_types") or ["" for _ in data.get("forbidden", [])]
    # Forbidden alignment is directed even where the gold lists the pair as mutual.
    forbidden = [
        ForbiddenPair(nn, s, pol, o, False, kind, reason)
        for (s, pol, o, nn, reason), kind in zip(data.get("forbidden", []), kinds, strict=True)
    ]
    return NewsGold(data["aliases"], gold, forbidden)


# ------------------------------------------------------------------ actor resolution
def normalise(text: str) -> str:
    """Case-folded, one space between words, ’ as ', without a leading "the"."""
    text = " ".join(text.translate(_QUOTES).split()).casefold()
    return re.sub(r"^the\s+", "", text)


@dataclass(frozen=True)
class _Alias:
    key: str
    length: int
    pattern: re.Pattern[str]
    acronym: bool


def _alias(key: str, alias: str) -> _Alias:
    # Acronyms (all capitals: US, IS, KH) keep their case, so "us" and "is" stay words.
    acronym = alias.isupper()
    text = " ".join(alias.translate(_QUOTES).split()) if acronym else normalise(alias)
    pattern = re.compile(r"(?<!\w)" + re.escape(text) + r"(?!\w)")
    return _Alias(key, len(text), pattern, acronym)


class Resolver:
    """Actor strings to gold keys: an alias equal to the string or contained in it as whole
    words, the longest such alias winning; among keys that share it, the article's own key.
    A key counts as an alias of itself."""

    def __init__(self, aliases: dict[str, list[str]]) -> None:
        self._aliases = [
            _alias(key, name) for key, names in aliases.items() for name in {key, *names}
        ]
        self._cache: dict[str, dict[str, int]] = {}

    def candidates(self, text: str) -> dict[str, int]:
        """Every key an alias of which the string contains, with that alias's length."""
        if text not in self._cache:
            folded = normalise(text)
            cased = " ".join(text.translate(_QUOTES).split())
            found: dict[str, int] = {}
            for a in self._aliases:
                if a.pattern.search(cased if a.acronym else folded):
                    found[a.key] = max(found.get(a.key, 0), a.length)
            self._cache[text] = found
        return self._cache[text]

    def resolve(self, text: str, article_keys: Iterable[str] = ()) -> str | None:
        found = self.candidates(text)
        if not found:
            return None
        longest = max(found.values())
        keys = {k for k, n in found.items() if n == longest}
        if len(keys) > 1:
            keys &= set(article_keys)
        return keys.pop() if len(keys) == 1 else None

    def resolve_ref(self, ref: ActorRef, article_keys: frozenset[str]) -> str | None:
        """The key of an extracted actor. When the mention names several actors (the
        extractor reads "Egyptian and Emirati jets" as two relations on one span), the
        extractor's reading (antecedent, label, id) picks among them. Otherwise the mention
        first (for a coreferent pronoun or description: last), then the antecedent, the label
        and the id: the first that names a key of the article, else the first that names any
        key."""
        readings = [ref.antecedent.text if ref.antecedent else None, ref.label, ref.id]
        read = [self.resolve(n, article_keys) for n in readings if n]
        named = self.candidates(ref.text)
        if len(named) > 1 and (chosen := next((k for k in read if k in named), None)):
            return chosen
        said = self.resolve(ref.text, article_keys)
        # A pronoun or description ("the Peruvian-backed group") names its referent through
        # the antecedent; other names in its words are modifiers, not the referent.
        keys = [*read, said] if ref.via == Via.coref else [said, *read]
        in_article = [k for k in keys if k in article_keys]
        return in_article[0] if in_article else next((k for k in keys if k), None)


def load_news(directory: Path) -> tuple[NewsGold, dict[str, NewsText]]:
    gold = parse_news_gold(json.loads((directory / "gold.json").read_text(encoding="utf-8")))
    texts = [read_news_text(p) for p in sorted((directory / "texts").glob("*.txt"))]
    return gold, {t.number: t for t in texts}
