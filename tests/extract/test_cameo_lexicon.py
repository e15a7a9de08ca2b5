"""The CAMEO verb dictionary as lexicon data: parser, code mapping, compiled patterns.

Every sentence and dictionary snippet here is written for these tests.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest
from spacy.language import Language

from detente.extract import cameo
from detente.extract.pipeline import load_language_model
from tests.paths import TOOLS

# A small dictionary in the PETRARCH format, exercising its syntax.
SNIPPET = """\
# a test dictionary
####### SYNONYM SETS #######

&SOLDIERS
+TROOP
+ARMED_FORCES
+MARINES_

&AUXILIARY_
+WILL

####### VERB PATTERNS #######

---  DISPATCH   [---]  ---
DISPATCH  # a comment
SHIP {SHIPS SHIPPED SHIPPING}
- * &SOLDIERS (TO)                 [072]   # DISPATCH
- * &SOLDIERS                      [154]   # SHIP
- * {MEDICAL SUPPLIES}             [073]   # DISPATCH
- $ * (FROM +)                     [0874]  # DISPATCH
- * (BY/WITH &UNKNOWN)             [194]   # SHIP
- * (TO +) ^)[042]                         # SHIP

---  CONDEMN   [111]  ---
CONDEMN
+CALL_OFF {+CALLS_OFF +CALLED_OFF +CALLING_OFF} [160]
WIRE_+TAP [091]
RE-ARREST [173]
- * TALKS                          [164:164]   # CALLED_OFF
- * VIOLENCE                       [---]       # CONDEMN
- * (BEFORE COURT)                 [:173]      # CONDEMN
- *FIRMLY                          [111]       # CONDEMN
- * +                              [111]       # CONDEMN

---  SCRAP   [---]  ---
SCRAP {SCRAPS SCRAPPED SCRAPPING};tabari comment

---  RELOCATE   [---]  ---
MOVE
- + INSPECTOR * (INTO $)           [0862]  # MOVE

