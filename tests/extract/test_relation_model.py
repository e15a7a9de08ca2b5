"""The learned relation model: its candidates, its inputs, the shipped weights, and how its
decisions combine with the rules'."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pytest

from detente.extract import Extractor
from detente.extract.candidates import candidate_pairs
from detente.extract.components.attributes import AttributeTagger
from detente.extract.components.decisions import RelationDecider
from detente.extract.pipeline import build_pipeline
from detente.extract.relation_model import (
    LABELS,
    STATUSES,
    PairDecision,
    PairInput,
    RelationModel,
    load_relation_model,
    model_directory,
    pair_masks,
)


@pytest.fixture(scope="module")
def rules_nlp(rules_extractor: Extractor):
    return rules_extractor.nlp


def _pairs(doc) -> set[tuple[str, str, bool]]:
    return {
        (c.first.actor.id, c.second.actor.id, c.crosses_sentences) for c in candidate_pairs(doc)
    }


def test_candidates_pair_every_two_actors_of_a_sentence_once(rules_nlp) -> None:
    doc = rules_nlp("Chile and Peru signed a defence pact in Lima, and Chile thanked Peru.")
    pairs = _pairs(doc)
    assert pairs == {("CHL", "PER", False)}, pairs


def test_candidates_cross_neighbouring_sentences_only_for_pairs_not_in_one(rules_nlp) -> None:
    doc = rules_nlp("Chile sent troops to the border. The move alarmed Bolivia and Peru.")
    pairs = _pairs(doc)
    assert ("BOL", "PER", False) in pairs
    assert {("CHL", "BOL", True), ("CHL", "PER", True)} <= pairs
    assert not any(a == b for a, b, _ in pairs)


def test_a_pronoun_for_two_actors_is_a_candidate_for_each(rules_nlp) -> None:
    doc = rules_nlp("Chile and Peru met in Lima. They condemned Bolivia.")
    within = {(a, b) for a, b, across in _pairs(doc) if not across}
    # "They" stands for Chile and for Peru: each reading meets Bolivia in its sentence.
    assert {("CHL", "BOL"), ("PER", "BOL")} <= within


def test_pair_masks_cover_the_mentions_and_the_words_between() -> None:
    # [CLS] chile arm ##s peru [SEP]: offsets as a word-piece tokenizer gives them
    offsets = [(0, 0), (0, 5), (6, 9), (9, 10), (11, 15), (0, 0)]
    a, b, between = pair_masks(offsets, [PairInput((0, 5), (11, 15))])
    assert a.tolist() == [[0, 1, 0, 0, 0, 0]]
    assert b.tolist() == [[0, 0, 0, 0, 1, 0]]
    assert between.tolist() == [[0, 0, 1, 1, 0, 0]]


def test_a_mention_cut_off_by_truncation_keeps_the_last_piece() -> None:
    offsets = [(0, 0), (0, 5), (6, 9), (0, 0)]
    _, b, between = pair_masks(offsets, [PairInput((0, 5), (40, 44))])
    assert b.tolist() == [[0, 0, 1, 0]] and between.sum() == 0


def test_the_shipped_model_is_small_int8_and_says_how_it_was_made() -> None:
    directory = model_directory()
    onnx = directory / "relations.onnx"
    assert onnx.stat().st_size < 40_000_000  # int8: a few tens of MB
    meta = json.loads((directory / "meta.json").read_text())
    assert tuple(meta["labels"]) == LABELS and tuple(meta["statuses"]) == STATUSES
    assert meta["temperature"] > 0 and meta["seed"] is not None
    assert meta["data"]["train_pairs"] > 0 and "validation" in meta


def test_the_model_gives_calibrated_probabilities_per_pair() -> None:
    model = load_relation_model()
    text = "Chile condemned the Peruvian strike on Bolivia."
    pairs = [PairInput((0, 5), (19, 27)), PairInput((19, 27), (38, 45))]
    first = model.decide([(text, pairs), ("No pair here.", [])])
    again = model.decide([(text, pairs)])
    assert len(first) == 2 and first[1] == [] and len(first[0]) == 2
    for decision, same in zip(first[0], again[0], strict=True):
        assert set(decision.probabilities) == set(LABELS)
        assert sum(decision.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
        assert decision.probability == max(decision.probabilities.values())
        assert decision.status in STATUSES
        assert decision.probabilities == pytest.approx(same.probabilities)


class _FixedModel(RelationModel):
    """A model that reads every pair as ``label`` with probability ``p`` (the rest spread
    over the other labels): the combination's logic, apart from what any model learned."""

    def __init__(self, label: str, p: float, status: str = "asserted") -> None:
        self.label, self.p, self.status = label, p, status
        self.meta: dict = {}

    def decide(
        self, windows: Sequence[tuple[str, Sequence[PairInput]]]
    ) -> list[list[PairDecision]]:
        rest = (1 - self.p) / (len(LABELS) - 1)
        probabilities = {k: (self.p if k == self.label else rest) for k in LABELS}
        decision = PairDecision(self.label, self.p, probabilities, self.status, 0.9)
        return [[decision for _ in pairs] for _, pairs in windows]


