"""The constructions news uses to state relations, one test each, on sentences written here.

Every sentence is invented for these tests (none comes from an evaluation set); the actors
are real, the events are not. They pin what the rules read, so they run the rules alone
(``--fast``); what the relation model adds or takes away is measured on the evaluation sets
and tested in ``test_relation_model.py``.
"""

from __future__ import annotations

from datetime import date

import pytest

from detente.extract import Extractor
from tests.conftest import find, triples


@pytest.fixture(scope="module")
def extractor(rules_extractor: Extractor) -> Extractor:
    return rules_extractor


# ---------------------------------------------------------------------- verbs
def test_active_verb(extractor):
    rels = extractor.extract("Chile is arming the Houthis in Yemen.")
    rel = find(rels, "CHL", "aids", "HOUTHIS")
    assert rel.polarity == "alignment" and rel.pattern == "verbal"
    assert rel.subject.text == "Chile" and rel.object.text == "the Houthis"
    assert rel.theatre == "Yemen" and not rel.negated and rel.modality == "asserted"


def test_passive_verb_with_agent(extractor):
    rels = extractor.extract("In 2021 a Peruvian patrol boat was sunk by Chilean warships.")
    rel = find(rels, "CHL", "attacks", "PER")
    assert rel.pattern == "passive" and rel.date == "2021"


def test_phrasal_verb_and_demonym_arguments(extractor):
    rels = extractor.extract("Greek jets shot down a Libyan transport plane in May 2019.")
    rel = find(rels, "GRC", "attacks", "LBY")
    assert rel.subject.text == "Greek jets" and rel.subject.via == "demonym"
    assert rel.date == "2019-05"


def test_stative_passive_names_its_partner(extractor):
    rels = extractor.extract("Sweden, which is allied with Norway, sent medical aid to Finland.")
    assert ("SWE", "cooperates", "NOR") in triples(rels)
    assert ("SWE", "aids", "FIN") in triples(rels)


def test_coordinated_verbs_share_their_object(extractor):
    rels = extractor.extract("Chile condemned and sanctioned Peru last week.")
    assert {("CHL", "criticises", "PER"), ("CHL", "sanctions", "PER")} <= triples(rels)


def test_co_agents_act_with_the_subject(extractor):
    rels = extractor.extract("The Netherlands, along with Belgium, launched strikes on Hamas.")
    assert {("NLD", "attacks", "HAMAS"), ("BEL", "attacks", "HAMAS")} <= triples(rels)


def test_participle_clause_takes_its_noun_as_subject(extractor):
    rels = extractor.extract("Hezbollah is the only group to have fought alongside Venezuela.")
    assert ("HEZBOLLAH", "cooperates", "VEN") in triples(rels)


# ---------------------------------------------------------------------- nouns
def test_hyphenated_backing_modifiers(extractor):
    rels = extractor.extract(
        "The Qatari-backed Houthis fired missiles at ships, and the UN-backed council asked "
        "the Chilean-funded militia for help."
    )
    assert ("QAT", "backs", "HOUTHIS") in triples(rels)


def test_suspended_hyphen_names_every_backer(extractor):
    rels = extractor.extract("Hezbollah, the Chilean- and Peruvian-backed group, fired rockets.")
    assert {("CHL", "backs", "HEZBOLLAH"), ("PER", "backs", "HEZBOLLAH")} <= triples(rels)


def test_foreign_backed_national_forces_are_not_the_state(extractor):
    rels = extractor.extract("Chilean-backed Bolivian fighters seized the airport.")
    rel = find(rels, "CHL", "backs", "BOL-REB")
    assert rel.object.text.endswith("fighters")


def test_nominal_relations(extractor):
    rels = extractor.extract(
        "Canada extended its embargo against Iran. Chile's aid to the Houthis has grown, "
        "and the war between Peru and Bolivia flared again."
    )
    found = triples(rels)
    assert ("CAN", "sanctions", "IRN") in found
    assert ("CHL", "aids", "HOUTHIS") in found
    assert ("PER", "fights", "BOL") in found or ("BOL", "fights", "PER") in found


def test_light_verb_with_nominal_trigger(extractor):
    rels = extractor.extract("Canberra imposed new sanctions on Myanmar.")
    assert ("AUS", "sanctions", "MMR") in triples(rels)


def test_lifting_sanctions_is_a_concession(extractor):
    rels = extractor.extract("Japan lifted its sanctions on Myanmar in 2016.")
    assert ("JPN", "concedes", "MMR") in triples(rels)
    assert ("JPN", "sanctions", "MMR") not in triples(rels)


def test_reciprocal_subjects(extractor):
    rels = extractor.extract("Ghana and Togo signed a border agreement in 2019.")
    assert ("GHA", "agrees", "TGO") in triples(rels) or ("TGO", "agrees", "GHA") in triples(rels)


