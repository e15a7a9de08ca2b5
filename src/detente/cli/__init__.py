"""The ``detente`` command line: one Typer app (:mod:`detente.cli.app`), commands in their
own modules, which register on it when imported here."""

from detente.cli import curation, extraction, graph, serve  # noqa: F401  (register their commands)
from detente.cli.app import app, main

__all__ = ["app", "main"]
