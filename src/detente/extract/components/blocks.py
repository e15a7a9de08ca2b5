"""``detente_blocks``: split a page into lines of prose and boilerplate.

Runs before the parser. Every text block (a paragraph: a line, or the lines of one
paragraph where the text was wrapped) starts a sentence, so headlines and captions never
merge into prose. Blocks that are not prose — navigation, headlines, captions and photo
credits, calls to action, link lists — are recorded in ``doc._.boilerplate`` and every
later component skips them; the prose blocks are ``doc._.paragraphs``. Datelines ("KABUL —",
"BEIRUT, Lebanon (AP) —", "Lagos, May 4 (Reuters) -") that open a story or a paragraph
say where it was filed: their character ranges are ``doc._.datelines``, and the names in
them are neither actors nor places of the events reported. The same component estimates
the document's era (``doc._.era``) from the years its prose mentions, which resolves names
whose referent changes over time when no publication date is known.

Prose is judged on its words, not on what surrounds them: citation marks ("[3]",
"[citation needed]"), invisible characters (zero-width spaces, direction marks, byte
order marks) and non-breaking spaces do not make a paragraph page furniture, and text
hard-wrapped at a fixed width is joined back into paragraphs whatever the next line
starts with.
"""

from __future__ import annotations

import re
import statistics
from bisect import bisect_right
from typing import TYPE_CHECKING, cast

from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span

from detente.extract.text import CITATION, INVISIBLE

if TYPE_CHECKING:
    from thinc.types import Ints2d

