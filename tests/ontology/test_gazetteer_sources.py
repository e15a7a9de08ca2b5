"""The Phoenix dictionary converter (tools/build_gazetteer.py) and what it ships.

Parser tests run on short dictionary snippets written here in the TABARI syntax; the
shipped-gazetteer tests read the generated files through ``load_gazetteer``.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import date

import pytest

from detente.ontology import load_gazetteer
from tests.paths import GAZETTEER, TOOLS

SCRIPT = TOOLS / "build_gazetteer.py"


def _script():
    spec = importlib.util.spec_from_file_location("build_gazetteer", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while decorating
    spec.loader.exec_module(module)
    return module


bg = _script()


def parse(text: str) -> tuple[list, object]:
    report = bg.Report()
    return bg.parse_actors(text.splitlines(), "Test", report), report


# ---------------------------------------------------------------------------- parser


def test_continuations_synonyms_and_role_lines_make_one_record():
    records, _ = parse(
        "# a comment line\n"
        "RURITANIA_  [RUR]\n"
        "+RURITANIAN_\n"
        "+STRELSAU  # the capital\n"
        "\n"
        "RUDOLF_ELPHBERG_  # CountryInfo.txt\n"
        "+KING_RUDOLF\n"
        "\t[RURELI 700101-900101]\n"
        "\t[RURGOV 900101-950630]\n"
        "\t[RURELI]\n"
    )
    country, king = records
    assert [p.text for p in country.phrases] == ["RURITANIA", "RURITANIAN", "STRELSAU"]
    assert country.roles == [bg.Role("RUR")]
    assert [p.text for p in king.phrases] == ["RUDOLF ELPHBERG", "KING RUDOLF"]
    assert king.roles[1] == bg.Role("RURGOV", date(1990, 1, 1), date(1995, 6, 30), dated=True)
    assert king.roles[2] == bg.Role("RURELI")  # the default code: no dates
    assert "CountryInfo" in king.note


def test_consecutive_primaries_without_code_share_the_next_codes():
    records, report = parse(
        "OSRIC_OF_ZENDA_\nPRESIDENT_OSRIC\nOSRIC_\n\t[RURGOV >100301]\n"
        "\nLONE_NAME_\n\nNEXT_ [RUR]\n"
    )
    assert [p.text for p in records[0].phrases] == ["OSRIC OF ZENDA", "PRESIDENT OSRIC", "OSRIC"]
    assert records[1].phrases[0].text == "NEXT"
    assert report.counts["actor without code"] == 1  # LONE_NAME_: a blank line ended it


def test_trailing_underscore_stops_a_phrase_and_its_absence_leaves_a_stem():
    stop, stem = bg.parse_phrase("FREE_ZENDA_ARMY_"), bg.parse_phrase("ZENDAN")
    assert stop.words == ("FREE", "ZENDA", "ARMY") and stop.stop
    assert stem.words == ("ZENDAN",) and not stem.stop


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("140130", date(2014, 1, 30)),  # 00-14: this century (the files end in 2014)
        ("150101", date(1915, 1, 1)),  # 15-99: the last one
        ("991231", date(1999, 12, 31)),
        ("000229", date(2000, 2, 29)),
        ("19451024", date(1945, 10, 24)),
    ],
)
def test_two_digit_years_pivot_on_the_freeze(text, expected):
    assert bg.parse_date(text) == expected


def test_restrictions_from_until_and_ranges():
    assert bg.parse_role("RURGOV >090120") == bg.Role(
        "RURGOV", since=date(2009, 1, 20), dated=True, open_end=True
    )
    assert bg.parse_role("RURGOV > 090120").open_end  # a stray blank after ">"
    assert bg.parse_role("RURMIL <851231") == bg.Role(
        "RURMIL", until=date(1985, 12, 31), dated=True
    )
    role = bg.parse_role("RURGOV 19980101-030615")  # 4- and 2-digit years mixed
    assert (role.since, role.until) == (date(1998, 1, 1), date(2003, 6, 15))


@pytest.mark.parametrize(
    ("inside", "reason"),
    [
        ("RURGOV 050101-040101", "end before start"),
        ("RURGOV 0501011-060101", "malformed date"),
        ("RURGOV 050231-060101", "malformed date"),  # 31 February
        ("RURGOV 050101", "date without >, < or range"),
        ("RURG0V1 050101-060101", "malformed code"),
    ],
)
def test_bad_roles_are_refused_with_a_reason(inside, reason):
    with pytest.raises(ValueError, match=reason):
        bg.parse_role(inside)


def test_data_errors_are_dropped_and_counted():
    records, report = parse(
        "ZENDA_GUARD_\n"
        "\t[RURMIL 050101-040101]\n"  # end before start: dropped, the record keeps the rest
        "\t[RURMIL 060101-070101]\n"
        "STRAY:_LINE = 3\n"
        "+ORPHAN_ [---]\n"
        "ONLY_BAD_\n\t[RURGOV 99999-]\n"
    )
    assert [r.phrases[0].text for r in records] == ["ZENDA GUARD"]
    assert records[0].roles == [bg.Role("RURMIL", date(2006, 1, 1), date(2007, 1, 1), dated=True)]
    assert report.counts["role: end before start"] == 1
    assert report.counts["irregular line"] == 1
    assert report.counts["role: null code ---"] == 1
    assert report.counts["role: malformed date"] == 1
    assert "e.g. Test:2 [RURMIL 050101-040101]" in "\n".join(report.lines())


def test_agents_expand_markers_stems_and_plurals():
    report = bg.Report()
    agents = bg.parse_agents(
        [
            "!PERSON! = MAN, MEN",
            "TROOP [~MIL] # regular plural",
            "POLICE {} [~COP]",
            "ATTORNEY_GENERAL {ATTORNEYS_GENERAL} [~GOVATG]",
            "HEALTH_MINIST [~GOVHLH]",
            "MILITIA!PERSON! [~UAF]",
            "OPPOSITION_FORCES [~OPPUAF]",
            "NO_CODE_HERE",
        ],
        report,
    )
    got = {(a.noun, a.plural, a.code) for a in agents}
    assert ("troop", "troops", "MIL") in got
    assert ("police", None, "COP") in got
    assert ("attorney general", "attorneys general", "GOVATG") in got
    assert ("health minister", "health ministers", "GOVHLH") in got
    assert ("health ministry", "health ministries", "GOVHLH") in got
    assert ("militiaman", None, "UAF") in got and ("militiamen", None, "UAF") in got
    assert ("opposition force", "opposition forces", "OPPUAF") in got
    assert report.counts["agent: no code"] == 1


@pytest.mark.parametrize(
    ("code", "sector"),
    [
        ("MIL", "MIL"),
        ("COP", "GOV"),
        ("GOVMED", "GOV"),
        ("UAF", "REB"),
        ("MUSUAF", "REB"),
        ("OPPEDU", "OPP"),
        ("REF", "REF"),
        ("MED", "CVL"),
        ("BUS", ""),
        ("CRM", ""),
    ],
)
def test_agent_codes_map_onto_detente_sectors(code, sector):
    assert bg.agent_sector(code) == sector


# ---------------------------------------------------------------------------- surface forms

LEXICON = bg.Lexicon(
    english=frozenset({"state", "army", "islamic", "of", "the", "national", "security", "forces"}),
    news=frozenset({"hezbollah", "nato"}),
    cities=frozenset({"Strelsau"}),
    places=frozenset({"RUR"}),
)


@pytest.mark.parametrize(
    ("words", "person", "home", "expected"),
    [
        ("ABDEL FATTAH AL-SISI", True, "EGY", "Abdel Fattah al-Sisi"),
        ("ABDEL FATTAH AL SISI", True, "EGY", "Abdel Fattah al-Sisi"),
        ("BAN KI-MOON", True, "KOR", "Ban Ki-moon"),
        ("JOHN MCCLOY", True, "USA", "John McCloy"),
        ("MIGUEL D'ESCOTO", True, None, "Miguel D'Escoto"),
        ("ABDULLAH II", True, "JOR", "Abdullah II"),
        ("HEZBOLLAH", False, None, "Hezbollah"),
        ("ISLAMIC STATE OF IRAQ", False, None, "Islamic State of Iraq"),
        ("LASHKAR E TAIBA (LET)", False, None, "Lashkar e Taiba"),
        ("PEOPLE'S ARMY", False, None, "People's Army"),
        ("U.N. MISSION", False, None, "U.N. Mission"),
        ("23RD OF SEPTEMBER LEAGUE", False, None, "23rd of September League"),
    ],
)
def test_surface_forms_are_cased_as_news_prints_them(words, person, home, expected):
    assert bg.surface(tuple(words.split()), LEXICON, person, home) == expected


def test_acronyms_stay_upper_case_when_they_spell_the_long_name():
    phrases = [("AFGHAN", "NATIONAL", "SECURITY", "FORCES"), ("ANSF",)]
    acronyms = bg.initials(phrases)
    assert bg.surface(("ANSF",), LEXICON, acronyms=acronyms) == "ANSF"
    assert bg.surface(("KRG",), LEXICON) == "KRG"  # no vowel
    assert bg.surface(("BOKO", "HARAM"), LEXICON) == "Boko Haram"  # words, not letters


# ---------------------------------------------------------------------------- conversion


STATES = (
    "id,name,aliases,demonyms,capitals,qid\n"
    "RUR,Ruritania,,Ruritanian,Strelsau,\n"
    "ZEN,Zenda,,Zendan,Zenda City,\n"
)
CURATED = """
[[actor]]
id = "LEAGUE"
label = "League of Nations"
type = "IGO"
aliases = ["League of Nations"]