def test_help_from_someone_goes_to_whoever_received_it(extractor):
    rels = extractor.extract("Ghana received military aid from Brazil in 2020.")
    assert ("BRA", "aids", "GHA") in triples(rels)
    rels = extractor.extract(
        "Emboldened by support from Qatar and Oman, the Sudanese government launched an offensive."
    )
    assert {("QAT", "backs", "SDN"), ("OMN", "backs", "SDN")} <= triples(rels)


def test_a_noun_in_a_clause_on_another_event_keeps_its_own_agent(extractor):
    rels = extractor.extract("Hostages were taken by Hamas during the assault on Israel.")
    assert ("HAMAS", "attacks", "ISR") in triples(rels)


def test_mediators_between_two_parties(extractor):
    rels = extractor.extract("Jordan and Kenya acted as intermediaries between Israel and Hamas.")
    assert {
        ("JOR", "mediates", "ISR"),
        ("JOR", "mediates", "HAMAS"),
        ("KEN", "mediates", "ISR"),
        ("KEN", "mediates", "HAMAS"),
    } <= triples(rels)
    assert ("ISR", "mediates", "HAMAS") not in triples(rels)


def test_a_truce_and_who_brokered_it(extractor):
    rels = extractor.extract(
        "A truce between Serbia and Kosovo, brokered by Norway and Japan, took effect."
    )
    found = triples(rels)
    assert {("NOR", "mediates", "SRB"), ("NOR", "mediates", "XKX")} <= found
    assert ("SRB", "fights", "XKX") in found or ("XKX", "fights", "SRB") in found


def test_victory_over_an_enemy(extractor):
    rels = extractor.extract("The Houthis declared victory over the Yemeni government in Marib.")
    assert ("HOUTHIS", "fights", "YEM-GOV") in triples(rels)


# ---------------------------------------------------------------------- who a phrase names
def test_member_lists_name_each_member(extractor):
    rels = extractor.extract("Hamas was backed by several Gulf states, including Qatar and Oman.")
    assert {("QAT", "backs", "HAMAS"), ("OMN", "backs", "HAMAS")} <= triples(rels)


def test_led_coalitions_are_their_leader(extractor):
    rels = extractor.extract("The Saudi-led coalition has bombed Houthi positions near the port.")
    assert ("SAU-COALITION", "attacks", "HOUTHIS") in triples(rels)


def test_owned_targets_stand_for_their_owner(extractor):
    rels = extractor.extract("Chile said it was striking bases belonging to the Houthis.")
    assert ("CHL", "attacks", "HOUTHIS") in triples(rels)


def test_titled_names_stand_for_their_office(extractor):
    rels = extractor.extract(
        "The council declared victory over the UN-backed government of Yemeni President Zubair."
    )
    assert ("UN", "backs", "YEM") in triples(rels)


def test_a_named_group_is_the_group_not_its_country(extractor):
    rels = extractor.extract("Peruvian soldiers fought alongside Lebanese Hezbollah fighters.")
    assert ("PER", "cooperates", "HEZBOLLAH") in triples(rels)
    assert not any(r.object.id == "LBN" for r in rels)


def test_stance_prefixes(extractor):
    rels = extractor.extract("Anti-Assad rebels have seized the town from pro-Assad forces.")
    assert any(r.predicate == "opposes" and r.object.id == "SYR-GOV" for r in rels)
    rels = extractor.extract("Georgia's pro-Western president has criticised Russia.")
    assert ("GEO", "backs", "WEST") in triples(rels)


def test_reflexive_objects_are_no_second_actor(extractor):
    rels = extractor.extract("The Congolese army had to defend itself against the rebels.")
    assert all(r.object.id != r.subject.id for r in rels)
    assert not any(r.predicate == "backs" for r in rels)


# ---------------------------------------------------------------------- idioms
def test_idioms(extractor):
    rels = extractor.extract("Chile is at odds with Peru, and Bolivia is at war with Paraguay.")
    assert {("CHL", "opposes", "PER"), ("BOL", "fights", "PRY")} <= triples(rels)
    rels = extractor.extract("Chile and Peru are at loggerheads over fishing rights.")
    assert triples(rels) & {("CHL", "opposes", "PER"), ("PER", "opposes", "CHL")}


def test_an_idiom_partner_is_not_an_enemy(extractor):
    rels = extractor.extract("Cuban troops fought side by side with the Angolan army.")
    assert ("CUB", "cooperates", "AGO") in triples(rels)
    assert ("CUB", "fights", "AGO") not in triples(rels)


def test_dictionary_phrases_from_cameo(extractor):
    rels = extractor.extract("Norway and Iceland threw their weight behind Denmark.")
    rel = find(rels, "NOR", "backs", "DNK")
    assert rel.matched_by.startswith("CAMEO 05")


# ---------------------------------------------------------------------- frames
def test_accusation_states_the_accused_act(extractor):
    rels = extractor.extract("Norway has accused Denmark of backing Sweden.")
    assert ("NOR", "criticises", "DNK") in triples(rels)
    assert ("DNK", "backs", "SWE") in triples(rels)
    assert ("NOR", "backs", "SWE") not in triples(rels)


