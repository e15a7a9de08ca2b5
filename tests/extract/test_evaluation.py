"""Scores on the shared annotated data, and the scorers themselves.

The seed article's targets are the issue's; the re3d and PLOVER floors guard against
regressions (the README reports the full numbers). The news scorer's resolver, matcher,
split and judging sheets are tested on small gold written here (invented actors); the real
news set is only checked for structure, since its scores move as the extractor improves."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

import pytest

from detente.domain.records import ActorRef
from detente.extract import Article, Relation
from detente.extract import evaluation as ev
from detente.extract.evaluation.news import ForbiddenPair, GoldPair, Pair, read_news_text
from tests.servers import run_cli


# ------------------------------------------------------------------ seed, re3d, PLOVER
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
    # 287 one-way dyads and 18 reciprocal ones ("A and B agreed").
    assert result.dyadic == 305 and result.reciprocal == 18
    assert result.accuracy >= 0.2
    assert result.polarity_right_given_output / result.with_output >= 0.8
    assert result.predicted_right <= result.predicted
    summary = result.summary()
    assert 0 < summary["precision"] <= 1
    assert "CAMEO manual" in summary["note"]


def test_plover_reciprocal_dyads_fit_either_way():
    record = {
        "source": [{"code": "RUR"}, {"code": "FWK"}],
        "target": "",
        "textInfo": {"markup": "(SRC/TAR: Ruritania) and (SRC/TAR: Fenwick) (EVT: agreed)"},
    }
    dyad = ev.dyad_of(record)
    assert dyad is not None and dyad.reciprocal
    assert dyad.fits("RUR", "FWK") and dyad.fits("FWK", "RUR")
    assert not dyad.fits("RUR", "RUR")  # one actor is not a dyad with itself


def test_plover_reciprocal_dyad_of_one_country_needs_both_sides():
    # A government and the rebels of the same country carry the same country code.
    record = {
        "source": [{"code": "RURGOV"}, {"code": "RURREB"}],
        "target": None,
        "textInfo": {"markup": "(SRC/TAR: the government) and (SRC/TAR: rebels) (EVT: agreed)"},
    }
    dyad = ev.dyad_of(record)
    assert dyad is not None and dyad.fits("RUR", "RUR")


def test_plover_one_way_and_monadic_records():
    one_way = ev.dyad_of(
        {"source": [{"code": "JAP"}], "target": [{"code": "ITL"}], "textInfo": {"markup": ""}}
    )
    assert one_way is not None and not one_way.reciprocal
    assert one_way.fits("JPN", "ITA") and not one_way.fits("ITA", "JPN")
    assert ev.dyad_of({"source": [{"code": "USA"}], "target": ""}) is None
    assert ev.dyad_of({"source": [{"code": "USA"}], "textInfo": "no markup dict"}) is None


def test_legacy_codes_map_to_iso():
    assert ev.iso_code("JAP") == "JPN"
    assert ev.iso_code("ITLGOV") == "ITA"
    assert ev.iso_code("vtn") == "VNM"
    assert ev.iso_code("USA") == "USA"
    assert ev.iso_code(None) is None


def test_legacy_code_table_against_iso():
    pycountry = pytest.importorskip("pycountry", reason="pycountry is in the test extra")
    for legacy, iso in ev.LEGACY_CODES.items():
        assert pycountry.countries.get(alpha_3=legacy) is None, legacy
        # XKX, Kosovo, is the gazetteer's code and not (yet) an ISO one.
        assert iso == "XKX" or pycountry.countries.get(alpha_3=iso) is not None, iso


def test_every_plover_code_is_iso_legacy_or_non_state(shared):
    pycountry = pytest.importorskip("pycountry", reason="pycountry is in the test extra")
    records = ev.load_plover(shared / "eval" / "plover" / "PLOVER_GSR_CAMEO.txt")
    codes = {
        actor["code"][:3]
        for rec in records
        for side in ("source", "target")
        if isinstance(rec.get(side), list)
        for actor in rec[side]
        if actor.get("code")
    }
    unknown = {
        c
        for c in codes
        if pycountry.countries.get(alpha_3=c) is None
        and c not in ev.LEGACY_CODES
        and c not in ev.NON_STATE_CODES
    }
    assert not unknown


# ------------------------------------------------------------------ news: synthetic gold
ALIASES = {
    "Ruritania": ["Ruritania", "Ruritanian", "Strelsau"],
    "Ruritanian army": ["Ruritanian army", "RDF"],
    "Freedonia": ["Freedonia", "Freedonian", "Rufus Firefly"],
    "Sylvania": ["Sylvania", "Sylvanian"],
    "Old Zenda regime": ["Zenda", "the Zenda regime"],
    "New Zenda council": ["Zenda", "Zenda council"],
    "US": ["US", "United States"],
}


def _gold_data() -> dict:
    return {
        "aliases": ALIASES,
        "gold": [
            ["01", "Ruritania", "alignment", "Freedonia", "Graustark", "Ruritania backs Freedonia"],
            ["01", "Sylvania", "opposition", "Freedonia", "Graustark", "Sylvania shelled"],
            ["01", "Ruritania", "alignment", "Sylvania", "Graustark", "an alliance"],
            ["36", "Old Zenda regime", "alignment", "US", None, "Zenda welcomed"],
        ],
        "forbidden": [["Freedonia", "alignment", "Ruritania", "01", "direction: reversed"]],
        "symmetric": [["01", "Sylvania", "Ruritania"]],
        "gold_constructions": [["verb"], ["verb", "demonym"], ["nominal", "symmetric"], ["verb"]],
        "forbidden_types": ["direction"],
    }


@pytest.fixture()
def gold() -> ev.NewsGold:
    return ev.parse_news_gold(_gold_data())


@pytest.fixture()
def resolver() -> ev.Resolver:
    return ev.Resolver(ALIASES)


def test_resolver_normalises_and_matches_whole_words(resolver):
    assert resolver.resolve("The Ruritanian  government") == "Ruritania"
    assert resolver.resolve("Ruritania’s allies") == "Ruritania"
    assert resolver.resolve("Ruritania-backed militias") == "Ruritania"
    assert resolver.resolve("Ruritanians") is None  # not the whole word
    assert resolver.resolve("somebody else") is None


def test_resolver_prefers_the_longest_alias(resolver):
    assert resolver.resolve("the Ruritanian army") == "Ruritanian army"
    assert resolver.resolve("Ruritanian army units near Strelsau") == "Ruritanian army"


def test_resolver_acronyms_are_case_sensitive(resolver):
    assert resolver.resolve("RDF") == "Ruritanian army"
    assert resolver.resolve("rdf") is None
    assert resolver.resolve("US forces") == "US"
    assert resolver.resolve("told us") is None  # the pronoun is not the acronym


def test_resolver_shared_alias_settled_by_the_article(resolver, gold):
    assert resolver.resolve("Zenda") is None  # two keys, no article to tell
    assert resolver.resolve("Zenda", gold.article_keys("36")) == "Old Zenda regime"
    assert resolver.resolve("Zenda council", gold.article_keys("36")) == "New Zenda council"


def _ref(text: str, label: str | None = None, ident: str = "x:actor") -> ActorRef:
    return ActorRef(
        id=ident, label=label or text, type="State", text=text, start=0, end=len(text), via="name"
    )


def test_resolver_falls_back_to_label_and_keeps_the_article_key(resolver, gold):
    keys = gold.article_keys("01")
    # A pronoun resolves through the extractor's label.
    assert resolver.resolve_ref(_ref("it", "Freedonia"), keys) == "Freedonia"
    # Coordinated demonyms are ambiguous as words; the label is not.
    both = _ref("Ruritanian and Sylvanian officers", "Sylvania")
    assert resolver.resolve_ref(both, keys) == "Sylvania"
    # An id is the last resort.
    assert resolver.resolve_ref(_ref("they", "somebody", ident="US"), frozenset({"US"})) == "US"
    assert resolver.resolve_ref(_ref("they", "somebody"), keys) is None


def test_pair_matching_directions():
    backing = Pair("01", "Ruritania", "alignment", "Freedonia", symmetric=False)
    assert backing.matched_by("Ruritania", "alignment", "Freedonia")
    assert not backing.matched_by("Freedonia", "alignment", "Ruritania")  # directed
    assert not backing.matched_by("Ruritania", "opposition", "Freedonia")  # polarity
    assert not backing.matched_by(None, "alignment", "Freedonia")
    mutual = Pair("01", "Ruritania", "alignment", "Sylvania", symmetric=True)
    assert mutual.matched_by("Sylvania", "alignment", "Ruritania")
    fight = Pair("01", "Sylvania", "opposition", "Freedonia", symmetric=False)
    assert fight.matched_by("Freedonia", "opposition", "Sylvania")  # undirected


def test_gold_parsing_marks_symmetric_pairs_and_keeps_forbidden_directed(gold):
    assert [g.symmetric for g in gold.gold] == [False, False, True, False]
    assert isinstance(gold.gold[1], GoldPair) and gold.gold[1].constructions == ("verb", "demonym")
    assert isinstance(gold.forbidden[0], ForbiddenPair) and not gold.forbidden[0].symmetric
    assert gold.article_keys("01") == {"Ruritania", "Freedonia", "Sylvania"}


def test_split_covers_every_article_once():
    numbers = [n for part in ev.NEWS_SPLIT.values() for n in part]
    assert sorted(numbers) == list(range(1, 51))
    assert ev.part_of("01") == "a" and ev.part_of("35") == "a" and ev.part_of("36") == "b"
    assert ev.in_part("50", "b") and ev.in_part("50", "all") and not ev.in_part("50", "a")


def _relation(
    subject: str,
    predicate: str,
    polarity: str,
    obj: str,
    sentence: str,
    *,
    subject_label: str | None = None,
    negated: bool = False,
    modality: str = "asserted",
) -> Relation:
    return Relation(
        document="doc-test",
        subject=_ref(subject, subject_label),
        predicate=predicate,
        object=_ref(obj),
        polarity=polarity,
        plover="SUPPORT" if polarity == "alignment" else "FIGHT",
        quad_class="verbalCooperation" if polarity == "alignment" else "materialConflict",
        weight=1.0,
        negated=negated,
        modality=modality,
        date="2031-04" if predicate == "backs" else None,
        theatre="Graustark",
        sentence=sentence,
        sentence_start=0,
        sentence_end=len(sentence),
        trigger=predicate,
        pattern="verbal",
        confidence=0.9,
        extractor_version="test",
    )


OUTPUT = {
    "01": [
        _relation("Ruritania", "backs", "alignment", "Freedonia", "Ruritania backs Freedonia."),
        # opposition matches either way round
        _relation("Freedonia", "attacks", "opposition", "Sylvanian", "Sylvania shelled them."),
        # the symmetric alliance, stated the other way round
        _relation("Sylvania", "cooperates", "alignment", "Ruritania", "They formed an alliance."),
        # the forbidden reversed backing, asserted
        _relation("Freedonia", "backs", "alignment", "Ruritania", "Freedonia backs Ruritania."),
        # negated and hypothetical outputs do not count
        _relation(
            "it",
            "backs",
            "alignment",
            "Sylvania",
            "It may back.",
            subject_label="Freedonia",
            modality="hypothetical",
        ),
        _relation("Sylvania", "backs", "alignment", "Freedonia", "No.", negated=True),
        # a meeting: the annotators left meetings out, so it is not compared
        _relation("Ruritania", "consults", "alignment", "Sylvania", "They met in Strelsau."),
    ],
    "36": [
        # a reversed backing that is not listed as symmetric: no match
        _relation("US", "backs", "alignment", "Zenda", "The US backed Zenda."),
        # reported by a named source: compared with the gold, as the gold counts such pairs
        _relation(
            "Zenda",
            "backs",
            "alignment",
            "Ruritania",
            "Zenda backed Ruritania.",
            modality="reported",
        ),
    ],
}


class FakeExtractor:
    """Stands in for the pipeline: fixed output per article, recording what it was given."""

    def __init__(self) -> None:
        self.seen: list[tuple[Article, date | None]] = []

    def process(self, articles):
        for article, published in articles:
            self.seen.append((article, published))
            number = "01" if "Freedonia" in article.text else "36"
            yield article, OUTPUT[number]


def _write_news(root: Path) -> Path:
    (root / "texts").mkdir(parents=True)
    (root / "gold.json").write_text(json.dumps(_gold_data()), encoding="utf-8")
    header = "SOURCE: https://example.org/{n}\nTITLE: {title}\nDATE: {date}\nLICENSE: test\n"
    bodies = {
        "01": ("Ruritania and Freedonia", "2031-04-02", "Ruritania backs Freedonia.\nMore."),
        "36": ("Zenda", "", "The US backed Zenda.\nZenda backed Ruritania, it said."),
    }
    for n, (title, day, body) in bodies.items():
        text = header.format(n=n, title=title, date=day) + f"WORDS: {len(body.split())}\n\n"
        (root / "texts" / f"{n}_example_test_2031.txt").write_text(text + body, encoding="utf-8")
    return root


@pytest.fixture()
def news_result(tmp_path) -> tuple[ev.NewsResult, FakeExtractor]:
    fake = FakeExtractor()
    return ev.score_news(fake, _write_news(tmp_path / "news")), fake


def test_news_texts_lose_their_header_and_pass_date_and_title(news_result, tmp_path):
    _result, fake = news_result
    (first, _), (second, _) = fake.seen
    assert first.text == "Ruritania backs Freedonia.\nMore."
    assert "SOURCE:" not in first.text and "WORDS:" not in second.text
    assert first.title == "Ruritania and Freedonia"
    assert first.published == date(2031, 4, 2) and second.published is None
    text = read_news_text(tmp_path / "news" / "texts" / "36_example_test_2031.txt")
    assert text.number == "36" and text.body.startswith("The US backed Zenda.")


def test_news_recall_forbidden_and_predictions(news_result):
    result, _fake = news_result
    summary = result.summary("all")
    assert summary["recall"] == {"found": 3, "of": 4, "rate": 0.75}
    assert summary["recall_by_polarity"]["alignment"]["found"] == 2
    assert summary["recall_by_polarity"]["opposition"]["found"] == 1
    assert summary["recall_by_construction"]["symmetric"]["found"] == 1
    assert summary["recall_by_theatre"]["(none)"] == {"found": 0, "of": 1, "rate": 0.0}
    assert summary["forbidden_asserted"] == 1
    assert summary["forbidden_by_article"][0].startswith("01: Freedonia -> Ruritania")
    assert summary["predictions_asserted"] == 6
    assert summary["predictions_matching_gold"] == 3
    assert summary["predictions_not_asserted"] == {"consults": 1, "hypothetical": 1, "negated": 1}


def test_news_parts_add_up(news_result):
    result, _fake = news_result
    a, b, whole = (result.summary(p) for p in ("a", "b", "all"))
    for key in ("predictions_asserted", "predictions_matching_gold", "forbidden_asserted"):
        assert a[key] + b[key] == whole[key]
    assert a["recall"]["of"] + b["recall"]["of"] == whole["recall"]["of"]
    assert (a["articles"], b["articles"]) == (1, 1)
    assert b["recall"]["found"] == 0


def test_news_misses_list_unmatched_predictions_and_missed_gold(news_result, tmp_path):
    result, _fake = news_result
    rows = result.misses("all")
    unmatched = [r for r in rows if r["kind"] == "unmatched_prediction"]
    missed = [r for r in rows if r["kind"] == "missed_gold"]
    assert {(r["article"], r["subject_key"], r["object_key"]) for r in unmatched} == {
        ("01", "Freedonia", "Ruritania"),
        ("36", "US", "Old Zenda regime"),
        ("36", "Old Zenda regime", "Ruritania"),
    }
    assert unmatched[0]["forbidden"] is not None
    assert [(r["article"], r["pair"]) for r in missed] == [
        ("36", "Old Zenda regime -> US (alignment)")
    ]
    assert missed[0]["evidence"] == "Zenda welcomed"
    assert len(result.misses("a")) == 1
    tsv = tmp_path / "misses.tsv"
    ev.write_rows(rows, tsv)
    lines = tsv.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("kind\t") and len(lines) == 1 + len(rows)


def test_judging_sample_is_seeded_and_blind(news_result, tmp_path):
    result, _fake = news_result
    sheet = ev.judging_sheet(result, 3, seed=7)
    assert sheet == ev.judging_sheet(result, 3, seed=7)
    assert len(sheet) == 3 and len({row["id"] for row in sheet}) == 3
    assert len(ev.judging_sheet(result, 99, seed=7, part="b")) == 2
    assert len(ev.judging_sheet(result, 99, seed=7, part="a")) == 5  # the meeting too
    row = sheet[0]
    assert row["judgement"] == row["date_right"] == row["theatre_right"] == ""
    assert row["modality"] == "asserted" and row["negated"] is False
    bodies = {t.file: t.body.splitlines() for t in result.texts.values()}
    assert all(r["context"] in bodies[r["article"]] for r in sheet)  # its paragraph
    assert not {"gold", "forbidden", "subject_key", "object_key"} & row.keys()
    path = tmp_path / "sheet.jsonl"
    ev.write_sheet(sheet, path)
    assert len(path.read_text(encoding="utf-8").splitlines()) == 3


def _sheet(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "judged.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_judged_sheet_precision_dates_and_theatres(tmp_path):
    rows = [
        {
            "judgement": "correct",
            "date": "2031",
            "date_right": "yes",
            "theatre": "Graustark",
            "theatre_right": True,
        },
        {"judgement": "Partly", "date": "2031-04", "date_right": "n", "theatre": None},
        {"judgement": "w", "date": None, "date_right": "yes", "theatre": "X", "theatre_right": 0},
        {"judgement": "correct", "date": "2031", "date_right": ""},
        {"judgement": ""},
    ]
    summary = ev.read_judged(_sheet(tmp_path, rows)).summary()
    assert (summary["correct"], summary["partly"], summary["wrong"]) == (2, 1, 1)
    assert summary["judged"] == 4 and summary["unjudged"] == 1
    assert summary["precision_partly_as_half"] == 0.625
    assert summary["precision_partly_as_wrong"] == 0.5
    # a date_right without a date, and an empty date_right, are not counted
    assert summary["date_accuracy_where_given"] == {"found": 1, "of": 2, "rate": 0.5}
    assert summary["theatre_accuracy_where_given"] == {"found": 1, "of": 2, "rate": 0.5}


def test_judged_sheet_rejects_unknown_values_with_the_line(tmp_path):
    path = _sheet(tmp_path, [{"judgement": "correct"}, {"judgement": "maybe"}])
    with pytest.raises(ValueError, match=r"judged\.jsonl:2: judgement 'maybe'"):
        ev.read_judged(path)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return run_cli("evaluate", *args, timeout=600)


@pytest.mark.slow
def test_cli_scores_a_judged_sheet(tmp_path):
    path = _sheet(tmp_path, [{"judgement": "correct"}, {"judgement": "wrong"}])
    done = _cli("judged", str(path), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["judged"]["precision_partly_as_half"] == 0.5
    done = _cli("judged")
    assert done.returncode == 2 and "judged SHEET" in done.stderr


# ------------------------------------------------------------------ news: the real set
@pytest.mark.slow
def test_news_scorer_on_the_development_set(extractor, shared):
    result = ev.score_news(extractor, shared / "eval" / "news")
    parts = {p: result.summary(p) for p in ev.PARTS}
    whole = parts["all"]
    assert whole["articles"] == 50 and whole["recall"]["of"] == 238
    assert whole["forbidden_pairs_asserted"]["of"] == 23
    for summary in parts.values():
        assert summary["recall"]["found"] <= summary["recall"]["of"]
        by_polarity = summary["recall_by_polarity"].values()
        assert sum(r["found"] for r in by_polarity) == summary["recall"]["found"]
        assert sum(r["of"] for r in by_polarity) == summary["recall"]["of"]
        assert summary["predictions_matching_gold"] <= summary["predictions_asserted"]
        # one output can match several forbidden pairs; each pair is listed
        assert summary["forbidden_asserted"] <= len(summary["forbidden_by_article"])
    a, b = parts["a"], parts["b"]
    assert a["articles"] + b["articles"] == 50
    for key in ("predictions_asserted", "predictions_matching_gold", "forbidden_asserted"):
        assert a[key] + b[key] == whole[key], key
    assert a["recall"]["found"] + b["recall"]["found"] == whole["recall"]["found"]
    rows = result.misses()
    unmatched = sum(r["kind"] == "unmatched_prediction" for r in rows)
    missed = sum(r["kind"] == "missed_gold" for r in rows)
    assert unmatched == whole["predictions_asserted"] - whole["predictions_matching_gold"]
    assert missed == whole["recall"]["of"] - whole["recall"]["found"]
    for relation in (p.relation for p in result.predictions):
        assert not relation.sentence.startswith(("SOURCE:", "TITLE:", "LICENSE:"))


@pytest.mark.slow
def test_cli_news_writes_misses_and_a_sample(shared, tmp_path):
    misses, sheet = tmp_path / "misses.jsonl", tmp_path / "sheet.jsonl"
    done = _cli(
        "news",
        "--data",
        str(shared / "eval"),
        "--json",
        "--misses",
        str(misses),
        "--sample",
        "5",
        "--seed",
        "1",
        "--sample-out",
        str(sheet),
    )
    assert done.returncode == 0, done.stderr
    scores = json.loads(done.stdout)["news"]
    assert set(scores) == {"a", "b", "all"}
    assert misses.read_text(encoding="utf-8").strip()
    assert len(sheet.read_text(encoding="utf-8").splitlines()) == 5
