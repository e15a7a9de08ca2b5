"""The HTTP service on a background thread of the current process.

For notebooks and scripts that hold a store open (an on-disk Oxigraph store admits one
process) and still want to reach it over HTTP, as another system would.
"""

from __future__ import annotations

import threading
import time

import uvicorn

from detente.http.app import create_app
from detente.http.settings import ServiceSettings
from detente.live.service import KnowledgeService


class BackgroundServer:
    """``detente serve`` in a daemon thread; ``url`` is its base URL once started.

    >>> with BackgroundServer(KnowledgeService("memory:")) as server:
    ...     server.url  # doctest: +SKIP
    'http://127.0.0.1:41231'
    """

    def __init__(
        self,
        service: KnowledgeService,
        *,
        settings: ServiceSettings | None = None,
        host: str = "127.0.0.1",
        port: int = 0,  # 0: any free port
    ) -> None:
        app = create_app(settings, service)
        if app.state.query_workers is not None:
            app.state.query_workers.start()
        self._server = uvicorn.Server(
            uvicorn.Config(app, host=host, port=port, log_level="warning")
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._host = host
        self.url: str | None = None

    def start(self, timeout: float = 30.0) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the HTTP service did not start (is the port in use?)")
            time.sleep(0.02)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://{self._host}:{port}"
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
