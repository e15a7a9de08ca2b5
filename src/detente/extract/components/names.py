"""``detente_name_guard``: keep the parser from ending a sentence inside an actor's name.

The small English parser sometimes breaks a sentence inside a multi-word name it does not
know, above all one with an apostrophe or a hyphen ("Kata’ib Hezbollah": "Kata’ib" ends
the previous sentence), and the name then belongs to neither sentence. Runs before the
parser and marks the inner tokens of every multi-word gazetteer name as not starting a
sentence, and a name right after a full stop as starting one; the parser respects preset
boundaries. Block boundaries set by
``detente_blocks`` win: a name never runs across paragraphs.

Contract: writes ``token.is_sent_start`` (False inside multi-word names, True where one
follows a full stop), nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from detente.extract.components.actors import gazetteer_matcher

if TYPE_CHECKING:
    from thinc.types import Ints2d


class NameGuard:
    def __init__(self, nlp: Language, gazetteer: str | None) -> None:
        self.matcher = gazetteer_matcher(nlp, gazetteer)

    def __call__(self, doc: Doc) -> Doc:
        matches = [(key, start, end) for key, start, end in self.matcher(doc) if end - start > 1]
        if not matches:
            return doc
        # One array write: the token setter re-checks the whole document each time.
        starts = doc.to_array([SENT_START]).view("int64")  # -1: not a start
        for _, start, end in matches:
            if _after_full_stop(doc, start) and starts[start] != -1:
                starts[start] = 1  # the parser would otherwise end the sentence inside it
            for i in range(start + 1, end):
                if starts[i] != 1:
                    starts[i] = -1
        # spaCy's stubs want thinc's Ints2d here; it is to_array's own array, reinterpreted.
        doc.from_array([SENT_START], cast("Ints2d", starts.view("uint64")))
        return doc


_CLOSING_QUOTES = {'"', "”", "’", "'", "»", ")"}


def _after_full_stop(doc: Doc, i: int) -> bool:
    """Whether token ``i`` follows a sentence's final punctuation (and closing quotes)."""
    j = i - 1
    while j >= 0 and doc[j].text in _CLOSING_QUOTES:
        j -= 1
    return j >= 0 and doc[j].text in (".", "!", "?")


@Language.factory(
    "detente_name_guard",
    default_config={"gazetteer": None},
    assigns=["token.is_sent_start"],
)
def make_name_guard(nlp: Language, name: str, gazetteer: str | None) -> NameGuard:
    return NameGuard(nlp, gazetteer)
