"""What every construction rule shares: the relation it finds, and a few word lists."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span

from detente.extract.arguments import Argument

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
