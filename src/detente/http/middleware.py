"""HTTP hygiene around the app: security headers, HEAD and OPTIONS on every route, and
deadlines for reading a request (its headers in the server's protocol, its body here).

Order, outermost first (see ``create_app``): :class:`SecurityHeaders`, :class:`BodyDeadline`,
the body limit, CORS (when configured), :class:`MethodSupport`, then the fast paths and the
routes.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from collections.abc import Callable

import h11
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol


# ---------------------------------------------------------------------- security headers
def _sha256(text: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


# The one inline style any page makes: cytoscape adds it to the explorer page's <head>
# (the same text in every version since 3.2), allowed by its hash.
CYTOSCAPE_STYLE = ".__________cytoscape_container { position: relative; }"
# Scripts, styles, images and fetches from this origin only; no inline script (the API
# docs page adds the hash of its one inline script), no plugins, no <base>, no framing.
# ``data:`` images: Swagger UI's stylesheet draws its icons with them.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; "
    f"style-src 'self' {_sha256(CYTOSCAPE_STYLE)}; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
_SECURITY_HEADERS = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]


def csp_with_scripts(*scripts: str) -> str:
    """The policy, allowing also these inline scripts (by their hashes)."""
    extra = "".join(f" {_sha256(script)}" for script in scripts)
    return CONTENT_SECURITY_POLICY.replace("script-src 'self'", f"script-src 'self'{extra}")


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in _SECURITY_HEADERS if h[0] not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


# ---------------------------------------------------------------------- HEAD and OPTIONS
def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^/}]+\})", template)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))


def route_table(app: ASGIApp) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """(path pattern, methods) of every route of a FastAPI ``app``: the OpenAPI document's
    paths (the included routers' routes, whatever their class), the app's own routes that
    the document leaves out (the explorer page, /docs, /openapi.json) and its mounts (the
    static files: GET and HEAD)."""
    table: list[tuple[re.Pattern[str], frozenset[str]]] = []
    for template, operations in app.openapi()["paths"].items():  # type: ignore[attr-defined]
        methods = frozenset(m.upper() for m in operations if m.isalpha())
        table.append((_template_pattern(template), methods))
    for route in app.router.routes:  # type: ignore[attr-defined]
        if isinstance(route, Mount):
            table.append((re.compile(re.escape(route.path) + "/.*"), frozenset({"GET", "HEAD"})))
        elif getattr(route, "methods", None) and hasattr(route, "path_regex"):
            pattern = re.compile(route.path_regex.pattern.rstrip("$"))
            table.append((pattern, frozenset(route.methods)))
    return table


def allowed_methods(table: list[tuple[re.Pattern[str], frozenset[str]]], path: str) -> set[str]:
    """What an ``Allow`` header lists for ``path``: its routes' methods, HEAD wherever GET
    is, and OPTIONS; empty for a path no route serves."""
    found: set[str] = set()
    for pattern, methods in table:
        if pattern.fullmatch(path):
            found |= methods
    if not found:
        return found
    if "GET" in found:
        found.add("HEAD")
    return found | {"OPTIONS"}


class MethodSupport:
    """HEAD on every GET route and OPTIONS on every route (RFC 9110, 9.3.2 and 9.3.7).

    FastAPI routes answer only the methods they declare, so HEAD was 405 and OPTIONS 405
    with an Allow header that did not say OPTIONS. HEAD runs the GET route (a route that
    declares HEAD itself keeps it) and sends its status and headers, Content-Length
    included, without the body. OPTIONS answers 204 with the path's methods in Allow.
    Inside CORS: a CORS preflight is CORSMiddleware's to answer when CORS is on; when it
    is off, a preflight gets this plain 204, with no Access-Control headers, which a
    browser reads as "no"."""

    def __init__(self, app: ASGIApp, routes: Callable[[], list]) -> None:
        self.app = app
        self._routes = routes
        self._table: list | None = None

    def methods(self, path: str) -> set[str]:
        if self._table is None:  # the routes are all added by the first request
            self._table = self._routes()
        return allowed_methods(self._table, path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        path = scope["path"][len(scope.get("root_path", "")) :] or "/"
        methods = self.methods(path)
        if scope["method"] == "OPTIONS":
            if not methods:  # the router's 404
                await self.app(scope, receive, send)
                return
            allow = ", ".join(sorted(methods))
            await Response(status_code=204, headers={"Allow": allow})(scope, receive, send)
            return
        if "GET" not in methods or self._declares_head(path):
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)

    def _declares_head(self, path: str) -> bool:
        assert self._table is not None
        return any("HEAD" in m and p.fullmatch(path) for p, m in self._table)


# ---------------------------------------------------------------------- reading deadlines
# uvicorn has no deadline for reading a request. Its only timer, ``timeout_keep_alive``,
# runs between requests (armed when a response completes, cancelled by the next bytes):
# a client that opens a connection and sends nothing, or sends headers one byte at a time,
# or declares a body and sends it slowly (or never), holds the connection forever. Its
# ``h11_max_incomplete_event_size`` caps the headers' size, not their time. So:
#
# * the body, read by the app, has a deadline here (:class:`BodyDeadline`): 408 and the
#   connection closed, through ASGI, so it works with either parser and in test clients;
# * the headers (and a body the app never reads, after its answer) have theirs in a
#   subclass of uvicorn's protocol (:func:`timed_protocol`), which is the only place that
#   sees a request before its headers are complete.


class BodyDeadline:
    """408 (and the connection closed) when a request's body has not all arrived within
    ``timeout`` seconds of the app's first asking for it (at once, for the writes: the
    body limit reads it before any handler). The app is then told the client went away.
    A request without a body passes untouched."""

    def __init__(self, app: ASGIApp, timeout: float) -> None:
        self.app = app
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline: float | None = None
        body_done = timed_out = started = False

        async def timed_receive() -> Message:
            nonlocal body_done, timed_out, deadline
            if timed_out:
                return {"type": "http.disconnect"}
            if body_done:  # after the body: waiting for a disconnect has no deadline
                return await receive()
            if deadline is None:
                deadline = loop.time() + self.timeout
            try:
                message = await asyncio.wait_for(receive(), max(deadline - loop.time(), 0))
            except asyncio.TimeoutError:
                timed_out = True
                if not started:
                    response = PlainTextResponse(
                        f"request body not received within {self.timeout:g} s",
                        status_code=408,
                        headers={"Connection": "close"},
                    )
                    await response(scope, receive, send)
                return {"type": "http.disconnect"}
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if timed_out and not started:
                return  # the 408 went instead
            started = True
            await send(message)

        await self.app(scope, timed_receive, tracked_send)


def _has_body(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() != b"0"):
            return True
    return False


_TIMEOUT_TEXT = b"request headers not received in time\n"
_REQUEST_TIMEOUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"x-content-type-options: nosniff\r\nconnection: close\r\n"
    b"content-length: " + str(len(_TIMEOUT_TEXT)).encode() + b"\r\n\r\n" + _TIMEOUT_TEXT
)


class _ReadDeadlines:
    """The timers of :func:`timed_protocol`'s classes. ``_begun`` says whether any byte of
    the awaited request came (a 408 then, else the idle connection is just closed)."""

    header_timeout: float = 10.0
    body_timeout: float = 30.0
    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop

    def _init_deadlines(self) -> None:
        self._header_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._begun = False

    def _arm_headers(self, begun: bool) -> None:
        self._begun = self._begun or begun
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._headers_late)

    def _headers_done(self) -> None:
        self._begun = False
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _arm_unread_body(self) -> None:
        """After a response to a request whose body is still coming (the app never read
        it: a 413 on its declared length, a GET with a body): the rest may come for
        ``body_timeout`` seconds, then the connection is closed."""
        if self._body_timer is None:
            self._body_timer = self.loop.call_later(self.body_timeout, self._body_late)

    def _body_done(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or not self._awaiting_headers():
            return
        if self._begun:
            self.transport.write(_REQUEST_TIMEOUT)
        self.transport.close()

    def _body_late(self) -> None:
        self._body_timer = None
        if not self.transport.is_closing() and self._awaiting_body():
            self.transport.close()

    def _stop_deadlines(self) -> None:
        self._headers_done()
        self._body_done()

    def _awaiting_headers(self) -> bool:
        raise NotImplementedError

    def _awaiting_body(self) -> bool:
        raise NotImplementedError


class TimedH11Protocol(_ReadDeadlines, H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's headers: from the
    connection's start, or from the first byte of a request after a response, to the end
    of its headers."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._init_deadlines()
        super().connection_made(transport)
        self._arm_headers(begun=False)

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:
            self._arm_headers(begun=True)
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # may start the next pipelined request
        self._follow()
        if self.conn.their_state is h11.SEND_BODY:
            self._arm_unread_body()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_deadlines()
        super().connection_lost(exc)

    def _follow(self) -> None:
        state = self.conn.their_state
        if state is not h11.IDLE:
            self._headers_done()
        elif self.conn.trailing_data[0]:  # part of a pipelined request is waiting
            self._arm_headers(begun=True)
        if state is not h11.SEND_BODY:
            self._body_done()

    def _awaiting_headers(self) -> bool:
        return self.conn.their_state is h11.IDLE

    def _awaiting_body(self) -> bool:
        return self.conn.their_state is h11.SEND_BODY


def _httptools_protocol() -> type:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class TimedHttpToolsProtocol(_ReadDeadlines, HttpToolsProtocol):
        """The same deadlines on uvicorn's httptools protocol, from its parser's events."""

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            self._init_deadlines()
            self._in_headers = True  # awaiting the first request
            self._in_body = False
            super().connection_made(transport)
            self._arm_headers(begun=False)

        def on_message_begin(self) -> None:
            self._in_headers = True
            self._arm_headers(begun=True)
            super().on_message_begin()

        def on_headers_complete(self) -> None:
            self._in_headers = False
            self._in_body = True
            self._headers_done()
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self._in_body = False
            self._body_done()
            super().on_message_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if self._in_body:
                self._arm_unread_body()

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_deadlines()
            super().connection_lost(exc)

        def _awaiting_headers(self) -> bool:
            return self._in_headers

        def _awaiting_body(self) -> bool:
            return self._in_body

    return TimedHttpToolsProtocol


def timed_protocol(parser: str, header_timeout: float, body_timeout: float) -> type:
    """uvicorn's protocol class for ``parser`` (h11 or httptools) with these deadlines
    (pass it as ``uvicorn.run(..., http=...)``)."""
    base = TimedH11Protocol if parser == "h11" else _httptools_protocol()
    return type(
        base.__name__,
        (base,),
        {"header_timeout": header_timeout, "body_timeout": body_timeout},
    )