def test_an_accusation_without_a_known_accused_names_nobody(extractor):
    rels = extractor.extract("Lima accused the Zorbian Front of shelling Bolivian villages.")
    assert not any(r.subject.id == "PER" and r.predicate == "attacks" for r in rels)


def test_requests_are_not_opposition(extractor):
    rels = extractor.extract("Chile urged Peru to release the fishermen.")
    assert not any(r.polarity == "opposition" for r in rels)


def test_former_and_latter(extractor):
    rels = extractor.extract(
        "Chad is split between the Chadian army and the Rapid Support Forces. Niger backs "
        "the former, while Libya reportedly arms the latter."
    )
    assert find(rels, "NER", "backs", "TCD").object.via == "coref"
    rel = find(rels, "LBY", "aids", "RSF")
    assert (
        rel.object.antecedent is not None and rel.object.antecedent.text == "Rapid Support Forces"
    )


def test_the_kingdom_is_a_monarchy_named_earlier(extractor):
    rels = extractor.extract(
        "Iran and Jordan met in Geneva on Monday. Officials said the kingdom would arm the "
        "Kurdish fighters."
    )
    rel = next(r for r in rels if r.predicate == "aids")
    assert rel.subject.id == "JOR" and rel.subject.via == "coref"
    # a republic is not "the kingdom", however salient
    rels = extractor.extract("Iran warned Chile. The kingdom said it would not comment.")
    assert not any(r.subject.via == "coref" for r in rels)


def test_pronouns_resolve_to_earlier_actors(extractor):
    rels = extractor.extract(
        "Qatar has expanded its influence in Somalia. It also funds Hamas in Gaza."
    )
    rel = find(rels, "QAT", "aids", "HAMAS")
    assert rel.subject.text == "It" and rel.subject.antecedent.text == "Qatar"


def test_object_pronoun_does_not_bind_its_own_subject(extractor):
    rels = extractor.extract(
        "Zelensky flew to Washington, where Biden welcomed him warmly.", published=date(2023, 9, 21)
    )
    assert ("USA", "backs", "UKR") in triples(rels)
    assert ("USA", "backs", "USA") not in triples(rels)


# ---------------------------------------------------------------------- attributes
def test_negation_is_not_assertion(extractor):
    rels = extractor.extract("Brazil does not back the embargo, and Chile never funded it.")
    assert all(r.negated for r in rels if r.predicate in ("backs", "aids"))
    rels = extractor.extract("Austria refused to support Georgia's bid.")
    assert find(rels, "AUT", "backs", "GEO").negated


def test_a_noun_with_its_own_agent_escapes_the_clause_negation(extractor):
    rels = extractor.extract("Peru did not condemn Chile's blockade of Bolivia.")
    assert find(rels, "PER", "criticises", "CHL").negated
    assert not find(rels, "CHL", "coerces", "BOL").negated


def test_refusing_to_accept_is_rejection(extractor):
    rels = extractor.extract("Serbia will not accept the new government of Montenegro.")
    rel = find(rels, "SRB", "opposes", "MNE")
    assert not rel.negated


def test_reported_speech_names_the_source(extractor):
    rels = extractor.extract("Chile is arming the Houthis, Peruvian officials said on Monday.")
    rel = find(rels, "CHL", "aids", "HOUTHIS")
    assert rel.modality == "reported" and rel.reported_by == "Peruvian officials"
    rels = extractor.extract("According to the UN, Eritrea supplied weapons to al-Shabaab.")
    assert find(rels, "ERI", "aids", "AL-SHABAAB").reported_by == "the UN"


def test_claims_the_author_passes_on_are_reported(extractor):
    rels = extractor.extract("Lima accused Quito of arming the Shining Path.")
    rel = find(rels, "ECU", "aids", "phx-shining-path")
    assert rel.modality == "reported" and rel.reported_by == "Lima"
    # The accuser's own act is stated, not reported.
    assert find(rels, "PER", "criticises", "ECU").modality == "asserted"
    for text in (
        "Chile reportedly shelled Peruvian troops.",
        "The suspected Chilean strike on Peruvian troops killed four.",
        "Several reports of covert Chilean assistance to the Shining Path have emerged.",
    ):
        rels = extractor.extract(text)
        assert rels and all(r.modality == "reported" for r in rels), text
    rels = extractor.extract("Chile shelled Peruvian troops.")
    assert find(rels, "CHL", "attacks", "PER").modality == "asserted"


def test_a_trailing_attribution_reports_the_sentence(extractor):
    text = (
        "Chile delivered its first military aid to Peru in more than four decades on Tuesday, "
        "three diplomatic and Peruvian government sources said, a move likely to deepen "
        "strains between the two countries and Bolivia."
    )
    rels = [r for r in extractor.extract(text) if r.predicate == "aids"]
    assert rels and all(r.modality == "reported" for r in rels)


