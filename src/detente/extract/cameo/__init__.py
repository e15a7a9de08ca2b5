"""The CAMEO verb dictionary as dependency patterns.

``lexicon/cameo.json`` is PETRARCH's CAMEO verb dictionary, parsed by
``tools/build_cameo.py``; ``lexicon/cameo_map.toml`` maps each CAMEO code to a detente
predicate. The package loads both once, compiles every usable pattern into a spaCy
``DependencyMatcher`` pattern over lemmas and the dependency parse, and matches a parsed
document:

* :mod:`.data` reads the dictionary and the mapping;
* :mod:`.vocabulary` expands the dictionary's words into the token forms they match;
* :mod:`.verbs`, :mod:`.patterns` and :mod:`.compile` turn verbs and patterns into the
  nodes of :mod:`.nodes`; :mod:`.index` indexes them by the verb's lemma and ranks them;
* :mod:`.operators` evaluates one pattern at one verb, :mod:`.slots` finds the source and
  target a pattern leaves unmarked, and :mod:`.matching` puts these together.

The relation component reads the verbs that detente's own lexicon lacks with
:func:`match_verb`; :func:`match` codes every verb of a text. The names are re-exported
here so that callers import them from ``detente.extract.cameo`` whatever module they
live in.
"""

from __future__ import annotations

from .compile import ambiguous_verbs, compile_lexicon, compile_stats
from .data import (
    LEXICON_DIR,
    Block,
    CameoLexicon,
    CameoMap,
    Element,
    Marker,
    NounPhrase,
    Pattern,
    PrepPhrase,
    Synset,
    Term,
    Verb,
    load_lexicon,
    load_map,
)
from .grammar import (
    AUXILIARIES,
    FUNCTION_WORDS,
    HOLDER_DEPS,
    MODIFIER_DEPS,
    OBJECT_DEPS,
    PARTICLE_DEPS,
    PARTICLE_WORDS,
    PARTICLES,
    PHRASE_BREAKS,
    POBJ_DEPS,
    PREP_DEPS,
    PREPOSITIONS,
    SUBJECT_DEPS,
    WEIGHT,
)
from .index import CompiledLexicon, LemmaIndex, ShapeProbe, rank
from .matching import CameoMatch, anchor_lemma, is_predicate, match, match_verb
from .nodes import CompiledPattern, Node
from .operators import dependency_matcher, search, verify
from .patterns import Drop, PatternCompiler
from .slots import default_source, default_targets
from .verbs import VerbShape, irregular_forms, lemmatizer_misses, verb_shapes
from .vocabulary import Lexeme, Phrase, Vocabulary, noun_forms

__all__ = [
    "AUXILIARIES",
    "FUNCTION_WORDS",
    "HOLDER_DEPS",
    "LEXICON_DIR",
    "MODIFIER_DEPS",
    "OBJECT_DEPS",
    "PARTICLES",
    "PARTICLE_DEPS",
    "PARTICLE_WORDS",
    "PHRASE_BREAKS",
    "POBJ_DEPS",
    "PREPOSITIONS",
    "PREP_DEPS",
    "SUBJECT_DEPS",
    "WEIGHT",
    "Block",
    "CameoLexicon",
    "CameoMap",
    "CameoMatch",
    "CompiledLexicon",
    "CompiledPattern",
    "Drop",
    "Element",
    "LemmaIndex",
    "Lexeme",
    "Marker",
    "Node",
    "NounPhrase",
    "Pattern",
    "PatternCompiler",
    "Phrase",
    "PrepPhrase",
    "ShapeProbe",
    "Synset",
    "Term",
    "Verb",
    "VerbShape",
    "Vocabulary",
    "ambiguous_verbs",
    "anchor_lemma",
    "compile_lexicon",
    "compile_stats",
    "default_source",
    "default_targets",
    "dependency_matcher",
    "irregular_forms",
    "is_predicate",
    "lemmatizer_misses",
    "load_lexicon",
    "load_map",
    "match",
    "match_verb",
    "noun_forms",
    "rank",
    "search",
    "verb_shapes",
    "verify",
]
