"""Scoring the extractor against annotated data (the project's ``../shared/eval``).

Four references, four questions:

* ``seed`` — does it find the relations a careful reader finds in one analysis article,
  and does it refuse the negated one? (``seed.py``)
* ``re3d`` — Dstl's re3d Syria/Iraq corpus: precision, recall and F1 of alignment and
  opposition at mention-span level (``re3d.py``);
* ``plover`` — the PLOVER gold-standard sentences: share whose source and target actor
  codes and polarity are right, and precision of what is predicted on them (``plover.py``);
* ``news`` — the news development set: recall of its actor pairs per article, forbidden
  pairs asserted, and every miss either way for study (``news.py``), split into a part to
  develop on and a held-back part; ``judging.py`` samples predictions for blind judging and
  scores the filled sheets.
"""

from detente.extract.evaluation.common import display, ratio
from detente.extract.evaluation.judging import (
    JudgedSheet,
    judging_sheet,
    read_judged,
    write_sheet,
)
from detente.extract.evaluation.news import (
    NEWS_SPLIT,
    PARTS,
    NewsGold,
    NewsResult,
    Resolver,
    in_part,
    load_news,
    parse_news_gold,
    part_of,
    score_news,
    write_rows,
)
from detente.extract.evaluation.plover import (
    LEGACY_CODES,
    NON_STATE_CODES,
    Dyad,
    PloverResult,
    dyad_of,
    iso_code,
    load_plover,
    score_plover,
)
from detente.extract.evaluation.re3d import PRF, score_re3d
from detente.extract.evaluation.report import tables
from detente.extract.evaluation.run import evaluate, news_scores
from detente.extract.evaluation.seed import SeedResult, score_seed

__all__ = [
    "LEGACY_CODES",
    "NEWS_SPLIT",
    "NON_STATE_CODES",
    "PARTS",
    "PRF",
    "Dyad",
    "JudgedSheet",
    "NewsGold",
    "NewsResult",
    "PloverResult",
    "Resolver",
    "SeedResult",
    "display",
    "dyad_of",
    "evaluate",
    "in_part",
    "iso_code",
    "judging_sheet",
    "load_news",
    "load_plover",
    "news_scores",
    "parse_news_gold",
    "part_of",
    "ratio",
    "read_judged",
    "score_news",
    "score_plover",
    "score_re3d",
    "score_seed",
    "tables",
    "write_rows",
    "write_sheet",
]