######## TRANSFORMATIONS ##########
~ a (a b ATTACK) SAY = a b 015
"""


def _build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_cameo", TOOLS / "build_cameo.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def build() -> ModuleType:
    return _build_module()


@pytest.fixture(scope="module")
def snippet(build: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> dict:
    reference = tmp_path_factory.mktemp("reference")
    (reference / "petrarch2").mkdir()
    (reference / "petrarch2" / "CAMEO.2.0.txt").write_text(SNIPPET, encoding="utf-8")
    out = reference / "cameo.json"
    document = build.build(reference, out)
    document["path"] = out
    return document


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_language_model()  # en_core_web_sm, or its re-upload


def _block(document: dict, name: str) -> dict:
    return next(b for b in document["blocks"] if b["name"] == name)


def _pattern(document: dict, text: str) -> dict:
    return next(p for b in document["blocks"] for p in b["patterns"] if p["text"] == text)


# ============================================================================ parser
def test_synsets_keep_phrases_and_plural_flags(snippet: dict) -> None:
    soldiers = snippet["synsets"]["&SOLDIERS"]["members"]
    assert {"words": ["TROOP"], "plural": True} in soldiers
    assert {"words": ["ARMED", "FORCES"], "plural": True} in soldiers
    assert {"words": ["MARINES"], "plural": False} in soldiers  # trailing '_'
    # a label ending in '_' turns plurals off for all its members
    assert snippet["synsets"]["&AUXILIARY_"]["members"] == [{"words": ["WILL"], "plural": False}]


def test_verbs_forms_codes_and_multi_word_verbs(snippet: dict) -> None:
    verbs = {tuple(v["words"]): v for v in _block(snippet, "CONDEMN")["verbs"]}
    call_off = verbs[("CALL", "OFF")]
    assert call_off["head"] == 0 and call_off["code"] == "160"
    assert ["CALLED", "OFF"] in call_off["forms"]
    assert verbs[("WIRE", "TAP")]["head"] == 1  # 'WIRE_+TAP': the '+' marks the verb
    assert verbs[("RE-ARREST",)]["code"] == "173"
    assert _block(snippet, "CONDEMN")["code"] == "111"
    ship = {tuple(v["words"]): v for v in _block(snippet, "DISPATCH")["verbs"]}[("SHIP",)]
    assert ship["forms"] == [["SHIPS"], ["SHIPPED"], ["SHIPPING"]]
    # ';' is TABARI's comment mark
    assert _block(snippet, "SCRAP")["verbs"][0]["forms"][1] == ["SCRAPPED"]


def test_pattern_markers_phrases_and_synsets(snippet: dict) -> None:
    to_any = _pattern(snippet, "* &SOLDIERS (TO)")
    assert to_any["post"][0]["terms"] == [[["&SOLDIERS"]]]
    assert to_any["post"][1] == {"kind": "pp", "objects": [], "preps": ["TO"]}
    marked = _pattern(snippet, "$ * (FROM +)")
    assert marked["pre"] == [{"kind": "marker", "marker": "source"}]
    assert marked["post"][0]["objects"] == [{"kind": "marker", "marker": "target"}]
    braced = _pattern(snippet, "* {MEDICAL SUPPLIES}")
    assert braced["post"][0] == {
        "braced": True,
        "kind": "np",
        "terms": [[["MEDICAL"]], [["SUPPLIES"]]],
    }


def test_dual_reverse_and_null_codes(snippet: dict) -> None:
    assert (_pattern(snippet, "* TALKS")["code"], _pattern(snippet, "* TALKS")["reverse"]) == (
        "164",
        "164",
    )
    before_court = _pattern(snippet, "* (BEFORE COURT)")
    assert (before_court["code"], before_court["reverse"]) == (None, "173")
    assert _pattern(snippet, "* VIOLENCE")["code"] == "---"


def test_origin_comment_links_inflected_names(snippet: dict) -> None:
    # '# CALLED_OFF' names the +CALL_OFF entry through its regular past form
    assert _pattern(snippet, "* TALKS")["origin"] == ["CALL_OFF"]
    assert _pattern(snippet, "* &SOLDIERS")["origin"] == ["SHIP"]


def test_unreadable_lines_are_reported_with_reasons(snippet: dict) -> None:
    reasons = {r["reason"] for r in snippet["rejected"]}
    assert "undefined synset &UNKNOWN" in reasons
    assert "unbalanced brackets" in reasons
    repairs = {r["note"] for r in snippet["repairs"]}
    assert "verb mark '*' glued to a word: split off" in repairs
    assert _pattern(snippet, "* FIRMLY")["code"] == "111"


def test_transformations_are_parsed(snippet: dict) -> None:
    (rule,) = snippet["transformations"]
    assert rule["inner"] == {"source": "a", "target": "b", "verb": "ATTACK"}
    assert rule["verb"] == "SAY" and rule["result"]["code"] == "015"


def test_generated_file_header_and_determinism(build: ModuleType, snippet: dict) -> None:
    text = snippet["path"].read_text(encoding="utf-8")
    assert text.startswith('{\n "generated": "GENERATED by tools/build_cameo.py')
    assert "MIT License" in text.split('"source"')[0]
    again = snippet["path"].with_name("again.json")
    build.build(snippet["path"].parent, again)
    assert again.read_text(encoding="utf-8") == text


def test_snippet_compiles_and_matches(snippet: dict, nlp: Language) -> None:
    lexicon = cameo.load_lexicon(str(snippet["path"]))
    compiled = cameo.compile_lexicon(lexicon)
    doc = nlp("Chile shipped marines to Peru. Police re-arrested the activist.")
    found = {m.anchor.lower_: m for m in cameo.match(doc, compiled)}
    # the more specific "(TO)" pattern was written for DISPATCH, not SHIP: "shipped
    # marines" takes the pattern written for it (line 18 of the snippet)
    shipped = found["shipped"]
    assert (shipped.code, shipped.predicate, shipped.pattern_id, shipped.text) == (
        "154",
        "mobilizes",
        "DISPATCH:18",
        "* &SOLDIERS",
    )
    dispatched = cameo.match(nlp("Chile dispatched marines to Peru."), compiled)[0]
    assert (dispatched.code, [t.text for t in dispatched.targets]) == ("072", ["Peru"])
    # "re-arrested" is three tokens; the prefix is checked on the tokens before the verb
    assert found["arrested"].code == "173" and found["arrested"].pattern_id.endswith("RE-ARREST")
    tapped = cameo.match(nlp("Spies wire tapped the embassy."), compiled)
    assert [(m.anchor.text, m.code) for m in tapped] == [("tapped", "091")]


def test_markers_swap_roles(snippet: dict, nlp: Language) -> None:
    """'+ INSPECTOR * (INTO $)': the subject's phrase is the target, the phrase after the
    verb the source -- the country that admits the inspectors concedes to their agency."""
    compiled = cameo.compile_lexicon(cameo.load_lexicon(str(snippet["path"])))
    doc = nlp("UN inspectors moved into Iran on Monday.")
    (m,) = cameo.match(doc[0:6], compiled)  # a span works as well as a doc
    assert (m.code, m.predicate, m.source.text) == ("0862", "concedes", "Iran")
    assert [t.text for t in m.targets] == ["inspectors"]
    assert m.relations() == [(m.source, "concedes", m.targets[0], "0862")]


def test_shipped_dictionary_parses_nearly_every_line(build: ModuleType) -> None:
    data = cameo.load_lexicon()
    assert len(data.blocks) > 390
    assert sum(len(b.patterns) for b in data.blocks) > 4600
    assert data.rejected < 10
    assert "MIT" in data.source["license"]


# ============================================================================ mapping
def test_every_dictionary_code_is_mapped_or_explicitly_unmapped() -> None:
    lexicon = cameo.load_lexicon()
    mapping = lexicon.mapping
    assert lexicon.codes() <= set(mapping.codes)
    assert cameo.compile_stats()["unmapped_codes"] == []


def test_mapping_decisions() -> None:
    codes = cameo.load_lexicon().mapping.codes
    assert all(codes[c] is None for c in codes if c.startswith(("01", "02")))
    # An expressed intent to cooperate is a commitment; an intent to meet is a meeting.
    assert all(codes[c] == "agrees" for c in codes if c.startswith("03") and c != "036")
    assert codes["036"] == "consults"
    assert codes["163"] == "sanctions"
    assert codes["045"] == "mediates" and codes["046"] == "consults"
    assert {codes[c] for c in ("0871", "0874")} == {"retreats"}
    assert {codes[c] for c in ("081", "085", "0841")} == {"concedes"}
    assert {codes[c] for c in ("190", "193", "194")} == {"fights"}
    assert {codes[c] for c in ("180", "181", "186", "195")} == {"attacks"}
    assert codes["191"] == "coerces"


def test_unknown_predicate_in_mapping_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "map.toml"
    bad.write_text('[codes]\n"010" = "befriends"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="befriends"):
        cameo.load_map(bad)


# ============================================================================ matching
def _one(nlp: Language, text: str, verb: str) -> cameo.CameoMatch:
    matches = [m for m in cameo.match(nlp(text)) if m.anchor.lower_ == verb]
    assert len(matches) == 1, [(m.anchor.text, m.pattern_id) for m in cameo.match(nlp(text))]
    return matches[0]


def test_imposed_sanctions_on(nlp: Language) -> None:
    m = _one(nlp, "Germany imposed sanctions on Iran.", "imposed")
    assert (m.code, m.predicate) == ("163", "sanctions")
    assert [t.text for t in m.targets] == ["Iran"] and m.source.text == "Germany"
    assert m.pattern_id.startswith("IMPOSE:") and m.text == "* SANCTIONS"


def test_passive_source_is_the_agent(nlp: Language) -> None:
    m = _one(nlp, "New sanctions were imposed on Iran by Germany.", "imposed")
    assert m.code == "163" and m.source.text == "Germany"
    assert [t.text for t in m.targets] == ["Iran"]


def test_sent_troops_to(nlp: Language) -> None:
    m = _one(nlp, "France sent troops to Mali.", "sent")
    assert (m.code, m.predicate) == ("072", "aids")
    assert [t.text for t in m.targets] == ["Mali"]
    assert m.relations() == [(m.source, "aids", m.targets[0], "072")]


def test_carried_out_air_strikes_against(nlp: Language) -> None:
    m = _one(nlp, "The army carried out air strikes against the rebels.", "carried")
    assert m.pattern_id.endswith("/CARRY_OUT") and m.text == "* {AIR STRIKE}"
    assert (m.code, m.predicate) == ("195", "attacks")
    assert [t.text for t in m.targets] == ["rebels"] and m.source.text == "army"


def test_phrasal_verb_needs_its_particle(nlp: Language) -> None:
    m = _one(nlp, "Police cracked down on protesters.", "cracked")
    assert m.pattern_id.endswith(":CRACK_DOWN") and m.predicate == "coerces"
    assert [t.text for t in m.targets] == ["protesters"]
    plain = _one(nlp, "The ice cracked in the cold.", "cracked")
    assert not plain.pattern_id.endswith("CRACK_DOWN")


def test_dual_code_relates_both_ways(nlp: Language) -> None:
    m = _one(nlp, "The rebels clashed with the army.", "clashed")
    assert (m.code, m.reverse_code, m.predicate) == ("190", "190", "fights")
    (army,) = m.targets
    assert m.relations() == [(m.source, "fights", army, "190"), (army, "fights", m.source, "190")]


def test_null_pattern_says_no_event(nlp: Language) -> None:
    m = _one(nlp, "The mayor fought racism.", "fought")
    assert m.code == "---" and m.predicate is None and m.relations() == []


def test_appeals_and_pledges(nlp: Language) -> None:
    appeal = _one(nlp, "Germany appealed for calm.", "appealed")
    assert appeal.code.startswith("02") and appeal.predicate is None
    pledge = _one(nlp, "Japan pledged aid to Ukraine.", "pledged")
    assert pledge.code.startswith("03") and pledge.predicate == "agrees"
    assert "Ukraine" in [t.text for t in pledge.targets]


def test_no_match(nlp: Language) -> None:
    assert cameo.match(nlp("The weather was pleasant in Lisbon on Sunday.")) == []


def test_spacy_dependency_matcher_agrees(nlp: Language) -> None:
    """The compiled patterns run in spaCy's DependencyMatcher find the same (pattern,
    verb) pairs as the indexed search that match() uses."""
    texts = [
        "Germany imposed sanctions on Iran.",
        "France sent troops to Mali.",
        "The army carried out air strikes against the rebels.",
        "Egypt mediated between Israel and Hamas.",
        "Police re-arrested the activist.",
    ]
    compiled = cameo.compile_lexicon()
    docs = list(nlp.pipe(texts))
    lemmas = {cameo.anchor_lemma(t, compiled) for doc in docs for t in doc}
    patterns = {p.id: p for lemma in lemmas for p in compiled.by_lemma.get(lemma, ())}
    matcher = cameo.dependency_matcher(nlp.vocab, patterns.values())
    for doc in docs:
        theirs = set()
        for key, ids in matcher(doc):
            pattern = patterns[nlp.vocab.strings[key]]
            if cameo.verify(pattern, [doc[i] for i in ids]):
                theirs.add((pattern.id, ids[0]))
        ours = {
            (p.id, t.i)
            for t in doc
            for p in compiled.by_lemma.get(t.lemma_.lower(), ())
            if cameo.search(p, t) is not None
        }
        assert theirs == ours and ours, doc.text


def test_dependency_pattern_shape() -> None:
    compiled = cameo.compile_lexicon()
    pattern = next(p for p in compiled.patterns if p.text == "* SANCTIONS" and p.block == "IMPOSE")
    spec = pattern.dependency_pattern
    assert spec[0]["RIGHT_ID"] == "verb" and "impose" in spec[0]["RIGHT_ATTRS"]["LEMMA"]["IN"]
    assert spec[1]["REL_OP"] == ">" and "sanctions" in spec[1]["RIGHT_ATTRS"]["LOWER"]["IN"]


def test_lemmatizer_misses_are_caught_by_listed_forms(nlp: Language) -> None:
    compiled = cameo.compile_lexicon()
    doc = nlp("The militia rides into the town.")
    (rides,) = [t for t in doc if t.lower_ == "rides"]
    if rides.lemma_ != "ride":  # the tagger's miss, which the dictionary's forms repair
        assert rides in cameo.lemmatizer_misses(doc)
    assert cameo.anchor_lemma(rides, compiled) == "ride"


ARTICLE = (
    "Officials in Ankara said on Tuesday that Turkey had sent more troops and armoured "
    "vehicles to its bases in northern Iraq, a day after Kurdish fighters attacked a "
    "border post. The defence ministry accused the militants of planning further raids "
    "and vowed to pursue them across the mountains. Baghdad condemned the deployment and "
    "summoned the Turkish ambassador, demanding that Ankara withdraw its forces from Iraqi "
    "territory. The Iraqi foreign minister later spoke with his Turkish counterpart by "
    "telephone, and both sides agreed to hold talks in Geneva next month. Iran offered to "
    "mediate between the two neighbours and urged restraint. Meanwhile, the European Union "
    "imposed new sanctions on the militant group's financiers and froze the assets of "
    "three companies. Washington praised the decision but warned that air strikes "
    "would not end the conflict. Kurdish leaders rejected the accusations, saying their "
    "fighters had only defended villages against Turkish shelling. Protesters marched "
    "through Erbil on Wednesday and burned Turkish flags outside the consulate. Police "
    "fired tear gas and arrested dozens of demonstrators. The United Nations urged both "
    "sides to honour the truce agreed last year and said it would dispatch monitors to "
    "the region. Aid agencies delivered food and medical supplies to "
    "thousands of families who fled the fighting. Turkish jets bombed suspected hideouts "
    "on Thursday, and the army said its soldiers had killed twelve militants. Syria "
    "criticised the operation, while Russia and Iran held consultations on the crisis. "
    "Analysts expect the dispute to dominate the next summit, where Ankara will press "
    "its allies to back the campaign and to cut funding for the militants. Greece and "
    "Cyprus voiced concern, and Brussels asked both governments to show restraint and to "
    "return to the negotiating table before the winter."
)


def test_matching_an_article_is_fast(nlp: Language) -> None:
    doc = nlp(ARTICLE)
    words = sum(not t.is_punct for t in doc)
    assert 280 <= words <= 330
    compiled = cameo.compile_lexicon()
    found = cameo.match(doc, compiled)
    assert {"163", "072"} <= {m.code for m in found}
    runs = []
    for _ in range(20):
        start = time.perf_counter()
        cameo.match(doc, compiled)
        runs.append(time.perf_counter() - start)
    # typically 2-4 ms; the bound leaves room for a loaded test machine
    assert statistics.median(runs) < 0.010 * 3


def test_a_misspelt_frame_in_the_lexicon_is_an_error(tmp_path) -> None:
    from detente.extract.lexicon import default_lexicon_path, load_lexicon

    text = default_lexicon_path().read_text(encoding="utf-8")
    broken = tmp_path / "triggers.toml"
    broken.write_text(text.replace("\nincurring = [", "\nincuring = ["), encoding="utf-8")
    with pytest.raises(ValueError, match="incuring"):
        load_lexicon(str(broken))
    assert load_lexicon().incurring  # the shipped file reads
