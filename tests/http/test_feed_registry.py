"""The service's feed registry, against web servers these tests start on 127.0.0.1: a feed
URL is one IRI or nothing (no SPARQL injection), its secrets are neither shown nor stored
where anyone can read them, registry writes are seen by /sparql at once, and feeds are
polled side by side, each within a budget."""

from __future__ import annotations

import contextlib
import json
import stat
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar, TypeVar
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from detente.extract.fetch import FetchPolicy, check_destination
from detente.graph.feed_state import FEEDS_GRAPH, StoredValidators, secrets_path
from detente.graph.store import InvalidTermError, insert_data, nt
from detente.ontology import NS

TOKEN = "registry-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
T = TypeVar("T")

EMPTY = b"<?xml version='1.0'?><rss version='2.0'><channel><title>Quiet</title></channel></rss>"
ONE_ITEM = (
    b"<?xml version='1.0'?><rss version='2.0'><channel><title>Private</title>"
    b"<item><title>Arms</title><link>/story</link>"
    b"<pubDate>Tue, 05 Mar 2019 10:00:00 GMT</pubDate></item></channel></rss>"
)
THREE_ITEMS = (
    b"<?xml version='1.0'?><rss version='2.0'><channel><title>Three</title>"
    + b"".join(f"<item><title>{p}</title><link>/{p}</link></item>".encode() for p in "abc")
    + b"</channel></rss>"
)
STORY = (
    b"<html><head><title>Arms</title></head><body><p>Chile is arming the rebels in Peru, "
    b"officials in Santiago said on Monday.</p></body></html>"
)
FEEDS = {
    "/empty.xml": EMPTY,
    "/slow.xml": EMPTY,
    "/private.xml": ONE_ITEM,
    "/three.xml": THREE_ITEMS,
}


