"""The evaluation as the command line runs it: every reference's summary, and for the news
set the scores per part and the files for study (misses) and blind judging (a sample)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from detente.extract.evaluation.judging import judging_sheet, write_sheet
from detente.extract.evaluation.news import PARTS, score_news, write_rows
from detente.extract.evaluation.plover import score_plover
from detente.extract.evaluation.re3d import score_re3d
from detente.extract.evaluation.seed import score_seed
from detente.extract.pipeline import Extractor


def news_scores(
    extractor: Extractor,
    directory: Path,
    *,
    part: str = "all",
    misses: Path | None = None,
    sample: int = 0,
    seed: int = 0,
    sample_out: Path | None = None,
) -> dict[str, dict]:
    """Summaries keyed by part: a, b and all for ``part="all"``, else that part alone.
    Writes the misses of ``part`` to ``misses`` and a judging sheet of ``sample``
    predictions of ``part`` to ``sample_out`` when asked."""
    if part not in PARTS:
        raise ValueError(f"part must be one of {', '.join(PARTS)}, not {part!r}")
    result = score_news(extractor, directory)
    if misses is not None:
        write_rows(result.misses(part), misses)
    if sample and sample_out is not None:
        write_sheet(judging_sheet(result, sample, seed, part), sample_out)
    shown = PARTS if part == "all" else (part,)
    return {p: result.summary(p) for p in shown}


def evaluate(
    references: Iterable[str],
    data: Path,
    *,
    part: str = "all",
    misses: Path | None = None,
    sample: int = 0,
    seed: int = 0,
    sample_out: Path | None = None,
    extractor: Extractor | None = None,
) -> dict[str, dict]:
    """The summaries of each named reference (seed, re3d, plover, news) on the eval data in
    ``data``, all from one extractor. re3d is scored twice: on its own schema, and with
    meetings counted as alignment."""
    if not data.is_dir():
        raise FileNotFoundError(f"{data}: no such folder (expected the shared eval data)")
    extractor = extractor or Extractor()
    wanted = set(references)
    scores: dict[str, dict] = {}
    if "seed" in wanted:
        scores["seed"] = score_seed(extractor, data / "seed").summary()
    if "re3d" in wanted:
        re3d = data / "re3d"
        scores["re3d"] = {k: v.summary() for k, v in score_re3d(extractor, re3d).items()}
        scores["re3d (consults counted as alignment)"] = {
            k: v.summary() for k, v in score_re3d(extractor, re3d, schema_aligned=False).items()
        }
    if "plover" in wanted:
        plover = data / "plover" / "PLOVER_GSR_CAMEO.txt"
        scores["plover"] = score_plover(extractor, plover).summary()
    if "news" in wanted:
        scores["news"] = news_scores(
            extractor,
            data / "news",
            part=part,
            misses=misses,
            sample=sample,
            seed=seed,
            sample_out=sample_out,
        )
    return scores
