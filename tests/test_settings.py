"""One Settings object for every DETENTE_* variable: the command line and the service read
the environment, nothing below them does; what a layer needs is passed to it."""

from __future__ import annotations

import ast

import httpx

from detente.graph import open_store
from detente.http.settings import ServiceSettings
from detente.settings import DEFAULT_STORE, Settings
from tests.paths import PACKAGE

# Copies the environment into a child process it starts; reads no setting from it.
PASSES_THE_ENVIRONMENT_ON = {"sparql/workers.py"}


def test_nothing_below_the_command_line_and_the_service_reads_the_environment() -> None:
    readers = []
    for path in PACKAGE.rglob("*.py"):
        name = path.relative_to(PACKAGE).as_posix()
        if name.startswith(("cli/", "http/")) or name in PASSES_THE_ENVIRONMENT_ON:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                readers.append(f"{name}:{node.lineno}")
    assert readers == []


def test_the_service_settings_are_every_commands_settings_and_more(monkeypatch) -> None:
    monkeypatch.setenv("DETENTE_STORE", "memory:")
    monkeypatch.setenv("DETENTE_STORE_USER", "analyst")
    monkeypatch.setenv("DETENTE_STORE_PASSWORD", "s3cret")
    monkeypatch.setenv("DETENTE_FETCH_ALLOW", " 127.0.0.1, 10.0.0.0/8 ,")
    service = ServiceSettings()
    assert isinstance(service, Settings)
    assert service.store == "memory:" and Settings().store == "memory:"
    assert service.store_credentials == ("analyst", "s3cret")
    assert service.fetch_allowed == ("127.0.0.1", "10.0.0.0/8")
    assert "s3cret" not in repr(service)
    monkeypatch.delenv("DETENTE_STORE")
    assert Settings().store == DEFAULT_STORE


def test_a_password_without_a_user_is_no_credentials(monkeypatch) -> None:
    monkeypatch.setenv("DETENTE_STORE_PASSWORD", "s3cret")
    monkeypatch.delenv("DETENTE_STORE_USER", raising=False)
    assert Settings().store_credentials is None


def test_credentials_reach_a_remote_store_and_only_when_given() -> None:
    with_them = open_store("http://127.0.0.1:9/sparql", credentials=("analyst", "s3cret"))
    without = open_store("http://127.0.0.1:9/sparql")
    try:
        assert isinstance(with_them._http.auth, httpx.DigestAuth)
        assert not isinstance(without._http.auth, httpx.DigestAuth)
    finally:
        with_them.close()
        without.close()
