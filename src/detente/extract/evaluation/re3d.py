"""Dstl's re3d Syria/Iraq corpus: precision, recall and F1 of alignment (AlliesOf, Likes) and
opposition (FightingAgainst, Dislikes) at mention-span level."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from detente.domain.records import ActorRef, Relation
from detente.extract.evaluation.common import json_lines
from detente.extract.pipeline import Extractor
from detente.extract.text import Article
from detente.ontology import predicates

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
        docs += json_lines(subset / "documents.json")
        golds += [r for r in json_lines(subset / "relations.json") if r["type"] in RE3D_POLARITY]
    by_doc: dict[str, list[dict]] = {}
    for g in golds:
        by_doc.setdefault(g["documentId"], []).append(g)
    symmetric = {name for name, p in predicates().items() if p.symmetric}
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
