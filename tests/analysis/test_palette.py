"""One palette for every picture: the page's script and style sheet carry the values of
detente.analysis.palette, and no two signs or blocs share a colour."""

from __future__ import annotations

import json
import re

from detente.analysis.palette import (
    BLOC_COLOURS,
    BLOC_SHAPES,
    NO_BLOC_COLOUR,
    STANCE_COLOURS,
    STANCE_LINES,
)
from tests.paths import STATIC


def _constant(script: str, name: str) -> object:
    found = re.search(rf"^const {name} = (.+?);$", script, re.M)
    assert found, name
    # The constants are JSON but for unquoted keys.
    return json.loads(re.sub(r"(\w+):", r'"\1":', found.group(1)))


def test_the_page_draws_with_the_palette() -> None:
    script = (STATIC / "explorer.js").read_text()
    assert _constant(script, "STANCE") == STANCE_COLOURS
    assert _constant(script, "LINE") == STANCE_LINES
    assert _constant(script, "BLOC") == list(BLOC_COLOURS)
    assert _constant(script, "SHAPE") == list(BLOC_SHAPES)
    assert _constant(script, "NO_BLOC") == NO_BLOC_COLOUR
    style = (STATIC / "explorer.css").read_text()
    variables = dict(re.findall(r"--(\w+): (#[0-9a-f]{6});", style))
    assert (variables["align"], variables["oppose"], variables["mixed"]) == tuple(
        STANCE_COLOURS[s] for s in ("alignment", "opposition", "mixed")
    )
    assert (variables["bloc0"], variables["bloc1"]) == BLOC_COLOURS


def test_no_sign_rests_on_colour_alone() -> None:
    assert len(set(STANCE_LINES.values())) == len(STANCE_LINES)
    assert len(set(BLOC_SHAPES)) == len(BLOC_SHAPES)
    colours = [*STANCE_COLOURS.values(), *BLOC_COLOURS, NO_BLOC_COLOUR]
    assert len(set(colours)) == len(colours)
