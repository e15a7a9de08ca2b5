"""The HTTP service: REST API, SPARQL endpoint and explorer page in one FastAPI app."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from detente.api import rest, sparql_routes
from detente.api.query_workers import QueryWorkers
from detente.api.service import KnowledgeService
from detente.api.settings import ServiceSettings
from detente.api.sparql_engine import SparqlEngine, SparqlError
from detente.graph.oxigraph import OxigraphStore

log = logging.getLogger("detente.api")
EXPLORER = Path(__file__).parent / "explorer"


class BodyLimit:
    """413 for request bodies over ``limit`` bytes, declared or streamed."""

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
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        response = PlainTextResponse(
            f"request body larger than {self.limit:,} bytes", status_code=413
        )
        await response({"type": "http"}, _nothing, send)


class _TooLarge(Exception):
    pass


async def _nothing() -> Message:
    return {"type": "http.request", "body": b""}


def create_app(
    settings: ServiceSettings | None = None, service: KnowledgeService | None = None
) -> FastAPI:
    """The service on ``settings.store`` (or on ``service``, for tests and ``demo``)."""
    settings = settings or ServiceSettings()
    svc = service or KnowledgeService(settings.store)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.query_pool.shutdown(wait=False, cancel_futures=True)
        if app.state.query_workers is not None:
            app.state.query_workers.close()
        if service is None:
            svc.close()

    app = FastAPI(
        title="detente",
        summary="Who backs, fights, sanctions or mediates whom: a knowledge graph from news.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.service = svc
    app.state.query_pool = ThreadPoolExecutor(settings.query_workers, "sparql")
    location = svc.store.location if isinstance(svc.store, OxigraphStore) else None
    app.state.query_workers = (
        QueryWorkers(
            location,
            size=settings.query_workers,
            timeout=settings.query_timeout,
            max_result_bytes=settings.max_result_bytes,
            generation=lambda: svc.generation,
        )
        if location and settings.query_processes
        else None
    )
    app.state.sparql = (
        SparqlEngine(
            svc.store.native,
            timeout=settings.query_timeout,
            max_result_bytes=settings.max_result_bytes,
        )
        if isinstance(svc.store, OxigraphStore)
        else None
    )
    app.include_router(rest.router)
    app.include_router(sparql_routes.router)
    app.mount("/static", StaticFiles(directory=EXPLORER / "static"), name="static")

    @app.get("/", include_in_schema=False)
    def explorer() -> FileResponse:
        return FileResponse(EXPLORER / "static" / "index.html")

    @app.exception_handler(SparqlError)
    async def sparql_error(request: Request, exc: SparqlError) -> PlainTextResponse:
        return PlainTextResponse(exc.message + "\n", status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)

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
        return JSONResponse({"detail": "internal error; the server log has the details"}, 500)

    if settings.cors_origins:  # no layer at all when CORS is off: every request pays for it
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE", "HEAD"],
            allow_headers=["Authorization", "Content-Type", "Accept"],
        )
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    return app
