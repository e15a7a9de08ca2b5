"""Articles from URLs and feeds, against a web server these tests start on 127.0.0.1:
dates from metadata only, every failure one line, private addresses refused by default."""

from __future__ import annotations

import contextlib
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from detente.extract.fetch import (
    FeedWatcher,
    FetchError,
    FetchPolicy,
    check_destination,
    page_date,
    read_urls,
)
from tests.servers import run_cli

STORY = "<p>Chile is arming the rebels in Peru, officials in Santiago said on Monday.</p>"
PAGES: dict[str, tuple[int, str, bytes]] = {
    "/robots.txt": (200, "text/plain", b"User-agent: *\nDisallow: /private\n"),
    "/meta": (
        200,
        "text/html; charset=utf-8",
        b'<html><head><meta property="article:published_time" content="2021-05-04T08:00:00Z">'
        b"<title>Arms</title></head><body>" + STORY.encode() + b"</body></html>",
    ),
    "/jsonld": (
        200,
        "text/html",
        b'<html><head><script type="application/ld+json">{"@type": "NewsArticle", '
        b'"datePublished": "2020-02-03"}</script></head><body>'
        b"<p>Brazil condemned Chile over the arms shipments to the rebels.</p></body></html>",
    ),
    "/undated": (
        200,
        "text/html",
        b"<html><body><p>On 1 March 2019 Peru thanked Argentina for its mediation.</p>"
        b"</body></html>",
    ),
    "/latin": (
        200,
        "text/html; charset=iso-8859-1",
        "<html><body><p>Perú condenó a Chile; Bolivia mediará, dijeron en Lima.</p>"
        "</body></html>".encode("latin-1"),
    ),
    "/feed.xml": (
        200,
        "application/rss+xml",
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        b"<item><title>Undated page</title><link>/undated</link>"
        b"<pubDate>Tue, 05 Mar 2019 10:00:00 GMT</pubDate></item>"
        b"<item><title>Gone</title><link>/missing</link></item>"
        b"<item><title>Dated page</title><link>/meta</link>"
        b"<pubDate>Wed, 06 Mar 2019 10:00:00 GMT</pubDate></item></channel></rss>",
    ),
    "/moved.xml": (  # an item link that redirects, as feed proxies' do
        200,
        "application/rss+xml",
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>Moved</title>"
        b"<item><title>Moved page</title><link>/redirect-to-/meta</link></item>"
        b"</channel></rss>",
    ),
    "/image": (200, "image/png", b"\x89PNG\r\n\x1a\n"),
    "/empty": (200, "text/html", b"<html><body><script>x()</script></body></html>"),
    "/private/page": (200, "text/html", b"<p>Never fetched.</p>"),
}


class _Handler(BaseHTTPRequestHandler):
    feed_asked: ClassVar[list[str | None]] = []  # each request for the feed: its If-None-Match

    def do_GET(self) -> None:
        if self.path == "/feed.xml":
            self.feed_asked.append(self.headers.get("If-None-Match"))
        if self.path == "/slow":
            time.sleep(6)
        if self.path.startswith("/redirect-to-"):
            self.send_response(302)
            self.send_header("Location", self.path.removeprefix("/redirect-to-"))
            self.end_headers()
            return
        status, media, body = PAGES.get(self.path, (404, "text/plain", b"not here"))
        if self.path.endswith(".xml") and self.headers.get("If-None-Match") == '"v1"':
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(status)
        if self.path.endswith(".xml"):
            self.send_header("ETag", '"v1"')
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # The client may have given up (the slow page): nothing to tell.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(  # polled often: shutdown waits for the next poll
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def local() -> FetchPolicy:
    # 3 s for a whole fetch: ample on loopback, even on a busy machine
    return FetchPolicy(allow=("127.0.0.0/8",), timeout=3.0, delay=0.0)


def fetched(urls: list[str], policy: FetchPolicy | None = None):
    failures: dict[str, str] = {}
    entries = list(
        read_urls(urls, lambda u, why: failures.setdefault(u, why), policy=policy or local())
    )
    return entries, failures


