"""Noise (issue 23): words that stand for no actor never become one.

Generic nouns for people, forces and weapons; possessive endings; lone surnames; state
organs attached to their state. Every sentence is invented for these tests (none comes
from an evaluation set); the actors are real, the events are not. The pipeline's rules run
alone unless a test is about the relation model's candidates.
"""

from __future__ import annotations

from datetime import date

import pytest

from detente.extract import Extractor
from detente.extract.candidates import candidate_pairs
from detente.extract.components.noise import load_noise_words
from detente.ontology import load_gazetteer
from tests.conftest import find, triples


@pytest.fixture(scope="module")
def rules(rules_extractor: Extractor) -> Extractor:
    return rules_extractor


def _mentions(extractor: Extractor, text: str, published: date | None = None):
    doc = extractor.nlp(extractor.make_doc(text, published))
    return doc, {m._.actor.id for m in doc._.actor_mentions}


def _actor_ids(relations) -> set[str]:
    return {r.subject.id for r in relations} | {r.object.id for r in relations}


# ---------------------------------------------------------------------- generic nouns
@pytest.mark.parametrize(
    ("text", "noise", "kind"),
    [
        (
            "Chilean officials said on Monday that the Armed Forces had repelled an attack "
            "by Peru near the border.",
            "x:armed-forces",
            "generic",
        ),
        (
            "Witnesses said Fighters attacked a convoy from Bolivia on Sunday.",
            "x:fighters",
            "generic",
        ),
        (
            "Officials in Lima said that UAVs had struck a Bolivian outpost overnight.",
            "x:uavs",
            "weapon",
        ),
    ],
)
def test_generic_nouns_without_a_country_are_no_actors(rules, text, noise, kind):
    doc, ids = _mentions(rules, text)
    assert noise not in ids
    assert kind in {m._.noise for m in doc._.dropped_mentions}
    assert noise not in _actor_ids(rules.extract(text))


def test_an_organ_with_its_country_is_the_country(rules):
    # "Defence Ministry" alone names nobody; with "Russia's" before it, it is Russia's.
    for text in (
        "Russia's Defence Ministry said on Friday that its forces had shelled Ukrainian positions.",
        "Russia’s Defense Ministry said on Friday that its forces had shelled Ukrainian positions.",
    ):
        rels = rules.extract(text)
        assert ("RUS", "attacks", "UKR") in triples(rels), text
        assert not any(i.startswith("x:") for i in _actor_ids(rels))


def test_a_weapon_is_no_actor_even_with_a_name(rules):
    doc, ids = _mentions(
        rules,
        "According to officials in Manila, the Pantsir Defence System supplied by Russia was "
        "deployed near the border.",
    )
    assert ids == {"PHL", "RUS"}
    assert [m._.noise for m in doc._.dropped_mentions] == ["weapon"]


def test_relation_model_candidates_hold_no_weapon(extractor):
    """The model reads the same filtered mentions: a designation is never one of a pair."""
    text = "Moscow delivered S-400 systems to Turkey, and the S-400 defended Ankara against Greece."
    doc = extractor.nlp(extractor.make_doc(text))
    pairs = {c.pair for c in candidate_pairs(doc)}
    assert pairs and all(not a.startswith("x:") for pair in pairs for a in pair)
    assert "x:s-400" not in _actor_ids(extractor.extract(text))


# ---------------------------------------------------------------------- possessives
def test_a_possessive_is_not_part_of_a_name(rules):
    rels = rules.extract(
        "Officials said Omar Farouk's militia had attacked Chad from across the border on Sunday."
    )
    rel = find(rels, "x:omar-farouk", "attacks", "TCD")
    assert rel.subject.label == "Omar Farouk"
    assert not any("'s" in r.subject.label or "’s" in r.subject.label for r in rels)


# ---------------------------------------------------------------------- lone surnames
def test_a_lone_surname_is_the_person_named_earlier(rules):
    rels = rules.extract(
        "Jean-Pierre Kabengele, a rebel commander, met envoys in Goma on Monday. On Tuesday, "
        "Kabengele accused Rwanda of arming his rivals."
    )
    rel = find(rels, "x:jean-pierre-kabengele", "criticises", "RWA")
    assert rel.subject.text == "Kabengele" and rel.subject.label == "Jean-Pierre Kabengele"


def test_a_lone_surname_nobody_explains_is_dropped(rules):
    text = "Mr. Okafor accused Chad of arming the rebels, according to the statement."
    doc, ids = _mentions(rules, text)
    assert ids == {"TCD"}
    assert [(m.text, m._.noise) for m in doc._.dropped_mentions] == [("Okafor", "surname")]


def test_a_lone_surname_of_a_leader_in_office_is_the_leader(rules):
    # The gazetteer knows Kamala Harris by her full name; in 2022 she spoke for the US.
    text = "In a speech on Monday, Harris accused Russia of war crimes in Ukraine."
    assert ("USA", "criticises", "RUS") in triples(rules.extract(text, date(2022, 6, 1)))
    assert "x:harris" not in _actor_ids(rules.extract(text, date(2012, 6, 1)))


def test_a_city_inside_a_persons_name_is_no_place(rules):
    _, ids = _mentions(
        rules, "Adelaide Mensah, a Ghanaian lawmaker, accused Togo of harbouring the gunmen."
    )
    assert "x:adelaide-mensah" in ids


# ---------------------------------------------------------------------- state organs
def test_a_named_organ_is_its_state(rules):
    # Either apostrophe: the gazetteer's name has the straight one.
    assert load_gazetteer().resolve("People’s Liberation Army")[0].id == "CHN"
    _, ids = _mentions(
        rules,
        "In a statement on Tuesday, the People’s Liberation Army said it had sent warships "
        "toward Taiwan.",
    )
    assert ids == {"CHN", "TWN"}


def test_a_guard_corps_is_an_organ_of_its_state_with_its_sector(rules):
    rels = rules.extract(
        "Iran's Revolutionary Guards have supplied Hezbollah with rockets, officials in "
        "Washington said."
    )
    guards = find(rels, "IRGC", "aids", "HEZBOLLAH").subject
    assert (guards.type, guards.code) == ("Government", "IRNMIL")
    assert load_gazetteer().actors["IRGC"].country == "IRN"
    # Its foreign arm, in the plural too.
    rels = rules.extract("Western officials said the Quds Forces had armed the Houthis in Yemen.")
    assert ("IRGC", "aids", "HOUTHIS") in triples(rels)


def test_a_group_of_states_named_by_a_letter_and_a_digit_is_no_weapon(rules):
    doc, _ = _mentions(rules, "The E-3 warned Venezuela over its plans on Tuesday, diplomats said.")
    assert not any("E-3" in m.text for m in doc._.dropped_mentions)
    designation = load_noise_words().designation
    assert all(designation.match(w) for w in ("S-400", "F-16", "Su-30s", "T-72B", "Shahed-136"))
    assert not any(designation.match(w) for w in ("E-3", "G-5", "P-5"))
