"""Text hygiene and what the text says about each relation: prose is kept whatever marks it
carries and however it was wrapped, page furniture is still dropped, datelines are not
actors, dates and theatres come from the right words, and the work per relation does not
grow with the length of the document. Every text here was written for these tests."""

from __future__ import annotations

from datetime import date

import pytest

from detente.extract import read_article
from detente.extract.components import attributes as attributes_module
from detente.extract.components import coref as coref_module
from detente.extract.components.attributes import normalise_date
from detente.extract.components.blocks import is_prose, text_blocks
from tests.conftest import find, triples


def run(extractor, text: str, published: date | None = None):
    """The processed Doc (to look at blocks, datelines and mentions)."""
    return extractor.nlp(extractor.make_doc(text, published))


def block_texts(doc, ranges) -> list[str]:
    return [doc.text[start:end] for start, end in ranges or ()]


def assert_offsets(text: str, relations) -> None:
    for r in relations:
        assert text[r.subject.start : r.subject.end] == r.subject.text
        assert text[r.object.start : r.object.end] == r.object.text


# ------------------------------------------------------------------ prose that is kept
def test_citation_marks_do_not_make_prose_boilerplate(extractor):
    text = (
        "Canada condemned Belarus over the crackdown on protesters.[4] Ottawa also "
        "sanctioned Minsk in the same week.[citation needed]\n"
    )
    assert run(extractor, text)._.boilerplate == []
    article = read_article(text)
    assert len(article.text) == len(text)  # marks become spaces: offsets still hold
    rels = extractor.extract(article.text)
    assert ("CAN", "criticises", "BLR") in triples(rels)
    assert_offsets(text, rels)


def test_invisible_characters_do_not_make_prose_boilerplate(extractor):
    release = (
        "Press release\n\n"
        "The Government of Canada today condemned Belarus for the detention of "
        "journalists.\u200e\n\n"
        "Canada\u00a0has also sanctioned \u200b Belarus in the same week.\u200f\ufeff\n"
    )
    doc = run(extractor, release)
    assert block_texts(doc, doc._.boilerplate) == ["Press release"]
    # Read as input, the characters become spaces and the words read as words.
    glued = release.replace("sanctioned \u200b Belarus", "sanctioned\u200b\u200bBelarus")
    article = read_article(glued)
    assert len(article.text) == len(glued) and "\u200b" not in article.text
    rels = extractor.extract(article.text)
    assert {("CAN", "criticises", "BLR"), ("CAN", "sanctions", "BLR")} <= triples(rels)
    assert_offsets(glued, rels)


WRAPPED = """Officials in Nairobi said on Tuesday that Kenya had deployed more
Kenyan soldiers to Somalia to fight al-Shabaab after a string of
"cross-border raids" near the town of Mandera. The deployment adds
1,200 troops to the mission, and Uganda pledged a further battalion.
Ethiopia also said it backs the Somali government in the campaign,
a spokesman told reporters in the capital.

The African Union welcomed the move. Djibouti hosted talks between
Somali clan leaders last month, officials in the region said.
"""


def test_hard_wrapped_paragraphs_are_joined_whatever_the_next_line_starts_with(extractor):
    lines = WRAPPED.split("\n")
    assert {line[:1] for line in lines if line} >= {'"', "1", "K", "E"}  # the test's premise
    blocks = text_blocks(WRAPPED)
    assert len(blocks) == 2
    assert WRAPPED[blocks[0][0] : blocks[0][1]].endswith("in the capital.")
    doc = run(extractor, WRAPPED)
    assert doc._.boilerplate == []
    rels = extractor.extract(WRAPPED)
    rel = find(rels, "ETH", "backs", "SOM")
    assert "\n" in rel.sentence  # one sentence across the line break


def test_a_line_cannot_stop_at_a_function_word():
    text = (
        "The council called on Kenya to halt its support for the\n"
        "Somali government until the talks resume.\n"
    )
    assert len(text_blocks(text)) == 1


def test_headlines_stay_apart_from_the_story_they_head(extractor):
    page = "Kenya sends troops to Somalia\nKenya deployed 1,200 soldiers to Somalia on Tuesday.\n"
    assert len(text_blocks(page)) == 2
    doc = run(extractor, page)
    assert block_texts(doc, doc._.boilerplate) == ["Kenya sends troops to Somalia"]


def test_page_furniture_is_still_dropped(extractor):
    page = (
        "Home | World | Africa | Sport | Opinion\n"
        "Kenya and Somalia sign border pact\n"
        "Kenyan soldiers on patrol near the border on March 3, 2021. Photo: Jane Doe/Agency\n"
        "A Somali officer inspects a checkpoint. (AP Photo/John Roe)\n"
        "Read more: Kenya backs Somalia in maritime talks\n"
        "Subscribe to our newsletter to learn why Kenya backs Somalia.\n"
        "Related articles\n"
        "Uganda backs Somalia, officials say\n"
        "Ethiopia to send envoy to Mogadishu\n"
    )
    doc = run(extractor, page)
    assert doc._.paragraphs == []
    assert extractor.extract(page) == []


