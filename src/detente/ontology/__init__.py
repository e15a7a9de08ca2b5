"""The shared vocabulary (OWL + SHACL) and the actor gazetteer."""

from detente.ontology.gazetteer import (
    Actor,
    Gazetteer,
    Place,
    Reading,
    find_known_actor,
    load_gazetteer,
)
from detente.ontology.vocabulary import (
    ACTOR,
    NS,
    Predicate,
    ontology_path,
    plover_polarity,
    predicates,
    shapes_path,
)

__all__ = [
    "ACTOR",
    "NS",
    "Actor",
    "Gazetteer",
    "Place",
    "Predicate",
    "Reading",
    "find_known_actor",
    "load_gazetteer",
    "ontology_path",
    "plover_polarity",
    "predicates",
    "shapes_path",
]
