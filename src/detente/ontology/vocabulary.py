"""Relation predicates as declared in detente.ttl, read once and cached."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, Namespace, URIRef

from detente.domain.stance import VERBAL_SHARE, QuadClass

NS = Namespace("https://w3id.org/detente/ns#")
ACTOR = Namespace("https://w3id.org/detente/actor/")


@dataclass(frozen=True)
class Predicate:
    """A relation an actor can stand in to another, with its event-data codes."""

    name: str
    iri: str
    label: str
    polarity: str  # "alignment" | "opposition"
    plover: str
    cameo: str
    weight: float  # Goldstein scale, -10..+10
    symmetric: bool
    parent: str | None
    plover_aliases: tuple[str, ...] = ()

    @property
    def takes_sides(self) -> bool:
        """Whether the relation puts its two actors on one side or on two. A mediator
        brokers between parties and is on neither side: mediation is alignment as a
        relation (a mediator talks with both), but not a vote for a pair's stance."""
        return self.name != "mediates" and self.parent != "mediates"

    @property
    def quad_class(self) -> QuadClass:
        return QuadClass.of_cameo(self.cameo)

    @property
    def stance_weight(self) -> float:
        """The weight of one statement in its pair's stance: the Goldstein weight of a
        relation that takes sides (a verbal one at :data:`VERBAL_SHARE` of it), 0 for one
        that does not."""
        if not self.takes_sides:
            return 0.0
        return self.weight if self.quad_class.material else self.weight * VERBAL_SHARE


def ontology_path() -> Path:
    return Path(__file__).parent / "detente.ttl"


def shapes_path() -> Path:
    return Path(__file__).parent / "shapes.ttl"


@cache
def _graph() -> Graph:
    return Graph().parse(ontology_path(), format="turtle")


@cache
def predicates() -> dict[str, Predicate]:
    """All concrete relation predicates, keyed by their readable name (``backs``)."""
    g = _graph()
    out: dict[str, Predicate] = {}
    for prop in g.subjects(NS.ploverType, None):
        assert isinstance(prop, URIRef)
        family = g.value(prop, NS.family)
        parent = g.value(prop, RDFS.subPropertyOf)
        name = str(prop).removeprefix(str(NS))
        out[name] = Predicate(
            name=name,
            iri=str(prop),
            label=str(g.value(prop, RDFS.label)),
            polarity=str(family).removeprefix(str(NS)),
            plover=str(g.value(prop, NS.ploverType)),
            cameo=str(g.value(prop, NS.cameoRoot)),
            weight=float(str(g.value(prop, NS.stanceWeight))),
            symmetric=(prop, RDF.type, OWL.SymmetricProperty) in g,
            parent=str(parent).removeprefix(str(NS)) if parent else None,
            plover_aliases=tuple(str(a) for a in g.objects(prop, NS.ploverAlias)),
        )
    return out


@cache
def plover_polarity() -> dict[str, str]:
    """PLOVER event type -> polarity, derived from the predicates that carry it."""
    table: dict[str, str] = {}
    for p in predicates().values():
        for code in (p.plover, *p.plover_aliases):
            table[code] = p.polarity
    return table
