"""One error tree: every error detente shows a user is a DetenteError that knows its exit
code and HTTP status, and each is mapped in one place by the CLI and by the service."""

from __future__ import annotations

import inspect

import pytest

from detente import errors
from detente.cli import main
from detente.errors import DetenteError, StoreError
from detente.graph import StoreError as GraphStoreError
from detente.live.service import KnowledgeService
from tests.http.test_api import make_client


def test_every_error_is_one_tree_defined_once() -> None:
    kinds = [
        c for _, c in inspect.getmembers(errors, inspect.isclass) if c.__module__ == errors.__name__
    ]
    assert len(kinds) >= 10
    for kind in kinds:
        assert issubclass(kind, DetenteError)
        assert kind.exit_code in (1, 2)
    assert GraphStoreError is StoreError  # re-exported where it is raised, not redefined
    assert errors.QuerySyntaxError.http_status == 400
    assert errors.SparqlError(413, "too large").http_status == 413


def test_the_command_line_ends_a_detente_error_with_one_line_and_its_code(
    tmp_path, monkeypatch, capsys
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store should be")
    argv = ["detente", "ingest", str(blocker), "--store", f"oxigraph:{blocker}/kg", "--create"]
    monkeypatch.setattr("sys.argv", argv)
    with pytest.raises(SystemExit) as ended:
        main()
    assert ended.value.code == StoreError.exit_code
    said = capsys.readouterr().err
    assert said.startswith("detente: error: cannot open the store") and said.count("\n") == 1
    assert "Traceback" not in said


def test_the_service_answers_an_unmapped_detente_error_with_its_status(
    extractor, monkeypatch
) -> None:
    def failing(self) -> list:
        raise StoreError("the store went away")

    monkeypatch.setattr(KnowledgeService, "documents", failing)
    with make_client(extractor) as api:
        answer = api.get("/documents")
    assert answer.status_code == 503
    assert answer.json() == {"detail": "the store went away"}
    assert answer.headers["x-content-type-options"] == "nosniff"  # inside the middleware


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_unreadable_text_is_still_422_with_its_reason(extractor, text) -> None:
    with make_client(extractor, token="t") as api:
        answer = api.post("/documents", json={"text": text}, headers={"Authorization": "Bearer t"})
    assert answer.status_code == 422
    assert answer.json()["detail"]
