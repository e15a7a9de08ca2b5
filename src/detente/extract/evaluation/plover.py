"""The PLOVER gold-standard sentences (``eval/plover``): share of dyadic sentences whose
source and target actor codes and alignment/opposition polarity are right, and precision of
the relations predicted on them.

The set was coded from the examples of the CAMEO manual, so once patterns derived from CAMEO
dictionaries are in the extractor its score is not an independent measure.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from detente.domain.records import ActorRef, Relation
from detente.extract.pipeline import Extractor
from detente.extract.text import Article
from detente.ontology import plover_polarity

# Actor codes of CAMEO-coded data that are not ISO-3166 alpha-3, mapped to the code the
# gazetteer uses. JAP, ITL and VTN are the ones eval/plover holds (CAMEO's own codes from
# before it adopted ISO); TMP, ZAR and BUR are withdrawn ISO codes of renamed states (ISO
# 3166-3, pycountry.historic_countries); KSV is the Phoenix dictionaries' Kosovo, XKX the
# gazetteer's. The test suite checks each value against pycountry and that every code in
# the PLOVER file is ISO, in this table or in NON_STATE_CODES.
LEGACY_CODES: dict[str, str] = {
    "JAP": "JPN",
    "ITL": "ITA",
    "VTN": "VNM",
    "TMP": "TLS",
    "ZAR": "COD",
    "BUR": "MMR",
    "KSV": "XKX",
}
# CAMEO codes for actors that belong to no state (intergovernmental and non-governmental
# organisations, international militarised groups, ...): compared as they are.
NON_STATE_CODES = frozenset({"IGO", "NGO", "IMG", "ISM"})


def iso_code(code: str | None) -> str | None:
    """The country part of a CAMEO actor code (``SDNREB`` -> ``SDN``), in ISO alpha-3."""
    if not code:
        return None
    head = code[:3].upper()
    return LEGACY_CODES.get(head, head)


@dataclass(frozen=True)
class Dyad:
    """Who acts on whom in one gold sentence. A reciprocal dyad (``SRC/TAR`` in the
    markup: "A and B agreed") has every actor on both sides."""

    sources: tuple[str, ...]
    targets: tuple[str, ...]
    reciprocal: bool = False

    def fits(self, subject: str | None, obj: str | None) -> bool:
        if not self.reciprocal:
            return subject in self.sources and obj in self.targets
        # Two different actors of the dyad; one code twice only when the dyad holds it
        # twice (a government and rebels of the same country).
        members = [*self.sources, *self.targets]
        if subject not in members:
            return False
        members.remove(subject)
        return obj in members


@dataclass
class PloverResult:
    correct: int = 0
    actors_right: int = 0
    dyadic: int = 0
    reciprocal: int = 0
    monadic_skipped: int = 0
    with_output: int = 0
    polarity_right_given_output: int = 0
    predicted: int = 0
    predicted_right: int = 0
    publication: str | None = None
    by_event: dict[str, list[int]] = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        """Also the recall: dyadic sentences with a fitting relation of the right polarity."""
        return self.correct / self.dyadic if self.dyadic else 0.0

    @property
    def precision(self) -> float:
        return self.predicted_right / self.predicted if self.predicted else 0.0

    def summary(self) -> dict:
        return {
            "accuracy": round(self.accuracy, 3),
            "correct": f"{self.correct}/{self.dyadic}",
            "precision": round(self.precision, 3),
            "predicted_right": f"{self.predicted_right}/{self.predicted}",
            "actor_accuracy": round(self.actors_right / max(self.dyadic, 1), 3),
            "sentences_with_output": self.with_output,
            "polarity_accuracy_when_output": round(
                self.polarity_right_given_output / max(self.with_output, 1), 3
            ),
            "reciprocal_dyads": self.reciprocal,
            "monadic_skipped": self.monadic_skipped,
            "by_event": {k: f"{v[0]}/{v[1]}" for k, v in sorted(self.by_event.items())},
            "note": (
                f"sentences drawn from the CAMEO manual's examples ({self.publication}): "
                "not an independent test once CAMEO-derived patterns are used"
            ),
        }


def load_plover(path: Path) -> list[dict]:
    """The PLOVER gold file is JSON with trailing commas: parse it leniently."""
    text = path.read_text(encoding="utf-8")
    return json.loads(re.sub(r",(\s*[\]}])", r"\1", text))


def _codes(actors: object) -> tuple[str, ...]:
    """Country codes of a source or target field (a list of actors, or "" / null)."""
    if not isinstance(actors, list):
        return ()
    # A code that is there always has a country part, so iso_code gives no None here.
    return tuple(
        cast(str, iso_code(a["code"])) for a in actors if isinstance(a, dict) and a.get("code")
    )


def _markup(info: object) -> str:
    """The marked-up sentence: ``textInfo.markup``, or a bare string in one record."""
    if isinstance(info, dict):
        return str(info.get("markup") or "")
    return info if isinstance(info, str) else ""


def dyad_of(record: dict) -> Dyad | None:
    """The record's dyad, or None for a monadic one (one side only)."""
    sources, targets = _codes(record.get("source")), _codes(record.get("target"))
    markup = _markup(record.get("textInfo"))
    if "SRC/TAR" in markup and len(sources) + len(targets) >= 2:
        return Dyad(sources, targets, reciprocal=True)
    if sources and targets:
        return Dyad(sources, targets)
    return None


def actor_code(ref: ActorRef) -> str | None:
    if ref.type == "IGO":
        return "IGO"
    return iso_code(ref.code)


def _fits(rel: Relation, dyad: Dyad) -> bool:
    return dyad.fits(actor_code(rel.subject), actor_code(rel.object))


def score_plover(extractor: Extractor, path: Path) -> PloverResult:
    polarity_of = plover_polarity()
    records = load_plover(path)
    result = PloverResult(
        publication=next((r.get("publication") for r in records if r.get("publication")), None)
    )
    dyads: list[tuple[dict, Dyad]] = []
    for rec in records:
        if rec.get("event") == "DOCUMENT" or not rec.get("text"):
            continue
        dyad = dyad_of(rec)
        if dyad is None:
            result.monadic_skipped += 1
        else:
            dyads.append((rec, dyad))
    stream = ((Article(rec["text"].strip("{} ")), None) for rec, _ in dyads)
    for (rec, dyad), (_a, relations) in zip(dyads, extractor.process(stream), strict=True):
        _tally(result, rec["event"], polarity_of[rec["event"]], dyad, relations)
    return result


def _tally(
    result: PloverResult, event: str, polarity: str, dyad: Dyad, relations: list[Relation]
) -> None:
    preds = [r for r in relations if not r.negated]
    fitting = [r for r in preds if _fits(r, dyad)]
    right = [r for r in fitting if r.polarity == polarity]
    result.dyadic += 1
    result.reciprocal += dyad.reciprocal
    result.actors_right += bool(fitting)
    result.correct += bool(right)
    result.predicted += len(preds)
    result.predicted_right += len(right)
    if preds:
        result.with_output += 1
        result.polarity_right_given_output += any(r.polarity == polarity for r in preds)
    tally = result.by_event.setdefault(event, [0, 0])
    tally[0] += bool(right)
    tally[1] += 1
