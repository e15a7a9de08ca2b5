"""``detente curate``: an analyst's corrections, written into the store as curation acts
(see :mod:`detente.graph.curation`) that every answer reads."""

from __future__ import annotations

import getpass
import json
import sys

import typer
from rich.table import Table

from detente.cli.app import app, err, stdout_console
from detente.cli.graph import STORE, _store
from detente.domain.curation import Verdict

curate = typer.Typer(
    help="Correct what detente asserts: mark statements wrong or confirmed, hide actors, "
    "merge one actor into another, attach notes, take acts back, export the verdicts as "
    "labelled examples.",
    no_args_is_help=True,
)
app.add_typer(curate, name="curate")

WHO = typer.Option(None, "--who", help="Who makes the act (default: the login name).")
WHY = typer.Option(None, "--why", help="Why, in a sentence.")


def _who(who: str | None) -> str:
    try:
        return who or getpass.getuser()
    except OSError:  # no login name (some containers)
        return "analyst"


def _act(
    verdict: Verdict,
    target: str,
    who: str | None,
    why: str | None,
    store: str | None,
    into: str | None = None,
) -> None:
    from detente.analysis.curation import prepare
    from detente.analysis.ledger import open_ledger
    from detente.graph.curation import record

    with _store(store, write=True) as kg:
        iri, into_iri = prepare(kg, open_ledger(kg), verdict, target, why, into)
        act = record(kg, verdict, iri, _who(who), why, into_iri)
    err.print(f"{act.id}: {verdict.value} {iri}{_into(into_iri)}", highlight=False, soft_wrap=True)


def _into(into: str | None) -> str:
    return f" into {into}" if into else ""


@curate.command("wrong")
def wrong(
    statement: str = typer.Argument(..., help="The statement's IRI (as the evidence gives it)."),
    who: str | None = WHO,
    why: str | None = WHY,
    store: str | None = STORE,
) -> None:
    """Mark a statement wrong: it leaves every answer."""
    _act(Verdict.wrong, statement, who, why, store)


@curate.command("confirm")
def confirm(
    statement: str = typer.Argument(..., help="The statement's IRI."),
    who: str | None = WHO,
    why: str | None = WHY,
    store: str | None = STORE,
) -> None:
    """Mark a statement confirmed: checked against its sentence, it stands."""
    _act(Verdict.confirmed, statement, who, why, store)


@curate.command("hide")
def hide(
    actor: str = typer.Argument(..., help="The actor's id or any name the graph knows."),
    who: str | None = WHO,
    why: str | None = WHY,
    store: str | None = STORE,
) -> None:
    """Hide an actor: it and every statement it takes part in leave every answer."""
    _act(Verdict.hidden, actor, who, why, store)


@curate.command("merge")
def merge(
    actor: str = typer.Argument(..., help="The actor merged away: its id or any name."),
    into: str = typer.Option(..., "--into", help="The actor it becomes: its id or any name."),
    who: str | None = WHO,
    why: str | None = WHY,
    store: str | None = STORE,
) -> None:
    """Merge an actor into another (one actor the extractor read as two): its statements,
    names and notes become the other's in every answer."""
    _act(Verdict.merged, actor, who, why, store, into)


@curate.command("note")
def note(
    target: str = typer.Argument(..., help="An actor's id or name, or a statement's IRI."),
    text: str = typer.Argument(..., help="The note."),
    who: str | None = WHO,
    store: str | None = STORE,
) -> None:
    """Attach a note to an actor (shown in its profile) or a statement (shown with its
    evidence); it changes no count."""
    _act(Verdict.noted, target, who, text, store)


@curate.command("undo")
def undo(
    act: str = typer.Argument(..., help="The act's id (act-...)."),
    who: str | None = WHO,
    store: str | None = STORE,
) -> None:
    """Take an act back; it stays in the history with when and by whom."""
    from detente.graph.curation import retract

    with _store(store, write=True) as kg:
        done = retract(kg, act, _who(who))
    err.print(
        f"{done.id}: taken back ({done.verdict.value} {done.target}{_into(done.into)})",
        highlight=False,
        soft_wrap=True,
    )


@curate.command("list")
def list_acts(
    in_force: bool = typer.Option(False, "--in-force", help="Only the acts not taken back."),
    store: str | None = STORE,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Every act, oldest first: who, when, why, and whether it was taken back."""
    from dataclasses import asdict

    from detente.graph.curation import acts

    with _store(store) as kg:
        found = [a for a in acts(kg) if a.applies or not in_force]
    if as_json:
        sys.stdout.write(json.dumps([asdict(a) for a in found], indent=2) + "\n")
        return
    table = Table(header_style="bold")
    for column in ("act", "verdict", "target", "who", "when", "why", "taken back"):
        table.add_column(column, overflow="fold")
    for a in found:
        back = f"{a.retracted_at} by {a.retracted_by}" if a.retracted_at else ""
        target = a.target + _into(a.into)
        table.add_row(a.id, a.verdict.value, target, a.curator, a.at, a.why or "", back)
    stdout_console().print(table)


@curate.command("examples")
def export_examples(store: str | None = STORE) -> None:
    """The statement verdicts in force as labelled examples (JSON Lines) in the relation
    corpus's format, for the model's training data."""
    from detente.graph.curation import examples

    with _store(store) as kg:
        found = examples(kg)
    sys.stdout.writelines(json.dumps(e, ensure_ascii=False) + "\n" for e in found)
