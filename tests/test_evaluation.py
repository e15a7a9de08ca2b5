"""Scores on the shared annotated data. The seed article's targets are the issue's; the
re3d and PLOVER floors guard against regressions (the README reports the full numbers)."""

from __future__ import annotations

import pytest

from detente.extract import evaluation as ev


def test_seed_article_core_relations_found_and_negation_respected(extractor, shared):
    result = ev.score_seed(extractor, shared / "eval" / "seed")
    summary = result.summary()
    assert result.core_recall == 1.0, summary
    assert result.other_recall >= 0.8, summary
    assert not result.forbidden_violations, summary


def test_seed_page_boilerplate_yields_nothing(extractor, shared):
    text = (shared / "eval" / "seed" / "article.txt").read_text(encoding="utf-8")
    for rel in extractor.extract(text):
        assert "keep reading" not in rel.sentence.lower()
        assert "shutterstock" not in rel.sentence.lower()
        assert "image credit" not in rel.sentence.lower()


@pytest.mark.slow
def test_re3d_scores_do_not_regress(extractor, shared):
    scores = ev.score_re3d(extractor, shared / "eval" / "re3d")
    assert scores["alignment"].gold == 57 and scores["opposition"].gold == 111
    assert scores["opposition"].precision >= 0.4
    assert scores["opposition"].f1 >= 0.15


@pytest.mark.slow
def test_plover_scores_do_not_regress(extractor, shared):
    result = ev.score_plover(extractor, shared / "eval" / "plover" / "PLOVER_GSR_CAMEO.txt")
    assert result.dyadic == 287
    assert result.accuracy >= 0.18
    assert result.polarity_right_given_output / result.with_output >= 0.8
