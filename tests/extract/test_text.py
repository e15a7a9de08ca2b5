"""Reading input: encodings, binary data, HTML, size limits."""

from __future__ import annotations

import pytest

from detente.extract.text import InputError, read_article

HTML = b"""<!doctype html><html><head><title>Talks in Doha</title>
<meta property="article:published_time" content="2024-03-02"></head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
<article><h1>Talks in Doha</h1>
<p>Qatar hosted talks between Israel and Hamas on Saturday, officials in Doha said.</p>
<p>Egypt and the United States joined the mediation, which aims at a pause in the fighting.</p>
<figure><figcaption>Delegates arrive in Doha (photo: agency)</figcaption></figure>
</article><footer>Subscribe to our newsletter</footer></body></html>"""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\t  ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("Türkiye backs the plan.".encode("latin-1"), "not UTF-8"),
    ],
)
def test_unreadable_input_is_rejected_with_a_reason(data, message):
    with pytest.raises(InputError, match=message):
        read_article(data)


def test_non_utf8_can_be_read_with_an_explicit_encoding():
    article = read_article("Türkiye backs the plan.".encode("latin-1"), encoding="latin-1")
    assert article.text.startswith("Türkiye")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_are_read_when_named(encoding):
    # Their zero bytes are characters, not a sign of binary data.
    text = "Türkiye backs the plan; Egypt opposes it."
    assert read_article(text.encode(encoding), encoding=encoding).text == text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_a_byte_order_mark_says_utf16_or_utf32_by_itself(encoding):
    text = "Türkiye backs the plan."
    assert read_article(text.encode(encoding)).text == text


def test_foreign_language_is_named_only_when_sure():
    from detente.extract.text import foreign_language

    french = (
        "La Turquie soutient le gouvernement d'union nationale à Tripoli, tandis que "
        "l'Égypte et les Émirats arabes unis appuient les forces du maréchal Haftar dans "
        "l'est du pays, selon des diplomates réunis lundi à Berlin."
    )
    english = (
        "Turkey backs the Government of National Accord in Tripoli, while Egypt and the "
        "United Arab Emirates support Khalifa Haftar's forces in the east of the country, "
        "diplomats meeting in Berlin said on Monday."
    )
    assert foreign_language(french) == "fr"
    assert foreign_language(english) is None
    assert foreign_language("La Turquie soutient Tripoli.") is None  # too short to judge


def test_utf8_bom_is_accepted():
    assert read_article(b"\xef\xbb\xbfRussia backs Serbia.").text == "Russia backs Serbia."


def test_oversized_input_is_rejected():
    with pytest.raises(InputError, match="too large"):
        read_article(b"word " * 300_000, max_chars=1_000_000)


def test_html_is_reduced_to_its_article_text():
    article = read_article(HTML)
    assert article.was_html
    assert "Qatar hosted talks between Israel and Hamas" in article.text
    assert "Sport" not in article.text and "newsletter" not in article.text
    assert article.title == "Talks in Doha"


def test_html_fragment_without_page_structure():
    article = read_article(
        b"<p>Turkey is aiding the GNA.</p><p>Russia backs Haftar.</p>", kind="html"
    )
    assert "Turkey is aiding the GNA." in article.text and "Russia backs Haftar." in article.text


def test_invisible_characters_become_spaces_of_the_same_length():
    text = "Chile\u00a0backs Peru.\u200e Bolivia\u200bprotested.\ufeff\u2028Ecuador\u202fagreed."
    article = read_article(text)
    assert len(article.text) == len(text)  # every offset still points at the same words
    assert article.text == "Chile backs Peru.  Bolivia protested. \nEcuador agreed."
    for word in ("Chile", "Peru", "Bolivia", "Ecuador"):
        assert article.text.index(word) == text.index(word)


def test_citation_marks_become_spaces_of_the_same_length():
    text = "Chile backs Peru.[3][12] Bolivia protested,[a] as did Ecuador.[citation needed]"
    article = read_article(text)
    assert len(article.text) == len(text)
    assert "[" not in article.text and article.text.index("Ecuador") == text.index("Ecuador")
    # Brackets that are part of the prose stay.
    quoted = 'The minister said "[the treaty] stands" and cited clause [4] of it.'
    assert read_article(quoted).text == quoted