class _Site(BaseHTTPRequestHandler):
    asked: ClassVar[list[str]] = []  # every request's path and query, in order
    slow_entered: ClassVar[threading.Event] = threading.Event()
    slow_release: ClassVar[threading.Event] = threading.Event()

    def do_GET(self) -> None:
        self.asked.append(self.path)
        path = urlsplit(self.path).path
        if path == "/slow.xml":  # answers only once the test lets it
            self.slow_entered.set()
            self.slow_release.wait(300)
        if path in FEEDS:
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.end_headers()
                return
            self._send(200, "application/rss+xml", FEEDS[path], etag='"v1"')
        elif path == "/story":
            self._send(200, "text/html; charset=utf-8", STORY)
        else:
            self._send(404, "text/plain", b"not here")

    def _send(self, status: int, media: str, body: bytes, etag: str | None = None) -> None:
        self.send_response(status)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _Listener(BaseHTTPRequestHandler):
    """Where an injected LOAD would go: it records the request and serves a triple."""

    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        body = b'<urn:x:loaded> <urn:x:from> "the listener" .\n'
        self.send_response(200)
        self.send_header("Content-Type", "application/n-triples")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(  # polled often: shutdown waits for the next poll
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with _serving(_Site) as base:
        yield base


@pytest.fixture
def listener() -> Iterator[str]:
    _Listener.hits.clear()
    with _serving(_Listener) as base:
        yield base


@pytest.fixture
def client(extractor, tmp_path):
    """The service on a store on disk (its /sparql answers from checkpoints, as served),
    fetching from loopback; closed with its query workers."""
    from fastapi.testclient import TestClient

    from detente.http.app import create_app
    from detente.http.settings import ServiceSettings
    from detente.live.service import KnowledgeService

    config = ServiceSettings(
        store=f"oxigraph:{tmp_path / 'store'}", token=TOKEN, fetch_allow="127.0.0.1"
    )
    service = KnowledgeService(config.store, extractor)
    with TestClient(create_app(config, service)) as api:
        yield api
    service.close()


def local(**options) -> FetchPolicy:
    return FetchPolicy(allow=("127.0.0.0/8",), delay=0.0, **options)


def until(found: Callable[[], T], what: str, seconds: float = 120.0) -> T:
    """``found()`` once it is truthy; fails after ``seconds`` (a bound for a broken build,
    not a timing the test relies on)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {seconds:g} s")


def sparql(api, query: str) -> dict:
    answer = api.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def ask(api, query: str) -> bool:
    return sparql(api, query)["boolean"]


# ---------------------------------------------------------------------- injection
@pytest.mark.parametrize(
    "iri",
    [
        "http://example.org/feed> ?p ?o } } ; LOAD <http://127.0.0.1:9/x> #",
        "http://example.org/a b",
        "http://example.org/{x}",
        'http://example.org/"',
        "http://example.org/a|b",
        "http://example.org/a^b",
        "http://example.org/a`b",
        "http://example.org/\\u003E",
        "http://example.org/\n",
        "http://example.org/\x00",
        "feed.xml",  # not absolute
    ],
)
def test_no_term_writer_turns_an_iri_into_sparql_text(iri):
    with pytest.raises(InvalidTermError, match="IRI"):
        nt(URIRef(iri))
    with pytest.raises(InvalidTermError):
        insert_data(FEEDS_GRAPH, [(URIRef(iri), URIRef("urn:x:p"), Literal(1))])
    with pytest.raises(InvalidTermError):  # a datatype is an IRI too
        nt(Literal("1", datatype=URIRef(iri)))


def test_a_literal_is_one_literal_whatever_its_text():
    text = '" } } ; LOAD <http://127.0.0.1:9/x> ; # \\u0022 \n\r\t\\'
    [row] = ox.Store().query(f"SELECT ?x WHERE {{ BIND({nt(Literal(text))} AS ?x) }}")
    assert row["x"].value == text


@pytest.mark.slow
def test_a_feed_url_cannot_inject_sparql_into_the_registry(site, listener, client):
    # Valid in both updates the registry used to build by string: it ends the IRI,
    # LOADs from the listener, and swallows the rest of each update.
    evil = (
        f"{site}/empty.xml> a <urn:x:t> }} }} ; LOAD <{listener}/x> ; "
        "DELETE WHERE { GRAPH <urn:x:g> { <urn:x:s"
    )
    check_destination(evil, local())  # the fetch check lets it through: only the IRI check stops it
    refused = client.post("/feeds", json={"url": evil, "every": 600}, headers=AUTH)
    assert _Listener.hits == []
    assert refused.status_code == 422, refused.text
    assert "not a feed URL" in refused.json()["detail"] and "IRI" in refused.json()["detail"]
    gone = client.delete("/feeds", params={"url": evil}, headers=AUTH)
    assert gone.status_code == 404
    poller = client.app.state.feeds
    with pytest.raises(ValueError, match="not a feed URL"):
        poller.add(evil, 600)
    assert poller.remove(evil) is False
    validators = StoredValidators(client.app.state.service.store)
    validators[evil] = {"etag": '"x"'}  # asked in full each time, never written
    assert evil not in validators
    assert client.get("/feeds").json() == []
    assert _Listener.hits == []
    assert not ask(client, "ASK { ?s ?p ?o FILTER (?s = <urn:x:loaded> || ?o = <urn:x:t>) }")
    assert not ask(client, "ASK { GRAPH <urn:x:g> { ?s ?p ?o } }")


# ---------------------------------------------------------------------- secrets
@pytest.mark.slow
def test_feed_secrets_are_never_shown_nor_written_where_anyone_reads(site, client, caplog):
    caplog.set_level("INFO")
    host = site.removeprefix("http://")
    secret = f"http://reader:pa55word@{host}/private.xml?apikey=S3CR3T"
    failing = f"http://reader:pa55word@{host}/gone.xml?apikey=S3CR3T&x=1"
    words = ("pa55word", "S3CR3T", "apikey", "reader@")

    def clean(text: str) -> bool:
        return not any(w in text for w in words)

    _Site.asked.clear()
    for url in (secret, failing):
        made = client.post("/feeds", json={"url": url, "every": 600}, headers=AUTH)
        assert made.status_code == 201, made.text
        assert clean(made.text)
    listed = until(
        lambda: (f := client.get("/feeds").json()) and all(x["last_poll"] for x in f) and f,
        "both feeds polled",
    )
    assert [(f["url"], f["documents"]) for f in listed] == [
        (f"{site}/gone.xml", 0),
        (f"{site}/private.xml", 1),
    ]
    assert "answered 404" in listed[0]["last_error"]
    assert clean(json.dumps(listed))
    # The poller fetched the URL as given, secret included.
    assert "/private.xml?apikey=S3CR3T" in _Site.asked
    # Nothing in the store, which anyone may read over SPARQL, holds the secret: not the
    # registrations, not the validators, not the source of the document the item gave.
    feeds = sparql(client, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{FEEDS_GRAPH}> {{ ?s ?p ?o }} }}")
    subjects = {b["s"]["value"] for b in feeds["results"]["bindings"]}
    assert len(subjects) == 2 and all(s.startswith(site) for s in subjects)
    assert clean(json.dumps(feeds))
    kept_values = {b["o"]["value"] for b in feeds["results"]["bindings"]}
    assert '"v1"' in kept_values  # the validators were kept, under the public name
    anywhere = sparql(
        client,
        "SELECT ?g ?s ?o WHERE { GRAPH ?g { ?s ?p ?o } "
        'FILTER (REGEX(CONCAT(STR(?s), " ", STR(?o)), "pa55word|S3CR3T|apikey")) }',
    )
    assert anywhere["results"]["bindings"] == []
    assert [d["source"] for d in client.get("/documents").json()] == [f"{site}/story"]
    assert clean(client.get("/graph-store", params={"graph": str(FEEDS_GRAPH)}).text)
    # detente's own log; the test client's HTTP library logs the test's own requests
    # (this test's SPARQL names the secret words), which no server writes.
    ours = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert clean("\n".join(r.getMessage() for r in ours))
    # The full URLs are kept beside the store, readable by its owner only ...
    store = client.app.state.service.store
    kept = secrets_path(store.location)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert secret in kept.read_text() and failing in kept.read_text()
    # ... so a restarted poller fetches them again, with the secret.
    from detente.live.feeds import FeedPoller

    before = _Site.asked.count("/private.xml?apikey=S3CR3T")
    restarted = FeedPoller(client.app.state.service, local())
    try:
        assert [f["url"] for f in restarted.feeds()] == [f"{site}/gone.xml", f"{site}/private.xml"]
        until(
            lambda: _Site.asked.count("/private.xml?apikey=S3CR3T") > before,
            "the restarted poller asks the full URL",
        )
    finally:
        restarted.close()
    # A feed is removed by the URL GET /feeds shows: no secret in the request.
    assert (
        client.delete("/feeds", params={"url": f"{site}/private.xml"}, headers=AUTH).status_code
        == 204
    )
    assert client.delete("/feeds", params={"url": failing}, headers=AUTH).status_code == 204
    assert client.get("/feeds").json() == []
    assert "S3CR3T" not in kept.read_text()


# ---------------------------------------------------------------------- /sparql sees it
@pytest.mark.slow
def test_feed_registry_writes_are_seen_by_sparql_at_once(site, client):
    feed = f"{site}/empty.xml"
    registered = f"ASK {{ GRAPH <{FEEDS_GRAPH}> {{ <{feed}> a dt:Feed ; dt:pollEvery ?e }} }}"
    assert not ask(client, registered)  # the endpoint has answered from this generation
    generation = client.app.state.service.generation
    assert client.post("/feeds", json={"url": feed, "every": 600}, headers=AUTH).status_code == 201
    assert ask(client, registered)
    assert client.app.state.service.generation > generation  # a write, for every reader
    assert client.delete("/feeds", params={"url": feed}, headers=AUTH).status_code == 204
    assert not ask(client, registered)


# ---------------------------------------------------------------------- polling
@pytest.fixture
def service():
    from detente.live.service import KnowledgeService

    svc = KnowledgeService("memory:")  # no item is ingested: no extractor is started
    yield svc
    svc.close()


@pytest.mark.slow
def test_a_slow_feed_holds_up_neither_another_feed_nor_close(site, service):
    from detente.live.feeds import FeedPoller

    _Site.slow_entered.clear()
    _Site.slow_release.clear()
    # The slow feed's server answers only when this test lets it, and the client waits
    # that long: only a poll of the other feed on another thread can end the wait below.
    poller = FeedPoller(service, local(timeout=300))
    try:
        poller.add(f"{site}/slow.xml", 600)
        assert _Site.slow_entered.wait(60)
        poller.add(f"{site}/empty.xml", 600)
        quick = until(
            lambda: next(
                (f for f in poller.feeds() if "empty" in f["url"] and f["last_poll"]), None
            ),
            "the quick feed polled",
        )
        assert quick["last_error"] is None
        slow = next(f for f in poller.feeds() if "slow" in f["url"])
        assert slow["last_poll"] is None and not _Site.slow_release.is_set()  # still held
        # Stopping does not wait for the held request either.
        closing = threading.Thread(target=poller.close)
        closing.start()
        closing.join(60)
        assert not closing.is_alive()
        assert not _Site.slow_release.is_set()
    finally:
        _Site.slow_release.set()
        poller.close()


def test_a_poll_stops_at_its_budget_and_leaves_the_rest_for_the_next(site, service):
    from detente.live.feeds import FeedPoller

    _Site.asked.clear()
    poller = FeedPoller(service, local(), budget=0.0)
    try:
        poller.add(f"{site}/three.xml", 600)
        [feed] = until(
            lambda: [f for f in poller.feeds() if f["last_poll"]], "the budgeted feed polled"
        )
        assert "budget" in feed["last_error"] and feed["documents"] == 0
        assert not {"/a", "/b", "/c"} & set(_Site.asked)  # no item was fetched
        assert "/three.xml" in _Site.asked
        # Nothing was remembered as handled: the next poll reads the feed again in full.
        assert StoredValidators(service.store).get(f"{site}/three.xml") is None
    finally:
        poller.close()


def test_secrets_an_older_registry_wrote_are_moved_out_of_the_public_graph(site, service):
    from detente.live.feeds import FeedPoller

    old = f"{site}/empty.xml?apikey=OLD-S3CR3T"
    watched = f"{site}/other.xml?token=OLD-S3CR3T"  # validators `detente watch` once kept
    node, other = URIRef(old), URIRef(watched)
    service.store.update(
        insert_data(
            FEEDS_GRAPH,
            [
                (node, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), NS.Feed),
                (node, NS.pollEvery, Literal(600.0)),
                (other, NS.feedETag, Literal('"e"')),
            ],
        )
    )
    _Site.asked.clear()
    poller = FeedPoller(service, local())
    try:
        assert [(f["url"], f["every"]) for f in poller.feeds()] == [(f"{site}/empty.xml", 600.0)]
        rows = service.store.values(
            f"SELECT ?s ?p ?o WHERE {{ GRAPH <{FEEDS_GRAPH}> {{ ?s ?p ?o }} }}"
        )
        assert rows and "OLD-S3CR3T" not in repr(rows)
        until(lambda: "/empty.xml?apikey=OLD-S3CR3T" in _Site.asked, "the full URL polled")
    finally:
        poller.close()


def test_a_secret_url_not_kept_over_a_restart_says_so_until_given_again(site, service):
    from detente.live.feeds import NOT_KEPT, FeedPoller

    secret = f"{site}/empty.xml?apikey=S3CR3T"
    first = FeedPoller(service, local())
    first.add(secret, 600)
    first.close()
    # A memory: store has no folder to keep the URL beside: the restarted poller knows the
    # feed, not what to fetch.
    restarted = FeedPoller(service, local())
    try:
        [feed] = restarted.feeds()
        assert feed["url"] == f"{site}/empty.xml" and feed["last_error"] == NOT_KEPT
        again = restarted.add(secret, 900)
        assert again["last_error"] is None and again["every"] == 900
        assert len(restarted.feeds()) == 1  # the same registration, not a second one
    finally:
        restarted.close()
