"""The vocabulary, the SHACL shapes and the actor gazetteer."""

from __future__ import annotations

import re
from datetime import date

import pycountry
import pytest
from rdflib import RDF, Graph

from detente.domain import QuadClass
from detente.graph import actors_to_graph, validate
from detente.ontology import (
    NS,
    Gazetteer,
    load_gazetteer,
    ontology_path,
    plover_polarity,
    predicates,
    shapes_path,
)
from tests.paths import ROOT


def test_predicates_carry_event_codes_and_consistent_weights():
    preds = predicates()
    for name in (
        "backs",
        "aids",
        "cooperates",
        "mediates",
        "consults",
        "opposes",
        "threatens",
        "sanctions",
        "coerces",
        "fights",
        "attacks",
    ):
        assert name in preds, name
    for p in preds.values():
        assert p.polarity in ("alignment", "opposition")
        # The family follows the sign of the Goldstein weight.
        assert (p.weight > 0) == (p.polarity == "alignment"), p.name
        assert p.plover and p.cameo
    assert preds["attacks"].plover == "ASSAULT"
    assert preds["fights"].symmetric and not preds["backs"].symmetric
    assert preds["aids"].parent == "backs"


def test_every_plover_event_type_has_a_polarity():
    table = plover_polarity()
    for event in (
        "AGREE",
        "CONSULT",
        "SUPPORT",
        "CONCEDE",
        "COOPERATE",
        "AID",
        "RETREAT",
        "INVESTIGATE",
        "DEMAND",
        "DISAPPROVE",
        "REJECT",
        "THREATEN",
        "PROTEST",
        "MOBILIZE",
        "SANCTION",
        "COERCE",
        "ASSAULT",
        "FIGHT",
    ):
        assert event in table, event


def test_gazetteer_has_every_un_member_with_valid_codes():
    gaz = load_gazetteer()
    states = {a.id for a in gaz.actors.values() if a.type == "State"}
    assert len(states) >= 193
    for code in states - {"XKX"}:  # Kosovo has no ISO code yet; XKX is the usual stand-in
        assert pycountry.countries.get(alpha_3=code) is not None, code
    for probe in ("Russia", "Türkiye", "U.S.", "Syrian Arab Republic", "Britain"):
        assert gaz.resolve(probe) is not None, probe


def test_non_state_actors_of_current_conflicts_are_known():
    gaz = load_gazetteer()
    for name, expected in [
        ("Hamas", "HAMAS"),
        ("Houthis", "HOUTHIS"),
        ("Wagner Group", "WAGNER"),
        ("Hezbollah", "HEZBOLLAH"),
        ("LNA", "LNA"),
        ("SDF", "SDF"),
        ("Daesh", "ISIL"),
        ("NATO", "NATO"),
        ("Arab League", "ARABLEAGUE"),
    ]:
        actor, _ = gaz.resolve(name)
        assert actor.id == expected, name


@pytest.mark.parametrize(
    ("name", "when", "expected"),
    [
        ("Trump", date(2018, 6, 1), "USA"),
        ("Trump", date(2022, 6, 1), "trump"),  # between terms: the person, not the state
        ("Trump", date(2025, 6, 1), "USA"),
        ("Assad", date(2015, 1, 1), "SYR-GOV"),
        ("Assad", date(2025, 3, 1), "assad"),
        ("Damascus", date(2023, 1, 1), "SYR-GOV"),
        ("Damascus", date(2025, 1, 1), "SYR-TG"),
        ("U.N.-recognized government", date(2019, 1, 1), "LBY-GNA"),
        ("U.N.-recognized government", date(2022, 1, 1), "LBY-GNU"),
        ("Erdogan", date(2020, 1, 1), "TUR"),
        ("Kremlin", date(2020, 1, 1), "RUS"),
    ],
)
def test_names_resolve_by_date(name, when, expected):
    actor, _ = load_gazetteer().resolve(name, when=when)
    assert actor.id == expected


def test_era_picks_the_nearest_period_when_no_date_is_known():
    gaz = load_gazetteer()
    assert gaz.resolve("U.N.-recognized government", era=2016.0)[0].id == "LBY-GNA"
    assert gaz.resolve("Trump", era=2016.0)[0].id == "USA"  # nearest term, not the person


def test_ontology_and_shapes_parse():
    assert len(Graph().parse(ontology_path())) > 100
    assert len(Graph().parse(shapes_path())) > 50


@pytest.mark.slow
def test_gazetteer_as_rdf_conforms_to_the_shapes():
    """The curated gazetteer (what every store holds) and a slice of the generated one."""
    curated = load_gazetteer(generated=False)
    ok, report = validate(actors_to_graph(curated))
    assert ok, report
    full = load_gazetteer()
    generated = sorted(set(full.actors) - set(curated.actors))
    assert len(generated) > 10_000
    chosen = set(generated[::50])
    chosen |= {full.actors[key].home for key in chosen if full.actors[key].home in full.actors}
    sample = Gazetteer(
        actors={key: full.actors[key] for key in chosen},
        readings={
            name: [r for r in readings if r.actor in chosen]
            for name, readings in full.readings.items()
            if any(r.actor in chosen for r in readings)
        },
    )
    ok, report = validate(actors_to_graph(sample))
    assert ok, report


def test_the_documented_quad_classes_are_the_ontology_s() -> None:
    table = (ROOT / "docs" / "knowledge-graph.md").read_text()
    documented = {
        quad: set(re.findall(r"`(\w+)`", names))
        for quad, names in re.findall(r"^\| `dt:(\w+)` \| [\d-]+ \| (.+) \|$", table, re.M)
    }
    grouped: dict[str, set[str]] = {}
    for p in predicates().values():
        grouped.setdefault(p.quad_class.value, set()).add(p.name)
    assert documented == grouped
    # Every quad class the records can carry is declared in the ontology.
    ontology = Graph().parse(ontology_path())
    for quad in QuadClass:
        assert (NS[quad.value], RDF.type, NS.QuadClass) in ontology
