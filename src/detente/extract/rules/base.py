"""What every construction rule shares: the relation it finds, and a few word lists."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from spacy.tokens import Span, Token

from detente.extract.arguments import Argument, MentionIndex
from detente.extract.lexicon import Trigger

# Verbs whose object, not subject, does what their infinitive says ("urged X to ...").
OBJECT_CONTROL = {
    "urge",
    "press",
    "ask",
    "force",
    "persuade",
    "tell",
    "allow",
    "compel",
    "pressure",
    "encourage",
    "call",
    "help",
    "invite",
    "order",
    "want",
    "like",
}
LIGHT_PREPS = ("on", "against", "to", "with", "for", "between", "upon")
# Relations whose target may be territory that stands for its state ("shelled Lima").
TERRITORIAL = frozenset(
    {"attacks", "fights", "coerces", "mobilizes", "threatens", "sanctions", "protests"}
)


@dataclass
class RelationMention:
    """A relation found in one sentence, before and after its attributes are set."""

    subject: Argument
    object: Argument
    predicate: str
    trigger: Span
    sentence: Span
    pattern: str
    negated_as: str | None = None
    matched_by: str = "detente"  # or the CAMEO entry: "CAMEO 163: * SANCTIONS"
    governed: bool = True  # negation and modality of the governing clause apply
    negated: bool = False
    modality: str = "asserted"
    reported_by: str | None = None
    date: str | None = None
    theatre: str | None = None
    confidence: float = 0.0
    # The relation model's calibrated probability of this reading, where it decided it.
    model_probability: float | None = None


class _RuleHost(Protocol):
    """The helpers each rule family borrows from the others (or from RelationExtractor,
    which composes them all), so the type checker can follow calls across the mixins."""

    _idiom_preps: set[int]

    def _make(
        self,
        subjects: list[Argument],
        objects: list[Argument],
        predicate: str,
        trigger: Span,
        sent: Span,
        pattern: str,
        negated_as: str | None = None,
    ) -> list[RelationMention]: ...

    def _pairs(
        self, args: list[Argument], predicate: str, trigger: Span, sent: Span, pattern: str
    ) -> list[RelationMention]: ...

    def _subjects(self, verb: Token, index: MentionIndex, depth: int = 0) -> list[Argument]: ...

    def _own_subjects(self, noun: Token, index: MentionIndex) -> list[Argument]: ...

    def _objects(
        self, token: Token, slots: tuple[str, ...], index: MentionIndex
    ) -> list[Argument]: ...

    def _complement_objects(self, word: Token, index: MentionIndex) -> list[Argument]: ...

    def _resolve_or_place(self, head: Token, index: MentionIndex) -> list[Argument]: ...

    @staticmethod
    def _phrase_actors(
        holders: Iterable[Token], preps: Collection[str], index: MentionIndex
    ) -> list[Argument]: ...

    def _verb_triggers(self, verb: Token) -> tuple[Trigger, ...]: ...

    def _noun_trigger(self, noun: Token) -> Trigger | None: ...


if TYPE_CHECKING:
    RuleMixin = _RuleHost
else:
    # At run time the mixins stay plain classes: their MRO is exactly what it was.
    RuleMixin = object
