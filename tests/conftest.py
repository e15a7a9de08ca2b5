"""Shared fixtures: one extraction pipeline per test session, and the shared eval data."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.extract import Extractor, Relation
from tests.paths import SHARED
from tests.servers import oxigraph_server, virtuoso_server  # noqa: F401  (session fixtures)


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return Extractor()


@pytest.fixture(scope="session")
def rules_extractor() -> Extractor:
    """The rules alone (``--fast``): for tests that pin what the rules read."""
    return Extractor(mode="rules")


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "eval").is_dir():
        pytest.skip(f"the shared evaluation data is not at {SHARED}")
    return SHARED


def triples(relations: list[Relation], *, asserted_only: bool = False) -> set[tuple[str, str, str]]:
    """(subject id, predicate, object id) of the relations, for compact assertions."""
    return {
        (r.subject.id, r.predicate, r.object.id)
        for r in relations
        if not asserted_only or (not r.negated and r.modality == "asserted")
    }


def find(relations: list[Relation], subject: str, predicate: str, obj: str) -> Relation:
    for r in relations:
        if (r.subject.id, r.predicate, r.object.id) == (subject, predicate, obj):
            return r
    raise AssertionError(f"no {subject} {predicate} {obj} in {sorted(triples(relations))}")
