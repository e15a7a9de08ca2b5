"""The knowledge-graph commands of the ``detente`` command line."""

from __future__ import annotations

import contextlib
import itertools
import sys
import time
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
from detente.domain import Polarity
from detente.domain.filters import StatementFilter
from detente.settings import Settings

if TYPE_CHECKING:
    from detente.ingest.ingestor import StreamExtractor

# ---------------------------------------------------------------------- knowledge graph
STORE_HELP = "Store: a path (embedded, default ./detente-data), memory:, or a SPARQL endpoint URL."
STORE = typer.Option(None, help=STORE_HELP)  # the --store option of every command
CREATE_HELP = "Make a new embedded store when --store names a folder that does not exist."


def check_location(setting: str, *, write: bool, create: bool) -> None:
    """Refuse an embedded store whose folder does not exist, unless the command writes and
    was asked to ``create`` it (or it is the default location, which the first ingest
    makes): a misspelt ``--store`` would otherwise open a new, empty store and answer
    nothing, or scatter documents over two stores."""
    from detente.graph.store import DEFAULT_LOCATION, local_location

    location = local_location(setting)
    if location is None or Path(location).exists():
        return
    if not write:
        fail(f"no store at {location}: nothing was ingested there (is the path right?)")
    if not create and setting != DEFAULT_LOCATION:
        fail(f"no store at {location}: pass --create to make a new one there")


def _store(url: str | None, *, write: bool = False, create: bool = False):
    """The store a command works on. An embedded store that ``detente serve`` holds open is
    read through that server; a command that writes is refused with a line saying so. A
    folder that does not exist is refused (see :func:`check_location`)."""
    from detente.graph import open_store
    from detente.graph.discovery import ServedStore, running_server
    from detente.graph.store import local_location

    # Every field has a default, given as Field's first argument, which mypy does not read
    # as one: it asks for them all.
    settings = Settings()  # type: ignore[call-arg]
    setting = url or settings.store
    check_location(setting, write=write, create=create)
    location = local_location(setting)
    served = running_server(location) if location else None
    if served is not None:
        server, pid = served
        if write:
            fail(
                f"the store {location} is open in detente serve at {server} (process {pid}): "
                f"post documents to {server}/documents with the write token, or stop it first"
            )
        return ServedStore(server)
    # A StoreError ends the command in detente.cli.app.main.
    return open_store(setting, credentials=settings.store_credentials)


