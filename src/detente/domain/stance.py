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


class QuadClass(Term):
    """The event-data quad class of a relation: said or done, with or against, as the
    Phoenix event data group CAMEO's root codes (PLOVER's event types fall alike). GDELT
    counts root 05 (praise, endorsement, diplomatic support) as material; detente, with
    Phoenix, counts it as words, which it is. A material act (aid, sanctions, fighting)
    costs its actor something, a verbal one (praise, a demand, a warning) does not, so
    views weigh it above a verbal one."""

    verbal_cooperation = "verbalCooperation"
    material_cooperation = "materialCooperation"
    verbal_conflict = "verbalConflict"
    material_conflict = "materialConflict"

    @classmethod
    def of_cameo(cls, root: str) -> QuadClass:
        """The quad class of a CAMEO root code ("01".."20"): 01-05 verbal cooperation,
        06-08 material cooperation, 09-13 verbal conflict, 14-20 material conflict."""
        code = int(root)
        if not 1 <= code <= 20:
            raise ValueError(f"not a CAMEO root code: {root!r}")
        if code <= 5:
            return cls.verbal_cooperation
        if code <= 8:
            return cls.material_cooperation
        if code <= 13:
            return cls.verbal_conflict
        return cls.material_conflict

    @property
    def material(self) -> bool:
        return self in (QuadClass.material_cooperation, QuadClass.material_conflict)


# How much a verbal statement counts in a pair's stance beside a material one of the same
# Goldstein weight: allies press and warn each other in words all the time ("pressed",
# "urged", "warned"), while aid, sanctions and strikes are what sides are made of.
VERBAL_SHARE = 0.5
