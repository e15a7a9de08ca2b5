"""Property-based requests generated from the OpenAPI document (schemathesis): whatever
the input, the service answers without a server error."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from detente.api.app import create_app
from detente.api.service import KnowledgeService
from detente.api.settings import ServiceSettings

TOKEN = "fuzz-token"
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "libya-2020.txt"


@pytest.fixture(scope="module")
def api_schema(extractor):
    config = ServiceSettings(store="memory:", token=TOKEN, max_body_bytes=100_000)
    service = KnowledgeService(config.store, extractor)
    app = create_app(config, service)
    service.ingest(*_example())
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _example():
    from detente.extract import read_article

    return read_article(EXAMPLE.read_bytes()), str(EXAMPLE), None


def test_no_server_errors(api_schema) -> None:
    # Driven by hand rather than by schemathesis' pytest plugin, which does not support
    # the pytest version in use here.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case) -> None:
            case.call_and_validate(
                headers={"Authorization": f"Bearer {TOKEN}"}, checks=[not_a_server_error]
            )

        check()
