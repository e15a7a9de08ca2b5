"""``detente_blocks``: split a page into lines of prose and boilerplate.

Runs before the parser. Every text block (a line, or lines wrapped inside one paragraph)
starts a sentence, so headlines and captions never merge into prose. Blocks that are not
prose — navigation, headlines, captions and photo credits, calls to action — are recorded
in ``doc._.boilerplate`` and every later component skips them. The same component
estimates the document's era (``doc._.era``) from the years its prose mentions, which
resolves names whose referent changes over time when no publication date is known.
"""

from __future__ import annotations

import re
import statistics

from spacy.language import Language
from spacy.tokens import Doc, Span

_CAPTION = re.compile(
    r"(image credit|photo credit|photo:|credit:|\bphoto by\b|\bgetty images\b|\bAP photo\b|"
    r"reuters/|afp/|/shutterstock|shutterstock|\(screenshot\)|©|\bfile photo\b|\bpictured\b)",
    re.IGNORECASE,
)
_CALL_TO_ACTION = re.compile(
    r"(keep reading|read more|show less|show more|subscribe|sign up|follow us|share this|"
    r"advertisement|newsletter|cookie|all rights reserved|click here|related articles?|"
    r"skip to (main )?content|log ?in\b|privacy policy)",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(19[4-9]\d|20\d\d)\b")
_TERMINAL = (".", "!", "?", '"', "”", "’", "'", ")", ":")
_FINITE = {"VBD", "VBZ", "VBP", "MD"}


def _register() -> None:
    if not Doc.has_extension("boilerplate"):
        Doc.set_extension("boilerplate", default=None)  # list of (start_char, end_char)
        Doc.set_extension("published", default=None)  # datetime.date, set by the caller
        Doc.set_extension("era", default=None)  # float year, estimated from the text
        Doc.set_extension("author", default=None)  # Actor speaking as "we", set by the caller
        Span.set_extension("is_boilerplate", getter=_span_is_boilerplate)


def _span_is_boilerplate(span: Span) -> bool:
    return span.start in boilerplate_tokens(span.doc)


def boilerplate_tokens(doc: Doc) -> frozenset[int]:
    """Indices of the tokens inside boilerplate blocks (computed once per document)."""
    cached = doc.user_data.get("detente.boilerplate_tokens")
    if cached is None or cached[0] is not doc._.boilerplate:
        blocks = doc._.boilerplate or ()
        inside = frozenset(
            t.i
            for start, end in blocks
            for t in (doc.char_span(start, end, alignment_mode="expand") or ())
        )
        cached = (doc._.boilerplate, inside)
        doc.user_data["detente.boilerplate_tokens"] = cached
    return cached[1]


def text_blocks(text: str) -> list[tuple[int, int]]:
    """Character ranges of the text's blocks: lines, joined where a paragraph was wrapped."""
    blocks: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip()
        if not stripped:
            continue
        start += len(line) - len(line.lstrip())
        end -= len(line) - len(line.rstrip())
        if blocks:
            prev_start, prev_end = blocks[-1]
            prev = text[prev_start:prev_end]
            wrapped = (
                not prev.endswith(_TERMINAL)
                and len(prev) >= 50
                and stripped[0].islower()
                and text[prev_end:start].count("\n") == 1
            )
            if wrapped:
                blocks[-1] = (prev_start, end)
                continue
        blocks.append((start, end))
    return blocks


def is_prose(block: str, min_words: int, has_verb: bool = True) -> bool:
    """Whether a block reads as running text rather than page furniture.

    Prose ends like a sentence and has a finite verb; headlines, navigation, captions,
    credits and calls to action do not, or say what they are.
    """
    if _CAPTION.search(block) or _CALL_TO_ACTION.search(block):
        return False
    words = re.findall(r"[^\W\d_][\w'’.-]*", block)
    if len(words) < min_words or not has_verb or not block.rstrip().endswith(_TERMINAL):
        return False
    # Navigation strips and tag lists: many separators, few lowercase function words.
    if block.count("|") >= 2 or block.count("•") >= 2:
        return False
    lowercase = sum(1 for w in words if w[0].islower())
    return lowercase >= len(words) * 0.25


class BlockSegmenter:
    def __init__(self, min_prose_words: int) -> None:
        self.min_prose_words = min_prose_words
        _register()

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        boilerplate: list[tuple[int, int]] = []
        years: list[int] = []
        for start, end in text_blocks(text):
            block = text[start:end]
            span = doc.char_span(start, end, alignment_mode="expand")
            # The tagger has run: a finite verb or modal marks a sentence.
            has_verb = span is None or any(t.tag_ in _FINITE for t in span)
            if is_prose(block, self.min_prose_words, has_verb):
                years.extend(int(y) for y in _YEAR.findall(block))
            else:
                boilerplate.append((start, end))
        doc._.boilerplate = boilerplate
        published = doc._.published
        if published is not None:
            doc._.era = published.year + (published.timetuple().tm_yday - 1) / 366
        elif years:
            doc._.era = float(statistics.median(years))
        # A block boundary is a sentence boundary, decided before the parser runs.
        after_newline = True
        for token in doc:
            if token.is_space:
                if "\n" in token.text:
                    after_newline = True
                continue
            if after_newline and token.i > 0:
                token.is_sent_start = True
            after_newline = "\n" in token.whitespace_
        return doc


@Language.factory(
    "detente_blocks",
    default_config={"min_prose_words": 3},
    requires=["token.tag"],
    assigns=["doc._.boilerplate", "doc._.era", "token.is_sent_start"],
)
def make_blocks(nlp: Language, name: str, min_prose_words: int) -> BlockSegmenter:
    return BlockSegmenter(min_prose_words)
