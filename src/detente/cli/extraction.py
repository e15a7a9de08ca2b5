"""Commands on text alone, with no store: ``extract`` and ``evaluate``."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from detente.cli.app import (
    app,
    err,
    fail,
    parse_date,
    progress,
    stdout_console,
    warn_if_not_english,
)

if TYPE_CHECKING:
    from detente.extract.text import Article


class OutputFormat(str, Enum):
    jsonl = "jsonl"
    table = "table"


class InputKind(str, Enum):
    auto = "auto"
    text = "text"
    html = "html"


def _read_inputs(
    names: Iterable[str | Path],
    failures: list[str],
    *,
    encoding: str | None,
    kind: str = "auto",
    author: str | None = None,
) -> Iterator[tuple[str, Article]]:
    """(name, article) for each readable input; each unreadable one gets one error line."""
    from detente.extract import InputError, read_article
    from detente.extract.text import with_author

    for name in map(str, names):
        try:
            data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
            article = with_author(read_article(data, encoding=encoding, kind=kind), author)
        except (InputError, OSError) as exc:
            failures.append(name)
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            err.print(
                f"[bold red]detente: error:[/] {name}: {reason}", highlight=False, soft_wrap=True
            )
            continue
        warn_if_not_english(name, article.text)
        yield name, article


@app.command()
def extract(
    files: list[str] = typer.Argument(..., help="Article files (plain text or HTML); - for stdin."),
    published: str | None = typer.Option(
        None, "--date", help="Publication date (YYYY-MM-DD): resolves 'last week', leaders' terms."
    ),
    output: OutputFormat = typer.Option(OutputFormat.jsonl, "--format", help="Output format."),
    kind: InputKind = typer.Option(InputKind.auto, "--input", help="Input kind (auto-detected)."),
    author: str | None = typer.Option(
        None, help="Who publishes the text ('UK Government'): their 'we' and 'our' are them."
    ),
    encoding: str | None = typer.Option(None, help="Input encoding when it is not UTF-8."),
    min_confidence: float = typer.Option(0.0, min=0.0, max=1.0, help="Drop weaker relations."),
    n_process: int = typer.Option(1, min=1, help="Worker processes for the spaCy pipeline."),
    batch_size: int = typer.Option(16, min=1, help="Documents per spaCy batch."),
    fast: bool = typer.Option(
        False, "--fast", help="The rules alone, without the relation model: faster, less sure."
    ),
) -> None:
    """Print the relations each article states, one JSON object per line (or a table)."""
    from detente.extract import Extractor

    when = parse_date(published)
    failures: list[str] = []
    articles = (
        (article, when)
        for _name, article in _read_inputs(
            files, failures, encoding=encoding, kind=kind.value, author=author
        )
    )
    extractor = Extractor(
        batch_size=batch_size, n_process=n_process, mode="rules" if fast else "both"
    )
    table = _table() if output is OutputFormat.table else None
    display = progress("extracting", len(files))
    with display:
        task = display.add_task("extract", total=len(files))
        for _article, relations in extractor.process(articles):
            for rel in relations:
                if rel.confidence < min_confidence:
                    continue
                if table is None:
                    sys.stdout.write(rel.model_dump_json() + "\n")
                else:
                    _add_row(table, rel)
            display.advance(task)
            sys.stdout.flush()
    if table is not None:
        stdout_console().print(table)
    if failures:
        raise typer.Exit(2)


def _table() -> Table:
    table = Table(show_lines=False, header_style="bold")
    for column in ("subject", "relation", "object", "date", "theatre", "conf.", "evidence"):
        table.add_column(column, overflow="fold")
    return table


def _add_row(table: Table, rel) -> None:
    colour = "green" if rel.polarity == "alignment" else "red"
    relation = f"[{colour}]{'not ' if rel.negated else ''}{rel.predicate}[/]"
    if rel.modality != "asserted":
        relation += f" ({rel.modality})"
    evidence = rel.sentence if len(rel.sentence) <= 120 else rel.sentence[:117] + "..."
    table.add_row(
        rel.subject.label,
        relation,
        rel.object.label,
        rel.date or "",
        rel.theatre or "",
        f"{rel.confidence:.2f}",
        evidence,
    )


class Reference(str, Enum):
    seed = "seed"
    re3d = "re3d"
    plover = "plover"
    news = "news"
    judged = "judged"
    all = "all"


@app.command()
def evaluate(
    reference: Reference = typer.Argument(
        Reference.all, help="Which annotated data to score on; judged: a filled judging sheet."
    ),
    sheet: Path | None = typer.Argument(None, help="With judged: the filled sheet (JSON lines)."),
    data: Path = typer.Option(
        Path("../shared/eval"), help="Folder holding seed/, re3d/, plover/, news/."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
    part: str = typer.Option(
        "all", help="news: a (01-35, develop on), b (36-50, held back), all (prints a, b, all)."
    ),
    misses: Path | None = typer.Option(
        None, help="news: write unmatched predictions and missed gold pairs (.tsv: TSV)."
    ),
    sample: int = typer.Option(0, min=0, help="news: a judging sheet of N asserted predictions."),
    seed: int = typer.Option(0, help="Random seed of --sample."),
    sample_out: Path | None = typer.Option(None, help="Where --sample writes its sheet."),
    mode: str = typer.Option(
        "both", help="both: rules and relation model; rules: rules alone; model: model alone."
    ),
) -> None:
    """Score the extractor against annotated data and print the numbers; `judged SHEET`
    scores a filled judging sheet instead."""
    import json

    from detente.extract import evaluation as ev
    from detente.extract.pipeline import MODES, Extractor

    if reference is Reference.judged and sheet is None:
        fail("which sheet? detente evaluate judged SHEET")
    if reference is not Reference.judged and sheet is not None:
        fail(f"{sheet}: only `detente evaluate judged` reads a sheet")
    if part not in ev.PARTS:
        fail(f"--part must be one of {', '.join(ev.PARTS)}")
    if mode not in MODES:
        fail(f"--mode must be one of {', '.join(MODES)}")
    if (misses or sample) and reference not in (Reference.news, Reference.all):
        fail("--misses and --sample belong to the news reference")
    if sample and sample_out is None:
        fail("--sample needs --sample-out PATH")
    scores: dict[str, dict] = {}
    if sheet is not None:
        try:
            scores["judged"] = ev.read_judged(sheet).summary()
        except (OSError, ValueError) as exc:  # a missing sheet, or a value it cannot read
            fail(str(exc))
    else:
        every = ("seed", "re3d", "plover", "news")
        try:
            scores = ev.evaluate(
                every if reference is Reference.all else (reference.value,),
                data,
                part=part,
                misses=misses,
                sample=sample,
                seed=seed,
                sample_out=sample_out,
                extractor=Extractor(mode=mode),
            )
        except OSError as exc:  # no eval data, or an output file that cannot be written
            fail(str(exc))
    if as_json:
        sys.stdout.write(json.dumps(scores, indent=2) + "\n")
        return
    from rich.text import Text  # cells are data: brackets in them are not markup

    console = stdout_console()
    for title, header, rows in ev.tables(scores):
        table = Table(title=Text(title), show_header=bool(header), title_justify="left")
        for column in header or ["", ""]:
            table.add_column(Text(column), overflow="fold")
        for row in rows:
            table.add_row(*map(Text, row))
        console.print(table)
