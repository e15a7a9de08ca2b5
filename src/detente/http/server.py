"""Running the HTTP service in this process: the app, its query workers made ready, the
search names warmed, the store advertised to local commands, uvicorn with timed request
reading, and SIGTERM ending it within a few seconds. The one entrance the CLI uses."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading

from rich.console import Console

from detente.http.app import create_app
from detente.http.middleware import timed_protocol
from detente.http.settings import ServiceSettings
from detente.live.service import KnowledgeService
from detente.sparql.sandbox import SandboxUnavailable

__all__ = ["SandboxUnavailable", "ServiceSettings", "exit_on_sigterm", "run"]

err = Console(stderr=True)

GRACEFUL_S = 3  # seconds running requests get to finish after SIGTERM


def exit_on_sigterm() -> None:
    """SIGTERM ends the process through SystemExit, so ``finally`` blocks run (temporary
    stores are removed, the server's advert is withdrawn). uvicorn shuts down gracefully on
    SIGTERM and then raises the signal again, which lands here."""

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def run(settings: ServiceSettings, service: KnowledgeService | None, host: str, port: int) -> None:
    """Serve ``service`` (a new one over ``settings.store`` when None) at ``host:port``
    until SIGTERM or Ctrl-C. Raises :class:`SandboxUnavailable` where SPARQL cannot be
    confined and the operator has not accepted running it unconfined."""
    import uvicorn

    from detente.analysis.suggestions import warm_suggestions
    from detente.graph.discovery import advertised, local_url
    from detente.graph.store import Capability

    app_ = create_app(settings, service)
    if app_.state.query_workers is not None:
        try:  # loaded before the first query arrives; a platform that cannot confine them
            app_.state.query_workers.wait_ready()  # is refused here, saying why
        except SandboxUnavailable:
            app_.state.query_workers.close()
            raise
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
    exit_on_sigterm()
    # Answers computed on threads (numpy under the interpreter lock) would otherwise keep
    # the event loop, which serves every cached answer, waiting up to 5 ms for the lock.
    sys.setswitchinterval(0.001)
    location = store.location if store.supports(Capability.FILES) else None
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
