"""The SPARQL endpoint against the W3C Protocol test suite and clients nobody here wrote,
all over real HTTP to a ``detente serve`` subprocess."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.protocol_runner import run
from tests.servers import detente_server

TOKEN = "test-token"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> str:
    with detente_server(f"oxigraph:{tmp_path_factory.mktemp('protocol')}", TOKEN) as base:
        yield base


def test_w3c_protocol_manifest_passes_in_full(server: str, shared: Path) -> None:
    manifest = shared / "conformance" / "protocol" / "manifest.ttl"
    outcomes = run(server, TOKEN, manifest)
    failures = [f"{test.name}: {reason}" for test, reason in outcomes if reason]
    assert len(outcomes) == 34
    assert failures == []
