"""``detente serve`` and ``detente demo``: the HTTP service from the command line."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
import threading
from pathlib import Path

import typer

from detente.api.cli import app, err, fail
from detente.api.cli.graph import STORE_HELP

GRACEFUL_S = 3  # seconds running requests get to finish after SIGTERM


def _examples() -> Path:
    """The bundled example articles (installed with the package as ``detente.examples``)."""
    from importlib.resources import files

    return Path(str(files("detente.examples")))


def _exit_on_sigterm() -> None:
    """SIGTERM ends the process through SystemExit, so ``finally`` blocks run (temporary
    stores are removed, the server's advert is withdrawn). uvicorn shuts down gracefully on
    SIGTERM and then raises the signal again, which lands here."""

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def _run(settings, service, host: str, port: int) -> None:
    import uvicorn

    from detente.api.http.app import create_app
    from detente.api.http.discovery import advertised, local_url
    from detente.api.http.middleware import timed_protocol
    from detente.graph.oxigraph import OxigraphStore
    from detente.graph.suggestions import warm_suggestions

    app_ = create_app(settings, service)
    if app_.state.query_workers is not None:
        from detente.api.http.sandbox import SandboxUnavailable

        try:  # loaded before the first query arrives; a platform that cannot confine them
            app_.state.query_workers.wait_ready()  # is refused here, saying why
        except SandboxUnavailable as exc:
            app_.state.query_workers.close()
            fail(str(exc))
    # The search box's names (a second or two of work) are read while the server starts.
    threading.Thread(target=warm_suggestions, name="detente-warm", daemon=True).start()
    store = app_.state.service.store
    if not settings.writable:
        err.print(
            "[bold yellow]detente: writes are disabled:[/] DETENTE_TOKEN is not set"
            + (" (it is empty)" if "DETENTE_TOKEN" in os.environ else "")
            + "; the service is read-only",
            highlight=False,
            soft_wrap=True,
        )
    err.print(f"detente: serving {settings.store} at http://{host}:{port}/", highlight=False)
    _exit_on_sigterm()
    # Answers computed on threads (numpy under the interpreter lock) would otherwise keep
    # the event loop, which serves every cached answer, waiting up to 5 ms for the lock.
    sys.setswitchinterval(0.001)
    location = store.location if isinstance(store, OxigraphStore) else None
    advert = (
        advertised(location, local_url(host, port))
        if location and settings.store != "memory:"
        else contextlib.nullcontext()
    )
    # uvicorn has no deadline for reading a request (its keep-alive timer only runs between
    # requests): its protocol, subclassed, times the headers; the app times the body.
    protocol = timed_protocol(settings.http_parser, settings.header_timeout, settings.body_timeout)
    with advert:
        # SIGTERM: requests still running after a few seconds (an update computing) are
        # cancelled, and closing the app ends their workers.
        uvicorn.run(
            app_,
            host=host,
            port=port,
            log_level="warning",
            http=protocol,
            timeout_graceful_shutdown=GRACEFUL_S,
        )


@app.command()
def serve(
    store: str | None = typer.Option(None, help=STORE_HELP),
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

    from detente.api.http.settings import ServiceSettings
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
    from detente.api.http.service import KnowledgeService
    from detente.api.http.settings import ServiceSettings
    from detente.extract import read_article

    examples = examples or _examples()
    files = sorted(examples.glob("*.txt")) if examples.is_dir() else []
    if not files:
        fail(f"no example articles (*.txt) in {examples}")
    _exit_on_sigterm()
    with tempfile.TemporaryDirectory(prefix="detente-demo-") as folder:
        settings = ServiceSettings(store=f"oxigraph:{folder}/store")
        service = KnowledgeService(settings.store)
        try:
            for path in files:
                article = read_article(path.read_bytes())
                _, found = service.ingest(article, f"examples/{path.name}", None)
                err.print(f"ingested {path.name}: {len(found)} relations", highlight=False)
            _run(settings, service, host, port)
        finally:
            service.close()
