"""HTTP hygiene, from an outside audit: bounded fields, HEAD and OPTIONS, security headers,
/docs without a CDN, and deadlines for reading a request.

In-process checks use the ASGI test client; the browser checks run Debian's Chromium
(Playwright) against ``detente serve``; the deadlines are tried with raw sockets against
``detente serve`` on 127.0.0.1 with small timeouts. No check measures how long anything
took: waits are bounded generously, and only what the server sends (a 408, the connection
closed) is asserted.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import re
import socket
import time
from collections.abc import Iterator
from html.parser import HTMLParser

import httpx
import pytest
from fastapi.testclient import TestClient

from detente.http.app import create_app
from detente.http.settings import ServiceSettings
from detente.live.service import KnowledgeService
from tests.http.pages import local_page
from tests.paths import EXAMPLES, ROOT, STATIC
from tests.servers import detente_server

# Starts processes, servers or a cluster: outside the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow

TOKEN = "hygiene-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ORIGIN = "https://newsroom.example"
# Generous: a busy machine is slow, but never this slow. Only failures wait this long.
PATIENCE = 60.0


def make_client(extractor, **settings) -> TestClient:
    config = ServiceSettings(**{"store": "memory:", "token": TOKEN, **settings})
    app = create_app(config, KnowledgeService(config.store, extractor))
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def client(extractor) -> Iterator[TestClient]:
    with make_client(extractor) as api:
        response = api.post(
            "/documents",
            json={"text": (EXAMPLES / "libya-2019.txt").read_text(), "url": "libya-2019.txt"},
            headers=AUTH,
        )
        assert response.status_code == 201
        yield api


# ---------------------------------------------------------------------- 1. bounded fields
MILLION = "x" * 1_000_001  # past spaCy's max_length, as the audit's author was


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/documents", {"text": "Turkey backs the GNA.", "author": MILLION}, "author"),
        ("/documents", {"text": "Turkey backs the GNA.", "title": MILLION}, "title"),
        ("/documents", {"text": "Turkey backs the GNA.", "url": MILLION}, "url"),
        ("/documents", {"text": "Turkey backs the GNA.", "format": MILLION}, "format"),
        ("/documents/fetch", {"url": "https://example.org/", "author": MILLION}, "author"),
        ("/feeds", {"url": "https://example.org/" + MILLION}, "url"),
    ],
)
def test_an_overlong_field_is_a_422_that_names_it(client, path, body, field) -> None:
    """An author of a million characters was a 500: the pipeline tokenises it as a name,
    past spaCy's max_length, after every check of the text."""
    response = client.post(path, json=body, headers=AUTH)
    assert response.status_code == 422, response.text[:300]
    [error] = response.json()["errors"]
    assert error["where"] == f"body.{field}"
    assert "at most" in error["problem"]


def test_every_string_of_every_request_body_has_a_maximum_length(client) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    bodies = [
        operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        for path in document["paths"].values()
        for operation in path.values()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]
    assert {ref.rsplit("/", 1)[1] for ref in bodies} >= {"DocumentIn", "FetchIn", "FeedIn"}
    unbounded = []
    for ref in bodies:
        name = ref.rsplit("/", 1)[1]
        for field, schema in schemas[name]["properties"].items():
            for variant in schema.get("anyOf", [schema]):
                if variant.get("type") == "string" and "format" not in variant:
                    if "maxLength" not in variant and "pattern" not in variant:
                        unbounded.append(f"{name}.{field}")
                    elif "maxLength" not in variant:
                        unbounded.append(f"{name}.{field} (a pattern only)")
    assert unbounded == []