def test_a_page_keeps_its_url_and_its_metadata_date_only(site):
    entries, failures = fetched([f"{site}/meta", f"{site}/jsonld", f"{site}/undated"])
    assert not failures
    assert [(e.url, e.published) for e in entries] == [
        (f"{site}/meta", date(2021, 5, 4)),
        (f"{site}/jsonld", date(2020, 2, 3)),
        (f"{site}/undated", None),  # "1 March 2019" in the text is not the page's date
    ]
    assert "Chile is arming the rebels" in entries[0].article.text


def test_a_feed_gives_each_item_with_the_feed_date_when_its_page_has_none(site):
    entries, failures = fetched([f"{site}/feed.xml"])
    assert [(e.url, e.published) for e in entries] == [
        (f"{site}/undated", date(2019, 3, 5)),
        (f"{site}/meta", date(2021, 5, 4)),  # the page's own date comes first
    ]
    assert list(failures) == [f"{site}/missing"]
    assert "answered 404" in failures[f"{site}/missing"]


@pytest.mark.slow
def test_each_failure_is_one_line_and_the_rest_goes_on(site):
    urls = [f"{site}/{p}" for p in ("missing", "slow", "image", "empty", "private/page", "latin")]
    entries, failures = fetched(urls)
    assert [e.url for e in entries] == [f"{site}/latin"]
    assert "Perú condenó a Chile" in entries[0].article.text  # its declared charset
    assert "answered 404" in failures[f"{site}/missing"]
    assert "no complete answer within 3 s" in failures[f"{site}/slow"]
    assert "not a web page but image/png" in failures[f"{site}/image"]
    assert "no text" in failures[f"{site}/empty"]
    assert "robots.txt" in failures[f"{site}/private/page"]
    assert all("\n" not in why for why in failures.values())


def test_redirects_are_followed_and_checked_at_every_hop(site):
    entries, _ = fetched([f"{site}/redirect-to-/meta"])
    assert [e.url for e in entries] == [f"{site}/meta"]  # the page's own address is kept
    # Without the allow-list, the same site is refused.
    _, failures = fetched([f"{site}/meta"], FetchPolicy(delay=0.0))
    assert "not a public address" in failures[f"{site}/meta"]
    # A host let through may not redirect to one that is not: every hop is checked.
    port = site.rsplit(":", 1)[1]
    start = f"http://localhost:{port}/redirect-to-{site}/meta"
    _, failures = fetched([start], FetchPolicy(allow=("localhost",), delay=0.0))
    assert failures[start] == f"{site}/meta: refused: 127.0.0.1 is at 127.0.0.1, " + (
        "not a public address (allow it in the fetch settings if it is meant to be reached)"
    )
    for private in ("http://10.1.2.3/", "http://169.254.169.254/latest/meta-data", "http://[::1]/"):
        with pytest.raises(FetchError, match="not a public address"):
            check_destination(private, FetchPolicy())
    with pytest.raises(FetchError, match="not an http or https URL"):
        check_destination("file:///etc/passwd", FetchPolicy())


def test_page_dates_are_read_from_metadata_forms():
    assert page_date('<meta name="pubdate" content="2019-07-08">') == date(2019, 7, 8)
    assert page_date('<p>Published <time datetime="2018-01-02T10:00">2 Jan</time></p>') == date(
        2018, 1, 2
    )
    assert page_date("<p>Published on 3 April 2017.</p>") is None


@pytest.mark.slow
def test_the_command_ingests_a_feed_and_names_each_failure(site, tmp_path):
    run = run_cli(
        "ingest",
        f"{site}/feed.xml",
        "--store",
        str(tmp_path / "store"),
        "--create",
        env={"DETENTE_FETCH_ALLOW": "127.0.0.1"},
    )
    assert run.returncode == 2  # one item failed
    assert f"detente: error: {site}/missing: the server answered 404\n" in run.stderr
    assert "2 added" in run.stderr


def test_a_watcher_asks_conditionally_retries_a_little_and_backs_off_a_failing_feed(site):
    watcher = FeedWatcher([f"{site}/feed.xml", f"{site}/no-feed"], local())
    stored: set[str] = set()
    log: list[list[str]] = []
    for _ in range(5):
        failures: list[str] = []
        found = list(
            watcher.poll(stored.__contains__, lambda name, _why, f=failures: f.append(name))
        )
        stored |= {e.url for e in found}
        log.append([e.url for e in found] + failures)
    assert log == [
        [f"{site}/undated", f"{site}/meta", f"{site}/missing", f"{site}/no-feed"],
        [f"{site}/missing"],  # the feed is unchanged (304); the failed item is due again
        [f"{site}/missing", f"{site}/no-feed"],  # the failing feed waited one poll
        [],  # the item had its three tries; the feed waits two polls now
        [],
    ]