def test_quotations_are_reported_by_their_speaker(extractor):
    text = (
        "“Chilean troops attacked Peruvian soldiers at dawn. They also shelled Bolivian "
        "troops,” the minister said."
    )
    rels = extractor.extract(text)
    assert {r.object.id for r in rels} == {"PER", "BOL"}
    assert all(r.modality == "reported" and r.reported_by == "the minister" for r in rels)
    # A quoted name or word is not a quotation of a clause.
    rels = extractor.extract("Chile attacked Peru in what Lima called “a cowardly act”.")
    assert find(rels, "CHL", "attacks", "PER").modality == "asserted"


def test_hypothetical_statements(extractor):
    for text in (
        "Ghana could back the plan if Togo supports Benin.",
        "Will Brazil arm Venezuela?",
        "Analysts fear that Chile may attack Peru.",
    ):
        rels = extractor.extract(text)
        assert rels, text
        assert all(r.modality == "hypothetical" for r in rels), text


def test_an_attempt_is_an_act(extractor):
    rels = extractor.extract("Both Chile and Peru are trying to retake territory from Bolivia.")
    assert any(r.object.id == "BOL" and r.modality == "asserted" for r in rels)


def test_dates_are_normalised_and_never_invented(extractor):
    text = "Ghana attacked Togo last year. Chile backed Peru on Wednesday."
    undated = extractor.extract(text)
    assert {r.date for r in undated} == {None}  # relative dates need a publication date
    dated = extractor.extract(text, published=date(2023, 6, 15))
    assert find(dated, "GHA", "attacks", "TGO").date == "2022"
    assert find(dated, "CHL", "backs", "PER").date == "2023-06-14"


def test_theatre_from_location_and_from_non_state_parties(extractor):
    rels = extractor.extract("In Yemen, Oman fought the Houthis. Kuwait has long funded Hamas.")
    assert find(rels, "OMN", "fights", "HOUTHIS").theatre == "Yemen"
    assert find(rels, "KWT", "aids", "HAMAS").theatre == "Gaza"
    rels = extractor.extract("Spain criticised Portugal.")
    assert find(rels, "ESP", "criticises", "PRT").theatre is None


def test_boilerplate_produces_no_relations(extractor):
    page = (
        "Home | World | Chile backs Peru | Sport\n\n"
        "Chile backs Peru says new poll\n\n"
        "Photo: Chilean troops with Peruvian soldiers (Photo/agency)\n\n"
        "Read more: Ghana backs Togo\n\n"
        "Subscribe to our newsletter, where we explain why Iran backs Hezbollah.\n"
    )
    assert extractor.extract(page) == []
    prose = page + "\nIn a statement on Monday, Belarus said it backs Russia in the dispute.\n"
    assert triples(extractor.extract(prose)) == {("BLR", "backs", "RUS")}


def test_leaders_and_capitals_stand_for_their_state(extractor):
    rels = extractor.extract(
        "Putin praised Lukashenko, and Beijing backed Moscow.", published=date(2023, 3, 1)
    )
    assert {("RUS", "backs", "BLR"), ("CHN", "backs", "RUS")} <= triples(rels)
    assert all(r.subject.via in ("leader", "capital") for r in rels)


def test_unknown_actors_get_stable_ids(extractor):
    rels = extractor.extract("The Zorbian Liberation Front attacked Chad on Friday.")
    rel = next(r for r in rels if r.object.id == "TCD")
    assert rel.subject.id.startswith("x:") and rel.subject.via == "ner"
    assert rel.confidence < 0.85


def test_an_unknown_actor_is_named_as_each_document_writes_it(extractor):
    # Same id in both documents; the label is the document's own spelling, whatever the
    # process read before (a cluster worker reads documents in any order).
    first = extractor.extract("Brazil condemned the ZORVANI Liberation Front.")
    second = extractor.extract("Chile is arming the Zorvani Liberation Front in Peru.")
    assert [(r.object.id, r.object.label) for r in first] == [
        ("x:zorvani-liberation-front", "ZORVANI Liberation Front")
    ]
    assert [(r.object.id, r.object.label) for r in second] == [
        ("x:zorvani-liberation-front", "Zorvani Liberation Front")
    ]


def test_records_carry_provenance(extractor):
    text = "Norway mediated between Colombia and the FARC rebels."
    rels = extractor.extract(text)
    assert rels
    for r in rels:
        assert text[r.sentence_start : r.sentence_end] == r.sentence
        assert text[r.subject.start : r.subject.end] == r.subject.text
        assert text[r.object.start : r.object.end] == r.object.text
        assert r.document.startswith("doc-") and r.extractor_version.startswith("detente-")
        assert 0 < r.confidence <= 1
        assert r.matched_by == "detente" or r.matched_by.startswith("CAMEO ")


