"""The news development set (``eval/news``): actor pairs per article, scored the way its
README's "How to score" says.

Each actor the extractor outputs is resolved to a gold key of the article (``Resolver``); only
asserted relations count; a prediction matches a gold pair of its article when the keys and
the polarity agree (alignment directed unless the pair is listed as symmetric, opposition
either way). The set is split by article number into a part to develop on and a part looked
at only at milestones (``NEWS_SPLIT``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from detente.domain.records import Relation
from detente.extract.evaluation.common import ratio
from detente.extract.evaluation.news_data import (
    NEWS_SPLIT,
    PARTS,
    ForbiddenPair,
    GoldPair,
    NewsGold,
    NewsText,
    Pair,
    Resolver,
    in_part,
    load_news,
    normalise,
    parse_news_gold,
    part_of,
    read_news_text,
)
from detente.extract.pipeline import Extractor
from detente.extract.text import Article

__all__ = [  # the data side is re-exported: callers need one module for the news set
    "NEWS_SPLIT",
    "PARTS",
    "ForbiddenPair",
    "GoldPair",
    "NewsGold",
    "NewsResult",
    "NewsText",
    "Pair",
    "Prediction",
    "Resolver",
    "in_part",
    "load_news",
    "miss_rows",
    "normalise",
    "parse_news_gold",
    "part_of",
    "read_news_text",
    "score_news",
    "summarise",
    "write_rows",
]


# ------------------------------------------------------------------ scoring
# Modalities the gold counts: an assertion, or one attributed to a named source (the set's
# README, annotation rule 4: a reported accusation is gold even when denied).
STATED = ("asserted", "reported")
# Predicates the annotators left out by rule: "mere meetings, talks, calls and visits are not
# gold" (mediation is; detente's `mediates` is a separate predicate).
NOT_ANNOTATED = frozenset({"consults"})


@dataclass
class Prediction:
    article: str
    index: int  # position among the article's relations
    relation: Relation
    subject_key: str | None
    object_key: str | None
    gold: list[int] = field(default_factory=list)  # indexes into NewsGold.gold
    forbidden: list[int] = field(default_factory=list)  # indexes into NewsGold.forbidden

    @property
    def asserted(self) -> bool:
        """Whether the prediction is one the gold can be compared with: stated (asserted,
        or reported by a named source, as the gold's rule 4 counts reported accusations),
        not negated, not hypothetical, and of a kind the annotators annotated (not a
        meeting, talk, call or visit: rule 2)."""
        rel = self.relation
        return not rel.negated and rel.modality in STATED and rel.predicate not in NOT_ANNOTATED

    @property
    def status(self) -> str:
        """asserted, negated, reported or hypothetical."""
        return "negated" if self.relation.negated else self.relation.modality


@dataclass
class NewsResult:
    gold: NewsGold
    texts: dict[str, NewsText]
    predictions: list[Prediction]

    def articles(self, part: str = "all") -> list[str]:
        return sorted(n for n in self.texts if in_part(n, part))

    def summary(self, part: str = "all") -> dict:
        return summarise(self, part)

    def misses(self, part: str = "all") -> list[dict]:
        return miss_rows(self, part)


def match(prediction: Prediction, gold: NewsGold) -> None:
    """Fill in the gold and forbidden pairs of its article that the prediction matches."""
    rel, s, o = prediction.relation, prediction.subject_key, prediction.object_key
    prediction.gold = [
        i
        for i, g in enumerate(gold.gold)
        if g.article == prediction.article and g.matched_by(s, rel.polarity, o)
    ]
    prediction.forbidden = [
        i
        for i, f in enumerate(gold.forbidden)
        if f.article == prediction.article and f.matched_by(s, rel.polarity, o)
    ]


def predictions_of(
    article: str, relations: list[Relation], gold: NewsGold, resolver: Resolver
) -> list[Prediction]:
    keys = gold.article_keys(article)
    out = []
    for index, rel in enumerate(relations):
        subject = resolver.resolve_ref(rel.subject, keys)
        obj = resolver.resolve_ref(rel.object, keys)
        prediction = Prediction(article, index, rel, subject, obj)
        match(prediction, gold)
        out.append(prediction)
    return out


def score_news(extractor: Extractor, directory: Path) -> NewsResult:
    """Run the extractor once over every text (one batched pass) and match its output."""
    gold, texts = load_news(directory)
    resolver = Resolver(gold.aliases)
    stream = ((Article(t.body, title=t.title, published=t.published), None) for t in texts.values())
    predictions: list[Prediction] = []
    for text, (_article, relations) in zip(texts.values(), extractor.process(stream), strict=True):
        predictions += predictions_of(text.number, relations, gold, resolver)
    return NewsResult(gold, texts, predictions)


# ------------------------------------------------------------------ report
def _recall_by(
    golds: list[tuple[int, GoldPair]], found: set[int], groups: Callable[[GoldPair], Iterable[str]]
) -> dict[str, dict]:
    tally: dict[str, list[int]] = {}
    for i, g in golds:
        for name in groups(g):
            counts = tally.setdefault(name, [0, 0])
            counts[0] += i in found
            counts[1] += 1
    ordered = sorted(tally.items(), key=lambda kv: (-kv[1][1], kv[0]))
    return {name: ratio(*counts) for name, counts in ordered}


def summarise(result: NewsResult, part: str = "all") -> dict:
    """Recall (overall, per polarity, theatre and construction), forbidden pairs asserted,
    and what the asserted predictions match, for one part of the split."""
    articles = set(result.articles(part))
    golds = [(i, g) for i, g in enumerate(result.gold.gold) if g.article in articles]
    forbidden = [f for f in result.gold.forbidden if f.article in articles]
    preds = [p for p in result.predictions if p.article in articles]
    asserted = [p for p in preds if p.asserted]
    found = {i for p in asserted for i in p.gold}
    strict = {
        i for p in asserted for i in p.gold if result.gold.gold[i].evidence in p.relation.sentence
    }
    unreported = {i for p in asserted if p.relation.modality == "asserted" for i in p.gold}
    violations = [(p, result.gold.forbidden[j]) for p in asserted for j in p.forbidden]
    return {
        "articles": len(articles),
        "recall": ratio(len(found), len(golds)),
        "recall_by_polarity": _recall_by(golds, found, lambda g: [g.polarity]),
        "recall_evidence_in_sentence": ratio(len(strict), len(golds)),
        "recall_without_reported": ratio(len(unreported), len(golds)),
        "forbidden_asserted": len({id(p) for p, _ in violations}),
        "forbidden_pairs_asserted": ratio(len({id(f) for _, f in violations}), len(forbidden)),
        "predictions_asserted": len(asserted),
        "predictions_matching_gold": len([p for p in asserted if p.gold]),
        "predictions_unresolved": len(
            [p for p in asserted if p.subject_key is None or p.object_key is None]
        ),
        "predictions_not_asserted": _count(
            "consults" if p.relation.predicate in NOT_ANNOTATED else p.status
            for p in preds
            if not p.asserted
        ),
        "recall_by_theatre": _recall_by(golds, found, lambda g: [g.theatre or "(none)"]),
        "recall_by_construction": _recall_by(golds, found, lambda g: g.constructions),
        "forbidden_by_article": [f"{f.article}: {f}, {f.kind}: {_said(p)}" for p, f in violations],
    }


def _count(values: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items()))


def _said(p: Prediction) -> str:
    rel = p.relation
    return f'"{rel.subject.text} {rel.predicate} {rel.object.text}"'


def _prediction_row(result: NewsResult, p: Prediction) -> dict:
    rel = p.relation
    return {
        "kind": "unmatched_prediction",
        "article": p.article,
        "file": result.texts[p.article].file,
        "part": part_of(p.article),
        "subject_text": rel.subject.text,
        "subject_label": rel.subject.label,
        "subject_key": p.subject_key or "unresolved",
        "predicate": rel.predicate,
        "polarity": rel.polarity,
        "object_text": rel.object.text,
        "object_label": rel.object.label,
        "object_key": p.object_key or "unresolved",
        "forbidden": "; ".join(str(result.gold.forbidden[j]) for j in p.forbidden) or None,
        "pattern": rel.pattern,
        "trigger": rel.trigger,
        "sentence": rel.sentence,
    }


def _gold_row(result: NewsResult, i: int, g: GoldPair) -> dict:
    # Predictions of the pair that were dropped for their modality or negation: a
    # different fix from a pair never found at all.
    dropped = sorted({p.status for p in result.predictions if i in p.gold and not p.asserted})
    return {
        "kind": "missed_gold",
        "article": g.article,
        "file": result.texts[g.article].file if g.article in result.texts else None,
        "part": part_of(g.article),
        "pair": str(g),
        "subject": g.subject,
        "polarity": g.polarity,
        "object": g.object,
        "theatre": g.theatre,
        "constructions": ",".join(g.constructions),
        "found_but_not_asserted": ",".join(dropped) or None,
        "evidence": g.evidence,
    }


def miss_rows(result: NewsResult, part: str = "all") -> list[dict]:
    """Every asserted prediction that matches no gold pair, then every gold pair no asserted
    prediction matches, of the articles in ``part``."""
    articles = set(result.articles(part))
    preds = [p for p in result.predictions if p.article in articles and p.asserted]
    found = {i for p in preds for i in p.gold}
    rows = [_prediction_row(result, p) for p in preds if not p.gold]
    rows += [
        _gold_row(result, i, g)
        for i, g in enumerate(result.gold.gold)
        if g.article in articles and i not in found
    ]
    return rows


def write_rows(rows: list[dict], path: Path) -> None:
    """JSON lines, or TSV when the file name ends in .tsv (one column per field of any row,
    tabs and line breaks in text turned into spaces)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        if path.suffix.lower() != ".tsv":
            out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
            return
        columns = list(dict.fromkeys(k for row in rows for k in row))
        writer = csv.DictWriter(out, columns, delimiter="\t", restval="", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})


def _cell(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())