def test_long_prose_mentioning_furniture_words_is_prose():
    paragraph = (
        "Kenya and Somalia agreed on Tuesday to reopen their border, and officials said more "
        "countries in the region could sign up to the pact once the details are published. "
        "Diplomats pictured the deal as a first step towards a wider settlement of the "
        "maritime quarrel of the neighbours."
    )
    assert is_prose(paragraph, 3)
    assert not is_prose("Sign up for our newsletter and read more.", 3)
    # A paragraph whose last sentence was cut off is still prose; a teaser line is not.
    cut = paragraph + " The talks resumed in Nairobi after"
    assert is_prose(cut, 3)
    assert not is_prose("Kenya backs Somalia in talks, officials say as the region…", 3)
    # One long sentence in sentence case without its full stop is a standfirst, not a
    # headline; a title-case headline of the same length is not prose.
    standfirst = (
        "After weeks of tension between the two neighbours, Kenya recalls its envoy and gives "
        "the Somali ambassador three days to leave"
    )
    assert is_prose(standfirst, 3)
    assert not is_prose(standfirst.title(), 3)


# ------------------------------------------------------------------ datelines
@pytest.mark.parametrize(
    "dateline",
    [
        "KISMAYO —",
        "KISMAYO, Somalia (AP) —",
        "NAIROBI (Reuters) -",
        "Nairobi, March 8 (AFP) -",
        "NAIROBI, Kenya, March 8 (Reuters) --",
        "NAIROBI:",
    ],
)
def test_datelines_are_not_actors(extractor, dateline):
    text = f"{dateline} Somali forces attacked al-Shabaab fighters near the port on Monday.\n"
    doc = run(extractor, text, date(2021, 3, 10))
    assert block_texts(doc, doc._.datelines) == [dateline]
    assert doc._.boilerplate == []  # the rest of the sentence is prose
    assert all(m.start_char >= len(dateline) for m in doc._.actor_mentions)
    assert all(p.start_char >= len(dateline) for p in doc._.places)
    rels = extractor.extract(text, date(2021, 3, 10))
    rel = find(rels, "SOM", "attacks", "AL-SHABAAB")
    assert rel.theatre == "Somalia" and rel.date == "2021-03-08"
    assert all(r.subject.id != "KEN" and r.object.id != "KEN" for r in rels)


def test_a_datelines_place_is_not_the_theatre(extractor):
    text = "AMMAN, Jordan (AP) — Somali forces attacked al-Shabaab fighters near the port.\n"
    rels = extractor.extract(text)
    assert {(r.subject.id, r.object.id) for r in rels} == {("SOM", "AL-SHABAAB")}
    assert {r.theatre for r in rels} == {"Somalia"}


def test_prose_opening_with_a_name_and_a_dash_is_no_dateline(extractor):
    text = "Ethiopia - a close ally of Kenya - says it backs Somalia in the dispute.\n"
    doc = run(extractor, text)
    assert doc._.datelines == []
    assert any(m.text == "Ethiopia" for m in doc._.actor_mentions)


# ------------------------------------------------------------------ dates
def test_a_captions_date_is_not_given_to_a_relation(extractor):
    page = (
        "Kenyan troops patrol near the Somali border on March 3, 2021. (Photo: Jane Doe/Agency)\n\n"
        "Kenya attacked al-Shabaab.\n"
    )
    rel = find(extractor.extract(page), "KEN", "attacks", "AL-SHABAAB")
    assert rel.date is None


def test_a_relations_date_comes_from_its_own_clause(extractor):
    text = "Kenya, which joined the mission in 2011, attacked al-Shabaab on Tuesday.\n"
    rel = find(extractor.extract(text, date(2021, 3, 10)), "KEN", "attacks", "AL-SHABAAB")
    assert rel.date == "2021-03-09"  # Tuesday, not the year Kenya joined the mission
    rel = find(extractor.extract(text), "KEN", "attacks", "AL-SHABAAB")
    assert rel.date is None  # "Tuesday" needs a publication date; 2011 is Kenya's, not this


def test_a_relation_takes_the_day_its_paragraph_narrates(extractor):
    text = (
        "On 4 March 2021, Kenya attacked al-Shabaab in Gedo. Kenya also sanctioned Somalia. "
        "Kenya backs the Somali government.\n\n"
        "Ethiopia backed Kenya.\n"
    )
    rels = extractor.extract(text)
    assert find(rels, "KEN", "attacks", "AL-SHABAAB").date == "2021-03-04"
    assert find(rels, "KEN", "sanctions", "SOM").date == "2021-03-04"  # the paragraph's day
    assert find(rels, "KEN", "backs", "SOM").date is None  # a present state, not that day
    assert find(rels, "ETH", "backs", "KEN").date is None  # another paragraph