def test_first_person_is_the_author_outside_quotations(extractor):
    text = 'We will keep supporting Moldova. "We will never back Belarus," a Latvian envoy said.'
    rels = extractor.extract(text, author="UK Government")
    rel = find(rels, "GBR", "backs", "MDA")
    assert rel.subject.via == "author" and rel.subject.text == "We"
    assert not any(r.subject.id == "GBR" and r.object.id == "BLR" for r in rels)
    assert all(r.subject.id != "GBR" for r in extractor.extract(text))  # no author: no "we"


def test_cities_give_theatre_and_targets(extractor):
    rels = extractor.extract("Russian missiles struck Odesa and Lviv on Tuesday.")
    rel = find(rels, "RUS", "attacks", "UKR")
    assert rel.object.via == "place" and rel.theatre == "Ukraine"


def test_a_withdrawal_from_a_city_is_not_about_its_state(extractor):
    rels = extractor.extract("Peruvian troops withdrew from Santiago overnight.")
    assert not any(r.object.id == "CHL" for r in rels)


def test_the_helped_party_fights(extractor):
    rels = extractor.extract("Jordan renewed its support for Lebanon in its war against ISIL.")
    assert ("LBN", "fights", "ISIL") in triples(rels)
    assert ("JOR", "backs", "LBN") in triples(rels)


def test_coordinated_passive_shares_its_agent(extractor):
    rels = extractor.extract("Houthi commanders were tracked and killed by Saudi forces.")
    assert ("SAU", "attacks", "HOUTHIS") in triples(rels)


def test_hyphenated_pair_names_both_sides(extractor):
    rels = extractor.extract("The Ecuador-Peru war ended in 1995.")
    found = triples(rels)
    assert ("ECU", "fights", "PER") in found or ("PER", "fights", "ECU") in found


def test_victims_are_actors_only_with_their_country(extractor):
    # Issue 23: a kind of people with no country is no actor (it was a "civilians" node);
    # with one, they are that country's people.
    assert extractor.extract("Al-Shabaab has killed dozens of farmers near Baidoa.") == []
    rels = extractor.extract("Al-Shabaab has killed dozens of Kenyan farmers near Mandera.")
    assert find(rels, "AL-SHABAAB", "attacks", "KEN-CVL").object.via == "sector"


def test_participle_with_its_own_subject_is_not_a_reduced_passive(extractor):
    rels = extractor.extract("Reports that Chile has bombed Bolivian rebels were confirmed.")
    assert ("CHL", "attacks", "BOL-REB") in triples(rels)


# ---------------------------------------------------------------------- diplomacy and idiom
def test_the_verb_says_which_way_diplomatic_ties_go(extractor):
    rels = extractor.extract("Chile, the United Kingdom, Peru and Oman severed ties with Iran.")
    for state in ("CHL", "GBR", "PER", "OMN"):  # the second state is no apposition
        assert (state, "sanctions", "IRN") in triples(rels)
    rels = extractor.extract("Chile and Peru restored diplomatic relations last week.")
    assert ("CHL", "cooperates", "PER") in triples(rels)
    rels = extractor.extract("Chile discussed its relations with Peru.")
    assert not any(r.predicate in ("cooperates", "sanctions") for r in rels)


def test_idioms_outrank_their_words(extractor):
    rels = extractor.extract("Oman came to the aid of Yemen after the floods.")
    assert ("OMN", "aids", "YEM") in triples(rels)
    assert not any(r.predicate == "consults" for r in rels)  # not a visit
    rels = extractor.extract("Peru's president lashed out at Chile on Tuesday.")
    assert ("PER", "criticises", "CHL") in triples(rels)
    assert not any(r.predicate == "attacks" for r in rels)


def test_fighting_for_someone_backs_them(extractor):
    rels = extractor.extract("Chilean troops are fighting for Ukraine.")
    assert ("CHL", "backs", "UKR") in triples(rels)
    assert not any(r.predicate == "fights" for r in rels)


def test_from_names_the_loser_only_when_ground_is_taken(extractor):
    rels = extractor.extract("Peruvian troops recaptured the town from the Shining Path.")
    assert any(r.subject.id == "PER" and r.predicate == "fights" for r in rels)
    rels = extractor.extract(
        "Chilean troops will fight beside Peruvian units and those from Bolivia."
    )
    assert not any(r.predicate == "fights" and r.object.id == "BOL" for r in rels)


def test_asking_a_leader_to_step_down_is_a_demand(extractor):
    rels = extractor.extract("Chile called on Maduro to step down.")
    assert ("CHL", "demands", "VEN") in triples(rels)
    rels = extractor.extract("Chile urged Peru to resign from the commission.")
    assert ("CHL", "demands", "PER") in triples(rels)
    rels = extractor.extract("Chile called on Peru to release the fishermen.")
    assert not any(r.predicate == "demands" for r in rels)


def test_joint_military_activity_is_cooperation(extractor):
    rels = extractor.extract("Chile and Peru held naval drills off the coast on Monday.")
    assert ("CHL", "cooperates", "PER") in triples(rels) or (
        "PER",
        "cooperates",
        "CHL",
    ) in triples(rels)
    rels = extractor.extract("China held military drills near Taiwan.")
    assert ("CHN", "mobilizes", "TWN") in triples(rels)


