"""How a statement stands: its polarity and its modality, as the ontology names them."""

from __future__ import annotations

from enum import Enum


class Term(str, Enum):
    """A term of the vocabulary: it is its name wherever text is made of it (str(),
    f-strings, rdflib literals), as :class:`enum.StrEnum` is from Python 3.11 on."""

    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, spec: str) -> str:
        return str.__format__(self, spec)


class Polarity(Term):
    """Which way a relation leans: with the other actor (backs, aids, allies with) or
    against it (fights, sanctions, condemns). Also the kind of a chain of relations."""

    alignment = "alignment"
    opposition = "opposition"


class Modality(Term):
    """Whether the text states the relation, reports someone's claim of it, or supposes it
    (a threat, a condition, a plan)."""

    asserted = "asserted"
    reported = "reported"
    hypothetical = "hypothetical"