[[leader]]
id = "flavia"
label = "Flavia Elphberg"
aliases = ["Flavia Elphberg", "Flavia"]
terms = [{ for = "RUR", since = "2012-03-01" }]
"""
COUNTRIES = """\
RURITANIA_  [RUR]
+RURITANIAN_
+REPUBLIC_OF_RURITANIA_
+STRELSAU_
+OLD_TOWN_
RUDOLF_RASSENDYLL_  # CountryInfo.txt
+RASSENDYLL_
\t[RURELI 800101-900101]
\t[RURGOV 900101-950101]
\t[IGOLEA 960101-990101]
HENTZAU_MUSCHLER_  # CountryInfo.txt
+MUSCHLER_
\t[RURELI 850101-870101]
\t[RURGOV 870101-890101]
ROBERT_MUSCHLER_  # CountryInfo.txt
\t[RURELI 880101-990101]
FLAVIA_OF_STRELSAU_
+QUEEN_FLAVIA_ELPHBERG
+FLAVIA_ELPHBERG_VON_TARLENHEIM
\t[RURGOV >120301]
SAPT_DETCHARD_  # CountryInfo.txt
\t[RURGOV >100101]
\t[RURELI]
MICHAEL_ELPHBERG_  # CountryInfo.txt
\t[RURELI 700101-800101]
\t[RURGOVLEG 800101-900101]
RURITANIAN_ROYAL_GUARD_
+RRG
\t[RURMIL]
"""
INTERNATIONAL = """\
LEAGUE_OF_NATIONS_ [IGOLEA]
+GENEVA_LEAGUE_ [IGOLEA]
ZENDA_TRADING_COMPANY_ [MNCZEN]
"""
MILNONSTATE = """\
BLACK_MICHAEL_BRIGADE_ [RURREB]
+BMB_
"""
AGENTS = "TROOP [~MIL]\nGRANGER [~AGR]\nSECURITY_FORCE [~MIL]\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The converter run on the snippets above against a two-state curated gazetteer."""
    source = tmp_path_factory.mktemp("phoenix")
    out = tmp_path_factory.mktemp("gazetteer")
    (out / "states.csv").write_text(STATES)
    (out / "actors.toml").write_text(CURATED)
    for name, text in [
        ("Countries", COUNTRIES),
        ("International", INTERNATIONAL),
        ("MilNonState", MILNONSTATE),
    ]:
        (source / f"Phoenix.{name}.actors.txt").write_text(text)
    (source / "Phoenix.agents.txt").write_text(AGENTS)
    (source / "LICENSE").write_text("The MIT License (MIT)\nCopyright (c) 2014 Example\n")
    conv, agents, report = bg.build(source, out)
    bg.write_outputs(out, "0" * 40, "The MIT License (MIT)\n", conv, agents)
    return conv, agents, report, out