def test_having_someones_support(extractor):
    rels = extractor.extract("Peru's government survives because it has the support of Chile.")
    assert ("CHL", "backs", "PER") in triples(rels)


def test_an_unnamed_people_in_a_state_is_not_the_state(extractor):
    rels = extractor.extract("Turkey widened its operation against Kurdish groups in Syria.")
    assert not any(r.object.id == "SYR" for r in rels)
    assert any(r.subject.id == "TUR" and r.predicate == "fights" for r in rels)


def test_coordinated_nationalities_over_one_head_are_two_parties(extractor):
    for text in (
        "Clashes between Indian and Chinese troops have already occurred.",
        "Fighting between Indian and Chinese forces erupted in the mountains.",
        "Indian and Chinese soldiers clashed along the border.",
    ):
        found = triples(extractor.extract(text))
        assert ("IND", "fights", "CHN") in found or ("CHN", "fights", "IND") in found, text
    # One phrase still names one party: a unit is not at war with its own country.
    rels = extractor.extract("The Chilean Wagner unit attacked the town.")
    assert not any({r.subject.id, r.object.id} == {"CHL", "WAGNER"} for r in rels)


def test_reacting_to_an_act_is_about_its_agent_not_its_target(extractor):
    rels = extractor.extract("Chile denounced the Peruvian blockade of Bolivia.")
    assert ("CHL", "criticises", "PER") in triples(rels)
    assert ("CHL", "criticises", "BOL") not in triples(rels)
    assert not extractor.extract("Chile condemned the blockade of Bolivia.")


def test_demanding_an_end_to_acts_is_a_demand_of_their_agent(extractor):
    rels = extractor.extract("Chile demanded a halt to Peruvian raids on Bolivia.")
    assert ("CHL", "demands", "PER") in triples(rels)
    assert ("PER", "attacks", "BOL") in triples(rels)
    # Welcoming or regretting an end is no stance towards the one who stopped.
    for text in (
        "Chile welcomed the end of the Peruvian blockade.",
        "Chile condemned the end of the Peruvian blockade.",
    ):
        assert not any(r.object.id == "PER" for r in extractor.extract(text)), text


def test_a_sentence_does_not_end_inside_a_name(extractor):
    doc = extractor.nlp(
        "Chile helped Peru. Kata’ib Hezbollah was labelled a terrorist group by Chile in 2009."
    )
    name = next(m for m in doc._.actor_mentions if m._.actor.id == "KATAIB-HEZBOLLAH")
    assert name[0].is_sent_start
    assert all(not t.is_sent_start for t in name[1:])


def test_a_pronoun_chain_keeps_its_subject(extractor):
    text = (
        "Kata’ib Hezbollah was labelled a terrorist group by Chile in 2009. "
        "It receives most of its support from Iran. "
        "It has attacked Peruvian forces many times."
    )
    rels = extractor.extract(text)
    assert ("KATAIB-HEZBOLLAH", "attacks", "PER") in triples(rels)
    assert ("IRN", "attacks", "PER") not in triples(rels)


def test_a_place_does_not_act(extractor):
    text = "The rebels advanced through Arequipa, once Peru’s largest city, battling the army."
    assert not any(r.subject.id == "PER" for r in extractor.extract(text))


def test_help_from_a_capital_comes_from_its_government(extractor):
    rels = extractor.extract("The Shining Path received military assistance from Quito.")
    assert find(rels, "ECU", "aids", "phx-shining-path")
    assert not any(r.predicate == "consults" for r in rels)  # help received is no visit
    rels = extractor.extract("Chile withdrew its troops from Lima.")
    assert not any(r.object.id == "PER" for r in rels)  # a city left, not its government


def test_ties_take_their_polarity_from_an_adjective(extractor):
    assert ("CHL", "cooperates", "PER") in triples(
        extractor.extract("Chile has close ties with Peru.")
    )
    assert ("CHL", "opposes", "PER") in triples(
        extractor.extract("Chile has strained relations with Peru.")
    )
    assert ("CHL", "opposes", "PER") in triples(
        extractor.extract("Relations between Chile and Peru have been tense.")
    )
    assert not extractor.extract("Chile has relations with Peru.")


def test_a_long_sentence_cut_off_at_the_end_of_an_excerpt_is_read(extractor):
    text = (
        "Chile backed Peru in the dispute.\n\n"
        "Meanwhile, Bolivia, which has a defence pact with Ecuador, also has close ties with "
        "Argentina and is"
    )
    found = triples(extractor.extract(text))
    assert ("BOL", "cooperates", "ARG") in found or ("ARG", "cooperates", "BOL") in found


def test_whoever_leads_a_coalition_and_its_members_act_with_it(extractor):
    text = "Chile has led a coalition that includes Peru in fighting the Shining Path."
    found = triples(extractor.extract(text))
    assert ("CHL", "fights", "phx-shining-path") in found
    assert ("PER", "fights", "phx-shining-path") in found


