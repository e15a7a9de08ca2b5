"""The HTTP service's cache of answers: the bytes of each analysis answer, kept until the
next change of what answers say, and the fast path that serves a repeated request from them.

Between two writes, ``GET /relations?theatre=Libya`` asked again has the same answer. Under
load on a 2-core machine most of a cached answer's time went to the layers around the
handler (routing, parameter validation, the thread-pool hop of a sync handler), so a
repeated request (the same path and the same query string) is answered by
:class:`AnswerFastPath`, before them. Anything else (a new question, an error, a write) goes
through the app as before.

A list route's answer is one page of the list (:class:`Page`): its body with where the page
lies in the whole list, from which the fast path writes the same ``X-Total-Count`` and
``Link`` headers as the route (:func:`page_headers`), for the address the request was sent
to. The cache keeps pages, never whole lists: its memory stays bounded by its number of
answers times the largest page.

The cache attaches to the live service (:meth:`KnowledgeService.attach`), which tells it of
every new epoch; a document write has it answer the questions asked last again on the new
state before the write is visible (and before its 201), so that readers get the answer
before the write until then, and the one after it at once, without waiting.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence

from starlette.datastructures import URL
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from detente.live.service import KnowledgeService

ROUTES = frozenset({"/relations", "/paths", "/balance", "/actors", "/view"})
RESPONSES_KEPT = 512
HOT_QUESTIONS = 8  # answered again by every document write, before its 201
_HEADERS = [(b"content-type", b"application/json")]


class Page(bytes):
    """One page of a list answer: its JSON body (a list), with the page's window (``limit``
    items from ``offset``) and the length of the whole list (``total``). It is bytes, so
    that the cache, the service and the fast path handle it as any other answer."""

    total: int
    limit: int
    offset: int

    def __new__(cls, body: bytes, *, total: int, limit: int, offset: int) -> Page:
        page = super().__new__(cls, body)
        page.total, page.limit, page.offset = total, limit, offset
        return page


def page_headers(url: URL, page: Page) -> dict[str, str]:
    """The headers of a page asked for at ``url``: the whole list's length in
    ``X-Total-Count``, and the next and previous pages in ``Link`` (RFC 8288), ``url`` with
    their ``offset`` and ``limit``."""
    limit, offset = page.limit, page.offset
    links = []
    if offset + limit < page.total:
        links.append((offset + limit, "next"))
    if offset > 0:
        links.append((max(offset - limit, 0), "prev"))
    headers = {"X-Total-Count": str(page.total)}
    if links:
        headers["Link"] = ", ".join(
            f'<{url.include_query_params(offset=at, limit=limit)}>; rel="{rel}"'
            for at, rel in links
        )
    return headers


def answer_key(scope: Scope) -> tuple[str, str, bytes]:
    """A request's key in the answer cache: its path and its query string as sent."""
    return ("raw", scope["path"], scope["query_string"])