def rows(conv, name: str) -> set[tuple]:
    return {(r.actor, r.via, r.since, r.until) for r in conv.rows if r.name == name}


def test_a_leader_stands_for_the_state_only_during_the_office(built):
    conv = built[0]
    person = conv.actors["phx-rudolf-rassendyll"]
    assert (person.type, person.home, person.code) == ("Leader", "RUR", "IGOLEA")  # latest role
    assert rows(conv, "Rudolf Rassendyll") == {
        ("RUR", "leader", date(1990, 1, 1), date(1995, 1, 1)),  # not as an elite before
        ("LEAGUE", "leader", date(1996, 1, 1), date(1999, 1, 1)),  # then the IGO's chief
        ("phx-rudolf-rassendyll", "person", None, None),
    }


def test_a_legislator_or_elite_does_not_stand_for_the_state(built):
    conv = built[0]
    assert rows(conv, "Michael Elphberg") == {("phx-michael-elphberg", "person", None, None)}
    assert conv.actors["phx-michael-elphberg"].type == "Person"


def test_open_ended_roles_end_at_the_freeze_unless_the_curated_term_goes_on(built):
    conv = built[0]
    assert ("RUR", "leader", date(2010, 1, 1), bg.FROZEN) in rows(conv, "Sapt Detchard")
    # Flavia is curated with an open term: her other names carry it on, to her own id.
    assert rows(conv, "Flavia Elphberg von Tarlenheim") == {
        ("RUR", "leader", date(2012, 3, 1), None),
        ("flavia", "person", None, None),
    }
    assert not rows(conv, "Flavia Elphberg")  # the curated name itself is left alone


