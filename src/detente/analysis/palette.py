"""How every picture detente makes shows stance: the colours and line styles of the
explorer page (explorer.js and explorer.css carry the same values; a test holds them
equal), the notebook figures and the GraphML export.

Colours are from Okabe and Ito's palette (*Color Universal Design*, 2008), told apart by
readers with any common colour-vision deficiency; and no sign rests on colour alone, so
that a greyscale print reads the same: an aligned pair is a solid line, an opposed pair a
dashed one ending in a bar (the "against" mark of signed-graph drawings) and a mixed pair
a dotted one; the two blocs of a theatre differ by shape as well as colour. A pair whose
stance is mostly deeds (aid, sanctions, fighting) is drawn cased in a dark outline, one of
mostly words lighter and without it.
"""

from __future__ import annotations

# Edge colours by stance: blue, vermillion, grey.
STANCE_COLOURS = {"alignment": "#0072b2", "opposition": "#d55e00", "mixed": "#7f7f7f"}
# Edge line styles by stance (CSS / Cytoscape / matplotlib names alike).
STANCE_LINES = {"alignment": "solid", "opposition": "dashed", "mixed": "dotted"}
# Node colours and shapes of the two blocs (bluish green circle, reddish purple square),
# and of an actor in neither.
BLOC_COLOURS = ("#009e73", "#cc79a7")
BLOC_SHAPES = ("ellipse", "round-rectangle")
NO_BLOC_COLOUR = "#b8bdc5"