def test_a_paragraph_with_two_dates_gives_none(extractor):
    text = (
        "On 4 March 2021, Kenya attacked al-Shabaab. On 9 March 2021, Uganda backed Somalia. "
        "Kenya also sanctioned Somalia.\n"
    )
    assert find(extractor.extract(text), "KEN", "sanctions", "SOM").date is None


def test_relative_dates_against_the_publication_date():
    wednesday = date(2024, 3, 13)
    assert normalise_date("Wednesday", wednesday) == "2024-03-13"  # the day itself
    assert normalise_date("last Wednesday", wednesday) == "2024-03-06"
    assert normalise_date("late Tuesday", wednesday) == "2024-03-12"
    assert normalise_date("Tuesday", None) is None
    assert normalise_date("last week", wednesday) == "2024-03"  # a week is not a day
    assert normalise_date("earlier this month", wednesday) == "2024-03"
    assert normalise_date("early 2020", None) == "2020"
    assert normalise_date("the 1990s", wednesday) is None  # a decade has no date
    assert normalise_date("21", wednesday) is None  # a bare number is not a date
    assert normalise_date("Dec. 8, 2024", wednesday) is None  # after publication


# ------------------------------------------------------------------ theatres
def test_the_theatre_of_a_cross_border_strike_is_the_place_named(extractor):
    rels = extractor.extract("Turkish jets struck PKK positions in northern Iraq.")
    rel = find(rels, "TUR", "attacks", "PKK")
    assert rel.theatre == "Iraq"  # not Turkey, the attacker's and the PKK's home
    rels = extractor.extract("Kenyan jets bombed al-Shabaab camps deep inside Somali territory.")
    assert find(rels, "KEN", "attacks", "AL-SHABAAB").theatre == "Somalia"


def test_the_theatre_is_the_targets_ground_not_its_forces(extractor):
    rel = find(
        extractor.extract("Eritrea shelled Ethiopian border towns."), "ERI", "attacks", "ETH"
    )
    assert rel.theatre == "Ethiopia"
    rel = find(
        extractor.extract("Armenia shot down an Azerbaijani drone."), "ARM", "attacks", "AZE"
    )
    assert rel.theatre is None  # a drone may be anywhere
    rel = find(extractor.extract("Iran criticised Israel."), "IRN", "criticises", "ISR")
    assert rel.theatre is None  # never the subject's home, nor a word said elsewhere


# ------------------------------------------------------------------ work per relation
class CountingList(list):
    """A list that counts how often it is read from end to end."""

    def __init__(self, items) -> None:
        super().__init__(items)
        self.passes = 0

    def __iter__(self):
        self.passes += 1
        return super().__iter__()


PARAGRAPH = (
    "Kenyan jets struck al-Shabaab camps in Somalia near Kismayo. Ethiopia also backed "
    "Somalia in Mogadishu, and it criticised Eritrea.\n\n"
)


def _process_counting_places(extractor, text: str) -> tuple[object, dict[str, int]]:
    """Run the pipeline, counting the passes each detente component makes over the
    document's places."""
    doc = extractor.make_doc(text)
    passes: dict[str, int] = {}
    for name, component in extractor.nlp.pipeline:
        if name in ("detente_relations", "detente_attributes"):
            doc._.places = CountingList(doc._.places)
        doc = component(doc)
        if name in ("detente_relations", "detente_attributes"):
            passes[name] = doc._.places.passes
    return doc, passes


def test_places_are_indexed_once_per_document_not_per_relation(extractor):
    doc, passes = _process_counting_places(extractor, PARAGRAPH * 12)
    assert len(doc._.relations) >= 24
    assert passes["detente_relations"] <= 1
    assert passes["detente_attributes"] <= 1


def test_theatre_looks_only_at_its_sentences_places(extractor, monkeypatch):
    seen: list[int] = []
    original = attributes_module._DocIndex.sentence_places

    def counting(self, n):
        places = original(self, n)
        seen.append(len(places))
        return places

    monkeypatch.setattr(attributes_module._DocIndex, "sentence_places", counting)
    for copies in (1, 12):
        seen.clear()
        doc = run(extractor, PARAGRAPH * copies)
        per_relation = max(seen)
        assert len(seen) == len(doc._.relations)
        assert per_relation <= 4  # a sentence's places, however long the document
        assert len(doc._.places) >= 3 * copies


def test_coreference_keeps_a_window_not_the_whole_history(extractor, monkeypatch):
    sizes: list[int] = []
    original = coref_module.Coreference._resolve

    def counting(self, doc, token, n, history):
        sizes.append(len(history))
        return original(self, doc, token, n, history)

    monkeypatch.setattr(coref_module.Coreference, "_resolve", counting)
    longest = {}
    # Two sentences a copy: 6 copies fill the longest window (descriptions reach 6
    # sentences back); 30 copies must not remember more.
    for copies in (6, 30):
        sizes.clear()
        run(extractor, PARAGRAPH * copies)
        longest[copies] = max(sizes)
    assert longest[30] == longest[6]