def test_a_full_stop_without_its_space_still_ends_a_sentence(extractor):
    doc = extractor.nlp("Rebels attacked the town (SADC).On Monday, Chilean troops attacked Peru.")
    assert [t.text for t in doc][5:9] == ["SADC", ")", ".", "On"]
    assert doc[8].is_sent_start
    assert ("CHL", "attacks", "PER") in triples(extractor.extract(doc.text))
    # Abbreviations and names with dots are left alone.
    assert [t.text for t in extractor.nlp("The U.S. uses Node.js daily.")][1:4] == [
        "U.S.",
        "uses",
        "Node.js",
    ]


def test_refusing_a_hostile_act_is_no_hostility(extractor):
    for text in (
        "Cairo refused to conduct air strikes on Libyan targets.",
        "Cairo refused to bomb Libya.",
    ):
        rels = extractor.extract(text)
        assert not any(r.predicate == "opposes" for r in rels), text
        assert all(r.negated for r in rels if r.predicate == "attacks"), text
    rels = extractor.extract("Cairo refused to recognise the Libyan government.")
    assert any(r.predicate == "opposes" and r.object.id == "LBY-GNU" for r in rels)


def test_what_an_actor_owns_or_proposes_stands_for_it(extractor):
    assert ("ISR", "attacks", "HAMAS") in triples(
        extractor.extract("Israel struck Hamas targets in Gaza overnight.")
    )
    found = triples(extractor.extract("The Chilean proposal was backed by Peru and Bolivia."))
    assert ("PER", "backs", "CHL") in found and ("BOL", "backs", "CHL") in found


def test_military_hardware_named_by_designation_acts_for_its_state(extractor):
    rels = extractor.extract("Chilean F-16s shot down a Peruvian Su-24 near the border.")
    assert ("CHL", "attacks", "PER") in triples(rels)


def test_exchanges_of_fire_are_fighting(extractor):
    found = triples(extractor.extract("Chile and Peru traded fire along their border."))
    assert ("CHL", "fights", "PER") in found or ("PER", "fights", "CHL") in found
    found = triples(extractor.extract("Chilean troops exchanged gunfire with Peruvian soldiers."))
    assert ("CHL", "fights", "PER") in found or ("PER", "fights", "CHL") in found


def test_strikes_inside_a_country(extractor):
    rels = extractor.extract("Chile carried out its deepest strikes inside Peruvian territory.")
    assert ("CHL", "attacks", "PER") in triples(rels)


def test_not_taking_part_negates_the_act(extractor):
    for text in (
        "Japan will not take part in the strikes on Iran.",
        "Japan did not participate in the attacks on Iran.",
    ):
        rel = find(extractor.extract(text), "JPN", "attacks", "IRN")
        assert rel.negated, text
    assert not find(
        extractor.extract("Japan took part in the strikes on Iran."), "JPN", "attacks", "IRN"
    ).negated


def test_help_sought_is_not_help_given(extractor):
    rels = extractor.extract("Mali turned to Russia for help against the rebels.")
    assert not any(r.predicate in ("aids", "backs") for r in rels)
    rels = extractor.extract("Chile announced $500 million in military aid for Peru.")
    assert ("CHL", "aids", "PER") in triples(rels)


def test_a_subject_hung_off_the_auxiliary_is_the_verbs(extractor):
    rels = extractor.extract("Egypt and Qatar are mediating between Israel and Hamas.")
    assert {r.subject.id for r in rels if r.predicate == "mediates"} == {"EGY", "QAT"}


def test_an_act_drawn_from_someone_is_theirs(extractor):
    text = "Chile and Peru staged joint exercises, drawing condemnation from Bolivia."
    found = triples(extractor.extract(text))
    assert ("BOL", "criticises", "CHL") in found and ("BOL", "criticises", "PER") in found
    assert ("EU", "sanctions", "CHL") in triples(
        extractor.extract("Chile faced sanctions from the EU.")
    )


def test_disputes_are_opposition(extractor):
    found = triples(extractor.extract("Chile and Peru are locked in a dispute over fishing."))
    assert ("CHL", "opposes", "PER") in found or ("PER", "opposes", "CHL") in found
    assert ("CHL", "opposes", "PER") in triples(
        extractor.extract("Chile is in a row with Peru over fishing rights.")
    )


def test_whoever_leads_a_coalition_may_be_named_by_reference(extractor):
    text = (
        "Chile has accused Peru of arming the Shining Path. The country has led a coalition "
        "that includes Bolivia in fighting the rebels."
    )
    found = triples(extractor.extract(text))
    assert ("CHL", "fights", "phx-shining-path") in found
    assert ("BOL", "fights", "phx-shining-path") in found


def test_members_of_a_named_group_act_with_it(extractor):
    text = "The Shining Path was supported by Western countries, including Britain and France."
    found = triples(extractor.extract(text))
    assert ("GBR", "backs", "phx-shining-path") in found
    assert ("FRA", "backs", "phx-shining-path") in found


