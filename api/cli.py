"""The ``detente`` command line."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    from detente.extract.text import Article

app = typer.Typer(
    help="detente: who backs, fights, sanctions or mediates whom, from news text.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)


class OutputFormat(str, Enum):
    jsonl = "jsonl"
    table = "table"


class InputKind(str, Enum):
    auto = "auto"
    text = "text"
    html = "html"


def fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]detente: error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


def _progress(label: str, total: int) -> Progress:
    """A progress bar on stderr, shown for several inputs on a terminal only."""
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=total < 2 or not err.is_terminal,
    )


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
        yield name, article


@app.callback()
def _root() -> None:
    """detente: who backs, fights, sanctions or mediates whom, from news text."""


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
) -> None:
    """Print the relations each article states, one JSON object per line (or a table)."""
    from detente.extract import Extractor

    when = _parse_date(published)
    failures: list[str] = []
    articles = (
        (article, when)
        for _name, article in _read_inputs(
            files, failures, encoding=encoding, kind=kind.value, author=author
        )
    )
    extractor = Extractor(batch_size=batch_size, n_process=n_process)
    table = _table() if output is OutputFormat.table else None
    progress = _progress("extracting", len(files))
    with progress:
        task = progress.add_task("extract", total=len(files))
        for _article, relations in extractor.process(articles):
            for rel in relations:
                if rel.confidence < min_confidence:
                    continue
                if table is None:
                    sys.stdout.write(rel.model_dump_json() + "\n")
                else:
                    _add_row(table, rel)
            progress.advance(task)
            sys.stdout.flush()
    if table is not None:
        out = Console()
        if not out.is_terminal:  # piped or redirected: do not squeeze into 80 columns
            out = Console(width=160)
        out.print(table)
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


def main() -> None:
    """Entry point: user errors exit 2 with one line; nothing reaches the user as a
    traceback unless DETENTE_DEBUG is set."""
    try:
        app()
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


if __name__ == "__main__":
    main()


class Reference(str, Enum):
    seed = "seed"
    re3d = "re3d"
    plover = "plover"
    all = "all"


@app.command()
def evaluate(
    reference: Reference = typer.Argument(Reference.all, help="Which annotated data to score on."),
    data: Path = typer.Option(Path("../shared/eval"), help="Folder holding seed/, re3d/, plover/."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
) -> None:
    """Score the extractor against annotated data and print the numbers."""
    import json

    from detente.extract import Extractor
    from detente.extract import evaluation as ev

    if not data.is_dir():
        fail(f"{data}: no such folder (expected the shared eval data)")
    extractor = Extractor()
    wanted = ["seed", "re3d", "plover"] if reference is Reference.all else [reference.value]
    scores: dict[str, dict] = {}
    if "seed" in wanted:
        scores["seed"] = ev.score_seed(extractor, data / "seed").summary()
    if "re3d" in wanted:
        re3d = data / "re3d"
        scores["re3d"] = {k: v.summary() for k, v in ev.score_re3d(extractor, re3d).items()}
        scores["re3d (consults counted as alignment)"] = {
            k: v.summary() for k, v in ev.score_re3d(extractor, re3d, schema_aligned=False).items()
        }
    if "plover" in wanted:
        scores["plover"] = ev.score_plover(
            extractor, data / "plover" / "PLOVER_GSR_CAMEO.txt"
        ).summary()
    if as_json:
        sys.stdout.write(json.dumps(scores, indent=2) + "\n")
        return
    console = Console()
    for name, summary in scores.items():
        table = Table(title=name, show_header=False, title_justify="left")
        for key, value in summary.items():
            table.add_row(key, json.dumps(value) if isinstance(value, dict | list) else str(value))
        console.print(table)


# ---------------------------------------------------------------------- knowledge graph
STORE_HELP = "Store: a path (embedded, default ./detente-data), memory:, or a SPARQL endpoint URL."
TEXT_SUFFIXES = {".txt", ".text", ".md", ".html", ".htm", ".xhtml"}


def _store(url: str | None):
    from detente.graph import StoreError, open_store

    try:
        return open_store(url or os.environ.get("DETENTE_STORE") or None)
    except StoreError as exc:
        fail(str(exc))


def _expand(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*") if p.suffix.lower() in TEXT_SUFFIXES and p.is_file()
            )
        else:
            files.append(path)
    return files


@app.command()
def ingest(
    paths: list[str] = typer.Argument(..., help="Article files or folders of them."),
    store: str | None = typer.Option(None, help=STORE_HELP),
    published: str | None = typer.Option(None, "--date", help="Publication date (YYYY-MM-DD)."),
    author: str | None = typer.Option(None, help="Who publishes the texts ('we')."),
    encoding: str | None = typer.Option(None, help="Input encoding when it is not UTF-8."),
    check_shapes: bool = typer.Option(False, help="Validate each document graph with SHACL."),
    n_process: int = typer.Option(1, min=1, help="Worker processes for extraction."),
    bulk: int = typer.Option(
        0, min=0, help="Load new documents in batches of N with the bulk loader (initial loads)."
    ),
) -> None:
    """Extract relations from articles and store one named graph per document."""
    from detente.extract import Extractor
    from detente.graph import IngestError, Ingestor, StoreError

    when = _parse_date(published)
    files = _expand(paths)
    if not files:
        fail("no article files found")
    failures: list[str] = []
    items = (
        (article, str(Path(name).resolve()), when)
        for name, article in _read_inputs(files, failures, encoding=encoding, author=author)
    )

    counts = {"added": 0, "replaced": 0, "unchanged": 0}
    relations = 0
    with _store(store) as kg:
        ingestor = Ingestor(
            kg, Extractor(n_process=n_process), check_shapes=check_shapes, bulk=bulk
        )
        progress = _progress("ingesting", len(files))
        try:
            with progress:
                task = progress.add_task("ingest", total=len(files))
                for result in ingestor.ingest_many(items):
                    counts[result.status] += 1
                    if result.status != "unchanged":
                        relations += result.relations
                    progress.advance(task)
        except (IngestError, StoreError) as exc:
            fail(str(exc))
    summary = ", ".join(f"{n} {status}" for status, n in counts.items())
    err.print(
        f"documents: {summary}; {len(failures)} failed; relations stored: {relations} "
        f"(store {kg.url})",
        highlight=False,
    )
    if failures:
        raise typer.Exit(2)


@app.command()
def remove(
    documents: list[str] = typer.Argument(..., help="Document ids (doc-…) or sources (paths)."),
    store: str | None = typer.Option(None, help=STORE_HELP),
) -> None:
    """Retract documents and everything they asserted."""
    from detente.graph import Ingestor

    missing = []
    with _store(store) as kg:
        ingestor = Ingestor(kg)
        for ref in documents:
            removed = ingestor.remove(ref)
            if removed:
                err.print(f"removed {', '.join(removed)}", highlight=False)
            else:
                missing.append(ref)
    if missing:
        fail(f"no such document: {', '.join(missing)}")


@app.command()
def documents(store: str | None = typer.Option(None, help=STORE_HELP)) -> None:
    """List the documents in the store."""
    from detente.graph import Ingestor

    with _store(store) as kg:
        rows = Ingestor(kg).documents()
    table = Table(header_style="bold")
    for column in ("id", "source", "date", "relations"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row["id"], row["source"] or "", row["date"] or "", str(row["relations"]))
    Console().print(table)


class QueryFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
def query(
    sparql: str = typer.Argument(..., help="A SPARQL 1.1 query (prefix dt: is predefined)."),
    store: str | None = typer.Option(None, help=STORE_HELP),
    output: QueryFormat = typer.Option(QueryFormat.table, "--format", help="Output format."),
) -> None:
    """Run a SPARQL query over the knowledge graph (all documents as the default graph)."""
    import csv
    import json

    from detente.graph import StoreError
    from detente.graph.store import PREFIXES, result_to_json

    text = sparql if "PREFIX dt:" in sparql else PREFIXES + sparql
    with _store(store) as kg:
        try:
            result = kg.query(text)
        except StoreError as exc:
            fail(str(exc))
    if result.kind == "graph":
        sys.stdout.write(result.graph.serialize(format="turtle"))
        return
    if result.kind == "ask" or output is QueryFormat.json:
        sys.stdout.write(json.dumps(result_to_json(result), indent=2) + "\n")
        return
    values = [
        [("" if row.get(v) is None else str(row[v])) for v in result.variables]
        for row in result.rows
    ]
    if output is QueryFormat.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(result.variables)
        writer.writerows(values)
        return
    table = Table(header_style="bold")
    for v in result.variables:
        table.add_column(v, overflow="fold")
    for row in values:
        table.add_row(*row)
    Console().print(table)


def _relations(store: str | None):
    from detente.graph.views import relation_graph

    with _store(store) as kg:
        return relation_graph(kg)


def _actor_id(graph, name: str) -> str:
    """An actor id from an id, a label or any gazetteer name."""
    from detente.ontology import load_gazetteer

    if name in graph:
        return name
    for node, data in graph.nodes(data=True):
        if data.get("label", "").casefold() == name.casefold():
            return node
    resolved = load_gazetteer().resolve(name)
    if resolved and resolved[0].id in graph:
        return resolved[0].id
    fail(f"unknown actor {name!r}: not in the knowledge graph")
    raise AssertionError  # unreachable: fail() exits


@app.command()
def backers(
    theatre: str | None = typer.Option(None, help="Only relations concerning this theatre."),
    predicate: str = typer.Option("backs", help="Relation (sub-relations included)."),
    since: str | None = typer.Option(None, help="From this date (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, help="Up to this date (YYYY-MM-DD)."),
    store: str | None = typer.Option(None, help=STORE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON rows."),
) -> None:
    """Who backs whom: aggregated relations with evidence counts and dates."""
    import json

    from detente.graph.analysis import who_backs_whom
    from detente.ontology import predicates

    if predicate not in predicates():
        fail(f"unknown relation {predicate!r}; one of: {', '.join(sorted(predicates()))}")
    rows = who_backs_whom(
        _relations(store),
        theatre=theatre,
        predicate=predicate,
        since=_parse_date(since),
        until=_parse_date(until),
    )
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table(header_style="bold")
    for column in ("subject", "relation", "object", "evidence", "first", "last"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(
            r["subject"]["label"],
            r["predicate"],
            r["object"]["label"],
            str(r["evidence_count"]),
            r["first_date"] or "",
            r["last_date"] or "",
        )
    Console().print(table)


class PathKind(str, Enum):
    alignment = "alignment"
    opposition = "opposition"


@app.command()
def paths(
    source: str = typer.Argument(..., help="Actor id or name."),
    target: str = typer.Argument(..., help="Actor id or name."),
    kind: PathKind = typer.Option(PathKind.alignment, help="alignment or opposition chains."),
    max_hops: int = typer.Option(3, min=1, max=6, help="Longest chain to consider."),
    store: str | None = typer.Option(None, help=STORE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Chains of backing (or opposition) between two actors, with their evidence."""
    import json

    from detente.graph.analysis import relation_paths

    graph = _relations(store)
    found = relation_paths(
        graph,
        _actor_id(graph, source),
        _actor_id(graph, target),
        kind=kind.value,
        max_hops=max_hops,
    )
    if as_json:
        sys.stdout.write(json.dumps(found, indent=2) + "\n")
        return
    if not found:
        err.print("no such path")
        return
    for path in found:
        steps = [graph.nodes[path[0]["source"]]["label"]]
        for hop in path:
            steps.append(f"-{'/'.join(hop['predicates'])}-> {graph.nodes[hop['target']]['label']}")
        Console().print(" ".join(steps), highlight=False)


@app.command()
def balance(
    theatre: str | None = typer.Option(None, help="Only relations concerning this theatre."),
    store: str | None = typer.Option(None, help=STORE_HELP),
) -> None:
    """Structural balance of the signed alliance graph, and its two blocs."""
    import json

    from detente.graph.analysis import signed_graph, structural_balance
    from detente.graph.views import time_slice

    result = structural_balance(signed_graph(time_slice(_relations(store), theatre=theatre)))
    sys.stdout.write(json.dumps(result, indent=2) + "\n")


class ExportFormat(str, Enum):
    turtle = "turtle"
    trig = "trig"
    nquads = "nquads"
    jsonld = "jsonld"
    graphml = "graphml"
    gexf = "gexf"
    csv = "csv"


@app.command("export")
def export_(
    output: ExportFormat = typer.Option(ExportFormat.trig, "--format", help="Output format."),
    store: str | None = typer.Option(None, help=STORE_HELP),
) -> None:
    """Write the knowledge graph to stdout: RDF, GraphML/GEXF, or a PLOVER-style event CSV."""
    from detente.graph.export import export

    with _store(store) as kg:
        data = export(kg, output.value)
    sys.stdout.buffer.write(data)
