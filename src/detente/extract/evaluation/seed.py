"""The seed article: the relations a careful reader finds in one analysis article, and the
negated one it must refuse (``eval/seed``: gold.jsonl, matched by actor aliases and sentence)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from detente.domain.records import ActorRef, Relation
from detente.extract.evaluation.common import norm
from detente.extract.pipeline import Extractor
from detente.ontology import predicates


@dataclass
class SeedResult:
    found: dict[str, bool] = field(default_factory=dict)
    core: set[str] = field(default_factory=set)
    forbidden_violations: list[str] = field(default_factory=list)
    date_right: int = 0
    date_total: int = 0
    theatre_right: int = 0
    theatre_total: int = 0
    extracted: int = 0

    @property
    def core_recall(self) -> float:
        return sum(self.found[i] for i in self.core) / max(len(self.core), 1)

    @property
    def other_recall(self) -> float:
        rest = [i for i in self.found if i not in self.core]
        return sum(self.found[i] for i in rest) / max(len(rest), 1)

    def summary(self) -> dict:
        return {
            "core": f"{sum(self.found[i] for i in self.core)}/{len(self.core)}",
            "core_recall": round(self.core_recall, 3),
            "other": f"{sum(v for i, v in self.found.items() if i not in self.core)}/"
            f"{len(self.found) - len(self.core)}",
            "other_recall": round(self.other_recall, 3),
            "missed": sorted(i for i, v in self.found.items() if not v),
            "forbidden_asserted": self.forbidden_violations,
            "date_accuracy": f"{self.date_right}/{self.date_total}",
            "theatre_accuracy": f"{self.theatre_right}/{self.theatre_total}",
            "relations_extracted": self.extracted,
        }


def _names(ref: ActorRef) -> set[str]:
    names = {norm(ref.label), norm(ref.text)}
    if ref.antecedent:
        names.add(norm(ref.antecedent.text))
    return names


def _is(ref: ActorRef, gold: str, aliases: dict[str, list[str]]) -> bool:
    accepted = {norm(a) for a in [gold, *aliases.get(gold, [])]}
    return bool(_names(ref) & accepted)


def score_seed(extractor: Extractor, directory: Path) -> SeedResult:
    text = (directory / "article.txt").read_text(encoding="utf-8")
    aliases = json.loads((directory / "aliases.json").read_text(encoding="utf-8"))
    golds = [
        json.loads(line)
        for line in (directory / "gold.jsonl").read_text().splitlines()
        if line.strip()
    ]
    relations = extractor.extract(text)
    symmetric = {name for name, p in predicates().items() if p.symmetric}
    result = SeedResult(extracted=len(relations))

    def matches(rel: Relation, gold: dict) -> bool:
        if rel.polarity != gold["polarity"] or gold["evidence"] not in rel.sentence:
            return False
        forward = _is(rel.subject, gold["subject"], aliases) and _is(
            rel.object, gold["object"], aliases
        )
        backward = (
            rel.predicate in symmetric
            and _is(rel.subject, gold["object"], aliases)
            and _is(rel.object, gold["subject"], aliases)
        )
        return forward or backward

    for gold in golds:
        hits = [r for r in relations if matches(r, gold) and not r.negated]
        if gold.get("forbidden"):
            if hits:
                result.forbidden_violations.append(gold["id"])
            continue
        result.found[gold["id"]] = bool(hits)
        if gold.get("core"):
            result.core.add(gold["id"])
        if hits:
            result.date_total += 1
            result.date_right += any(r.date == gold.get("date") for r in hits)
            result.theatre_total += 1
            result.theatre_right += any(
                norm(r.theatre or "") == norm(gold.get("theatre") or "") for r in hits
            )
    return result
