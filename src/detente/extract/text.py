"""Turning raw input (bytes, plain text or HTML) into the text the pipeline reads.

Every rejection raises :class:`InputError` with a one-line message meant for the user.
"""

from __future__ import annotations

import codecs
import functools
import re
from datetime import date
from typing import TYPE_CHECKING, cast

from detente.domain.documents import Article
from detente.errors import InputError

if TYPE_CHECKING:
    from trafilatura.settings import Document

MAX_CHARS = 1_000_000  # spaCy's own default max_length; larger texts need splitting

_HTML_SNIFF = re.compile(
    r"^\s*(<!doctype html|<html\b|<head\b|<body\b|<article\b|<div\b|<p\b|<meta\b)", re.IGNORECASE
)
_TAG = re.compile(r"<(p|div|br|span|a|h[1-6]|article|section|body|html)\b[^>]*>", re.IGNORECASE)
_DROP = (
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "aside",
    "figure",
    "figcaption",
    "form",
    "noscript",
    "iframe",
    "svg",
    "button",
)
_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "td", "pre", "div")


# Characters that take up no room on the page: zero-width spaces and joiners, direction
# marks and embeddings, byte order marks.
INVISIBLE = (
    "\u200b\u200c\u200d\u200e\u200f\u2060"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    "\ufeff"
)
# Spaces that are not plain ones (no-break, thin, figure, ideographic ...).
_SPACES = (
    "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000"
)
_NORMALISE = str.maketrans(
    {**dict.fromkeys(INVISIBLE + _SPACES, " "), "\u2028": "\n", "\u2029": "\n"}
)
# Wikipedia-style reference marks glued to the word or punctuation before them: "[3]",
# "[12][13]", "[a]", "[note 2]", "[citation needed]", "[who?]".
CITATION = re.compile(
    r"(?<=\S)\[(?:\d{1,3}(?:[,–-] ?\d{1,3})*|[a-z]|(?:note|nb|n) ?\d{1,3}|"
    r"(?:citation|clarification|verification|source|page|year) needed|"
    r"(?:dubious|disputed|who|when|where|which|why|by whom|according to whom)\??"
    r"(?: [–-] discuss)?)\]",
    re.IGNORECASE,
)


def decode(data: bytes, encoding: str | None = None) -> str:
    """Bytes to text: UTF-8 (BOM allowed) unless ``encoding`` says otherwise."""
    if not data.strip():
        raise InputError("empty input: nothing to extract")
    encoding = encoding or _byte_order_mark(data)
    try:
        # UTF-16 and UTF-32 text is full of zero bytes; in any other encoding they mean
        # binary data.
        wide = encoding is not None and codecs.lookup(encoding).name.startswith(
            ("utf-16", "utf-32")
        )
    except LookupError as exc:
        raise InputError(f"unknown encoding {encoding!r}") from exc
    if b"\x00" in data[:65536] and not wide:
        raise InputError("binary input: this looks like a binary file, not text or HTML")
    try:
        text = data.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as exc:
        guess = _guess_encoding(data)
        hint = f" (it looks like {guess}; pass --encoding {guess})" if guess else ""
        raise InputError(
            f"not UTF-8: invalid byte 0x{data[exc.start]:02x} at offset {exc.start}{hint}"
        ) from exc
    _refuse_controls(text)
    return text


_WIDE = ("utf-16", "utf-32")


def _byte_order_mark(data: bytes) -> str | None:
    """The encoding a UTF-16 or UTF-32 byte order mark announces (UTF-8's is read anyway).
    UTF-32's marks are tested first: UTF-32-LE's begins with UTF-16-LE's."""
    for mark, name in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(mark):
            return name
    return None


def _refuse_controls(text: str) -> None:
    """Text that is mostly control characters is binary data, however it arrived."""
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if controls > 0.05 * len(sample):
        raise InputError("binary input: too many control characters for text")


def _guess_encoding(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:65536]).best()
    return best.encoding if best and best.encoding not in ("utf_8", "ascii") else None