# A credit or caption marker; in running prose it only counts at the block's edges.
_CAPTION = re.compile(
    r"(image credit|photo credit|photo:|foto:|credit:|\bphoto by\b|\bphotograph by\b|"
    r"\bphoto courtesy\b|\bcourtesy of\b|\bgetty images\b|\bAP photo\b|\bvia getty\b|"
    r"reuters/|afp/|/shutterstock|shutterstock|\(screenshot\)|©|\bfile photo\b|"
    r"\bpictured\b|\bfile image\b)",
    re.IGNORECASE,
)
_CALL_TO_ACTION = re.compile(
    r"(keep reading|read more|continue reading|show less|show more|subscribe|sign up|"
    r"follow us|share this|advertisement|newsletter|cookie|all rights reserved|click here|"
    r"related articles?|related stories|skip to (main )?content|log ?in\b|privacy policy|"
    r"your email address|leave a (reply|comment)|back to top)",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(19[4-9]\d|20\d\d)\b")
_TERMINAL = (".", "!", "?", '"', "”", "’", "'", ")", ":")
_FINITE = {"VBD", "VBZ", "VBP", "MD"}

# Input read through ``read_article`` has invisible characters and citation marks replaced
# by spaces already; text handed to the pipeline directly may still have them.
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")
# A line of a hard-wrapped paragraph may end in these and go on in the next line; a
# headline, a caption or a finished sentence does not.
_OPEN_ENDINGS_WORDS = (
    "a an the of to in on at by for from with and or but nor that which who whose as "
    "than its their his her our into onto over under between against about after before "
    "during is are was were be been has have had will would could should may might must"
)
_OPEN_ENDINGS = frozenset(_OPEN_ENDINGS_WORDS.split())

# Datelines. A place in capitals ("KABUL", "NEW YORK", "RAS AL-AIN"), optionally followed by
# a region or country ("Afghanistan", "Kurdistan Region"), a date and a news agency, then a
# dash (or, after capitals, a colon); a place in ordinary case needs a date or an agency
# before its dash, so that prose such as "Turkey - which ..." is not taken for one.
_AGENCIES = (
    r"AP|AFP|Reuters|UPI|CNN|BBC|dpa|DPA|Xinhua|TASS|Tass|RIA Novosti|Interfax|Anadolu|"
    r"IANS|PTI|ANI|Bernama|Yonhap|Kyodo|EFE|ANSA|APA|IRNA|SPA|WAM|MENA|KUNA|QNA|"
    r"Bloomberg|Al Jazeera|NNA|SANA|Sputnik|AA|KNA|APP|UNB|NAN"
)
_AGENCY = rf"\((?:{_AGENCIES})(?:/[A-Za-z]+)?\)"
_MONTH = (
    r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|"
    r"Aug(?:ust|\.)?|Sep(?:t(?:ember|\.)?|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)"
)
_DAY = rf"(?:{_MONTH} \d{{1,2}}|\d{{1,2}} {_MONTH})(?:,? \d{{4}})?"
_CAPS_WORD = r"[A-Z][A-Z'’./-]*[A-Z.]"
_CAPS_PLACE = rf"{_CAPS_WORD}(?: {_CAPS_WORD}){{0,3}}"
_NAME_WORD = r"[A-Z][a-zà-ÿ'’.-]+"
_PLACE = rf"{_NAME_WORD}(?:[ -](?:{_NAME_WORD}|al|el|de|du|la|le)){{0,3}}"
_REGION = r"(?:, [A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,2})"
_DASH = r"(?:—|–|--|-|―)"
_DATELINE = re.compile(
    rf"(?:{_CAPS_PLACE}{_REGION}?(?:, {_DAY})?(?: ?{_AGENCY})?\s*(?:{_DASH}|:)"
    rf"|{_PLACE}{_REGION}?(?:(?:, {_DAY})(?: ?{_AGENCY})?|(?: ?{_AGENCY}))\s*{_DASH}"
    rf"|{_DAY} ?{_AGENCY}\s*{_DASH}"
    rf"|\(?(?:{_AGENCIES})\)?\s*{_DASH})"
    r"(?=\s|$)"
)


def _register() -> None:
    if not Doc.has_extension("boilerplate"):
        Doc.set_extension("boilerplate", default=None)  # list of (start_char, end_char)
        Doc.set_extension("published", default=None)  # datetime.date, set by the caller
        Doc.set_extension("era", default=None)  # float year, estimated from the text
        Doc.set_extension("author", default=None)  # Actor speaking as "we", set by the caller
        Span.set_extension("is_boilerplate", getter=_span_is_boilerplate)
    if not Doc.has_extension("paragraphs"):
        Doc.set_extension("paragraphs", default=None)  # prose blocks, (start_char, end_char)
        Doc.set_extension("datelines", default=None)  # (start_char, end_char) of each dateline


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


def in_dateline(doc: Doc, char: int) -> bool:
    """Whether character ``char`` lies inside one of the document's datelines."""
    datelines = doc._.datelines or []
    k = bisect_right(datelines, (char, float("inf"))) - 1
    return k >= 0 and datelines[k][0] <= char < datelines[k][1]


def places_at(doc: Doc, i: int) -> list[Span]:
    """The place spans (``doc._.places``) covering token ``i``: an index built once per
    document, so looking up a token costs the same in a long text as in a short one."""
    places = doc._.places or ()
    cached = doc.user_data.get("detente.places_at")
    if cached is None or cached[0] is not places or cached[1] != len(places):
        index: dict[int, list[Span]] = {}
        for span in places:
            for j in range(span.start, span.end):
                index.setdefault(j, []).append(span)
        cached = (places, len(places), index)
        doc.user_data["detente.places_at"] = cached
    return cached[2].get(i, [])


def paragraph_of(doc: Doc, char: int) -> tuple[int, int] | None:
    """The prose paragraph (``doc._.paragraphs``) holding character ``char``, if any."""
    paragraphs = doc._.paragraphs or []
    k = bisect_right(paragraphs, (char, float("inf"))) - 1
    if k >= 0 and paragraphs[k][0] <= char < paragraphs[k][1]:
        return paragraphs[k]
    return None


def clean(text: str) -> str:
    """The words of a block as a reader sees them: citation marks and invisible characters
    removed, every kind of space a plain one."""
    text = CITATION.sub("", _INVISIBLE_RE.sub("", text))
    return " ".join(text.split())


def _first_word(line: str) -> str:
    parts = line.split(maxsplit=1)
    return parts[0] if parts else ""


def _wrap_width(lines: list[str]) -> int | None:
    """The width a hard-wrapped text was filled to, or None when it is not wrapped.

    Wrapped text has no line longer than the width and many lines close to it; text with
    one paragraph per line has long lines (a few may pass, e.g. an unwrapped quotation)."""
    lengths = [len(line) for line in lines]
    if len(lengths) < 4:
        return None
    if sum(1 for n in lengths if n > 100) > 0.1 * len(lengths):
        return None
    short = [n for n in lengths if n <= 100]
    width = max(short)
    if width < 40 or sum(1 for n in short if n >= width - 12) < 3:
        return None
    return width


def _continues(prev: str, line: str, width: int | None) -> bool:
    """Whether ``line`` goes on with the paragraph whose last line is ``prev`` (both as
    they stand in the text, indentation included)."""
    prev_clean, line_clean = clean(prev), clean(line)
    if not prev_clean or not line_clean:
        return False
    if _CAPTION.search(line_clean[:40]) or _CALL_TO_ACTION.match(line_clean):
        return False
    if width is not None:
        # A hard-wrapped paragraph: the previous line was full, i.e. the next word would
        # not have fitted on it. An indented line opens a new paragraph.
        indented = line[:1] in (" ", "\t") and not prev[:1].isspace()
        full = len(prev) + 1 + len(_first_word(line)) > width - 5
        if full and not indented and len(prev) >= 0.6 * width:
            return True
    if prev_clean.endswith(_TERMINAL):
        return False
    last = prev_clean.split()[-1].lower()
    if prev_clean.endswith(",") or last in _OPEN_ENDINGS:
        return True  # a line cannot stop at "of", "the", "and" or a comma
    return len(prev_clean) >= 50 and line_clean[0].islower()


def text_blocks(text: str) -> list[tuple[int, int]]:
    """Character ranges of the text's blocks: lines, joined where a paragraph was wrapped."""
    raw_lines: list[tuple[int, int, str]] = []
    pos = 0
    for line in text.split("\n"):
        raw_lines.append((pos, pos + len(line), line))
        pos += len(line) + 1
    width = _wrap_width([line.rstrip() for _, _, line in raw_lines if clean(line)])
    blocks: list[tuple[int, int]] = []
    prev: str | None = None  # the last non-blank line
    prev_end = 0
    for start, end, line in raw_lines:
        if not clean(line):
            continue
        start += len(line) - len(line.lstrip())
        end -= len(line) - len(line.rstrip())
        adjacent = prev is not None and text[prev_end:start].count("\n") == 1
        # prev is re-tested because the type checker cannot see it inside `adjacent`.
        if adjacent and prev is not None and _continues(prev, line, width):
            blocks[-1] = (blocks[-1][0], end)
        else:
            blocks.append((start, end))
        prev, prev_end = line.rstrip(), end
    return blocks


def _at_edges(pattern: re.Pattern, block: str, words: int) -> bool:
    """A caption or call-to-action marker that makes the block page furniture: anywhere in a
    short block; in running prose only where captions and teasers put it, at either end."""
    if words <= 30:
        return bool(pattern.search(block))
    return bool(pattern.search(block[:40]) or pattern.search(block[-60:]))


# Words from which a block with a finite verb but no full stop is a sentence, not a headline.
_LONG_SENTENCE = 14


def is_prose(block: str, min_words: int, has_verb: bool = True) -> bool:
    """Whether a block reads as running text rather than page furniture.

    Prose ends like a sentence and has a finite verb; headlines, navigation, captions,
    credits and calls to action do not, or say what they are. A long block of several
    sentences is prose even when its last one was cut off, and so is one long sentence in
    sentence case that lacks its full stop (a standfirst, an excerpt cut off); a teaser
    that trails off ("…") is not.
    """
    block = clean(block)
    words = re.findall(r"[^\W\d_][\w'’.-]*", block)
    if _at_edges(_CAPTION, block, len(words)) or _at_edges(_CALL_TO_ACTION, block, len(words)):
        return False
    if len(words) < min_words or not has_verb:
        return False
    # Navigation strips and tag lists: many separators, few lowercase function words.
    if block.count("|") >= 2 or block.count("•") >= 2:
        return False
    lowercase = sum(1 for w in words if w[0].islower())
    if lowercase < len(words) * 0.25:
        return False
    if block.endswith(_TERMINAL):
        return True
    if (
        len(words) >= _LONG_SENTENCE
        and lowercase >= len(words) * 0.5
        and not block.endswith(("…", "..."))
    ):
        return True
    # A paragraph whose last sentence was cut: earlier sentences ended properly.
    return len(words) >= 25 and re.search(r"[.!?][\"”’)]? [\"“‘]?[A-Z]", block) is not None


def find_datelines(text: str, blocks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character ranges of the datelines opening any of the blocks."""
    out = []
    for start, end in blocks:
        m = _DATELINE.match(text, start, end)
        if m:
            out.append((start, m.end()))
    return out


class BlockSegmenter:
    def __init__(self, min_prose_words: int) -> None:
        self.min_prose_words = min_prose_words
        _register()

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        boilerplate: list[tuple[int, int]] = []
        paragraphs: list[tuple[int, int]] = []
        years: list[int] = []
        blocks = text_blocks(text)
        datelines = find_datelines(text, blocks)
        opening = {start: end for start, end in datelines}
        for start, end in blocks:
            # A dateline is not part of the prose it opens ("KABUL — Pakistan said ...").
            block = text[opening.get(start, start) : end]
            span = doc.char_span(start, end, alignment_mode="expand")
            # The tagger has run: a finite verb or modal marks a sentence.
            has_verb = span is None or any(t.tag_ in _FINITE for t in span)
            if is_prose(block, self.min_prose_words, has_verb):
                years.extend(int(y) for y in _YEAR.findall(block))
                paragraphs.append((start, end))
            else:
                boilerplate.append((start, end))
        doc._.boilerplate = boilerplate
        doc._.paragraphs = paragraphs
        doc._.datelines = datelines
        published = doc._.published
        if published is not None:
            doc._.era = published.year + (published.timetuple().tm_yday - 1) / 366
        elif years:
            doc._.era = float(statistics.median(years))
        # A block boundary is a sentence boundary, decided before the parser runs. Set in
        # one array write: the token setter checks the whole document each time.
        block_starts = {start for start, _ in blocks}
        starts = doc.to_array([SENT_START])
        for token in doc:
            if token.i > 0 and token.idx in block_starts:
                starts[token.i] = 1
        # spaCy's stubs disagree with themselves: to_array says float64, from_array wants
        # thinc's Ints2d; the array is to_array's own, so it is what from_array reads.
        doc.from_array([SENT_START], cast("Ints2d", starts))
        return doc


@Language.factory(
    "detente_blocks",
    default_config={"min_prose_words": 3},
    requires=["token.tag"],
    assigns=[
        "doc._.boilerplate",
        "doc._.paragraphs",
        "doc._.datelines",
        "doc._.era",
        "token.is_sent_start",
    ],
)
def make_blocks(nlp: Language, name: str, min_prose_words: int) -> BlockSegmenter:
    return BlockSegmenter(min_prose_words)
