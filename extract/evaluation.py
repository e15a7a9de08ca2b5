"""Scoring the extractor against annotated data (the project's ``../shared/eval``).

Three references, three questions:

* ``seed`` — does it find the relations a careful reader finds in one analysis article,
  and does it refuse the negated one? (gold.jsonl, matched by actor aliases and sentence)
* ``re3d`` — Dstl's re3d Syria/Iraq corpus: precision, recall and F1 of alignment
  (AlliesOf, Likes) and opposition (FightingAgainst, Dislikes) at mention-span level;
* ``plover`` — the PLOVER gold-standard sentences: share whose source and target actor
  codes and alignment/opposition polarity are right.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from detente.extract.model import ActorRef, Relation
from detente.extract.pipeline import Extractor
from detente.ontology import plover_polarity, predicates

RE3D_POLARITY = {
    "AlliesOf": "alignment",
    "Likes": "alignment",
    "FightingAgainst": "opposition",
    "Dislikes": "opposition",
}
RE3D_SYMMETRIC = {"AlliesOf", "FightingAgainst"}
# re3d has its own type for communication (CommWith: meetings, calls, talks); our
# consultation predicates belong there, not under AlliesOf/Likes.
RE3D_COMMUNICATION = {"consults", "mediates"}


def _norm(text: str) -> str:
    text = re.sub(r"\s*\(.*?\)", "", text).replace("’", "'").casefold().strip()
    return re.sub(r"^the\s+", "", text)


# ------------------------------------------------------------------ seed
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
    names = {_norm(ref.label), _norm(ref.text)}
    if ref.antecedent:
        names.add(_norm(ref.antecedent.text))
    return names


def _is(ref: ActorRef, gold: str, aliases: dict[str, list[str]]) -> bool:
    accepted = {_norm(a) for a in [gold, *aliases.get(gold, [])]}
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
                _norm(r.theatre or "") == _norm(gold.get("theatre") or "") for r in hits
            )
    return result


# ------------------------------------------------------------------ re3d
@dataclass
class PRF:
    tp_pred: int = 0
    predicted: int = 0
    tp_gold: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp_pred / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp_gold / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def summary(self) -> dict:
        return {
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "predicted": self.predicted,
            "gold": self.gold,
        }


def _json_lines(path: Path) -> list[dict]:
    return [
        json.loads(line)
        for line in path.read_text(encoding="utf-8-sig").splitlines()
        if line.strip()
    ]


def _spans(ref: ActorRef) -> list[tuple[int, int]]:
    spans = [(ref.start, ref.end)]
    if ref.antecedent:
        spans.append((ref.antecedent.start, ref.antecedent.end))
    return spans


def _overlaps(spans: Iterable[tuple[int, int]], begin: int, end: int) -> bool:
    return any(s < end and begin < e for s, e in spans)


def _re3d_match(rel: Relation, gold: dict, symmetric: set[str]) -> bool:
    """Same polarity, and both argument spans overlap the gold ones (either way round for
    symmetric relations)."""
    if rel.polarity != RE3D_POLARITY[gold["type"]]:
        return False
    s, o = _spans(rel.subject), _spans(rel.object)
    src, tgt = (gold["sourceBegin"], gold["sourceEnd"]), (gold["targetBegin"], gold["targetEnd"])
    forward = _overlaps(s, *src) and _overlaps(o, *tgt)
    either_way = gold["type"] in RE3D_SYMMETRIC or rel.predicate in symmetric
    return forward or (either_way and _overlaps(o, *src) and _overlaps(s, *tgt))


def score_re3d(
    extractor: Extractor, directory: Path, *, schema_aligned: bool = True
) -> dict[str, PRF]:
    """P/R/F1 per polarity. With ``schema_aligned`` (the default), predicates that re3d
    files under CommWith are not counted as alignment predictions."""
    scores = {"alignment": PRF(), "opposition": PRF()}
    subsets = sorted(p.parent for p in directory.glob("*/documents.json"))
    docs, golds = [], []
    for subset in subsets:
        docs += _json_lines(subset / "documents.json")
        golds += [r for r in _json_lines(subset / "relations.json") if r["type"] in RE3D_POLARITY]
    by_doc: dict[str, list[dict]] = {}
    for g in golds:
        by_doc.setdefault(g["documentId"], []).append(g)
    symmetric = {name for name, p in predicates().items() if p.symmetric}
    from detente.extract.text import Article

    # A press release speaks for its publisher: "we" in a UK Government statement is the UK.
    stream = ((Article(d["text"], author=d.get("sourceName")), None) for d in docs)
    for doc, (_article, relations) in zip(docs, extractor.process(stream), strict=True):
        gold = by_doc.get(doc["_id"], [])
        preds = [
            r
            for r in relations
            if not r.negated and not (schema_aligned and r.predicate in RE3D_COMMUNICATION)
        ]
        for polarity, score in scores.items():
            p_pol = [r for r in preds if r.polarity == polarity]
            g_pol = [g for g in gold if RE3D_POLARITY[g["type"]] == polarity]
            score.predicted += len(p_pol)
            score.gold += len(g_pol)
            score.tp_pred += sum(
                1 for r in p_pol if any(_re3d_match(r, g, symmetric) for g in g_pol)
            )
            score.tp_gold += sum(
                1 for g in g_pol if any(_re3d_match(r, g, symmetric) for r in p_pol)
            )
    return scores


# ------------------------------------------------------------------ PLOVER
@dataclass
class PloverResult:
    correct: int = 0
    actors_right: int = 0
    dyadic: int = 0
    monadic_skipped: int = 0
    with_output: int = 0
    polarity_right_given_output: int = 0
    by_event: dict[str, list[int]] = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        return self.correct / self.dyadic if self.dyadic else 0.0

    def summary(self) -> dict:
        return {
            "accuracy": round(self.accuracy, 3),
            "correct": f"{self.correct}/{self.dyadic}",
            "actor_accuracy": round(self.actors_right / max(self.dyadic, 1), 3),
            "sentences_with_output": self.with_output,
            "polarity_accuracy_when_output": round(
                self.polarity_right_given_output / max(self.with_output, 1), 3
            ),
            "monadic_skipped": self.monadic_skipped,
            "by_event": {k: f"{v[0]}/{v[1]}" for k, v in sorted(self.by_event.items())},
        }


def load_plover(path: Path) -> list[dict]:
    """The PLOVER gold file is JSON with trailing commas: parse it leniently."""
    text = path.read_text(encoding="utf-8")
    return json.loads(re.sub(r",(\s*[\]}])", r"\1", text))


def _codes(actors) -> set[str]:
    if not isinstance(actors, list):
        return set()
    return {a["code"][:3].upper() for a in actors if isinstance(a, dict) and a.get("code")}


def _code(ref: ActorRef) -> str | None:
    if ref.type == "IGO":
        return "IGO"
    return ref.code[:3].upper() if ref.code else None


def _actors_fit(rel: Relation, sources: set[str], targets: set[str], reciprocal: bool) -> bool:
    s, o = _code(rel.subject), _code(rel.object)
    return (s in sources and o in targets) or (reciprocal and s in targets and o in sources)


def score_plover(extractor: Extractor, path: Path) -> PloverResult:
    polarity_of = plover_polarity()
    records = [r for r in load_plover(path) if r.get("event") != "DOCUMENT" and r.get("text")]
    result = PloverResult()
    dyads = []
    for rec in records:
        sources, targets = _codes(rec.get("source")), _codes(rec.get("target"))
        if not sources or not targets:
            result.monadic_skipped += 1
            continue
        dyads.append((rec, sources, targets))
    from detente.extract.text import Article

    stream = ((Article(rec["text"].strip("{} ")), None) for rec, _, _ in dyads)
    for (rec, sources, targets), (_a, relations) in zip(
        dyads, extractor.process(stream), strict=True
    ):
        reciprocal = "SRC/TAR" in json.dumps(rec.get("textInfo", {}))
        gold_polarity = polarity_of[rec["event"]]
        preds = [r for r in relations if not r.negated]
        fitting = [r for r in preds if _actors_fit(r, sources, targets, reciprocal)]
        right = any(r.polarity == gold_polarity for r in fitting)
        result.dyadic += 1
        result.actors_right += bool(fitting)
        result.correct += right
        if preds:
            result.with_output += 1
            result.polarity_right_given_output += any(r.polarity == gold_polarity for r in preds)
        tally = result.by_event.setdefault(rec["event"], [0, 0])
        tally[0] += right
        tally[1] += 1
    return result