def test_text_of_an_article_too_long_for_the_pipeline_is_still_a_422(client) -> None:
    response = client.post(
        "/documents", json={"text": "Turkey backs the GNA. " * 50_000}, headers=AUTH
    )
    assert response.status_code == 422 and "input too large" in response.text


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/actors", {"q": "x" * 201}),
        ("/relations", {"actor": "x" * 201}),
        ("/paths", {"source": "x" * 201, "target": "TUR"}),
        ("/balance", {"theatre": "x" * 201}),
        ("/actors/" + "x" * 201, {}),
    ],
)
def test_overlong_names_in_the_url_are_422(client, path, params) -> None:
    assert client.get(path, params=params).status_code == 422


# ---------------------------------------------------------------------- 2. HEAD and OPTIONS
def _get_paths(client) -> list[str]:
    """Every GET route, with its path parameters filled in, and the pages outside the
    OpenAPI document."""
    paths = [
        re.sub(r"\{[^}]+\}", "TUR", template)
        for template, operations in client.get("/openapi.json").json()["paths"].items()
        if "get" in operations
    ]
    return [*paths, "/", "/docs", "/openapi.json", "/static/explorer.js"]


def test_head_answers_every_get_route_with_its_headers_and_no_body(client) -> None:
    paths = _get_paths(client)
    assert {"/health", "/relations", "/actors/TUR", "/view", "/sparql"} <= set(paths)
    for path in paths:
        got = client.get(path)
        head = client.head(path)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        got_headers = {k: v for k, v in got.headers.items() if k != "date"}
        head_headers = {k: v for k, v in head.headers.items() if k != "date"}
        if got.headers.get("content-length") is None:  # a streamed answer
            got_headers.pop("transfer-encoding", None)
            head_headers.pop("transfer-encoding", None)
        assert head_headers == got_headers, path


def test_head_of_a_route_without_get_is_still_405(client) -> None:
    response = client.head("/sparql/update")
    assert response.status_code == 405
    assert response.headers["allow"] == "OPTIONS, POST"


def test_options_answers_every_route_with_its_methods(client) -> None:
    document = client.get("/openapi.json").json()
    for template, operations in document["paths"].items():
        path = re.sub(r"\{[^}]+\}", "TUR", template)
        response = client.options(path)
        assert response.status_code in (200, 204), path
        allowed = set(response.headers["allow"].split(", "))
        declared = {method.upper() for method in operations}
        assert declared | {"OPTIONS"} <= allowed, path
        assert ("HEAD" in allowed) == ("GET" in allowed), path
    assert client.options("/").headers["allow"] == "GET, HEAD, OPTIONS"
    assert client.options("/static/explorer.js").headers["allow"] == "GET, HEAD, OPTIONS"
    assert client.options("/no-such-route").status_code == 404
    # A 405 says the same.
    assert client.put("/health").headers["allow"] == "GET, HEAD, OPTIONS"


def test_a_preflight_without_cors_gets_no_access_control_headers(client) -> None:
    preflight = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    response = client.options("/documents", headers=preflight)
    assert response.status_code in (200, 204)
    assert not any(k.startswith("access-control-") for k in response.headers)


def test_a_preflight_with_cors_configured_is_answered_by_cors(extractor) -> None:
    with make_client(extractor, cors_origins=[ORIGIN]) as api:
        preflight = {
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, Content-Type",
        }
        response = api.options("/documents", headers=preflight)
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == ORIGIN
        assert "POST" in response.headers["access-control-allow-methods"]
        assert "authorization" in response.headers["access-control-allow-headers"].lower()
        other = api.options("/documents", headers={**preflight, "Origin": "https://evil.example"})
        assert other.status_code == 400  # as CORSMiddleware answers a disallowed origin
        assert "access-control-allow-origin" not in other.headers
        # A plain OPTIONS (not a preflight) from an allowed origin: the methods, with CORS.
        plain = api.options("/documents", headers={"Origin": ORIGIN})
        assert plain.status_code in (200, 204)
        assert "POST" in plain.headers["allow"]
        assert plain.headers["access-control-allow-origin"] == ORIGIN


