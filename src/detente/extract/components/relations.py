"""``detente_relations``: relations between actors, from the dependency parse.

A handful of constructions carry nearly every relation in news text, and each has a rule:

* verbal — "Chile is arming the rebels"; passive "was shot down by Peruvian jets"; with the
  subject inherited through control and coordination ("offered to help", "flew to Lima
  and signed"), the accused of "accused X of arming Y" and the blamed party of "furious
  with X for supporting Y";
* nominal — "an embargo on Peru", "Chile's aid to the junta", "the war between
  A and B", light verbs ("impose sanctions on", "established cooperation"), and reversals
  ("lifted sanctions on X" is a concession);
* adjectival — "furious with Lima", "hostile to";
* compound — "the Chilean-funded militia", "a UN-recognised government"; and stance
  prefixes: "pro-junta forces", "anti-government rebels";
* idiom — "at war with", "side by side with", "in support of" (multiword expressions);

Relational nouns ("its Andean allies", "Chile's proxy, the militia") are a sixth, smaller one.
Verbs the lexicon lacks are read with the CAMEO dictionary's patterns (``extract/cameo/``).
The trigger words come from the lexicon file, not from code.

Contract: sets ``doc._.relations`` to a list of :class:`RelationMention`; negation,
modality, date, theatre and confidence are left for ``detente_attributes``.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from detente.domain import Via
from detente.extract.arguments import Argument, MentionIndex
from detente.extract.cameo import compile_lexicon
from detente.extract.lexicon import Lexicon, load_lexicon
from detente.extract.rules.arguments import ArgumentRules
from detente.extract.rules.base import TERRITORIAL, RelationMention
from detente.extract.rules.idioms import IdiomRules, idiom_matcher
from detente.extract.rules.modifiers import ModifierRules
from detente.extract.rules.nominal import NominalRules
from detente.extract.rules.verbal import VerbalRules
from detente.ontology import load_gazetteer, predicates

# Relations whose object may be another actor's action, standing for that actor: "backed
# Chile's war effort", "condemned Peru's raids", "sanctions over Lima's missile tests".
EVENT_ROLES = frozenset(
    {"backs", "aids", "criticises", "opposes", "demands", "sanctions", "protests", "investigates"}
)


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _gerund_noun(token: Token) -> bool:
    """A subjectless gerund in a noun's place reads as that noun: "fighting between A and
    B erupted"."""
    return (
        token.tag_ == "VBG"
        and token.dep_ in ("nsubj", "nsubjpass", "pobj", "dobj")
        and not any(c.dep_ in ("nsubj", "nsubjpass", "dobj", "poss") for c in token.children)
    )


def _coordinated(a: Span, b: Span) -> bool:
    """Two modifiers coordinated over one head ("Indian and Chinese troops") name two
    parties, though they share a phrase."""
    return any(t in u.conjuncts for t in a for u in b)


def _trim(sent: Span) -> Span:
    """The sentence without the whitespace tokens the parser leaves at its edges."""
    start, end = sent.start, sent.end
    while start < end and sent.doc[start].is_space:
        start += 1
    while end > start and sent.doc[end - 1].is_space:
        end -= 1
    return sent.doc[start:end]


def _register() -> None:
    if not Doc.has_extension("relations"):
        Doc.set_extension("relations", default=None)


