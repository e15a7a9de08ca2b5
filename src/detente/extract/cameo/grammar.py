"""Dependency labels (spaCy's English ClearNLP scheme) and closed word classes that
the dictionary's patterns are compiled against and their slots read from."""

from __future__ import annotations

# Dependency labels for each slot of a pattern.


SUBJECT_DEPS = ("nsubj", "csubj")
OBJECT_DEPS = (
    "dobj",
    "nsubjpass",
    "attr",
    "oprd",
    "acomp",
    "xcomp",
    "ccomp",
    "advmod",
    "npadvmod",
    "dative",
    "advcl",
)
PARTICLE_DEPS = ("prt", "advmod", "prep", "dobj", "acomp", "oprd", "dative", "npadvmod")
PREP_DEPS = ("prep", "dative", "agent", "prt", "advmod")
POBJ_DEPS = ("pobj", "pcomp")
MODIFIER_DEPS = ("poss", "compound", "amod", "nmod", "nummod", "npadvmod")
# Where a prepositional phrase may hang when it is not on the verb: "sanctions ON Iran".
HOLDER_DEPS = ("dobj", "nsubjpass", "attr", "oprd", "dative", "npadvmod")

# Words read as particles (not nouns) after the verb: "put UP resistance", "kick OFF".
PARTICLES = frozenset(
    {
        "OUT",
        "DOWN",
        "UP",
        "OFF",
        "BACK",
        "FORWARD",
        "AWAY",
        "ASIDE",
        "AHEAD",
        "TOGETHER",
        "FORTH",
        "APART",
    }
)
PARTICLE_WORDS = frozenset(w.lower() for w in PARTICLES)
# Words read as a preposition introducing a phrase when written without brackets
# (TABARI style: "* WITH", "* TOWARD +").
PREPOSITIONS = frozenset(
    {
        "TO",
        "WITH",
        "AGAINST",
        "ON",
        "ONTO",
        "INTO",
        "TOWARD",
        "TOWARDS",
        "AT",
        "FOR",
        "FROM",
        "OF",
        "IN",
        "BY",
        "OVER",
        "UNDER",
        "BETWEEN",
        "AMONG",
        "BEHIND",
        "BEFORE",
        "AFTER",
        "UPON",
        "ACROSS",
        "THROUGH",
        "WITHOUT",
        "WITHIN",
        "ALONGSIDE",
        "NEAR",
        "AROUND",
        "DURING",
        "SINCE",
        "UNTIL",
        "AS",
        "ABOUT",
        "BEYOND",
        "INSIDE",
        "OUTSIDE",
        "ALONG",
    }
)
# A consecutive phrase's head is the last word before one of these ("WEAPONS_OF_MASS_...").
PHRASE_BREAKS = PREPOSITIONS | {"AND", "OR"}
FUNCTION_WORDS = PHRASE_BREAKS | {"THE", "A", "AN"}
# Heads of multi-word verb entries that the parser never makes a VERB anchor.
AUXILIARIES = frozenset({"is", "was", "were", "are", "be", "been", "am"})

# Weights of a pattern's constraints when two patterns match the same verb: the object
# noun says more than a preposition ("rush AID to" is aid, not a visit "rush (TO)").
WEIGHT = {"head": 3, "modifier": 2, "particle": 2, "extra": 2, "prep": 1, "pobj": 2}
