"""Fetching stays within one budget and one address policy, whatever a server or a URL
does: robots.txt and pages that are huge, decompression bombs or sent a byte at a time
are given up on (asserted on what the server got to send, not on wall-clock time),
malformed URLs and redirects are one error line each while the rest goes on, and every
IANA special-purpose address is refused, in IPv6 forms that carry an IPv4 address too.

Each test runs its own web server on 127.0.0.1."""

from __future__ import annotations

import threading
import time
import tracemalloc
import zlib
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from detente.extract.fetch import (
    FeedWatcher,
    FetchError,
    FetchPolicy,
    check_destination,
    read_urls,
)
from tests.servers import run_cli

MB = 1_000_000
STORY = b"<html><body><p>Chile is arming the rebels in Peru, officials in Santiago said.</p>"
STORY += b"</body></html>"

Route = Callable[[BaseHTTPRequestHandler, "Site"], None]


class Site:
    """A server whose routes the test sets; counts what each path was asked and sent."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.asked: Counter[str] = Counter()
        self.sent: Counter[str] = Counter()  # body bytes written, as they are written
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.asked[self.path] += 1
                route = site.routes.get(self.path)
                try:
                    if route is None:
                        page(b"not here", status=404)(self, site)
                    else:
                        route(self, site)
                except OSError:  # the client gave up: what was sent is counted
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(  # polled often: shutdown waits for the next poll
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site():
    made = Site()
    yield made
    made.close()


def page(body: bytes, media: str = "text/html", status: int = 200, **headers: str) -> Route:
    def route(handler: BaseHTTPRequestHandler, site: Site) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", media)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.end_headers()
        handler.wfile.write(body)
        site.sent[handler.path] += len(body)

    return route


def endless(total: int) -> Route:
    """``total`` bytes of robots.txt comment lines, as fast as the client reads them, with
    no Content-Length to refuse up front (the body ends when the connection closes)."""
    chunk = (b"# " + b"x" * 1021 + b"\n") * 64

    def route(handler: BaseHTTPRequestHandler, site: Site) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.end_headers()
        while site.sent[handler.path] < total:
            handler.wfile.write(chunk)
            site.sent[handler.path] += len(chunk)

    return route


def drip(total: int, every: float, media: str = "text/html") -> Route:
    """A body of ``total`` bytes, one byte every ``every`` seconds."""

    def route(handler: BaseHTTPRequestHandler, site: Site) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", media)
        handler.send_header("Content-Length", str(total))
        handler.end_headers()
        for _ in range(total):
            handler.wfile.write(b"#")
            site.sent[handler.path] += 1
            time.sleep(every)

    return route


def drip_headers(total: int, every: float) -> Route:
    """A status line, then a header of ``total`` bytes, one byte every ``every`` seconds."""

    def route(handler: BaseHTTPRequestHandler, site: Site) -> None:
        handler.wfile.write(b"HTTP/1.0 200 OK\r\nX-Slow: ")
        for _ in range(total):
            handler.wfile.write(b"a")
            site.sent[handler.path] += 1
            time.sleep(every)
        handler.wfile.write(b"\r\nContent-Type: text/html\r\n\r\n" + STORY)

    return route


def redirect(location: str) -> Route:
    def route(handler: BaseHTTPRequestHandler, site: Site) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


def gzipped(data: bytes | None = None, zeros: int = 0, wbits: int = 16 + zlib.MAX_WBITS) -> bytes:
    """``data`` compressed, or ``zeros`` zero bytes compressed a MB at a time (a bomb that
    is never whole in this process's memory)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    parts = [packer.compress(data)] if data is not None else []
    block = bytes(MB)
    for _ in range(zeros // MB):
        parts.append(packer.compress(block))
    return b"".join([*parts, packer.flush()])


def policy(**limits) -> FetchPolicy:
    return FetchPolicy(allow=("127.0.0.0/8",), delay=0.0, **limits)


def fetched(urls: list[str], using: FetchPolicy):
    failures: dict[str, str] = {}
    entries = list(read_urls(urls, lambda u, why: failures.setdefault(u, why), policy=using))
    return entries, failures


# Finding 1: robots.txt read without size, decompression or time limits.


def test_a_huge_robots_txt_is_read_no_further_than_the_size_limit(site):
    total = 200 * MB
    site.routes["/robots.txt"] = endless(total)
    site.routes["/a"] = site.routes["/b"] = page(STORY)
    entries, failures = fetched([f"{site.url}/a", f"{site.url}/b"], policy(max_bytes=MB))
    # Refused, as the rules could not be read; the server got to send a fraction of it
    # (what the sockets' buffers hold beyond the 1 MB read).
    assert not entries
    assert failures[f"{site.url}/a"].startswith(
        "robots.txt could not be read (over the 1,000,000 byte limit), so nothing is "
        f"fetched from {site.url} for an hour"
    )
    assert site.sent["/robots.txt"] < total // 10
    # The second page of that host is refused without asking for robots.txt again.
    assert "robots.txt could not be read" in failures[f"{site.url}/b"]
    assert site.asked["/robots.txt"] == 1 and site.asked["/a"] == site.asked["/b"] == 0


def test_a_robots_txt_that_is_a_gzip_bomb_is_never_inflated(site):
    bomb = gzipped(zeros=100 * MB)  # about 100 KB
    site.routes["/robots.txt"] = page(bomb, "text/plain", Content_Encoding="gzip")
    site.routes["/a"] = page(STORY)
    tracemalloc.start()
    try:
        entries, failures = fetched([f"{site.url}/a"], policy())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not entries
    assert failures[f"{site.url}/a"].startswith("robots.txt could not be read (")
    assert peak < 40 * MB  # the 5 MB limit and what is held around it, not 100 MB


def test_a_page_that_is_a_gzip_bomb_is_refused_by_its_ratio(site):
    site.routes["/bomb"] = page(gzipped(zeros=100 * MB), Content_Encoding="gzip")
    tracemalloc.start()
    try:
        # A size limit above the bomb: the ratio alone stops it.
        entries, failures = fetched([f"{site.url}/bomb"], policy(max_bytes=500 * MB))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not entries
    assert "inflates more than 100 times" in failures[f"{site.url}/bomb"]
    assert peak < 40 * MB


def test_compressed_pages_are_read_as_before(site):
    site.routes["/gzip"] = page(gzipped(STORY), Content_Encoding="gzip")
    site.routes["/deflate"] = page(gzipped(STORY, wbits=zlib.MAX_WBITS), Content_Encoding="deflate")
    site.routes["/raw"] = page(gzipped(STORY, wbits=-zlib.MAX_WBITS), Content_Encoding="deflate")
    site.routes["/robots.txt"] = page(gzipped(b"User-agent: *\nDisallow: /no\n"), "text/plain",
                                      Content_Encoding="gzip")  # fmt: skip
    site.routes["/no"] = page(STORY)
    site.routes["/br"] = page(STORY, Content_Encoding="br")  # never asked for
    urls = [f"{site.url}/{p}" for p in ("gzip", "deflate", "raw", "no", "br")]
    entries, failures = fetched(urls, policy())
    assert [e.url for e in entries] == urls[:3]
    assert all("Chile is arming the rebels" in e.article.text for e in entries)
    assert "robots.txt asks robots not to fetch it" in failures[f"{site.url}/no"]
    assert "encoded as 'br', not decoded here" in failures[f"{site.url}/br"]


def test_a_robots_txt_sent_a_byte_at_a_time_is_given_up_at_the_deadline(site):
    total = 600  # a minute's worth
    site.routes["/robots.txt"] = drip(total, every=0.1, media="text/plain")
    site.routes["/a"] = site.routes["/b"] = page(STORY)
    entries, failures = fetched([f"{site.url}/a", f"{site.url}/b"], policy(timeout=1.0))
    sent = site.sent["/robots.txt"]
    assert not entries
    assert failures[f"{site.url}/a"].startswith(
        "robots.txt could not be read (no complete answer within 1 s)"
    )
    assert "robots.txt could not be read" in failures[f"{site.url}/b"]
    # Given up long before the server was done: the second page did not wait again.
    assert sent < total // 10
    assert site.asked["/robots.txt"] == 1


# Finding 2: no overall deadline (httpx's timeout bounds each read, not the request).


@pytest.mark.slow
def test_a_page_sent_a_byte_at_a_time_is_given_up_at_the_deadline(site):
    total = 600
    site.routes["/slow"] = drip(total, every=0.1)
    site.routes["/fine"] = page(STORY)
    entries, failures = fetched([f"{site.url}/slow", f"{site.url}/fine"], policy(timeout=1.0))
    sent = site.sent["/slow"]
    assert failures == {f"{site.url}/slow": "no complete answer within 1 s"}
    assert [e.url for e in entries] == [f"{site.url}/fine"]  # the rest goes on
    assert sent < total // 10


def test_headers_sent_a_byte_at_a_time_are_given_up_at_the_deadline(site):
    total = 600
    site.routes["/slow"] = drip_headers(total, every=0.1)
    _, failures = fetched([f"{site.url}/slow"], policy(timeout=1.0))
    sent = site.sent["/slow"]
    assert failures == {f"{site.url}/slow": "no complete answer within 1 s"}
    assert sent < total // 10


def test_the_deadline_covers_robots_txt_and_every_redirect_together(site):
    # Each answer takes a little, none too long: together they pass the deadline.
    def late(route: Route, wait: float) -> Route:
        def slow(handler: BaseHTTPRequestHandler, site: Site) -> None:
            time.sleep(wait)
            route(handler, site)

        return slow

    site.routes["/robots.txt"] = late(page(b"", "text/plain"), 0.6)
    site.routes["/r1"] = late(redirect("/r2"), 0.6)
    site.routes["/r2"] = late(redirect("/page"), 0.6)
    site.routes["/page"] = late(page(STORY), 0.6)
    _, failures = fetched([f"{site.url}/r1"], policy(timeout=1.0))
    assert "no complete answer within 1 s" in failures[f"{site.url}/r1"]
    assert site.asked["/page"] == 0


# Finding 3 (and 5): malformed URLs and redirects are one error line each.

MALFORMED_REDIRECTS = ("https:foo", "http:127.0.0.1:1/x", "http://[::1/", "http://[zz]/", "//[::1")
MALFORMED_URLS = ("http://[::1/", "http://[zz]/", "http://example.org:port/", "http://h:99999/")


def test_malformed_urls_and_redirects_are_one_line_each_and_the_rest_goes_on(site):
    for n, location in enumerate(MALFORMED_REDIRECTS):
        site.routes[f"/bad{n}"] = redirect(location)
    site.routes["/good"] = page(STORY)
    bad = [f"{site.url}/bad{n}" for n in range(len(MALFORMED_REDIRECTS))]
    urls = [*bad, *MALFORMED_URLS, f"{site.url}/good"]
    entries, failures = fetched(urls, policy())
    assert [e.url for e in entries] == [f"{site.url}/good"]
    assert sorted(failures) == sorted(urls[:-1])
    for url in bad:
        assert "a redirect to a malformed URL" in failures[url], failures[url]
    for url in MALFORMED_URLS:
        assert failures[url].startswith("a malformed URL: "), failures[url]
    assert all("\n" not in why for why in failures.values())
    for url in MALFORMED_URLS:
        with pytest.raises(FetchError, match="a malformed URL"):
            check_destination(url, policy())


def test_a_watched_feed_with_malformed_links_and_redirects_goes_on(site):
    items = "".join(
        f"<item><title>{n}</title><link>{link}</link></item>"
        for n, link in enumerate(["/bad", "http://[::1/x", f"{site.url}/good", "/bad2"])
    )
    feed = f"<?xml version='1.0'?><rss version='2.0'><channel><title>F</title>{items}"
    site.routes["/feed.xml"] = page(f"{feed}</channel></rss>".encode(), "application/rss+xml")
    site.routes["/bad"] = redirect("https:foo")
    site.routes["/bad2"] = redirect("http://[::1/")
    site.routes["/good"] = page(STORY)
    watcher = FeedWatcher([f"{site.url}/feed.xml", "http://[::1/feed"], policy())
    failures: dict[str, str] = {}
    found = list(watcher.poll(lambda _link: False, lambda u, why: failures.setdefault(u, why)))
    assert [e.url for e in found] == [f"{site.url}/good"]
    assert sorted(failures) == sorted(
        [f"{site.url}/bad", "http://[::1/x", f"{site.url}/bad2", "http://[::1/feed"]
    )
    assert "a redirect to a malformed URL" in failures[f"{site.url}/bad"]
    assert failures["http://[::1/x"].startswith("a malformed link: ")
    assert failures["http://[::1/feed"].startswith("a malformed URL: ")


@pytest.mark.slow
def test_ingest_of_several_urls_goes_on_past_malformed_redirects(site, tmp_path):
    site.routes["/bad1"] = redirect("https:foo")
    site.routes["/bad2"] = redirect(f"http:{site.url.removeprefix('http://')}/good")
    site.routes["/good"] = page(STORY)
    run = run_cli(
        "ingest",
        f"{site.url}/bad1",
        f"{site.url}/bad2",
        "http://[::1/",
        f"{site.url}/good",
        "--store",
        str(tmp_path / "store"),
        "--create",
        env={"DETENTE_FETCH_ALLOW": "127.0.0.1"},
    )
    assert run.returncode == 2, run.stderr  # some failed, none stopped the rest
    assert "internal error" not in run.stderr
    for url in (f"{site.url}/bad1", f"{site.url}/bad2"):
        assert f"detente: error: {url}: a redirect to a malformed URL" in run.stderr
    assert "detente: error: http://[::1/: a malformed URL: Invalid IPv6 URL" in run.stderr
    assert "1 added" in run.stderr
    assert site.asked["/good"] == 1


# Finding 4: one address policy, against the IANA Special-Purpose Address Registries.

# The IANA IPv4 Special-Purpose Address Registry
# (https://www.iana.org/assignments/iana-ipv4-special-registry), each block with an
# address in it; plus multicast (the IPv4 Multicast Address Space Registry) and the
# limited broadcast address.
IPV4_SPECIAL = [
    ("0.0.0.0/8", "0.1.2.3"),  # "This network"
    ("0.0.0.0/32", "0.0.0.0"),  # "This host on this network"
    ("10.0.0.0/8", "10.1.2.3"),  # Private-Use
    ("100.64.0.0/10", "100.64.0.1"),  # Shared Address Space
    ("127.0.0.0/8", "127.0.0.1"),  # Loopback
    ("169.254.0.0/16", "169.254.169.254"),  # Link Local
    ("172.16.0.0/12", "172.16.0.1"),  # Private-Use
    ("192.0.0.0/24", "192.0.0.100"),  # IETF Protocol Assignments
    ("192.0.0.0/29", "192.0.0.1"),  # IPv4 Service Continuity Prefix
    ("192.0.0.8/32", "192.0.0.8"),  # IPv4 dummy address
    ("192.0.0.9/32", "192.0.0.9"),  # Port Control Protocol Anycast
    ("192.0.0.10/32", "192.0.0.10"),  # Traversal Using Relays around NAT Anycast
    ("192.0.0.170/32", "192.0.0.170"),  # NAT64/DNS64 Discovery
    ("192.0.0.171/32", "192.0.0.171"),  # NAT64/DNS64 Discovery
    ("192.0.2.0/24", "192.0.2.1"),  # Documentation (TEST-NET-1)
    ("192.31.196.0/24", "192.31.196.1"),  # AS112-v4
    ("192.52.193.0/24", "192.52.193.1"),  # AMT
    ("192.88.99.0/24", "192.88.99.1"),  # Deprecated (6to4 Relay Anycast)
    ("192.168.0.0/16", "192.168.1.1"),  # Private-Use
    ("192.175.48.0/24", "192.175.48.1"),  # Direct Delegation AS112 Service
    ("198.18.0.0/15", "198.18.0.1"),  # Benchmarking
    ("198.51.100.0/24", "198.51.100.1"),  # Documentation (TEST-NET-2)
    ("203.0.113.0/24", "203.0.113.1"),  # Documentation (TEST-NET-3)
    ("240.0.0.0/4", "240.0.0.1"),  # Reserved
    ("255.255.255.255/32", "255.255.255.255"),  # Limited Broadcast
    ("224.0.0.0/4", "224.0.0.1"),  # multicast
    ("224.0.0.0/4", "239.255.255.250"),  # multicast (SSDP)
]
# The IANA IPv6 Special-Purpose Address Registry
# (https://www.iana.org/assignments/iana-ipv6-special-registry), each block with an
# address in it; where the block carries an IPv4 address, one carrying a refused IPv4
# address; plus what the IPv6 Address Space registry sets apart (multicast, deprecated
# site-local) and the forms that embed IPv4 addresses outside the registry.
IPV6_SPECIAL = [
    ("::1/128", "::1"),  # Loopback Address
    ("::/128", "::"),  # Unspecified Address
    ("::ffff:0:0/96", "::ffff:127.0.0.1"),  # IPv4-mapped Address
    ("::ffff:0:0/96", "::ffff:10.0.0.1"),
    ("64:ff9b::/96", "64:ff9b::127.0.0.1"),  # IPv4-IPv6 Translat. (NAT64)
    ("64:ff9b::/96", "64:ff9b::169.254.169.254"),
    ("64:ff9b:1::/48", "64:ff9b:1::1"),  # IPv4-IPv6 Translat. (local-use NAT64)
    ("64:ff9b:1::/48", "64:ff9b:1::8.8.8.8"),  # refused whole
    ("100::/64", "100::1"),  # Discard-Only Address Block
    ("100:0:0:1::/64", "100:0:0:1::1"),  # Dummy IPv6 Prefix
    ("2001::/23", "2001:100::1"),  # IETF Protocol Assignments
    ("2001::/32", "2001:0:4136:e378:8000:63bf:80ff:fffe"),  # TEREDO: client 127.0.0.1
    ("2001::/32", "2001:0:a00:1::f7f7:f7f7"),  # TEREDO: server 10.0.0.1
    ("2001:1::1/128", "2001:1::1"),  # Port Control Protocol Anycast
    ("2001:1::2/128", "2001:1::2"),  # Traversal Using Relays around NAT Anycast
    ("2001:1::3/128", "2001:1::3"),  # DNS-SD Service Registration Protocol Anycast
    ("2001:2::/48", "2001:2::1"),  # Benchmarking
    ("2001:3::/32", "2001:3::1"),  # AMT
    ("2001:4:112::/48", "2001:4:112::1"),  # AS112-v6
    ("2001:10::/28", "2001:10::1"),  # Deprecated (previously ORCHID)
    ("2001:20::/28", "2001:20::1"),  # ORCHIDv2
    ("2001:30::/28", "2001:30::1"),  # Drone Remote ID Protocol Entity Tags (DETs) Prefix
    ("2001:db8::/32", "2001:db8::1"),  # Documentation
    ("2002::/16", "2002:7f00:1::1"),  # 6to4: 127.0.0.1 in bits 16-48
    ("2002::/16", "2002:c0a8:101::1"),  # 6to4: 192.168.1.1
    ("2620:4f:8000::/48", "2620:4f:8000::1"),  # Direct Delegation AS112 Service
    ("3fff::/20", "3fff::1"),  # Documentation
    ("5f00::/16", "5f00::1"),  # Segment Routing (SRv6) SIDs
    ("fc00::/7", "fd00::1"),  # Unique-Local
    ("fe80::/10", "fe80::1"),  # Link-Local Unicast
    ("fec0::/10", "fec0::1"),  # deprecated site-local
    ("ff00::/8", "ff02::1"),  # multicast
    ("ff00::/8", "ff0e::1"),  # multicast, global scope
    ("::/96", "::127.0.0.1"),  # IPv4-compatible (deprecated)
    ("::/96", "::8.8.8.8"),
    ("::ffff:0:0:0/96", "::ffff:0:127.0.0.1"),  # IPv4-translated (SIIT)
]
PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.215.14",
    "151.101.1.69",
    "2606:4700:4700::1111",
    "2a00:1450:4001:82a::200e",
    # IPv6 forms judged by the public IPv4 address they carry (DNS64, mapped answers)
    "::ffff:8.8.8.8",
    "64:ff9b::8.8.8.8",
    "2002:808:808::1",
]


@pytest.mark.parametrize(("block", "address"), IPV4_SPECIAL + IPV6_SPECIAL)
def test_every_special_purpose_address_is_refused(block, address):
    import ipaddress

    assert ipaddress.ip_address(address) in ipaddress.ip_network(block)  # the table is sound
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(FetchError, match="not a public address"):
        check_destination(f"http://{host}:8080/feed", FetchPolicy())


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address):
    host = f"[{address}]" if ":" in address else address
    assert check_destination(f"http://{host}/", FetchPolicy()) == str(
        __import__("ipaddress").ip_address(address)
    )


def test_the_allow_list_still_lets_its_networks_through(site):
    site.routes["/a"] = page(STORY)
    allowed = FetchPolicy(allow=("127.0.0.0/8",))
    assert check_destination("http://127.0.0.1/", allowed) == "127.0.0.1"
    assert check_destination("http://[::ffff:127.0.0.1]/", allowed) == "::ffff:7f00:1"
    assert check_destination("http://localhost/", FetchPolicy(allow=("localhost",)))
    with pytest.raises(FetchError, match="not a public address"):
        check_destination("http://10.0.0.1/", allowed)
    # A feed at an IPv4-compatible loopback address is refused before any request.
    port = site.url.rsplit(":", 1)[1]
    _, failures = fetched([f"http://[::127.0.0.1]:{port}/a"], FetchPolicy(delay=0.0))
    assert "not a public address" in failures[f"http://[::127.0.0.1]:{port}/a"]
    assert sum(site.asked.values()) == 0
