"""Blind judging of predictions: a seeded sample written as a sheet for people to fill in
(README, "Judging rules"), and the precision, date and theatre accuracy of a filled sheet.

The sheet carries nothing about gold matches, so judges see only the text and the claim.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from detente.extract.evaluation.common import ratio
from detente.extract.evaluation.news import STATED, NewsResult, NewsText, Prediction, in_part

JUDGEMENTS = ("correct", "partly", "wrong")
_JUDGEMENT_WORDS = {"c": "correct", "p": "partly", "partial": "partly", "w": "wrong"}
_YES = {"yes", "y", "true", "1", "right"}
_NO = {"no", "n", "false", "0", "wrong"}


def paragraph(body: str, start: int, end: int) -> str:
    """The line (the texts keep one paragraph a line) holding the characters start..end."""
    first = body.rfind("\n", 0, start) + 1
    last = body.find("\n", end)
    return body[first : last if last >= 0 else len(body)].strip()


def sheet_row(text: NewsText, p: Prediction) -> dict:
    rel = p.relation
    return {
        "id": f"{p.article}.{p.index:02d}",
        "article": text.file,
        "published": text.published.isoformat() if text.published else None,
        "sentence": rel.sentence,
        "context": paragraph(text.body, rel.sentence_start, rel.sentence_end),
        "subject_text": rel.subject.text,
        "subject_label": rel.subject.label,
        "predicate": rel.predicate,
        "polarity": rel.polarity,
        "object_text": rel.object.text,
        "object_label": rel.object.label,
        "negated": rel.negated,
        "modality": rel.modality,
        "date": rel.date,
        "theatre": rel.theatre,
        "judgement": "",
        "date_right": "",
        "theatre_right": "",
    }


def judging_sheet(result: NewsResult, size: int, seed: int, part: str = "all") -> list[dict]:
    """``size`` asserted predictions of ``part`` drawn with ``random.Random(seed)``: the same
    output and seed give the same sheet."""
    # Every stated output is judged, meetings included: precision is about what detente
    # says, not about what the annotators chose to annotate.
    pool = [
        p
        for p in result.predictions
        if not p.relation.negated and p.relation.modality in STATED and in_part(p.article, part)
    ]
    chosen = random.Random(seed).sample(pool, min(size, len(pool)))
    return [sheet_row(result.texts[p.article], p) for p in chosen]


def write_sheet(rows: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


# ------------------------------------------------------------------ reading a filled sheet
@dataclass
class JudgedSheet:
    judgements: Counter = field(default_factory=Counter)
    unjudged: int = 0
    date_right: int = 0
    date_judged: int = 0
    theatre_right: int = 0
    theatre_judged: int = 0

    @property
    def judged(self) -> int:
        return sum(self.judgements[j] for j in JUDGEMENTS)

    def precision(self, partly: float) -> float | None:
        """Correct, plus ``partly`` for each partly-correct row, over the judged rows."""
        if not self.judged:
            return None
        score = self.judgements["correct"] + partly * self.judgements["partly"]
        return round(score / self.judged, 3)

    def summary(self) -> dict:
        return {
            "judged": self.judged,
            "correct": self.judgements["correct"],
            "partly": self.judgements["partly"],
            "wrong": self.judgements["wrong"],
            "unjudged": self.unjudged,
            "precision_partly_as_half": self.precision(0.5),
            "precision_partly_as_wrong": self.precision(0.0),
            "date_accuracy_where_given": ratio(self.date_right, self.date_judged),
            "theatre_accuracy_where_given": ratio(self.theatre_right, self.theatre_judged),
        }


def judgement(value: object) -> str | None:
    """correct / partly / wrong (or c / p / w), any case; None when left empty."""
    word = str(value or "").strip().casefold()
    if not word:
        return None
    word = _JUDGEMENT_WORDS.get(word, word)
    if word not in JUDGEMENTS:
        raise ValueError(f"judgement {value!r} is not one of correct, partly, wrong")
    return word


def yes_no(value: object) -> bool | None:
    """true/false, yes/no, y/n, 1/0; None when left empty."""
    if isinstance(value, bool):
        return value
    word = str(value if value is not None else "").strip().casefold()
    if not word:
        return None
    if word in _YES or word in _NO:
        return word in _YES
    raise ValueError(f"{value!r} is not yes or no")


def read_judged(path: Path) -> JudgedSheet:
    """Tally a filled sheet (JSON lines). Raises ValueError naming the line of a bad value."""
    sheet = JudgedSheet()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            _tally(sheet, json.loads(line))
        except (ValueError, AttributeError) as exc:
            raise ValueError(f"{path}:{number}: {exc}") from None
    return sheet


def _tally(sheet: JudgedSheet, row: dict) -> None:
    verdict = judgement(row.get("judgement"))
    if verdict is None:
        sheet.unjudged += 1
    else:
        sheet.judgements[verdict] += 1
    # Date and theatre are judged only where the extractor gave one.
    date_ok = yes_no(row.get("date_right")) if row.get("date") else None
    if date_ok is not None:
        sheet.date_judged += 1
        sheet.date_right += date_ok
    theatre_ok = yes_no(row.get("theatre_right")) if row.get("theatre") else None
    if theatre_ok is not None:
        sheet.theatre_judged += 1
        sheet.theatre_right += theatre_ok
