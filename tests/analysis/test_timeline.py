"""Stance over time, and dates quoted to the precision their source gave."""

from __future__ import annotations

import networkx as nx
import pytest

from detente.analysis.figures import alliance_data
from detente.analysis.multigraph import who_backs_whom
from detente.analysis.timeline import period_day, stance_series
from detente.analysis.views import precision
from detente.domain.dates import first_day
from detente.ontology import predicates


def view_of(*statements: tuple[str, str, str, str | None, str | None]) -> nx.MultiDiGraph:
    """A view like relation_graph's from (subject, predicate, object, date text, theatre)."""
    vocab = predicates()
    graph = nx.MultiDiGraph()
    for n, (s, p, o, when, theatre) in enumerate(statements):
        for node in (s, o):
            graph.add_node(node, label=node.title(), type="State")
        spec = vocab[p]
        graph.add_edge(
            s,
            o,
            predicate=p,
            polarity=spec.polarity,
            sign=1 if spec.polarity == "alignment" else -1,
            weight=spec.weight,
            quad_class=spec.quad_class.value,
            confidence=0.5,
            modality="asserted",
            date=first_day(when),
            when=when,
            theatre=theatre,
            document=f"doc-{n}",
            evidence=f"{s} {p} {o} ({when}).",
        )
    return graph


def test_months_run_without_gaps_and_score_both_directions() -> None:
    view = view_of(
        ("tur", "attacks", "rus", "2015-11-24", "Syria"),
        ("rus", "sanctions", "tur", "2015-12", None),
        ("rus", "agrees", "tur", "2016-02", None),
        ("tur", "agrees", "rus", "2016-02-10", None),
        ("rus", "backs", "tur", "2016", None),  # a year only: not placed in a month
        ("rus", "fights", "ukr", "2016-01", None),  # another pair
    )
    rows = stance_series(view, "rus", "tur")
    assert [r["period"] for r in rows] == ["2015-11", "2015-12", "2016-01", "2016-02"]
    by = {r["period"]: r for r in rows}
    assert by["2015-11"]["conflict"] == pytest.approx(9.0 * 0.5)
    assert by["2015-11"]["stance"] == "conflict"
    assert by["2016-01"]["stance"] is None and by["2016-01"]["statements"] == []
    assert by["2016-02"]["cooperation"] == pytest.approx(2 * 4.0 * 0.5)
    assert {s["date"] for s in by["2016-02"]["statements"]} == {"2016-02", "2016-02-10"}
    years = {r["period"]: r for r in stance_series(view, "tur", "rus", period="year")}
    assert years["2016"]["cooperation"] == pytest.approx((4.0 + 4.0 + 3.5) * 0.5)
    assert years["2015"]["net"] == pytest.approx(-(9.0 + 4.0) * 0.5)
    assert [r["period"] for r in stance_series(view, "rus", "tur", theatre="syria")] == ["2015-11"]


def test_no_statements_and_bad_period() -> None:
    view = view_of(("rus", "agrees", "tur", None, None))
    assert stance_series(view, "rus", "tur") == []
    assert stance_series(view, "rus", "nobody") == []
    with pytest.raises(ValueError, match="period"):
        stance_series(view, "rus", "tur", period="week")


def test_period_day_and_precision() -> None:
    assert str(period_day("2020-03")) == "2020-03-01"
    assert str(period_day("2020")) == "2020-01-01"
    assert [precision({"when": w}) for w in ("2020", "2020-03", "2020-03-04", None)] == [
        "year",
        "month",
        "day",
        None,
    ]


def test_answers_quote_dates_as_precisely_as_the_source() -> None:
    view = view_of(
        ("egy", "backs", "lna", "2014", "Libya"),
        ("egy", "backs", "lna", "2019-04-04", "Libya"),
    )
    [row] = who_backs_whom(view, theatre="Libya")
    assert (row["first_date"], row["last_date"]) == ("2014", "2019-04-04")
    assert [e["date"] for e in row["evidence"]] == ["2014", "2019-04-04"]


def test_alliance_data_blocs_and_evidence() -> None:
    view = view_of(
        ("tur", "aids", "gna", "2020-01", "Libya"),
        ("tur", "aids", "gna", "2020-02", "Libya"),
        ("are", "aids", "lna", "2020-01", "Libya"),
        ("gna", "fights", "lna", "2020-04", "Libya"),
        ("deu", "mediates", "gna", "2020-01", "Libya"),
        ("deu", "mediates", "lna", "2020-01", "Libya"),
        ("rus", "agrees", "tur", "2020-03", None),  # outside the theatre
    )
    data = alliance_data(view, theatre="Libya")
    bloc = {n["id"]: n["bloc"] for n in data["nodes"]}
    assert "rus" not in bloc
    assert bloc["tur"] == bloc["gna"] != bloc["lna"] == bloc["are"]
    evidence = {n["id"]: n["evidence"] for n in data["nodes"]}
    assert evidence == {"are": 1, "gna": 4, "lna": 3, "tur": 2}  # mediation is evidence too
    edges = {(e["source"], e["target"]): e for e in data["edges"]}
    assert edges[("gna", "tur")]["statements"] == 2 and edges[("gna", "tur")]["sign"] == 1
    assert edges[("gna", "lna")]["sign"] == -1
    # Germany mediates between the two camps: a broker takes neither side, so it is in
    # no bloc and no edge of it contradicts the blocs (it once sat in one, against one).
    assert "deu" not in bloc and data["frustration"] == 0


def test_words_between_allies_weigh_less_than_deeds() -> None:
    # Two demands and a warning between partners who arm each other: by the Goldstein scale
    # alone (-5 -5 -6 +7 +7) the pair would be opposed; a verbal act votes half its weight
    # (-8 +14), so the arms decide.
    view = view_of(
        ("usa", "demands", "isr", "2024-01", "Gaza"),
        ("usa", "demands", "isr", "2024-02", "Gaza"),
        ("usa", "threatens", "isr", "2024-03", "Gaza"),
        ("usa", "aids", "isr", "2024-01", "Gaza"),
        ("usa", "aids", "isr", "2024-04", "Gaza"),
        ("irn", "aids", "ham", "2024-01", "Gaza"),
        ("isr", "fights", "ham", "2024-01", "Gaza"),
    )
    edges = {frozenset((e["source"], e["target"])): e for e in alliance_data(view)["edges"]}
    assert edges[frozenset(("usa", "isr"))]["sign"] == 1
    assert edges[frozenset(("isr", "ham"))]["sign"] == -1
    assert view.edges["usa", "isr", 0]["quad_class"] == "verbalConflict"
    assert view.edges["usa", "isr", 3]["quad_class"] == "materialCooperation"
