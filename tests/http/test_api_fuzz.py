"""Property-based requests generated from the OpenAPI document (schemathesis): whatever
the input, the service answers without a server error, and every answer is one the
document declares (status, media type, body schema, Allow header)."""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import CHECKS, positive_data_acceptance
from schemathesis.generation import GenerationMode

from detente.http.app import create_app
from detente.http.settings import ServiceSettings
from detente.live.service import KnowledgeService
from tests.paths import EXAMPLES

# Starts processes, servers or a cluster: outside the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow

TOKEN = "fuzz-token"
EXAMPLE = EXAMPLES / "libya-2020.txt"


@pytest.fixture(scope="module")
def api_schema(extractor):
    config = ServiceSettings(store="memory:", token=TOKEN, max_body_bytes=100_000)
    service = KnowledgeService(config.store, extractor)
    app = create_app(config, service)
    service.ingest(*_example())
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _example():
    from detente.extract import read_article

    return read_article(EXAMPLE.read_bytes()), "examples/libya-2020.txt", None


# Every check but one: a schema cannot say which strings are valid SPARQL or readable
# articles, so schema-valid data is not always acceptable data.
CHECKED = [check for check in CHECKS.get_all() if check is not positive_data_acceptance]


def _auth(case) -> dict[str, str]:
    """The valid token, unless a negative case leaves it out on purpose to see it refused:
    only a case that carries a token, or one that needs none, gets the valid one."""
    secured = bool(case.operation.definition.raw.get("security"))
    carries = "authorization" in {k.lower() for k in (case.headers or {})}
    negative = case.meta is not None and case.meta.generation.mode is GenerationMode.NEGATIVE
    if negative and secured and not carries:
        return {}
    return {"Authorization": f"Bearer {TOKEN}"}


def test_answers_conform_to_the_document(api_schema) -> None:
    # Driven by hand rather than by schemathesis' pytest plugin, which does not support
    # the pytest version in use here.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10

    for operation, mode in itertools.product(operations, GenerationMode):
        # Derandomized: the same requests on every run, so that a pass or a failure is
        # the service's, not the draw's.
        @given(case=operation.as_strategy(mode))
        @settings(
            max_examples=15,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case) -> None:
            case.call_and_validate(headers=_auth(case), checks=CHECKED)

        try:
            check()
        except Unsatisfiable:
            # An operation without parameters or body has no invalid request to make.
            assert mode is GenerationMode.NEGATIVE