def test_taking_ground_from_someone_is_fighting_them(extractor):
    rels = extractor.extract("The Shining Path took over the port from Chilean forces.")
    assert ("phx-shining-path", "fights", "CHL") in triples(rels) or (
        "CHL",
        "fights",
        "phx-shining-path",
    ) in triples(rels)


def test_sharing_intelligence_is_cooperation(extractor):
    rels = extractor.extract("Chile reportedly passed on information to Peru about the raid.")
    rel = find(rels, "CHL", "cooperates", "PER")
    assert rel.modality == "reported"


def test_what_is_still_to_come_is_hypothetical(extractor):
    rel = find(
        extractor.extract("Chile will launch an offensive against Peru."), "CHL", "fights", "PER"
    )
    assert rel.modality == "hypothetical"
    rel = find(
        extractor.extract("Chile launched an offensive against Peru."), "CHL", "fights", "PER"
    )
    assert rel.modality == "asserted"


def test_pledging_a_hostile_act_is_no_agreement_with_its_target(extractor):
    rels = extractor.extract("Colombia pledged to hunt down the FARC dissidents.")
    assert not any(r.predicate == "agrees" for r in rels)
    rels = extractor.extract("Chile pledged to defend Peru.")
    assert ("CHL", "agrees", "PER") in triples(rels)


def test_an_undated_text_is_dated_by_the_leaders_it_names(extractor):
    # No date and no year: Assad's term says the Syrian army is his government's.
    text = "Bashar al-Assad thanked Iran. Iranian militias fight alongside the Syrian army."
    rels = extractor.extract(text)
    assert any(r.object.id == "SYR-GOV" for r in rels), sorted(triples(rels))


def test_a_pronoun_prefers_its_sentences_subject_to_a_nearer_oblique(extractor):
    text = "The Shining Path received aid from Bolivia that it used to attack Peru."
    rels = extractor.extract(text)
    assert ("phx-shining-path", "attacks", "PER") in triples(rels)
    assert ("BOL", "attacks", "PER") not in triples(rels)


def test_an_acronym_for_a_thing_or_half_a_compound_is_no_actor(extractor):
    doc = extractor.nlp("Chile flew an intermediate-range ballistic missile (IRBM) over Peru.")
    assert not any(m.text == "IRBM" for m in doc._.actor_mentions)
    text = "Israel wants Lebanon to dislodge the Syrian- and Iranian-backed group from its border."
    doc = extractor.nlp(text)
    assert any(e.text == "Syrian-" for e in doc.ents)  # what the NER proposes
    assert not any(m.text.endswith("-") for m in doc._.actor_mentions)


def test_an_x_backed_description_refers_and_names_its_backers(extractor):
    text = (
        "Chile attacked the Shining Path in Peru. Chile wants Peru to dislodge the Bolivian- "
        "and Ecuadorian-backed group from its border."
    )
    found = triples(extractor.extract(text))
    assert ("BOL", "backs", "phx-shining-path") in found
    assert ("ECU", "backs", "phx-shining-path") in found


def test_an_object_pronoun_is_not_the_subject_that_controls_its_clause(extractor):
    rels = extractor.extract(
        "Chile has begun sending troops to Peru to help it fight the Shining Path."
    )
    assert ("PER", "fights", "phx-shining-path") in triples(rels)
    assert ("CHL", "fights", "phx-shining-path") not in triples(rels)


def test_a_generic_phrase_is_no_name_of_one_government(extractor):
    rels = extractor.extract("In Myanmar, regime forces shelled villages held by the Karen.")
    assert not any("SYR" in (r.subject.id + r.object.id) for r in rels)
    doc = extractor.nlp("Regime forces advanced on Tuesday.")
    assert not any(m._.actor.id.startswith("SYR") for m in doc._.actor_mentions)


def test_what_an_actor_is_seen_as_doing_is_reported(extractor):
    rel = find(
        extractor.extract("Egypt is widely seen as backing the Peruvian army."),
        "EGY",
        "backs",
        "PER",
    )
    assert rel.modality == "reported"
    rel = find(
        extractor.extract("Chile is seen by analysts as supporting the Shining Path."),
        "CHL",
        "backs",
        "phx-shining-path",
    )
    assert rel.reported_by == "analysts"


def test_a_subject_swallowed_by_a_nest_of_fronted_phrases(extractor):
    text = (
        "In a rebuke on Saturday, Peru’s defence minister accused Bolivia of sheltering "
        "Shining Path militants."
    )
    doc = extractor.nlp(text)
    assert next(t for t in doc if t.text == "minister").dep_ == "pobj"  # the parser's reading
    rels = extractor.extract(text)
    assert find(rels, "PER", "criticises", "BOL")
    rel = find(rels, "BOL", "aids", "phx-shining-path")
    assert rel.reported_by == "Peru’s defence minister"
