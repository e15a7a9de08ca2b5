"""The ``detente`` application: the Typer app every command registers on, its consoles,
and how a user error or an internal one ends the process."""

from __future__ import annotations

import os
import sys
from datetime import date
from typing import NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from detente.errors import DetenteError

app = typer.Typer(
    help="detente: who backs, fights, sanctions or mediates whom, from news text.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)


def progress(label: str, total: int | None, *columns: ProgressColumn) -> Progress:
    """A progress display on standard error, on a terminal only.

    Rich redirects ``sys.stdout`` into its console while a display is live (so that prints
    land above the bar); with stdout sent to a file, that would put the command's output on
    the terminal and leave the file empty. Output and progress are kept on their own
    streams instead. With a known ``total`` it shows how many are done and the time left."""
    known = total is not None
    shown: list[ProgressColumn | str] = [TextColumn(label)]
    if known:
        shown += [BarColumn(), MofNCompleteColumn()]
    else:
        shown += [SpinnerColumn(), TextColumn("{task.completed:,.0f} done")]
    shown += [*columns, TimeElapsedColumn()]
    if known:
        shown += [TextColumn("ETA"), TimeRemainingColumn()]
    return Progress(
        *shown,
        console=err,
        disable=not err.is_terminal,
        redirect_stdout=False,
        redirect_stderr=False,
    )


def stdout_console() -> Console:
    """Standard output; piped or redirected, tables get 160 columns, not 80."""
    out = Console()
    return out if out.is_terminal else Console(width=160)


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[bold red]detente: error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def warn_if_not_english(name: str, text: str) -> None:
    """One warning line when ``name``'s text is surely not English: detente reads English
    only, so such a text gives no relation, and "0 relations" alone would not say why."""
    from detente.extract.text import foreign_language

    language = foreign_language(text)
    if language is not None:
        err.print(
            f"[bold yellow]detente: warning:[/] {name}: the text reads as language "
            f"'{language}', not English; detente extracts from English text only",
            highlight=False,
            soft_wrap=True,
        )


def parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


def _print_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        typer.echo(f"detente {version('detente')}")
        raise typer.Exit()


@app.callback()
def _root(
    _version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Print detente's version and exit.",
    ),
) -> None:
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