class AnswerCache:
    """Serialised answers of the service's current epoch, by question."""

    def __init__(self, service: KnowledgeService) -> None:
        self.service = service
        self._responses: OrderedDict[tuple, bytes] = OrderedDict()
        # Only ever held for a dict operation: the event loop takes it (the fast path).
        self._responses_lock = threading.Lock()
        self._computing: dict[tuple, threading.Lock] = {}  # one computation per question
        # The questions answered again by each document write, most recently asked last,
        # and the fast path's keys for them.
        self._hot: OrderedDict[tuple, tuple[Callable[[], bytes], tuple | None]] = OrderedDict()
        self._hot_raw: dict[tuple, tuple] = {}
        # The same, on the event loop: the computation's answer, shared by those asking.
        self._computing_async: dict[tuple, asyncio.Future[bytes | None]] = {}
        service.attach(self)

    def response(
        self,
        question: tuple,
        answer: Callable[[], bytes],
        *,
        raw: tuple | None = None,
        refresh: bool = True,
    ) -> bytes:
        """The serialised answer to ``question`` in the current generation, computed by
        ``answer`` at most once per generation (of the last ``RESPONSES_KEPT`` questions).
        ``raw``, the request's key in the answer cache (:func:`answer_key`), keeps it there
        too.
        The questions computed last are answered again by each document write, before
        its 201 (see :meth:`answer_again`), unless ``refresh`` is false: an answer that may take
        a second on a large store is computed again when next asked, not in every write."""
        key = (self.service.epoch, *question)
        found = self._responses.get(key)
        if found is not None:
            return found
        # Clients asking the same question at once wait for one computation, not eight.
        with self._responses_lock:
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:
            found = self._responses.get(key)
            if found is not None:
                return found
            try:
                body = answer()
            finally:  # also when it fails (a 404): no gate is left behind per question
                with self._responses_lock:
                    self._computing.pop(key, None)
            if refresh:
                self._make_hot(question, answer, raw)
            self.keep(question, key[0], body)
            if raw is not None:
                self.keep(raw, key[0], body)
        return body

    def _make_hot(self, question: tuple, answer: Callable[[], bytes], raw: tuple | None) -> None:
        with self._responses_lock:
            self._hot[question] = (answer, raw)
            self._hot.move_to_end(question)
            if raw is not None:
                self._hot_raw[raw] = question
            while len(self._hot) > HOT_QUESTIONS:
                _, (_, gone) = self._hot.popitem(last=False)
                if gone is not None:
                    self._hot_raw.pop(gone, None)

    def answer_again(self) -> list[tuple[tuple, bytes]]:
        """The questions asked last, answered again on the current state (the service
        calls it in a write, holding the state lock): (cache key, body) pairs for the next
        epoch."""
        with self._responses_lock:
            hot = list(self._hot.items())
        fresh = []
        for question, (answer, raw) in hot:
            try:
                body = answer()
            except Exception:  # e.g. an actor the write removed: asked again, it says so
                with self._responses_lock:
                    self._hot.pop(question, None)
                    if raw is not None:
                        self._hot_raw.pop(raw, None)
                continue
            fresh.append((question, body))
            if raw is not None:
                fresh.append((raw, body))
        return fresh

    async def response_async(
        self, question: tuple, answer: Callable[[], Awaitable[bytes]]
    ) -> bytes:
        """:meth:`response` for answers computed on the event loop (awaiting threads or
        worker processes).

        Those asking the same question in the same epoch while it is computed get that
        computation's answer, also when a write came meanwhile (it is not kept then): it
        was computed on a state no older than their question. Computing it again for them
        would only compete with the next epoch's computation for the CPU (a balance on a
        large theatre, each time the posts came faster than it was computed). If the
        computation fails, each of them computes its own."""
        key = (self.service.epoch, *question)
        while True:
            found = self._responses.get(key)
            if found is not None:
                return found
            pending = self._computing_async.get(key)
            if pending is None:
                break
            shared = await asyncio.shield(pending)
            if shared is not None:
                return shared
        pending = asyncio.get_running_loop().create_future()
        self._computing_async[key] = pending
        body: bytes | None = None
        try:
            body = await answer()
        finally:
            self._computing_async.pop(key, None)
            pending.set_result(body)  # None when it failed: the others compute their own
        self.keep(question, key[0], body)
        return body

    def cached(self, key: tuple) -> bytes | None:
        """The answer kept under ``key`` since the last change, if any (an answer asked
        for stays among the questions each write answers again)."""
        found = self._responses.get((self.service.epoch, *key))
        if found is not None and key in self._hot_raw:
            with self._responses_lock:
                question = self._hot_raw.get(key)
                if question is not None and question in self._hot:
                    self._hot.move_to_end(question)
        return found

    def keep(self, key: tuple, epoch: int, body: bytes) -> None:
        """Keep ``body`` as the answer to ``key`` computed at ``epoch`` (dropped if
        something changed since)."""
        with self._responses_lock:
            if epoch == self.service.epoch:
                self._responses[(epoch, *key)] = body
                while len(self._responses) > RESPONSES_KEPT:
                    self._responses.popitem(last=False)

    def advance(self, epoch: int, answers: Sequence[tuple[tuple, bytes]]) -> None:
        """Forget the previous epoch's answers, keeping ``answers`` (computed on the new
        state) for ``epoch``."""
        with self._responses_lock:
            self._responses.clear()
            self._computing.clear()
            for key, body in answers:
                self._responses[(epoch, *key)] = body


class AnswerFastPath:
    """ASGI middleware: a repeated request answered from the cache, before the app."""

    def __init__(self, app: ASGIApp, answers: AnswerCache) -> None:
        self.app = app
        self.answers = answers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] not in ROUTES:
            await self.app(scope, receive, send)
            return
        key = answer_key(scope)
        found = self.answers.cached(key)
        if found is not None:
            headers = [*_HEADERS, (b"content-length", str(len(found)).encode())]
            if isinstance(found, Page):  # the route's headers, for this request's address
                more = page_headers(URL(scope=scope), found)
                headers += [(k.lower().encode(), v.encode("latin-1")) for k, v in more.items()]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": found})
            return
        epoch = self.answers.service.epoch
        status = 0
        parts: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if any(name.lower() == b"x-total-count" for name, _ in message["headers"]):
                    status = 0  # a page: its route keeps it with its window (not a bare body)
            elif message["type"] == "http.response.body" and status == 200:
                parts.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self.answers.keep(key, epoch, b"".join(parts))
            await send(message)

        await self.app(scope, receive, keep)
