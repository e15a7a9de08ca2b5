"""The shared domain model: partial dates, polarity and modality, records, document ids."""

from __future__ import annotations

import json
from datetime import date

import pytest
from rdflib import Literal

from detente.domain import (
    Article,
    Modality,
    PartialDate,
    Polarity,
    QuadClass,
    Via,
    content_source,
    document_id,
    first_day,
)
from detente.domain.records import ActorRef, Relation


@pytest.mark.parametrize(
    ("text", "precision", "first"),
    [
        ("2019", "year", date(2019, 1, 1)),
        ("2020-06", "month", date(2020, 6, 1)),
        ("2020-06-15", "day", date(2020, 6, 15)),
        ("2020-06-15T08:30:00Z", "day", date(2020, 6, 15)),  # a timestamp, read to its day
    ],
)
def test_a_partial_date_keeps_its_precision_and_orders_by_its_first_day(
    text, precision, first
) -> None:
    partial = PartialDate.parse(text)
    assert partial.precision == precision
    assert partial.first_day() == first == first_day(text)
    assert str(partial) == text[: {"year": 4, "month": 7, "day": 10}[precision]]


@pytest.mark.parametrize("text", ["", "19", "2020-13", "2021-02-29", "June 2020", "2020/06/15"])
def test_what_is_no_partial_date_is_refused(text) -> None:
    with pytest.raises(ValueError):
        PartialDate.parse(text)


def test_partial_dates_order_as_their_first_days() -> None:
    dates = [PartialDate.parse(t) for t in ("2020-06-15", "2019", "2020-06", "2020")]
    assert [str(d) for d in sorted(dates, key=PartialDate.first_day)] == [
        "2019",
        "2020",
        "2020-06",
        "2020-06-15",
    ]
    assert first_day(None) is None and PartialDate.parse_or_none("") is None


def test_polarity_and_modality_are_their_names_wherever_text_is_made() -> None:
    assert Polarity("opposition") is Polarity.opposition
    assert Polarity.alignment == "alignment"
    assert f"{Polarity.alignment}" == str(Polarity.alignment) == "alignment"
    assert json.dumps([Modality.reported]) == '["reported"]'
    assert str(Literal(Modality.hypothetical)) == "hypothetical"
    with pytest.raises(ValueError):
        Polarity("neutral")


def _actor(name: str) -> ActorRef:
    return ActorRef(
        id=name, label=name, type="State", text=name, start=0, end=len(name), via="name"
    )


def test_a_record_reads_its_polarity_and_modality_as_the_enums_and_writes_their_names() -> None:
    relation = Relation(
        document="doc-x",
        subject=_actor("TUR"),
        predicate="backs",
        object=_actor("LBY"),
        polarity="alignment",
        plover="AID",
        quad_class="materialCooperation",
        weight=7.0,
        negated=False,
        modality="reported",
        sentence="Turkey backs Libya.",
        sentence_start=0,
        sentence_end=19,
        trigger="backs",
        pattern="verbal",
        confidence=0.9,
        extractor_version="test",
    )
    assert relation.polarity is Polarity.alignment and relation.modality is Modality.reported
    dumped = json.loads(relation.model_dump_json())
    assert (dumped["polarity"], dumped["modality"]) == ("alignment", "reported")
    with pytest.raises(ValueError):
        relation.model_validate({**dumped, "polarity": "neutral"})


def test_how_a_mention_names_its_actor_is_one_vocabulary() -> None:
    actor = _actor("TUR")
    assert actor.via is Via.name and f"{actor.via}" == "name"
    coref = ActorRef.model_validate({**actor.model_dump(), "via": "coref"})
    assert coref.via is Via.coref and json.loads(coref.model_dump_json())["via"] == "coref"
    with pytest.raises(ValueError):
        ActorRef.model_validate({**actor.model_dump(), "via": "rumour"})


def test_document_ids_are_content_hashes() -> None:
    article = Article("Turkey backs Libya.")
    assert document_id(article.text) == document_id("Turkey backs Libya.")
    assert document_id("a").startswith("doc-") and len(document_id("a")) == 28
    assert content_source("a") != content_source("b") and content_source("a").startswith("text:")


def test_one_statement_filter_checks_itself() -> None:
    from detente.domain import StatementFilter
    from detente.errors import InputError

    where = StatementFilter(predicates=("fights", "backs", "backs"), polarity="opposition")
    assert where.predicates == ("backs", "fights") and where.polarity is Polarity.opposition
    assert StatementFilter(predicates=("backs", "fights")) == StatementFilter(
        predicates=("fights", "backs")
    )  # one question, one cache entry, whatever the order asked
    with pytest.raises(InputError, match="since is after until"):
        StatementFilter(since=date(2020, 2, 1), until=date(2020, 1, 1))
    with pytest.raises(ValueError):
        StatementFilter(polarity="neutral")


@pytest.mark.parametrize(
    ("root", "quad", "material"),
    [
        ("01", QuadClass.verbal_cooperation, False),
        ("05", QuadClass.verbal_cooperation, False),
        ("06", QuadClass.material_cooperation, True),
        ("08", QuadClass.material_cooperation, True),
        ("09", QuadClass.verbal_conflict, False),
        ("13", QuadClass.verbal_conflict, False),
        ("14", QuadClass.material_conflict, True),
        ("20", QuadClass.material_conflict, True),
    ],
)
def test_the_quad_class_follows_from_the_cameo_root(
    root: str, quad: QuadClass, material: bool
) -> None:
    assert QuadClass.of_cameo(root) is quad
    assert quad.material is material


@pytest.mark.parametrize("root", ["00", "21", "x"])
def test_a_code_that_is_no_cameo_root_has_no_quad_class(root: str) -> None:
    with pytest.raises(ValueError):
        QuadClass.of_cameo(root)
