"""``detente serve`` and ``detente demo``: the HTTP service from the command line."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer

from detente.cli.app import app, err, fail
from detente.cli.graph import CREATE_HELP, STORE, check_location


def _examples() -> Path:
    """The bundled example articles (installed with the package as ``detente.examples``)."""
    from importlib.resources import files

    return Path(str(files("detente.examples")))


@app.command()
def serve(
    store: str | None = STORE,
    create: bool = typer.Option(False, "--create", help=CREATE_HELP),
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, min=1, max=65535),
    query_timeout: float | None = typer.Option(None, help="SPARQL time limit (s), default 10."),
) -> None:
    """Serve the REST API, the SPARQL endpoint and the explorer page.

    Writes need DETENTE_TOKEN set in the environment; without it the service is read-only.
    Other settings: DETENTE_CORS_ORIGINS, DETENTE_MAX_BODY_BYTES, DETENTE_MAX_RESULT_BYTES,
    DETENTE_HEADER_TIMEOUT, DETENTE_BODY_TIMEOUT.
    """
    from pydantic import ValidationError

    from detente.http.server import ServiceSettings, run

    overrides: dict = {"store": store} if store else {}
    if query_timeout is not None:
        overrides["query_timeout"] = query_timeout
    try:
        settings = ServiceSettings(**overrides)
        # A new store is made only when asked; serving one is writing it when a token is set.
        check_location(settings.store, write=True, create=create)
        run(settings, None, host, port)
    except ValidationError as exc:
        fail(f"bad setting: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}")


@app.command()
def demo(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, min=1, max=65535),
    examples: Path | None = typer.Option(None, help="Folder of articles (default: bundled)."),
) -> None:
    """Ingest the bundled example articles into a temporary store and serve them."""
    from detente.extract import read_article
    from detente.http.server import ServiceSettings, exit_on_sigterm, run
    from detente.live.service import KnowledgeService

    examples = examples or _examples()
    files = sorted(examples.glob("*.txt")) if examples.is_dir() else []
    if not files:
        fail(f"no example articles (*.txt) in {examples}")
    exit_on_sigterm()
    with tempfile.TemporaryDirectory(prefix="detente-demo-") as folder:
        # Every field has a default, given as Field's first argument, which mypy does not
        # read as one: it asks for them all.
        settings = ServiceSettings(store=f"oxigraph:{folder}/store")  # type: ignore[call-arg]
        service = KnowledgeService(settings.store)
        try:
            for path in files:
                article = read_article(path.read_bytes())
                _, found = service.ingest(article, f"examples/{path.name}", None)
                err.print(f"ingested {path.name}: {len(found)} relations", highlight=False)
            run(settings, service, host, port)
        finally:
            service.close()