@app.command()
def ingest(
    paths: list[str] = typer.Argument(
        ...,
        help="Article files (.txt, .html), JSON Lines corpora (.jsonl), folders of them, or "
        "http(s) URLs of pages or RSS/Atom feeds.",
    ),
    store: str | None = STORE,
    create: bool = typer.Option(False, "--create", help=CREATE_HELP),
    published: str | None = typer.Option(
        None,
        "--date",
        help="Publication date (YYYY-MM-DD); a JSON Lines entry's own date comes first.",
    ),
    author: str | None = typer.Option(None, help="Who publishes the texts ('we')."),
    encoding: str | None = typer.Option(None, help="Input encoding when it is not UTF-8."),
    check_shapes: bool = typer.Option(False, help="Validate each document graph with SHACL."),
    n_process: int = typer.Option(1, min=1, help="Worker processes for extraction."),
    dask: str | None = typer.Option(
        None,
        help="Extract on a Dask cluster: local:N (N worker processes here) or the "
        "scheduler's tcp://HOST:PORT. The store is written by this process.",
    ),
    bulk: int = typer.Option(
        0,
        min=0,
        help="Load new documents in batches of N with the bulk loader (initial loads; "
        "larger batches load faster: 1000 is a good size for a big corpus).",
    ),
    dedup: bool = typer.Option(
        True,
        "--dedup/--no-dedup",
        help="Count a near-duplicate copy of a story (another byline, headline or trailing "
        "links) as evidence once; --no-dedup counts every copy.",
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="One line per document."),
) -> None:
    """Extract relations from articles and store one named graph per document.

    A JSON Lines corpus has one article per line: {"text": ...} or {"html": ...}, with
    optional "title", "url" (the document's identity), "date" and "author"."""
    from detente.domain import content_source
    from detente.extract import Extractor
    from detente.extract.corpus import corpus_files, read_corpus
    from detente.extract.fetch import fetch_policy, read_urls
    from detente.ingest import Ingestor
    from detente.ingest.ingestor import path_source

    when = parse_date(published)
    if dask and n_process > 1:
        fail("--n-process and --dask exclude each other: the cluster's workers extract")
    urls = [p for p in paths if p.startswith(("http://", "https://"))]
    files = corpus_files([p for p in paths if p not in urls])
    if not files and not urls:
        fail("no article files found")
    failures: list[str] = []

    def failed(name: str, reason: str) -> None:
        failures.append(name)
        err.print(f"[bold red]detente: error:[/] {name}: {reason}", highlight=False, soft_wrap=True)

    def source(name: str, url: str | None, text: str) -> str:
        # A file is identified by its path as typed, a corpus line by its URL; standard
        # input and lines without a URL by their content only.
        if url:
            return url
        return path_source(name) if Path(name).is_file() and name != "-" else content_source(text)

    policy = fetch_policy(Settings().fetch_allowed)  # type: ignore[call-arg]  # see _store
    entries = itertools.chain(
        read_corpus(files, failed, encoding=encoding, author=author),
        read_urls(urls, failed, policy=policy, author=author),
    )

    def item(entry):
        warn_if_not_english(entry.name, entry.article.text)
        return (
            entry.article,
            source(entry.name, entry.url, entry.article.text),
            (entry.published or when),
        )

    items = map(item, entries)
    with contextlib.ExitStack() as stack:
        # Refused before a cluster starts.
        kg = stack.enter_context(_store(store, write=True, create=create))
        extractor: StreamExtractor
        if dask:
            from detente.ingest.distributed import DaskExtractor, dask_client

            extractor = DaskExtractor(stack.enter_context(dask_client(dask)))
        else:
            extractor = Extractor(n_process=n_process)
        # Ingestor drives any StreamExtractor (ingest_many checks for one), a DaskExtractor
        # included; its signature names only the local kinds.
        ingestor = Ingestor(
            kg,
            extractor,  # type: ignore[arg-type]
            check_shapes=check_shapes,
            bulk=bulk,
            dedup=dedup,
        )
        counts, relations = _run_ingest(ingestor, items, _ingest_total(files, urls), verbose)
    n_failed = len(failures) + counts.pop("failed")
    summary = ", ".join(f"{n} {status}" for status, n in counts.items())
    err.print(
        f"documents: {summary}; {n_failed} failed; relations stored: {relations} (store {kg.url})",
        highlight=False,
    )
    if n_failed:
        raise typer.Exit(2)


def _ingest_total(files: list[Path], urls: list[str]) -> int | None:
    """How many documents the inputs hold, when that is known before reading them: each
    article file is one, a JSON Lines corpus one per non-blank line; a URL may be a feed
    of any length, so with URLs the total is unknown."""
    from detente.extract.corpus import LINES_SUFFIXES

    if urls:
        return None
    total = 0
    for file in files:
        if file.suffix.lower() not in LINES_SUFFIXES:
            total += 1
            continue
        try:
            with file.open("rb") as lines:
                total += sum(1 for line in lines if line.strip())
        except OSError:  # reported with its reason when it is read
            continue
    return total


def _run_ingest(ingestor, items, total: int | None, verbose: bool) -> tuple[dict[str, int], int]:
    """Ingest ``items``, showing documents done (of ``total`` with the time left, when it
    is known), relations and throughput; (counts, relations)."""
    from rich.progress import TextColumn

    counts = {"added": 0, "replaced": 0, "unchanged": 0, "failed": 0}
    relations = 0
    display = progress(
        "ingesting documents",
        total,
        TextColumn("{task.fields[relations]:,} relations"),
        TextColumn("{task.fields[rate]}"),
    )
    try:
        with display:
            task = display.add_task("ingest", total=total, relations=0, rate="")
            began = time.monotonic()
            for result in ingestor.ingest_many(items):
                counts[result.status] += 1
                if result.status == "failed":  # the extractor could not read it: one line
                    err.print(
                        f"[bold red]detente: error:[/] {result.source}: not extracted "
                        f"({result.error}); nothing stored for it, a rerun tries it again",
                        highlight=False,
                        soft_wrap=True,
                    )
                    continue
                if result.status != "unchanged":
                    relations += result.relations
                if verbose:
                    copy = f", a copy of {result.duplicate_of}" if result.duplicate_of else ""
                    err.print(
                        f"{result.status} {result.doc_id} {result.source} "
                        f"({result.relations} relations{copy})",
                        highlight=False,
                        soft_wrap=True,
                    )
                done = sum(counts.values())
                rate = f"{done / max(time.monotonic() - began, 1e-9):,.1f} documents/s"
                display.update(task, advance=1, relations=relations, rate=rate)
    except KeyboardInterrupt:
        fail("interrupted: every document reported so far is stored; run again to go on")
    return counts, relations