# ---------------------------------------------------------------------- 3. security headers
def _assert_security_headers(response: httpx.Response) -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] in ("no-referrer", "strict-origin")
    assert headers["cross-origin-opener-policy"] == "same-origin"
    directives = [d.strip().partition(" ") for d in headers["content-security-policy"].split(";")]
    policy = {name: value for name, _, value in directives}
    assert policy["frame-ancestors"] == "'none'"
    assert policy["default-src"] == "'none'"
    for directive in ("script-src", "style-src"):  # this origin, and inline only by hash
        sources = policy[directive].split()
        assert sources[0] == "'self'" and all(s.startswith("'sha256-") for s in sources[1:])
    assert "unsafe" not in headers["content-security-policy"]


def test_every_answer_carries_the_security_headers(client, monkeypatch) -> None:
    answers = [
        client.get("/"),
        client.get("/health"),
        client.get("/docs"),
        client.get("/static/explorer.css"),
        client.get("/relations", params={"theatre": "Libya"}),
        client.get("/relations", params={"theatre": "Libya"}),  # from the answer cache
        client.get("/sparql", params={"query": "ASK {}"}),  # the SPARQL fast path
        client.get("/no-such-route"),  # 404
        client.put("/health"),  # 405
        client.options("/health"),  # 204
        client.head("/health"),
        client.post("/documents", json={"text": "x"}),  # 401
        client.post("/documents", json={}, headers=AUTH),  # 422
        client.post("/documents", content=b"x" * 3_000_000, headers=AUTH),  # 413
    ]
    svc = client.app.state.service

    def broken() -> list:
        raise RuntimeError("a bug")

    monkeypatch.setattr(svc, "documents", broken)
    answers.append(client.get("/documents"))  # 500, answered outside the middleware
    assert [a.status_code for a in answers[-8:]] == [404, 405, 204, 200, 401, 422, 413, 500]
    for answer in answers:
        _assert_security_headers(answer)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs) -> None:
        self.found.append((tag, dict(attrs)))
        self._in_script = tag == "script" and "src" not in dict(attrs)
        if self._in_script:
            self.inline_scripts.append("")

    def handle_endtag(self, tag) -> None:
        self._in_script = False

    def handle_data(self, data) -> None:
        if self._in_script:
            self.inline_scripts[-1] += data


