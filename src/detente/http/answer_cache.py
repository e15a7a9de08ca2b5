"""Repeated analysis questions answered from the bytes of their last answer.

Between two writes, ``GET /relations?theatre=Libya`` asked again has the same answer. Under
load on a 2-core machine most of a cached answer's time went to the layers around the
handler (routing, parameter validation, the thread-pool hop of a sync handler), so a
repeated request (the same path and the same query string) is answered here, before them.
Anything else (a new question, an error, a write) goes through the app as before.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from detente.live.service import KnowledgeService

ROUTES = frozenset({"/relations", "/paths", "/balance", "/actors", "/view"})
_HEADERS = [(b"content-type", b"application/json")]


def answer_key(scope: Scope) -> tuple[str, str, bytes]:
    """A request's key in the answer cache: its path and its query string as sent."""
    return ("raw", scope["path"], scope["query_string"])


class AnswerFastPath:
    """ASGI middleware; keeps the answers in the service's per-write answer cache."""

    def __init__(self, app: ASGIApp, service: KnowledgeService) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] not in ROUTES:
            await self.app(scope, receive, send)
            return
        key = answer_key(scope)
        found = self.service.cached(key)
        if found is not None:
            headers = [*_HEADERS, (b"content-length", str(len(found)).encode())]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": found})
            return
        epoch = self.service.epoch
        status = 0
        parts: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and status == 200:
                parts.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self.service.keep(key, epoch, b"".join(parts))
            await send(message)

        await self.app(scope, receive, keep)