@app.command()
def watch(
    feeds: list[str] = typer.Argument(..., help="RSS or Atom feed URLs."),
    store: str | None = STORE,
    create: bool = typer.Option(False, "--create", help=CREATE_HELP),
    every: str = typer.Option("15m", help="Time between two polls: 90s, 15m, 1h."),
    rounds: int = typer.Option(0, min=0, help="Stop after N polls (0: run until stopped)."),
    dedup: bool = typer.Option(True, "--dedup/--no-dedup", help="Count a wire copy once."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="One line per document."),
) -> None:
    """Poll feeds and ingest each new item's page.

    Conditional requests, robots.txt, a pause per host; a failing feed is reported and
    tried again later while the others go on. Items already in the store are skipped, so
    a restart goes on where it stopped."""
    from detente.extract import Extractor
    from detente.extract.fetch import FeedWatcher, fetch_policy
    from detente.graph.feed_state import StoredValidators
    from detente.ingest import Ingestor

    seconds = _duration(every)
    failures: list[str] = []

    def failed(name: str, reason: str) -> None:
        failures.append(name)
        err.print(f"[bold red]detente: error:[/] {name}: {reason}", highlight=False, soft_wrap=True)

    with _store(store, write=True, create=create) as kg:
        ingestor = Ingestor(kg, Extractor(), dedup=dedup)
        policy = fetch_policy(Settings().fetch_allowed)  # type: ignore[call-arg]  # see _store
        watcher = FeedWatcher(feeds, policy, StoredValidators(kg))
        done = 0
        while True:
            started = time.monotonic()
            entries = watcher.poll(lambda link: bool(ingestor.graphs_for_source(link)), failed)
            items = ((entry.article, entry.url, entry.published) for entry in entries)
            counts, relations = _run_ingest(ingestor, items, 0, verbose)
            done += 1
            err.print(
                f"poll {done}: {counts['added']} new documents, {relations} relations "
                f"(store {kg.url})",
                highlight=False,
            )
            if rounds and done >= rounds:
                break
            time.sleep(max(0.0, seconds - (time.monotonic() - started)))