def _tags(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def test_the_pages_need_nothing_the_policy_refuses(client) -> None:
    explorer = _tags(client.get("/").text)
    assert explorer.inline_scripts == []
    assert [t for t, _ in explorer.found if t == "style"] == []
    for tag, attrs in explorer.found:
        assert "style" not in attrs, tag
        assert not any(name.startswith("on") for name in attrs), tag
    docs = client.get("/docs")
    scripts = _tags(docs.text).inline_scripts
    assert len(scripts) == 1  # Swagger UI's start: allowed by its hash, nothing else
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in docs.headers["content-security-policy"]


# ---------------------------------------------------------------------- 4. /docs offline
def test_docs_load_nothing_from_another_host(client) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    references = [
        attrs.get("src") or attrs.get("href")
        for _, attrs in _tags(docs.text).found
        if attrs.get("src") or attrs.get("href")
    ]
    assert len(references) == 3  # the script, the stylesheet, the icon
    for reference in references:
        assert reference.startswith("/") and not reference.startswith("//"), reference
        served = client.get(reference)
        assert served.status_code == 200 and len(served.content) > 500, reference
    kinds = {client.get(r).headers["content-type"].split(";")[0] for r in references}
    assert kinds == {"text/javascript", "text/css", "image/png"}
    assert "http" not in re.sub(r"https?://(127\.0\.0\.1|localhost)", "", docs.text)
    assert client.get("/redoc").status_code == 404  # it loaded from a CDN: gone


def test_the_bundled_swagger_ui_is_package_data_with_its_licence() -> None:
    tomllib = pytest.importorskip("tomllib")
    vendor = STATIC / "vendor" / "swagger-ui"
    files = {p.name for p in vendor.iterdir()}
    assert {"swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"} <= files
    assert "swagger-ui-dist" in (STATIC / "vendor" / "NOTICE").read_text()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = project["tool"]["setuptools"]["package-data"]["detente.http"]
    for name in files:
        relative = f"explorer/static/vendor/swagger-ui/{name}"
        assert any(
            fnmatch.fnmatch(relative, p) and p.count("/") == relative.count("/") for p in patterns
        ), relative


# ---------------------------------------------------------------------- in a browser
VIOLATIONS = """document.addEventListener('securitypolicyviolation', e =>
  (window.__violations = window.__violations || []).push(
    `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));"""


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[str]:
    """``detente serve`` with its default timeouts and one article."""
    with detente_server(f"oxigraph:{tmp_path_factory.mktemp('hygiene')}", TOKEN) as base:
        response = httpx.post(
            f"{base}/documents",
            json={"text": (EXAMPLES / "libya-2019.txt").read_text(), "url": "libya-2019.txt"},
            headers=AUTH,
            timeout=120,
        )
        assert response.status_code == 201
        yield base


@pytest.fixture
def page(browser, served):
    """A page that reaches only the server (anything else is aborted and recorded), with
    every CSP violation and script error recorded: none may happen."""
    with local_page(browser, served, init_script=VIOLATIONS) as (page, elsewhere, errors):
        yield page
        violations = page.evaluate("() => window.__violations || []")
    assert violations == []
    assert elsewhere == []
    assert errors == []


def test_the_explorer_works_under_the_policy(page, served) -> None:
    response = page.goto(f"{served}/?theatre=Libya")
    _assert_security_headers(response)  # type: ignore[arg-type]
    page.wait_for_function(
        "() => window.explorer && explorer.cy && explorer.cy.nodes().length > 1",
        timeout=PATIENCE * 1000,
    )
    # Its stylesheet applies, its scripts ran (the graph), its questions were answered.
    position = page.evaluate(
        "() => getComputedStyle(document.querySelector('.visually-hidden')).position"
    )
    assert position == "absolute"
    page.fill("#query", "")
    page.focus("#query")
    page.keyboard.type("Liby")
    page.wait_for_selector("#suggestions li", timeout=PATIENCE * 1000)
    page.keyboard.press("Escape")  # the list closes, as a user closes it, uncovering the page
    page.wait_for_selector("#suggestions", state="hidden", timeout=PATIENCE * 1000)
    with page.expect_download(timeout=PATIENCE * 1000) as download:
        page.click("#export-png")
    assert download.value.suggested_filename.endswith(".png")


def test_docs_render_every_operation_offline(page, served) -> None:
    operations = sum(
        len(path) for path in httpx.get(f"{served}/openapi.json").json()["paths"].values()
    )
    response = page.goto(f"{served}/docs")
    assert "sha256-" in response.headers["content-security-policy"]  # type: ignore[union-attr]
    page.wait_for_function(
        "n => document.querySelectorAll('.opblock').length >= n",
        arg=operations,
        timeout=PATIENCE * 1000,
    )
    # Try /health from the page, as a user would.
    page.click(".opblock-get:has(.opblock-summary-path[data-path='/health']) .opblock-summary")
    page.click("button.try-out__btn")
    page.click("button.execute")
    page.wait_for_selector(".live-responses-table .response-col_status", timeout=PATIENCE * 1000)
    assert "200" in page.inner_text(".live-responses-table tbody .response-col_status")
    # The policy is enforced: a script put in the page inline does not run.
    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.__ran = true'; document.body.append(s); }"""
    )
    assert page.evaluate("() => window.__ran === undefined")
    page.wait_for_function("() => (window.__violations || []).length > 0")
    page.evaluate("() => { window.__violations = []; }")  # the one expected