def test_a_surname_shared_in_the_period_is_not_read_as_the_state(built):
    conv, _, report, _ = built
    # Robert Muschler was active (1988-1999) while Hentzau Muschler held office (1987-89).
    assert not rows(conv, "Muschler")
    assert report.counts["person: surname shared by another person of the period"] == 1
    # Rassendyll is nobody else's name: the office, and the person.
    assert ("RUR", "leader", date(1990, 1, 1), date(1995, 1, 1)) in rows(conv, "Rassendyll")


def test_an_igo_office_after_a_national_one_resolves_by_date(built):
    conv = built[0]
    assert ("LEAGUE", "leader", date(1996, 1, 1), date(1999, 1, 1)) in rows(
        conv, "Rudolf Rassendyll"
    )
    gaz = load_gazetteer(built[3], city_population=0)
    assert gaz.resolve("Rudolf Rassendyll", when=date(1992, 6, 1))[0].id == "RUR"
    assert gaz.resolve("Rudolf Rassendyll", when=date(1997, 6, 1))[0].id == "LEAGUE"
    assert gaz.resolve("Rudolf Rassendyll", when=date(2005, 6, 1))[0].type == "Leader"


def test_organisations_merge_into_curated_actors_and_new_ones_get_ids(built):
    conv = built[0]
    assert rows(conv, "Geneva League") == {("LEAGUE", "name", None, None)}
    assert "LEAGUE" not in conv.actors  # the curated actor is not redefined
    brigade = conv.actors["phx-black-michael-brigade"]
    assert (brigade.type, brigade.home, brigade.code) == ("ArmedGroup", "RUR", "RURREB")
    company = conv.actors["phx-zenda-trading-company"]
    assert (company.type, company.home) == ("Organization", "ZEN")


