"""``detente serve`` and ``detente demo``: the HTTP service from the command line."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import typer

from detente.api.cli import app, err, fail
from detente.api.graph_cli import STORE_HELP


def _examples() -> Path:
    """The bundled examples: ./examples in a clone (also after a non-editable install),
    else next to the source tree of an editable install."""
    here = Path("examples")
    return here if here.is_dir() else Path(__file__).resolve().parent.parent / "examples"


def _run(settings, service, host: str, port: int) -> None:
    import uvicorn

    from detente.api.app import create_app

    err.print(f"detente: serving {settings.store} at http://{host}:{port}/", highlight=False)
    uvicorn.run(create_app(settings, service), host=host, port=port, log_level="warning")


@app.command()
def serve(
    store: str | None = typer.Option(None, help=STORE_HELP),
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, min=1, max=65535),
    query_timeout: float | None = typer.Option(None, help="SPARQL time limit (s), default 10."),
) -> None:
    """Serve the REST API, the SPARQL endpoint and the explorer page.

    Writes need DETENTE_TOKEN set in the environment; without it the service is read-only.
    Other settings: DETENTE_CORS_ORIGINS, DETENTE_MAX_BODY_BYTES, DETENTE_MAX_RESULT_BYTES.
    """
    from pydantic import ValidationError

    from detente.api.settings import ServiceSettings
    from detente.graph import StoreError

    overrides: dict = {"store": store} if store else {}
    if query_timeout is not None:
        overrides["query_timeout"] = query_timeout
    try:
        settings = ServiceSettings(**overrides)
        _run(settings, None, host, port)
    except ValidationError as exc:
        fail(f"bad setting: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}")
    except StoreError as exc:
        fail(str(exc))


@app.command()
def demo(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, min=1, max=65535),
    examples: Path | None = typer.Option(None, help="Folder of articles (default: examples/)."),
) -> None:
    """Ingest the bundled example articles into a temporary store and serve them."""
    from detente.api.service import KnowledgeService
    from detente.api.settings import ServiceSettings
    from detente.extract import read_article

    examples = examples or _examples()
    files = sorted(examples.glob("*.txt")) if examples.is_dir() else []
    if not files:
        fail(f"no example articles (*.txt) in {examples}")
    with tempfile.TemporaryDirectory(prefix="detente-demo-") as folder:
        token = os.environ.get("DETENTE_TOKEN")
        settings = ServiceSettings(store=f"oxigraph:{folder}", token=token)
        service = KnowledgeService(settings.store)
        for path in files:
            _, found = service.ingest(read_article(path.read_bytes()), str(path), None)
            err.print(f"ingested {path.name}: {len(found)} relations", highlight=False)
        try:
            _run(settings, service, host, port)
        finally:
            service.close()