def _duration(text: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    value, unit = (text[:-1], text[-1]) if text[-1:] in units else (text, "s")
    try:
        seconds = float(value) * units[unit]
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a duration like 90s, 15m or 1h") from None
    if seconds <= 0:
        raise typer.BadParameter("the time between polls must be positive")
    return seconds


@app.command()
def remove(
    documents: list[str] = typer.Argument(..., help="Document ids (doc-…) or sources (paths)."),
    store: str | None = STORE,
) -> None:
    """Retract documents and everything they asserted."""
    from detente.ingest import Ingestor

    missing = []
    with _store(store, write=True) as kg:
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
def documents(store: str | None = STORE) -> None:
    """List the documents in the store."""
    from detente.ingest import Ingestor

    with _store(store) as kg:
        rows = Ingestor(kg).documents()
    table = Table(header_style="bold")
    for column in ("id", "source", "date", "relations", "copy of"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row["id"],
            row["source"] or "",
            row["date"] or "",
            str(row["relations"]),
            row["duplicate_of"] or "",
        )
    stdout_console().print(table)


@app.command()
def theatres(
    store: str | None = STORE,
    as_json: bool = typer.Option(False, "--json", help="Print JSON rows."),
) -> None:
    """List the theatres the store holds statements about, most recent evidence first."""
    import json

    from detente.analysis.theatres import theatre_summaries

    rows = _answers(store, lambda ledger, _: theatre_summaries(ledger))
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table(header_style="bold")
    for column in ("theatre", "statements", "undated", "documents", "actors", "first", "last"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(
            r["theatre"],
            str(r["statements"]),
            str(r["undated"]),
            str(r["documents"]),
            str(r["actors"]),
            r["first_date"] or "",
            r["last_date"] or "",
        )
    stdout_console().print(table)


class QueryFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
def query(
    sparql: str = typer.Argument(..., help="A SPARQL 1.1 query (prefix dt: is predefined)."),
    store: str | None = STORE,
    output: QueryFormat = typer.Option(QueryFormat.table, "--format", help="Output format."),
) -> None:
    """Run a SPARQL query over the knowledge graph (all documents as the default graph)."""
    import csv
    import json

    from detente.graph.store import PREFIXES, result_to_json

    with _store(store) as kg:
        # Stores that predeclare the prefixes get the text as typed (error positions match).
        text = sparql if kg.predeclares_prefixes else PREFIXES + sparql
        result = kg.query(text)
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
    stdout_console().print(table)


def _answers(store: str | None, ask):
    """``ask(ledger, evidence)`` on the store's ledger (the saved one when the store has
    not changed since: seconds on a million statements, not minutes)."""
    from detente.analysis.evidence import store_evidence
    from detente.analysis.ledger import open_ledger

    with _store(store) as kg:
        return ask(open_ledger(kg), store_evidence(kg))


def _actor_id(ledger, name: str) -> str:
    """The actor ``name`` names; an unknown one ends the command offering the nearest."""
    from detente.analysis.suggestions import require_actor

    return require_actor(ledger, name)


def _theatre(ledger, name: str | None) -> str | None:
    """The theatre ``name`` names; an unknown one ends the command offering the nearest
    (an empty table would read as "no relations there")."""
    from detente.analysis.suggestions import require_theatre

    return None if name is None else require_theatre(ledger, name)


@app.command()
def backers(
    theatre: str | None = typer.Option(None, help="Only relations concerning this theatre."),
    predicate: str = typer.Option("backs", help="Relation (sub-relations included)."),
    since: str | None = typer.Option(None, help="From this date (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, help="Up to this date (YYYY-MM-DD)."),
    store: str | None = STORE,
    as_json: bool = typer.Option(False, "--json", help="Print JSON rows."),
) -> None:
    """Who backs whom: aggregated relations with evidence counts and dates."""
    import json

    from detente.analysis.relations import relation_rows
    from detente.ontology import predicates

    if predicate not in predicates():
        fail(f"unknown relation {predicate!r}; one of: {', '.join(sorted(predicates()))}")
    where = StatementFilter(  # since after until: an InputError, one line and exit 2
        theatre=theatre,
        since=parse_date(since),
        until=parse_date(until),
        predicates=(predicate,),
    )

    def ask(ledger, evidence):
        _theatre(ledger, theatre)
        return relation_rows(ledger, evidence, where)

    rows = _answers(store, ask)
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
    stdout_console().print(table)


@app.command()
def paths(
    source: str = typer.Argument(..., help="Actor id or name."),
    target: str = typer.Argument(..., help="Actor id or name."),
    kind: Polarity = typer.Option(Polarity.alignment, help="alignment or opposition chains."),
    max_hops: int = typer.Option(3, min=1, max=6, help="Longest chain to consider."),
    store: str | None = STORE,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Chains of backing (or opposition) between two actors, with their evidence."""
    import json

    from detente.analysis.paths import ledger_paths

    def ask(ledger, evidence):
        found = ledger_paths(
            ledger,
            evidence,
            _actor_id(ledger, source),
            _actor_id(ledger, target),
            kind=kind.value,
            max_hops=max_hops,
        )
        labels = {a: ledger.actor_labels[i] for a, i in ledger.actors.ids.items()}
        return found, labels

    found, labels = _answers(store, ask)
    if as_json:
        sys.stdout.write(json.dumps(found, indent=2) + "\n")
        return
    if not found:
        err.print("no such path")
        return
    for path in found:
        steps = [labels[path[0]["source"]]]
        for hop in path:
            steps.append(f"-{'/'.join(hop['predicates'])}-> {labels[hop['target']]}")
        stdout_console().print(" ".join(steps), highlight=False)


@app.command()
def balance(
    theatre: str | None = typer.Option(None, help="Only relations concerning this theatre."),
    store: str | None = STORE,
) -> None:
    """Structural balance of the signed alliance graph, and its two blocs."""
    import json

    from detente.analysis.balance import ledger_balance

    result = _answers(
        store, lambda ledger, _: ledger_balance(ledger, theatre=_theatre(ledger, theatre))
    )
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
    store: str | None = STORE,
) -> None:
    """Write the knowledge graph to stdout: RDF, GraphML/GEXF, or a PLOVER-style event CSV."""
    from detente.analysis.export import export

    with _store(store) as kg:
        data = export(kg, output.value)
    sys.stdout.buffer.write(data)