def test_a_restarted_watcher_asks_conditionally_from_its_first_poll(site, tmp_path):
    from detente.graph.feed_state import StoredValidators
    from detente.graph.oxigraph import OxigraphStore

    feed = f"{site}/feed.xml"
    store = OxigraphStore(tmp_path / "store")
    stored: set[str] = set()

    def poll(watcher: FeedWatcher) -> list[str]:
        found = []
        for entry in watcher.poll(stored.__contains__, lambda *_: None):
            stored.add(entry.url)  # as an ingest does, before the next item is read
            found.append(entry.url)
        return found

    _Handler.feed_asked.clear()
    first = FeedWatcher([feed], local(), StoredValidators(store))
    assert poll(first) == [f"{site}/undated", f"{site}/meta"]
    # One item still fails: the feed is not remembered as handled until it has had its
    # three tries, so a restart meanwhile reads the feed again.
    assert StoredValidators(store).get(feed) is None
    poll(first), poll(first)
    assert StoredValidators(store)[feed] == {"etag": '"v1"', "modified": None}
    restarted = FeedWatcher([feed], local(), StoredValidators(store))
    assert poll(restarted) == []
    assert _Handler.feed_asked == [None, None, None, '"v1"']
    # An item stored under the address its link redirects to counts as handled.
    moved = f"{site}/moved.xml"
    assert poll(FeedWatcher([moved], local(), StoredValidators(store))) == [f"{site}/meta"]
    assert StoredValidators(store)[moved] == {"etag": '"v1"', "modified": None}
    del StoredValidators(store)[feed]
    del StoredValidators(store)[moved]
    assert feed not in StoredValidators(store) and len(StoredValidators(store)) == 0
    # A URL no IRI can hold is asked in full each time, and stops nothing.
    odd = StoredValidators(store)
    odd["http://example.org/a b"] = {"etag": '"x"'}
    assert "http://example.org/a b" not in odd
    store.close()


@pytest.mark.slow
def test_the_watch_command_polls_and_remembers_in_the_store(site, tmp_path):
    run = run_cli(
        "watch",
        f"{site}/feed.xml",
        "--every",
        "1s",
        "--rounds",
        "2",
        "--store",
        str(tmp_path / "store"),
        "--create",
        env={"DETENTE_FETCH_ALLOW": "127.0.0.1"},
    )
    assert run.returncode == 0, run.stderr
    assert "poll 1: 2 new documents" in run.stderr
    assert "poll 2: 0 new documents" in run.stderr


TOKEN = "fetch-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def api(extractor, tmp_path):
    from fastapi.testclient import TestClient

    from detente.http.app import create_app
    from detente.http.settings import ServiceSettings
    from detente.live.service import KnowledgeService

    def make(allow: str, store: str):
        config = ServiceSettings(store=store, token=TOKEN, fetch_allow=allow)
        app = create_app(config, KnowledgeService(config.store, extractor))
        return app, TestClient(app)

    made = []

    def build(allow: str = "127.0.0.1", store: str | None = None):
        app, client = make(allow, store or f"oxigraph:{tmp_path / 'store'}")
        made.append(app)
        return client

    yield build
    for app in made:
        app.state.feeds.close()
        app.state.service.close()


