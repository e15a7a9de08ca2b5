"""The HTTP service: REST API, SPARQL endpoint and explorer page in one FastAPI app."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from detente.errors import DetenteError, SparqlError, UnknownNameError
from detente.extract.fetch import FetchPolicy
from detente.graph.store import PREFIX_MAP, Capability
from detente.http import curation_routes, explorer_routes, overview_routes, rest, sparql_routes
from detente.http.answer_cache import AnswerCache, AnswerFastPath
from detente.http.middleware import (
    SECURITY_HEADERS,
    BodyDeadline,
    MethodSupport,
    SecurityHeaders,
    allowed_methods,
    csp_with_scripts,
    route_table,
)
from detente.http.settings import ServiceSettings
from detente.live.feeds import FeedPoller
from detente.live.service import KnowledgeService
from detente.sparql.snapshots import Snapshots
from detente.sparql.workers import QueryWorkers

log = logging.getLogger("detente")
EXPLORER = Path(__file__).parent / "explorer"


class BodyLimit:
    """413 for request bodies over ``limit`` bytes, declared or streamed.

    The body is read here, up to the limit, before the app sees it: a streamed (chunked)
    body that grows too large is refused before any handler or body parser starts, which
    would otherwise turn the interruption into its own 400.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)  # nothing to limit (a GET body is ignored)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        parts: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            size += len(message.get("body", b""))
            if size > self.limit:
                await self._refuse(send)
                return
            parts.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        replayed = False

        async def buffered() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # after the body: a disconnect, when it comes
            replayed = True
            return {"type": "http.request", "body": b"".join(parts), "more_body": False}

        await self.app(scope, buffered, send)

    async def _refuse(self, send: Send) -> None:
        response = PlainTextResponse(
            f"request body larger than {self.limit:,} bytes", status_code=413
        )
        await response({"type": "http"}, _nothing, send)


async def _nothing() -> Message:
    return {"type": "http.request", "body": b""}


VENDOR = "/static/vendor/swagger-ui"


def _api_docs(openapi_url: str, title: str) -> tuple[bytes, str]:
    """Swagger UI (where people paste the write token) from this server's own copy
    (``explorer/build.sh``), under the same policy as every page plus the hash of its one
    inline script: no CDN, no script from anywhere else."""
    page = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=f"{title} API",
        swagger_js_url=f"{VENDOR}/swagger-ui-bundle.js",
        swagger_css_url=f"{VENDOR}/swagger-ui.css",
        swagger_favicon_url=f"{VENDOR}/favicon-32x32.png",
        swagger_ui_parameters={"validatorUrl": None},  # no badge from validator.swagger.io
    )
    body = bytes(page.body)
    inline = re.findall(r"<script>(.*?)</script>", body.decode(), re.DOTALL)
    return body, csp_with_scripts(*inline)


def create_app(
    settings: ServiceSettings | None = None, service: KnowledgeService | None = None
) -> FastAPI:
    """The service on ``settings.store`` (or on ``service``, for tests and ``demo``)."""
    # Every field has a default, given as Field's first argument, which mypy does not read
    # as one: it asks for them all.
    settings = settings or ServiceSettings()  # type: ignore[call-arg]
    svc = service or KnowledgeService(settings.store, credentials=settings.store_credentials)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The query workers start on first use or when the server starts (serve, demo,
        # BackgroundServer): an app whose lifespan runs around single calls (some test
        # clients) should not start processes it never uses.
        yield
        close(app)

    def close(app: FastAPI) -> None:
        app.state.feeds.close()
        if app.state.query_workers is not None:
            app.state.query_workers.close()
            app.state.query_workers.snapshots.close()
        if service is None:
            svc.close()

    app = FastAPI(
        title="detente",
        summary="Who backs, fights, sanctions or mediates whom: a knowledge graph from news.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served below, from the bundled Swagger UI
        redoc_url=None,  # it loads from a CDN (and Google Fonts): /docs is the one page
    )
    app.state.settings = settings
    app.state.service = svc
    app.state.answers = answers = AnswerCache(svc)
    allowed = frozenset(settings.federation_allow)
    store = svc.store
    local = store.supports(Capability.FILES)
    snapshots = Snapshots(store, lambda: svc.generation) if local else None
    if snapshots is not None:
        svc.subscribe(snapshots.refresh_soon)
    app.state.query_workers = (
        QueryWorkers(
            snapshots,
            size=settings.query_workers,
            timeout=settings.query_timeout,
            max_result_bytes=settings.max_result_bytes,
            memory_mb=settings.query_memory_mb,
            allowed_calls=allowed,
            prefixes=PREFIX_MAP,
            unconfined_accepted=settings.unconfined_sparql,
        )
        if snapshots is not None
        else None
    )
    app.state.feeds = FeedPoller(svc, FetchPolicy(allow=settings.fetch_allowed))
    app.include_router(rest.router)
    app.include_router(explorer_routes.router)
    app.include_router(overview_routes.router)
    app.include_router(curation_routes.router)
    app.include_router(sparql_routes.router)
    app.mount("/static", StaticFiles(directory=EXPLORER / "static"), name="static")

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def explorer() -> FileResponse:
        return FileResponse(EXPLORER / "static" / "index.html")

    docs_page, docs_policy = _api_docs(app.openapi_url or "/openapi.json", app.title)

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(docs_page, headers={"Content-Security-Policy": docs_policy})

    @app.exception_handler(SparqlError)
    async def sparql_error(request: Request, exc: SparqlError) -> PlainTextResponse:
        return sparql_routes.error_response(exc)

    @app.exception_handler(DetenteError)
    async def refused(request: Request, exc: DetenteError) -> JSONResponse:
        # What a route did not map itself: each kind of error knows its status.
        body: dict[str, Any] = {"detail": str(exc)}
        if isinstance(exc, UnknownNameError):
            body["suggestions"] = exc.suggestions
        return JSONResponse(body, exc.http_status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # every method of the path, not only the first route's
            methods = allowed_methods(route_table(request.app), request.url.path)
            headers["Allow"] = ", ".join(sorted(methods))
        return JSONResponse({"detail": exc.detail}, exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"where": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in exc.errors()
        ]
        return JSONResponse({"detail": "invalid request", "errors": problems}, 422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Logged in full for the operator; the client gets no stack trace.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        # Answered outside the middleware: the security headers are added here.
        return JSONResponse(
            {"detail": "internal error; the server log has the details"},
            500,
            headers=SECURITY_HEADERS,
        )

    app.add_middleware(sparql_routes.QueryFastPath)  # the innermost: added first
    app.add_middleware(AnswerFastPath, answers=answers)
    # HEAD on GET routes, OPTIONS everywhere; inside CORS, which answers preflights.
    app.add_middleware(MethodSupport, routes=lambda: route_table(app))
    if settings.cors_origins:  # no layer at all when CORS is off: every request pays for it
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE", "HEAD"],
            allow_headers=["Authorization", "Content-Type", "Accept"],
        )
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(BodyDeadline, timeout=settings.body_timeout)  # headers: serve.py
    app.add_middleware(SecurityHeaders)  # the outermost: every answer has them
    return app