def _decide(rules_nlp, text: str, model: RelationModel, **config) -> list:
    doc = rules_nlp.make_doc(text)
    for name, step in rules_nlp.pipeline:
        if name == "detente_attributes":
            RelationDecider(model, config.get("keep_below", 0.1), 0.5, config.get("rules", True))(
                doc
            )
        doc = step(doc)
    return doc._.relations


def test_a_rule_relation_takes_the_models_probability_as_confidence(rules_nlp) -> None:
    rels = _decide(rules_nlp, "Chile sanctioned Peru.", _FixedModel("opposition", 0.8))
    assert [(r.subject.actor.id, r.predicate, r.object.actor.id) for r in rels] == [
        ("CHL", "sanctions", "PER")
    ]
    assert rels[0].pattern != "model" and rels[0].confidence == pytest.approx(0.8)


def test_a_rule_relation_the_model_reads_as_nothing_is_dropped(rules_nlp) -> None:
    assert _decide(rules_nlp, "Chile sanctioned Peru.", _FixedModel("none", 0.95)) == []


def test_the_model_adds_what_the_rules_miss_with_its_status(rules_nlp) -> None:
    text = "Chile quietly stood behind Peru throughout the crisis."
    model = _FixedModel("a_backs_b", 0.7, status="reported")
    rels = _decide(rules_nlp, text, model, rules=False)
    assert [(r.subject.actor.id, r.predicate, r.object.actor.id) for r in rels] == [
        ("CHL", "backs", "PER")
    ]
    added = rels[0]
    assert added.pattern == "model" and added.matched_by == "relation model"
    assert added.modality == "reported" and added.confidence == pytest.approx(0.7)
    assert added.trigger.text == "stood"  # the word that governs both actors


def test_b_backs_a_turns_the_pair_round(rules_nlp) -> None:
    rels = _decide(
        rules_nlp, "Peru has long relied on Chile.", _FixedModel("b_backs_a", 0.9), rules=False
    )
    assert [(r.subject.actor.id, r.object.actor.id) for r in rels] == [("CHL", "PER")]


def test_fast_mode_is_the_rules_alone(rules_nlp, extractor: Extractor) -> None:
    assert "detente_relation_model" not in rules_nlp.pipe_names
    assert "detente_relation_model" in extractor.nlp.pipe_names
    with pytest.raises(ValueError):
        build_pipeline(mode="guess")


def test_every_relation_of_the_default_extractor_is_a_probability(extractor: Extractor) -> None:
    rels = extractor.extract(
        "Chile and Peru signed a defence pact on Monday. Bolivia condemned the deal, and "
        "its army shelled Peruvian positions."
    )
    assert rels and all(0.0 <= r.confidence <= 1.0 for r in rels)
    assert np.isfinite([r.confidence for r in rels]).all()


def test_attribute_tagger_is_unchanged_for_rule_relations_without_a_model(rules_nlp) -> None:
    doc = rules_nlp("Chile sanctioned Peru.")
    assert isinstance(rules_nlp.get_pipe("detente_attributes"), AttributeTagger)
    assert doc._.relations[0].model_probability is None and doc._.relations[0].confidence > 0


def test_the_default_extractor_keeps_what_the_rules_read_and_asserts_no_denial(
    extractor: Extractor,
) -> None:
    rels = extractor.extract("Chile imposed sanctions on Peru. Bolivia does not support Peru.")
    assert ("CHL", "sanctions", "PER") in {(r.subject.id, r.predicate, r.object.id) for r in rels}
    assert not any(
        r.subject.id == "BOL" and r.polarity == "alignment" and not r.negated for r in rels
    )