@pytest.mark.slow
def test_the_server_fetches_a_page_with_the_token_and_refuses_what_it_must(site, api):
    client = api()
    assert client.post("/documents/fetch", json={"url": f"{site}/meta"}).status_code == 401
    made = client.post("/documents/fetch", json={"url": f"{site}/meta"}, headers=AUTH)
    assert made.status_code == 201 and made.json()["relations"]
    listed = client.get("/documents").json()
    assert [(d["source"], d["date"]) for d in listed] == [(f"{site}/meta", "2021-05-04")]
    again = client.post("/documents/fetch", json={"url": f"{site}/meta"}, headers=AUTH)
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    for path, message in (
        ("missing", "answered 404"),
        ("image", "not a web page"),
        ("feed.xml", "register feeds at /feeds"),
    ):
        refused = client.post("/documents/fetch", json={"url": f"{site}/{path}"}, headers=AUTH)
        assert refused.status_code == 422 and message in refused.json()["detail"]
    closed = api(allow="", store="memory:")
    for url in (f"{site}/meta", "http://169.254.169.254/latest", "ftp://example.org/x"):
        refused = closed.post("/documents/fetch", json={"url": url}, headers=AUTH)
        assert refused.status_code == 422, url
    assert closed.post("/feeds", json={"url": f"{site}/feed.xml"}, headers=AUTH).status_code == 422


@pytest.mark.slow
def test_a_registered_feed_is_polled_in_the_background_and_kept_in_the_store(site, api, tmp_path):
    client = api()
    assert client.post("/feeds", json={"url": f"{site}/feed.xml"}).status_code == 401
    made = client.post("/feeds", json={"url": f"{site}/feed.xml", "every": 600}, headers=AUTH)
    assert made.status_code == 201 and made.json()["every"] == 600
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        [feed] = client.get("/feeds").json()
        if feed["last_poll"]:
            break
        time.sleep(0.2)
    assert feed["documents"] == 2
    assert feed["last_error"] == f"{site}/missing: the server answered 404"
    assert {d["source"] for d in client.get("/documents").json()} == {
        f"{site}/undated",
        f"{site}/meta",
    }
    # The registration is in the store: a poller started on it (a restarted server) has it.
    from detente.live.feeds import FeedPoller

    restarted = FeedPoller(client.app.state.service, local())
    assert [(f["url"], f["every"]) for f in restarted.feeds()] == [(f"{site}/feed.xml", 600.0)]
    restarted.close()
    gone = client.delete("/feeds", params={"url": f"{site}/feed.xml"}, headers=AUTH)
    assert gone.status_code == 204 and client.get("/feeds").json() == []
    missing = client.delete("/feeds", params={"url": f"{site}/feed.xml"}, headers=AUTH)
    assert missing.status_code == 404


def test_a_request_goes_to_the_address_that_was_checked(site, monkeypatch):
    # DNS rebinding: the name answers a harmless address when checked and another one
    # afterwards. The page must come from the address checked, with the name as its Host.
    import socket

    real = socket.getaddrinfo
    answers = iter(["127.0.0.1"])
    asked: list[str] = []

    def rebinding(host, *args, **kwargs):
        if host != "rebind.test":
            return real(host, *args, **kwargs)
        asked.append(host)
        address = next(answers, "10.255.255.1")  # later answers: somewhere else
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, args[0] if args else 80))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    port = site.rsplit(":", 1)[1]
    url = f"http://rebind.test:{port}/meta"
    entries, failures = fetched([url], FetchPolicy(allow=("rebind.test",), timeout=3.0, delay=0.0))
    assert not failures and [e.url for e in entries] == [url]
    assert asked == ["rebind.test"]  # resolved once, for the check


def test_a_malformed_url_is_a_422_with_its_reason_not_a_500(api):
    client = api()
    for url in ("http://[::1/", "http://[zz]/", "http://example.org:port/"):
        with pytest.raises(FetchError, match="a malformed URL"):
            check_destination(url, FetchPolicy())
        fetched = client.post("/documents/fetch", json={"url": url}, headers=AUTH)
        assert fetched.status_code == 422, (url, fetched.text)
        assert fetched.json()["detail"].startswith("a malformed URL: "), fetched.text
        # /feeds may refuse it earlier (not an IRI): a 422 with its reason all the same.
        feed = client.post("/feeds", json={"url": url}, headers=AUTH)
        assert feed.status_code == 422 and isinstance(feed.json()["detail"], str), feed.text
    # The allow-list (127.0.0.1 here) does not extend to an IPv6 form of the address.
    refused = client.post("/feeds", json={"url": "http://[::127.0.0.1]:9/"}, headers=AUTH)
    assert refused.status_code == 422 and "not a public address" in refused.json()["detail"]
    assert client.get("/feeds").json() == []
