"""detente's spaCy components; importing this package registers their factories."""

from detente.extract.components import (
    actors,
    attributes,
    blocks,
    coref,
    decisions,
    names,
    noise,
    relations,
)

__all__ = ["actors", "attributes", "blocks", "coref", "decisions", "names", "noise", "relations"]