def looks_like_html(text: str) -> bool:
    return bool(_HTML_SNIFF.match(text)) or len(_TAG.findall(text[:20000])) >= 3


def html_to_article(html: str) -> Article:
    """Main text and metadata of a web page; navigation, captions and asides are dropped."""
    import trafilatura

    # Without as_dict, bare_extraction answers a Document (or nothing), never a dict.
    doc = cast(
        "Document | None",
        trafilatura.bare_extraction(
            html, include_comments=False, include_tables=False, with_metadata=True
        ),
    )
    text = getattr(doc, "text", None) if doc is not None else None
    if doc is not None and text and len(text.split()) >= 5:
        return Article(
            text=text, title=doc.title, published=_iso_day(doc.date), url=doc.url, was_html=True
        )
    return Article(text=_html_blocks(html), was_html=True)


def _html_blocks(html: str) -> str:
    """Fallback for fragments too small for main-content detection: block text, one per line."""
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise InputError(f"unreadable HTML: {exc}") from exc
    for bad in root.iter(*_DROP):
        bad.drop_tree()
    blocks = [
        " ".join(el.text_content().split())
        for el in root.iter(*_BLOCKS)
        if not any(child.tag in _BLOCKS for child in el)
    ]
    text = "\n\n".join(b for b in blocks if b) or " ".join(root.text_content().split())
    return text


def _iso_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def read_article(
    data: bytes | str,
    *,
    encoding: str | None = None,
    kind: str = "auto",
    max_chars: int = MAX_CHARS,
) -> Article:
    """Validate and normalise one input document.

    ``kind`` is "auto" (sniff), "text" or "html".
    """
    text = data if isinstance(data, str) else decode(data, encoding)
    if not text.strip():
        raise InputError("empty input: nothing to extract")
    if isinstance(data, str):
        _refuse_controls(text)
    if len(text) > max_chars * 4:
        raise InputError(f"input too large: {len(text):,} characters (limit {max_chars:,})")
    is_html = kind == "html" or (kind == "auto" and looks_like_html(text))
    article = html_to_article(text) if is_html else Article(text=text)
    body = normalise_spacing(article.text.replace("\r\n", "\n").replace("\r", "\n"))
    if not body.strip():
        raise InputError("no text: the HTML has no readable content")
    if len(body) > max_chars:
        raise InputError(
            f"input too large: {len(body):,} characters (limit {max_chars:,}); "
            "split it into articles"
        )
    return Article(body, article.title, article.published, article.url, article.was_html)


def normalise_spacing(text: str) -> str:
    """The text as a reader sees it, at the same length: invisible characters, unusual
    spaces and citation marks become plain spaces, line separators newlines. Nothing moves,
    so every character offset into the result points at the same words in the input."""
    text = text.translate(_NORMALISE)
    return CITATION.sub(lambda m: " " * len(m.group()), text)


def with_author(article: Article, author: str | None) -> Article:
    """The same article, attributed to ``author`` (first-person statements are theirs)."""
    if author is None:
        return article
    return Article(
        article.text, article.title, article.published, article.url, article.was_html, author
    )


# Below this many words a language guess is unsure; a headline alone is not judged.
_LANGUAGE_MIN_WORDS = 20


@functools.cache
def _language_identifier():
    """py3langid's model (langid.py's, 97 languages, shipped inside the package): read
    once, on the first text judged (half a second)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def foreign_language(text: str) -> str | None:
    """The ISO 639-1 code of the language ``text`` is written in when it is surely not
    English (probability 0.9 or more); None for English, or when unsure. detente's
    pipeline reads English only: a French article yields no relation, and the user
    should hear why rather than see "0 relations"."""
    sample = text[:5000]
    if len(sample.split()) < _LANGUAGE_MIN_WORDS:
        return None
    language, probability = _language_identifier().classify(sample)
    return language if language != "en" and probability >= 0.9 else None