def test_country_aliases_keep_forms_of_the_name_not_places(built):
    conv, _, report, _ = built
    assert rows(conv, "Republic of Ruritania") == {("RUR", "name", None, None)}
    assert not rows(conv, "Strelsau") and not rows(conv, "Old Town")
    assert report.counts["name: already in the curated gazetteer"] >= 2  # Ruritania(n)


def test_institutions_stand_for_their_state(built):
    conv = built[0]
    assert rows(conv, "Ruritanian Royal Guard") == {("RUR", "metonym", None, None)}
    assert rows(conv, "RRG") == {("RUR", "metonym", None, None)}


def test_agents_unattested_in_news_are_dropped(built):
    agents = {a.noun: a for a in built[1]}
    assert agents["troop"].detente == "MIL" and agents["security force"].plural == (
        "security forces"
    )
    assert "granger" not in agents


def test_generated_files_carry_the_notice_and_are_sorted(built):
    out = built[3]
    for name in ("phoenix-actors.tsv", "phoenix-names.tsv", "agents.csv"):
        lines = (out / name).read_text().splitlines()
        assert "do not edit" in lines[0] and "LICENSE-phoenix.txt" in "".join(lines[:5])
        data = [line for line in lines if not line.startswith("#")][1:]
        assert data == sorted(data) or name == "phoenix-names.tsv"
    assert "MIT License" in (out / "LICENSE-phoenix.txt").read_text()


# ---------------------------------------------------------------------------- shipped data


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


@pytest.fixture(scope="module")
def curated():
    return load_gazetteer(generated=False)


def test_shipped_files_say_where_they_come_from():
    for name in ("phoenix-actors.tsv", "phoenix-names.tsv", "agents.csv"):
        head = (GAZETTEER / name).read_text(encoding="utf-8")[:400]
        assert "do not edit" in head and "LICENSE-phoenix.txt" in head
    assert "Open Event Data" in (GAZETTEER / "LICENSE-phoenix.txt").read_text()


def test_a_head_of_state_resolves_to_the_country_only_within_the_term(gaz):
    assert gaz.resolve("Hosni Mubarak", when=date(1995, 5, 1))[0].id == "EGY"
    out_of_office = gaz.resolve("Hosni Mubarak", when=date(2012, 5, 1))[0]
    assert out_of_office.type == "Leader" and out_of_office.home == "EGY"
    assert gaz.resolve("Hamid Karzai", when=date(2005, 1, 1))[0].id == "AFG"
    assert gaz.resolve("Hamid Karzai", when=date(1995, 1, 1))[0].id != "AFG"


def test_an_open_ended_office_stops_at_the_freeze(gaz):
    assert gaz.resolve("Hamid Karzai", when=date(2014, 1, 29))[0].id == "AFG"
    assert gaz.resolve("Hamid Karzai", when=date(2014, 6, 1))[0].id != "AFG"


def test_office_a_then_office_b(gaz):
    assert gaz.resolve("Ban Ki-moon", when=date(2005, 6, 1))[0].id == "KOR"
    assert gaz.resolve("Ban Ki-moon", when=date(2010, 6, 1))[0].id == "UN"
    assert gaz.resolve("Ban Ki-moon")[0].id == "UN"  # no date: the latest office
    # Offices overlapping at a handover: the one taken up last.
    assert gaz.resolve("Javier Solana", when=date(1995, 9, 1))[0].id == "EU"
    assert gaz.resolve("Javier Solana", when=date(1995, 12, 20))[0].id == "NATO"
    assert gaz.resolve("Javier Solana", era=1995.9)[0].id == "NATO"