class RelationExtractor(ArgumentRules, VerbalRules, NominalRules, ModifierRules, IdiomRules):
    def __init__(
        self, nlp: Language, lexicon: str | None, gazetteer: str | None, cameo: bool
    ) -> None:
        _register()
        self.lexicon: Lexicon = load_lexicon(lexicon)
        self.gazetteer = load_gazetteer(Path(gazetteer)) if gazetteer else load_gazetteer()
        self.symmetric = {name for name, p in predicates().items() if p.symmetric}
        self.hostile = {name for name, p in predicates().items() if p.polarity == "opposition"}
        self.idioms, self.idiom_by_key = idiom_matcher(nlp, self.lexicon)
        self._idiom_preps: set[int] = set()
        self._sentence_words: tuple[int, frozenset[str]] = (-1, frozenset())
        self.cameo = compile_lexicon() if cameo else None

    def __call__(self, doc: Doc) -> Doc:
        index = MentionIndex(doc, self.lexicon, self.gazetteer)
        self._sentence_words = (-1, frozenset())
        found: list[RelationMention] = []
        for sent in doc.sents:
            if sent._.is_boilerplate or not any(index.at(i) for i in range(sent.start, sent.end)):
                continue
            sent = _trim(sent)
            idioms = self._idiom_matches(sent)
            self._idiom_preps = {span[-1].i for _, span in idioms}
            # A word inside an idiom means what the idiom means: "rushed to the aid of"
            # is no movement, "hit out at" no attack.
            in_idiom = {t.i for _, span in idioms for t in span}
            for token in sent:
                if token.i in in_idiom:
                    continue
                found += self._at(token, sent, index)
            for idiom, span in idioms:
                found += self._idiom(idiom, span, sent, index)
            if not any(t.pos_ in ("VERB", "AUX") for t in sent):
                found += self._verbless(sent, index)
        doc._.relations = self._dedupe(found)
        return doc

    # ------------------------------------------------------------------ dispatch
    def _at(self, token: Token, sent: Span, index: MentionIndex) -> list[RelationMention]:
        out: list[RelationMention] = []
        out += self._compound(token, sent, index)
        if token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB"):
            out += self._verbal(token, sent, index)
        if token.pos_ in ("NOUN", "PROPN") or _gerund_noun(token):
            out += self._nominal(token, sent, index)
            out += self._stance(token, sent, index)
        if not out:
            out += self._adjectival(token, sent, index)
        return out

    def _make(
        self,
        subjects: list[Argument],
        objects: list[Argument],
        predicate: str,
        trigger: Span,
        sent: Span,
        pattern: str,
        negated_as: str | None = None,
    ) -> list[RelationMention]:
        out = []
        for s, o in itertools.product(subjects, objects):
            if s.actor.id == o.actor.id or s.mention == o.mention:
                continue
            if (
                pattern != "compound"
                and _overlap(s.span, o.span)
                and not _coordinated(s.mention, o.mention)
            ):
                continue  # one phrase read twice: "the Chilean Wagner unit" as Chile and Wagner
            if s.via in (Via.event, Via.cessation) or (
                o.via == Via.event and predicate not in EVENT_ROLES
            ):
                continue  # "their raids" are not an actor that raids can hit
            if s.via == Via.place:
                continue  # "Peru's largest city" does not act; whoever holds it does
            if o.via == Via.cessation and predicate != "demands":
                continue  # welcoming an end to Peru's raids is not backing Peru
            if o.via == Via.place:
                if predicate not in TERRITORIAL:
                    continue  # "withdrew from Lima" is not about Peru's government
                if o.actor.id == (s.actor.country or s.actor.id):
                    continue  # a state acting on its own territory ("retook the province")
            out.append(RelationMention(s, o, predicate, trigger, sent, pattern, negated_as))
        return out

    def _pairs(
        self, args: list[Argument], predicate: str, trigger: Span, sent: Span, pattern: str
    ) -> list[RelationMention]:
        """Reciprocal relations among coordinated actors ("A and B clashed")."""
        out = []
        for a, b in itertools.combinations(args, 2):
            out += self._make([a], [b], predicate, trigger, sent, pattern)
        return out

    # ------------------------------------------------------------------ cleanup
    def _dedupe(self, found: list[RelationMention]) -> list[RelationMention]:
        """One relation per actor pair, predicate and sentence: the most specific pattern."""
        rank = {
            "compound": 0,
            "passive": 1,
            "verbal": 2,
            "idiom": 3,
            "adjectival": 4,
            "nominal": 5,
            "relational": 6,
        }
        best: dict[tuple, RelationMention] = {}
        for rel in found:
            pair: tuple[str, ...] = (rel.subject.actor.id, rel.object.actor.id)
            if rel.predicate in self.symmetric:
                pair = tuple(sorted(pair))
            key = (*pair, rel.predicate, rel.sentence.start, rel.trigger.start)
            if key not in best or rank[rel.pattern] < rank[best[key].pattern]:
                best[key] = rel
        return sorted(best.values(), key=lambda r: (r.sentence.start, r.trigger.start))


@Language.factory(
    "detente_relations",
    default_config={"lexicon": None, "gazetteer": None, "cameo": True},
    requires=["doc._.actor_mentions", "token.dep"],
    assigns=["doc._.relations"],
)
def make_relation_extractor(
    nlp: Language, name: str, lexicon: str | None, gazetteer: str | None, cameo: bool
) -> RelationExtractor:
    """``cameo``: also read verbs detente's own lexicon lacks with the CAMEO dictionary."""
    return RelationExtractor(nlp, lexicon, gazetteer, cameo)
