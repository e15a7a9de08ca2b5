"""The ``detente`` application: the Typer app every command registers on, its consoles,
and how a user error or an internal one ends the process."""

from __future__ import annotations

import os
import sys
from datetime import date
from typing import NoReturn

import typer
from rich.console import Console

from detente.errors import DetenteError

app = typer.Typer(
    help="detente: who backs, fights, sanctions or mediates whom, from news text.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)


def stdout_console() -> Console:
    """Standard output; piped or redirected, tables get 160 columns, not 80."""
    out = Console()
    return out if out.is_terminal else Console(width=160)


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[bold red]detente: error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


@app.callback()
def _root() -> None:
    """detente: who backs, fights, sanctions or mediates whom, from news text."""


def main() -> None:
    """Entry point: a :class:`~detente.errors.DetenteError` ends the command with one line
    and its exit code; nothing reaches the user as a traceback unless DETENTE_DEBUG is set."""
    try:
        app()
    except DetenteError as exc:  # one that no command said more about
        err.print(f"[bold red]detente: error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("DETENTE_DEBUG"):
            raise
        err.print(
            f"[bold red]detente: internal error:[/] {type(exc).__name__}: {exc} "
            "(set DETENTE_DEBUG=1 for details)",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(1)