# ---------------------------------------------------------------------- 5. read deadlines
@pytest.fixture(scope="module", params=["h11", "httptools"])
def hasty(request, tmp_path_factory) -> Iterator[tuple[str, int]]:
    """``detente serve`` (each HTTP parser) that waits 1 s for headers and 1 s for a body."""
    with detente_server(
        "memory:",
        TOKEN,
        DETENTE_HEADER_TIMEOUT="1",
        DETENTE_BODY_TIMEOUT="1",
        DETENTE_HTTP_PARSER=request.param,
    ) as base:
        host, port = base.removeprefix("http://").split(":")
        yield host, int(port)


def _talk(address: tuple[str, int], sent: bytes, trickle: bytes = b"") -> bytes:
    """Send ``sent``, then ``trickle`` a byte at a time (one every 0.2 s, round and round),
    and read until the server closes the connection: everything it sent. Fails if it has
    not closed within PATIENCE seconds."""
    with socket.create_connection(address, timeout=PATIENCE) as conn:
        conn.sendall(sent)
        received = b""
        deadline = time.monotonic() + PATIENCE
        position = 0
        conn.settimeout(0.2 if trickle else PATIENCE)
        while time.monotonic() < deadline:
            try:
                data = conn.recv(65536)
            except TimeoutError:
                try:
                    conn.sendall(trickle[position % len(trickle) : position % len(trickle) + 1])
                except OSError:  # closed while sending: read what came
                    conn.settimeout(PATIENCE)
                    trickle = b""
                position += 1
                continue
            except ConnectionResetError:
                return received + b"<reset>"
            if not data:
                return received
            received += data
        raise AssertionError(f"the connection is still open; received {received[:200]!r}")


REQUEST_LINE = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
WRITE = (
    b"POST /documents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Authorization: Bearer " + TOKEN.encode() + b"\r\nContent-Length: 1000\r\n\r\n"
)


def test_an_idle_connection_is_closed(hasty) -> None:
    assert _talk(hasty, b"") in (b"", b"<reset>")


@pytest.mark.parametrize("trickled", [False, True], ids=["stalled", "trickled"])
def test_headers_that_do_not_come_get_408_and_the_connection_closed(hasty, trickled) -> None:
    received = _talk(hasty, REQUEST_LINE, b"X-Slow: yes\r\n" if trickled else b"")
    assert received.startswith(b"HTTP/1.1 408 "), received[:200]


@pytest.mark.parametrize("trickled", [False, True], ids=["stalled", "trickled"])
def test_a_half_sent_body_gets_408_and_the_connection_closed(hasty, trickled) -> None:
    received = _talk(hasty, WRITE + b'{"text": "Turkey', b" backs" if trickled else b"")
    assert received.startswith(b"HTTP/1.1 408 "), received[:200]
    assert b"request body not received within 1 s" in received


def test_a_body_the_server_does_not_read_cannot_hold_the_connection(hasty) -> None:
    too_large = WRITE.replace(b"Content-Length: 1000", b"Content-Length: 100000000")
    received = _talk(hasty, too_large + b'{"text": "', b"a")
    assert received.startswith(b"HTTP/1.1 413 "), received[:200]


def test_a_prompt_client_is_served_as_before(hasty) -> None:
    """Requests sent whole, several on one connection, then a close."""
    body = b'{"text": "Turkey backs the GNA.", "title": "' + b"t" * 1001 + b'"}'
    write = WRITE.replace(b"1000", str(len(body)).encode()) + body
    received = _talk(
        hasty,
        b"HEAD /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        + write
        + REQUEST_LINE
        + b"Connection: close\r\n\r\n",
    )
    statuses = re.findall(rb"HTTP/1.1 (\d{3}) ", received)
    assert statuses == [b"200", b"422", b"200"], received[:500]
    assert received.count(b'"status":"ok"') == 1  # the HEAD had no body
    head = received.split(b"\r\n\r\n", 1)[0]
    assert re.search(rb"content-length: \d+", head), head