def test_an_elite_person_does_not_resolve_to_the_state(gaz):
    for when in (date(1995, 1, 1), date(2005, 1, 1), None):
        actor, reading = gaz.resolve("Sam Rainsy", when=when)
        assert actor.id != "KHM" and actor.type in ("Person", "Leader")
        assert reading.via == "person"


def test_a_curated_leader_keeps_its_term_through_a_phoenix_alias(gaz):
    assert gaz.resolve("Barack Hussein Obama", when=date(2016, 6, 1))[0].id == "USA"
    assert gaz.resolve("Barack Hussein Obama", when=date(2018, 6, 1))[0].id == "obama"


def test_curated_names_read_exactly_as_without_the_generated_data(gaz, curated):
    for name, readings in curated.readings.items():
        assert gaz.readings[name] == readings, name
    for actor_id, actor in curated.actors.items():
        assert gaz.actors[actor_id] == actor


@pytest.mark.parametrize(
    ("name", "when", "expected"),
    [
        ("Wagner Group", date(2022, 1, 1), "WAGNER"),
        ("Wagner", date(2022, 1, 1), "WAGNER"),
        ("RSF", date(2023, 6, 1), "RSF"),
        ("Rapid Support Forces", date(2023, 6, 1), "RSF"),
        ("Prigozhin", date(2022, 1, 1), "WAGNER"),
        ("Zelensky", date(2023, 1, 1), "UKR"),
        ("Erdogan", date(2020, 1, 1), "TUR"),
    ],
)
def test_post_2014_actors_resolve_as_before(gaz, curated, name, when, expected):
    assert gaz.resolve(name, when=when)[0].id == expected
    assert curated.resolve(name, when=when)[0].id == expected


def test_m23_is_in_neither_source():
    # Neither Phoenix (frozen in 2014) nor the curated file names the M23 today.
    assert load_gazetteer().resolve("M23") == load_gazetteer(generated=False).resolve("M23")


def test_generated_names_never_shadow_countries_capitals_or_places(gaz, curated):
    generated = {
        line.split("\t", 1)[0]
        for line in (GAZETTEER / "phoenix-names.tsv").read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    }
    for name in generated & set(curated.readings):  # states, demonyms, capitals, ...
        assert gaz.readings[name] == curated.readings[name], name
    for name in generated & set(curated.places) - set(curated.readings):  # and cities
        assert name not in gaz.readings, name


def test_phoenix_organisations_are_gazetteer_actors(gaz):
    assert gaz.resolve("Boko Haram")[0].type == "ArmedGroup"
    assert gaz.resolve("Boko Haram")[0].home == "NGA"
    assert gaz.resolve("World Health Organization")[0].type == "IGO"
    assert gaz.resolve("Hezballah")[0].id == "HEZBOLLAH"  # merged into the curated actor
    assert gaz.resolve("Afghan National Army")[0].id == "AFG"


def test_agent_nouns_map_to_sectors(gaz):
    assert gaz.agents["troops"] == gaz.agents["troop"] == "MIL"
    assert gaz.agents["security forces"] == "MIL"
    assert gaz.agents["fighter jet"] == "MIL"
    assert gaz.agents["rebels"] == "REB"
    assert gaz.agents["police"] == "GOV" and gaz.agent_codes["police"] == "COP"
    assert gaz.agents["refugees"] == "REF"
    assert "ceo" not in gaz.agents and gaz.agent_codes["ceo"] == "BUS"


def test_caseless_marks_only_distinctive_names(gaz):
    assert "Boko Haram" in gaz.caseless
    assert "ANSF" not in gaz.caseless  # an acronym in lower case is a different word
