"""``detente_relation_model``: the learned relation model decides what the rules propose
and what they miss.

How the rules and the model combine:

* every candidate pair of the document (``detente.extract.candidates``: two actors in one
  sentence or two neighbouring ones) is read by the model, which gives each reading (none,
  A backs B, B backs A, mutual, opposition) a calibrated probability and a status;
* a relation the rules found keeps its predicate, trigger, pattern and ``matched_by`` (the
  explanation), and takes as ``confidence`` the model's probability of the rules' reading
  of that pair; below ``keep_below`` it is dropped (the rules fired on words that, in this
  sentence, do not relate the two);
* a pair the rules did not relate, which the model relates with probability at least
  ``add_at``, becomes a relation of pattern ``model``: ``backs``, ``cooperates`` (mutual)
  or ``opposes``, with the word that governs both mentions as its trigger and the model's
  status as its negation and modality;
* a rule relation the model has no candidate for (an actor the rules made from a phrase,
  such as "Malian rebels") keeps the rules' confidence.

The thresholds are probabilities, chosen for each trained model on the corpus's own
validation split (the best mean F1 of the two polarities where it beats the incumbent in
95% of bootstrap resamples of the stories, ``tools/validate_combination.py``, which writes
them into the model's ``meta.json``), never on an evaluation set.

Contract: reads ``doc._.relations`` (from ``detente_relations``) and the actor mentions;
filters and extends ``doc._.relations`` and sets ``model_probability`` on each relation it
decided; ``detente_attributes`` then sets date, theatre and confidence.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from detente.extract.arguments import Argument, Mention
from detente.extract.candidates import Candidate, candidate_pairs
from detente.extract.relation_model import (
    PairDecision,
    PairInput,
    RelationModel,
    load_relation_model,
)
from detente.extract.rules.base import RelationMention
from detente.ontology import predicates

_PREDICATE = {
    "a_backs_b": "backs",
    "b_backs_a": "backs",
    "mutual": "cooperates",
    "opposition": "opposes",
}


def _agreeing(rel: RelationMention, first_is_subject: bool) -> tuple[str, ...]:
    """The model's readings that say what the rule says of the pair."""
    predicate = predicates()[rel.predicate]
    if predicate.polarity == "opposition":
        return ("opposition",)
    if predicate.symmetric:
        return ("mutual", "a_backs_b", "b_backs_a")
    return ("a_backs_b", "mutual") if first_is_subject else ("b_backs_a", "mutual")


def _governing_word(a: Span, b: Span) -> Token:
    """The lowest word that governs both mentions in the parse (their lowest common
    ancestor); across two sentences, the root of the later one."""
    if a.sent.start != b.sent.start:
        return b.sent.root
    above = {a.root.i}
    node = a.root
    while node.head.i != node.i:
        node = node.head
        above.add(node.i)
    node = b.root
    while node.i not in above and node.head.i != node.i:
        node = node.head
    return node if node.i in above else b.sent.root


def _argument(mention: Mention) -> Argument:
    return Argument(mention.actor, mention.span, mention.via, mention.span)


class RelationDecider:
    def __init__(
        self,
        model: RelationModel | str | None,
        keep_below: float | None,
        add_at: float | None,
        rules: bool,
    ) -> None:
        """``model``: a loaded model, or the folder of one (None: the shipped model).
        Thresholds left None are the model's own, chosen on the corpus's validation split
        (``tools/validate_combination.py`` writes them into its ``meta.json``)."""
        self.model = model if isinstance(model, RelationModel) else load_relation_model(model)
        chosen = self.model.meta.get("combination", {})
        self.keep_below = keep_below if keep_below is not None else chosen.get("keep_below", 0.0)
        self.add_at = add_at if add_at is not None else chosen.get("add_at", 0.5)
        self.rules = rules  # False: the model alone decides (the ablation's middle row)

    def __call__(self, doc: Doc) -> Doc:
        candidates = candidate_pairs(doc)
        if not candidates:
            return doc
        decided = self._decide(candidates)
        # Within one sentence a pair of actors is one candidate; rule relations find theirs.
        by_sentence: dict[tuple[frozenset[str], int], int] = {
            (c.pair, c.window.start): i for i, c in enumerate(candidates) if not c.crosses_sentences
        }
        rules = list(doc._.relations or ()) if self.rules else []
        related = {(self._pair(rel), rel.sentence.sent.start) for rel in rules}
        kept: list[RelationMention] = []
        for rel in rules:
            i = by_sentence.get((self._pair(rel), rel.sentence.sent.start))
            if i is None:
                kept.append(rel)
                continue
            first_is_subject = candidates[i].first.actor.id == rel.subject.actor.id
            probability = sum(decided[i].probabilities[k] for k in _agreeing(rel, first_is_subject))
            if probability < self.keep_below:
                continue
            rel.model_probability = min(1.0, probability)
            kept.append(rel)
        for candidate, decision in zip(candidates, decided, strict=True):
            if decision.label == "none" or decision.probability < self.add_at:
                continue
            sentences = (candidate.first.span.sent.start, candidate.second.span.sent.start)
            if any((candidate.pair, s) in related for s in sentences):
                continue
            kept.append(self._relation(candidate, decision))
        doc._.relations = kept
        return doc

    @staticmethod
    def _pair(rel: RelationMention) -> frozenset[str]:
        return frozenset((rel.subject.actor.id, rel.object.actor.id))

    @staticmethod
    def _input(c: Candidate, start: int) -> PairInput:
        return PairInput(
            (c.first.span.start_char - start, c.first.span.end_char - start),
            (c.second.span.start_char - start, c.second.span.end_char - start),
        )

    def _decide(self, candidates: list[Candidate]) -> list[PairDecision]:
        """One decision per candidate; each window's text encoded once."""
        windows: dict[tuple[int, int], list[int]] = {}
        for i, c in enumerate(candidates):
            windows.setdefault((c.window.start, c.window.end), []).append(i)
        batch = []
        for members in windows.values():
            window = candidates[members[0]].window
            start = window.start_char
            batch.append(
                (
                    window.text,
                    [self._input(candidates[i], start) for i in members],
                )
            )
        out: list[PairDecision | None] = [None] * len(candidates)
        for members, decisions in zip(windows.values(), self.model.decide(batch), strict=True):
            for i, d in zip(members, decisions, strict=True):
                out[i] = d
        return [d for d in out if d is not None]

    def _relation(self, candidate: Candidate, decision: PairDecision) -> RelationMention:
        first, second = _argument(candidate.first), _argument(candidate.second)
        subject, obj = (second, first) if decision.label == "b_backs_a" else (first, second)
        trigger = _governing_word(candidate.first.span, candidate.second.span)
        return RelationMention(
            subject=subject,
            object=obj,
            predicate=_PREDICATE[decision.label],
            trigger=trigger.doc[trigger.i : trigger.i + 1],
            sentence=candidate.window,
            pattern="model",
            matched_by="relation model",
            negated=decision.status == "negated",
            modality=decision.status
            if decision.status in ("reported", "hypothetical")
            else "asserted",
            model_probability=decision.probability,
        )


@Language.factory(
    "detente_relation_model",
    default_config={
        "model": None,
        "keep_below": None,
        "add_at": None,
        "rules": True,
    },
    requires=["doc._.relations", "doc._.actor_mentions"],
    assigns=["doc._.relations"],
)
def make_relation_decider(
    nlp: Language,
    name: str,
    model: str | None,
    keep_below: float | None,
    add_at: float | None,
    rules: bool,
) -> RelationDecider:
    return RelationDecider(model, keep_below, add_at, rules)
