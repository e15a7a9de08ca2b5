"""Articles from the web: a page by its URL, or every item of an RSS or Atom feed.

Fetching is polite and guarded:

* a User-Agent that names detente, robots.txt respected, one request at a time with a
  pause between two requests to the same host;
* one budget for every fetch, robots.txt included: ``FetchPolicy.timeout`` seconds for the
  whole of it (robots.txt, redirects, headers and a slow body: every socket wait is cut
  at that deadline), ``max_bytes`` per response after decompression, and a compressed
  body may not inflate more than ``max_ratio`` times (a decompression bomb is refused
  while it streams, never inflated in memory);
* only http and https, and never to loopback, link-local, private, multicast or any other
  special-purpose address (the IANA IPv4 and IPv6 Special-Purpose Address Registries),
  nor to an IPv6 address that carries such an IPv4 address (IPv4-mapped, -translated and
  -compatible, NAT64, 6to4, Teredo), checked after DNS resolution and again at every
  redirect (a page must not make the fetcher reach the machine it runs on or its
  network); hosts or networks in ``FetchPolicy.allow`` are let through (the tests' local
  server);
* a malformed URL, link or redirect is one ``FetchError`` like any other failure.

A page's publication date comes from its metadata only (``article:published_time`` and
similar ``<meta>`` tags, JSON-LD ``datePublished``, ``<time datetime>``), never guessed from
its text: a wrong date would misplace every relative date the text gives. An item of a
feed without a dated page takes the feed's date for it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import socket
import time
import urllib.robotparser
import zlib
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from email.message import Message
from typing import cast
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpcore
import httpx

from detente.errors import FetchError
from detente.extract.corpus import Entry
from detente.extract.pipeline import __version__
from detente.extract.text import InputError, read_article

USER_AGENT = f"detente/{__version__} (news relation extraction; respects robots.txt)"
_PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml")
_DATE_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "publishdate",
    "pubdate",
    "dc.date.issued",
    "dcterms.created",
    "date",
)
_STEP = 64 * 1024  # the most one step of decompression gives
_RATIO_FLOOR = 1 << 20  # decoded bytes below which the ratio is not judged (tiny bodies)
_CONNECT = 10.0  # seconds at most to connect, within the fetch's deadline
# robots.txt rules are read again after a day (RFC 9309, 2.4); an unreadable one (too big,
# too slow, a bomb) is asked for again after an hour, its host refused meanwhile.
_ROBOTS_KEEP = 24 * 3600.0
_ROBOTS_RETRY = 3600.0


class _Unreadable(FetchError):
    """A body over the fetch's budget: too big, too slow, a decompression bomb, or in an
    encoding that is not decoded here."""


@dataclass
class FetchPolicy:
    """How pages are fetched. ``allow``: hosts ("localhost") or networks ("127.0.0.0/8")
    reachable even though they are not public. ``timeout``: seconds for a whole fetch
    (robots.txt, redirects and the body included); ``max_bytes``: per response, after
    decompression; ``max_ratio``: the most a compressed body may inflate (past 1 MiB)."""

    allow: tuple[str, ...] = ()
    timeout: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    delay: float = 1.0  # seconds between two requests to one host
    user_agent: str = USER_AGENT
    max_ratio: float = 100.0
    _last: dict[str, float] = field(default_factory=dict, repr=False)
    # origin -> (until when, its rules: a parser, None for none, or why it was unreadable)
    _robots: dict[str, tuple[float, urllib.robotparser.RobotFileParser | str | None]] = field(
        default_factory=dict, repr=False
    )

    def allowed(self, host: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        """Whether the allow-list lets ``address`` through (an IPv4-mapped address as the
        IPv4 address it is: the only form that reaches that very address)."""
        candidates = [address]
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            candidates.append(address.ipv4_mapped)
        for rule in self.allow:
            if rule == host:
                return True
            try:
                network = ipaddress.ip_network(rule, strict=False)
            except ValueError:
                continue
            if any(candidate in network for candidate in candidates):
                return True
        return False


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    media_type: str
    charset: str | None
    body: bytes
    etag: str | None = None
    modified: str | None = None
    unchanged: bool = False  # a conditional request's 304


def fetch_policy(allowed: tuple[str, ...] = ()) -> FetchPolicy:
    """The policy that lets fetching reach ``allowed`` hosts or networks although they are
    not public (``Settings.fetch_allowed``, from ``DETENTE_FETCH_ALLOW``)."""
    return FetchPolicy(allow=allowed)


# One address policy. Every block of the IANA IPv4 and IPv6 Special-Purpose Address
# Registries is refused, the globally reachable ones too (anycast for PCP, TURN, AS112,
# AMT, ORCHIDv2, drone IDs: no news is published there), on top of what ``ipaddress``
# calls private, loopback, link-local, multicast, reserved, unspecified or not global,
# whatever the Python version's own tables say.
_SPECIAL_V4 = (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24",
    "192.88.99.0/24", "192.168.0.0/16", "192.175.48.0/24", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32",
    "224.0.0.0/4",  # multicast (its own registry)
)  # fmt: skip
_SPECIAL_V6 = (
    "::/128", "::1/128", "::/96", "64:ff9b:1::/48", "100::/64", "100:0:0:1::/64",
    "2001::/23", "2001:db8::/32", "2620:4f:8000::/48", "3fff::/20", "5f00::/16",
    "fc00::/7", "fe80::/10",
    "fec0::/10", "ff00::/8",  # deprecated site-local; multicast
)  # fmt: skip
_SPECIAL = {
    4: tuple(ipaddress.ip_network(n) for n in _SPECIAL_V4),
    6: tuple(ipaddress.ip_network(n) for n in _SPECIAL_V6),
}
# IPv6 forms that reach an IPv4 address: each is judged by the address it carries, so
# that a resolver giving NAT64 (DNS64) or mapped answers for public hosts still works,
# and ::ffff:127.0.0.1 or 2002:7f00:1:: never reaches this machine. The local-use NAT64
# prefix 64:ff9b:1::/48 is refused whole instead: its IPv4 address may sit at several
# places (RFC 6052, 2.2), and the deprecated IPv4-compatible ::/96 is refused whole too.
_MAPPED = ipaddress.ip_network("::ffff:0:0/96")  # ::ffff:a.b.c.d
_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # ::ffff:0:a.b.c.d (SIIT)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # 64:ff9b::a.b.c.d
_COMPATIBLE = ipaddress.ip_network("::/96")  # ::a.b.c.d
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")  # 2002:AABB:CCDD::/48, bits 16-48
_TEREDO = ipaddress.ip_network("2001::/32")  # server in bits 32-64, client inverted last 32
_CARRIERS = (_MAPPED, _TRANSLATED, _NAT64, _SIX_TO_FOUR, _TEREDO)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _embedded_ipv4(address: Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (none for other addresses)."""
    if address.version != 6:
        return []
    value = int(address)
    if any(address in n for n in (_MAPPED, _TRANSLATED, _NAT64, _COMPATIBLE)):
        return [ipaddress.IPv4Address(value & 0xFFFFFFFF)]
    if address in _SIX_TO_FOUR:
        return [ipaddress.IPv4Address((value >> 80) & 0xFFFFFFFF)]
    if address in _TEREDO:
        server, client = (value >> 64) & 0xFFFFFFFF, ~value & 0xFFFFFFFF
        return [ipaddress.IPv4Address(server), ipaddress.IPv4Address(client)]
    return []


def _not_public(address: Address) -> Address | None:
    """The address that keeps ``address`` from being fetched (itself or the IPv4 address
    it carries), or None when it is public."""
    if any(address in n for n in _CARRIERS):
        for inner in _embedded_ipv4(address):
            if _not_public(inner) is not None:
                return inner
        return None
    special = (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
        or any(address in n for n in _SPECIAL[address.version])
    )
    return address if special else None


def check_destination(url: str, policy: FetchPolicy) -> str:
    """Refuse what no fetch may reach: malformed URLs, other schemes, and hosts that
    resolve to an address that is not public (unless the policy allows it). Returns the
    address to connect to: the request goes there, not to a second resolution that could
    answer otherwise (DNS rebinding)."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError as exc:  # "Invalid IPv6 URL", a port that is no number, ...
        raise FetchError(f"{url}: a malformed URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise FetchError(f"{url}: not an http or https URL")
    try:
        infos = socket.getaddrinfo(host, port or 80, proto=socket.IPPROTO_TCP)
        # Asked for TCP, getaddrinfo answers IPv4 or IPv6 only: a host string comes first.
        addresses = [ipaddress.ip_address(cast(str, info[4][0]).split("%")[0]) for info in infos]
    except (OSError, UnicodeError, ValueError) as exc:
        raise FetchError(f"{url}: cannot resolve {host}: {exc}") from None
    for address in addresses:
        if (found := _not_public(address)) is not None and not policy.allowed(host, address):
            carries = f", which carries {found}" if found != address else ""
            raise FetchError(
                f"{url}: refused: {host} is at {address}{carries}, not a public address "
                "(allow it in the fetch settings if it is meant to be reached)"
            )
    if not addresses:
        raise FetchError(f"{url}: cannot resolve {host}")
    return str(min(addresses, key=lambda a: a.version))  # IPv4 first, as most servers listen


def _pinned(url: str, address: str) -> tuple[httpx.URL, dict[str, str], dict[str, str]]:
    """The request for ``url`` sent to ``address``: the URL with the address for its host,
    the Host header, and the TLS server name (certificates are still checked against the
    host named)."""
    parts = urlsplit(url)
    where = f"[{address}]" if ":" in address else address
    netloc = f"{where}:{parts.port}" if parts.port else where
    target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host, name = parts.netloc.rsplit("@", 1)[-1], parts.hostname or ""
    try:
        if not host.isascii():  # an internationalised name travels as IDNA
            host, name = host.encode("idna").decode("ascii"), name.encode("idna").decode("ascii")
        return httpx.URL(target), {"Host": host}, {"sni_hostname": name}
    except (UnicodeError, httpx.InvalidURL) as exc:
        raise FetchError(f"{url}: a malformed URL: {exc}") from None


_DEADLINE: ContextVar[float | None] = ContextVar("detente_fetch_deadline", default=None)


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    """``timeout`` cut to what is left of the current fetch's time, which must not be up."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the fetch's time is up")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every wait ends by the deadline of the fetch using it: a server
    that sends its headers or body a byte at a time cannot hold a fetch longer (httpx's
    own timeouts bound each read, not the request)."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> _DeadlineStream:
        wait = _left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, wait))

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        wait = _left(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, wait, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("fetching goes over TCP only")

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport on a connection pool whose sockets keep the fetch's deadline."""

    def __init__(self) -> None:
        ssl_context = httpx.create_ssl_context(trust_env=False)  # certificates checked
        super().__init__(verify=ssl_context, trust_env=False)
        if not isinstance(getattr(self, "_pool", None), httpcore.ConnectionPool):
            raise RuntimeError("this httpx keeps its connection pool elsewhere")
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=10,
            max_keepalive_connections=10,
            keepalive_expiry=5.0,
            network_backend=_DeadlineBackend(),
        )


def _client(policy: FetchPolicy, **headers: str) -> httpx.Client:
    """A client for ``get``: no redirects followed by httpx (``get`` checks each hop), no
    proxies from the environment, gzip and deflate only (decoded here, step by step)."""
    return httpx.Client(
        headers={"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate", **headers},
        follow_redirects=False,
        trust_env=False,
        transport=_DeadlineTransport(),
    )


def get(
    url: str, client: httpx.Client, policy: FetchPolicy, *, validators: dict | None = None
) -> Response:
    """One resource: redirects followed (each checked), robots.txt obeyed, within one
    budget (``policy.timeout`` seconds for all of it, ``max_bytes``, ``max_ratio``).
    ``validators`` (the ``etag`` and ``modified`` of an earlier answer) make the request
    conditional: an unchanged resource comes back with ``unchanged`` set and no body. Any
    failure, a malformed URL or redirect included, is a ``FetchError``."""
    headers = {}
    if validators and validators.get("etag"):
        headers["If-None-Match"] = validators["etag"]
    if validators and validators.get("modified"):
        headers["If-Modified-Since"] = validators["modified"]
    deadline = time.monotonic() + policy.timeout
    token = _DEADLINE.set(deadline)
    try:
        for _ in range(policy.max_redirects + 1):
            address = check_destination(url, policy)
            _obey_robots(url, address, client, policy, deadline)
            _pause(url, policy)
            with _exchange(client, url, address, policy, headers, deadline) as response:
                if response.status_code == 304:
                    return Response(url, "", None, b"", unchanged=True)
                if response.is_redirect:
                    url = _redirected(url, response.headers.get("location", ""))
                    continue
                if response.status_code >= 400:
                    raise FetchError(f"{url}: the server answered {response.status_code}")
                body = _read(response, policy, url, deadline)
                media, charset = _content_type(response.headers.get("content-type", ""))
                return Response(
                    url,  # as named, not the address it was fetched from
                    media,
                    charset,
                    body,
                    etag=response.headers.get("etag"),
                    modified=response.headers.get("last-modified"),
                )
        raise FetchError(f"{url}: more than {policy.max_redirects} redirects")
    finally:
        _DEADLINE.reset(token)


def _redirected(url: str, location: str) -> str:
    try:
        return urljoin(url, location.strip())
    except ValueError as exc:
        raise FetchError(f"{url}: a redirect to a malformed URL: {exc}") from None


def _late(url: str, policy: FetchPolicy) -> _Unreadable:
    return _Unreadable(f"{url}: no complete answer within {policy.timeout:g} s")


@contextlib.contextmanager
def _exchange(
    client: httpx.Client,
    url: str,
    address: str,
    policy: FetchPolicy,
    headers: dict[str, str],
    deadline: float,
) -> Iterator[httpx.Response]:
    """The streamed answer of ``url`` from ``address``; httpx's errors as ``FetchError``s,
    while the answer is read too."""
    target, host, extensions = _pinned(url, address)
    left = deadline - time.monotonic()
    if left <= 0:
        raise _late(url, policy)
    try:
        with client.stream(
            "GET",
            target,
            headers={**headers, **host},
            extensions=extensions,
            timeout=httpx.Timeout(left, connect=min(left, _CONNECT)),
        ) as response:
            yield response
    except httpx.ConnectTimeout:  # no server there (yet): not one that answers slowly
        raise FetchError(f"{url}: the server could not be reached in time") from None
    except httpx.TimeoutException:
        raise _late(url, policy) from None
    except httpx.InvalidURL as exc:  # httpx reads a redirect's Location before we do
        raise FetchError(f"{url}: a redirect to a malformed URL: {exc}") from None
    except httpx.HTTPError as exc:
        if isinstance(exc, httpx.RemoteProtocolError) and "location header" in str(exc):
            raise FetchError(f"{url}: a redirect to a malformed URL: {exc}") from None
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from None


def _read(response: httpx.Response, policy: FetchPolicy, url: str, deadline: float) -> bytes:
    """The body, decoded, within the budget: at most ``max_bytes`` sent and decoded, no
    more than ``max_ratio`` decoded bytes per byte sent (past the first MiB), and before
    the deadline (checked at every chunk, as well as by each socket wait)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise _Unreadable(
            f"{url}: {int(declared):,} bytes, over the {policy.max_bytes:,} byte limit"
        )
    decoder = _Decoder(response.headers.get("content-encoding", ""), url)
    parts: list[bytes] = []
    size = 0

    def keep(pieces: Iterable[bytes]) -> None:
        nonlocal size
        for piece in pieces:
            size += len(piece)
            if size > policy.max_bytes:
                raise _Unreadable(f"{url}: over the {policy.max_bytes:,} byte limit")
            if size > _RATIO_FLOOR and size > policy.max_ratio * response.num_bytes_downloaded:
                raise _Unreadable(
                    f"{url}: a body that inflates more than {policy.max_ratio:g} times "
                    "(a decompression bomb?)"
                )
            parts.append(piece)

    for chunk in response.iter_raw():
        if response.num_bytes_downloaded > policy.max_bytes:  # sent, decoded to little or not
            raise _Unreadable(f"{url}: over the {policy.max_bytes:,} byte limit")
        keep(decoder.feed(chunk))
        if time.monotonic() > deadline:
            raise _late(url, policy)
    keep(decoder.flush())
    return b"".join(parts)


class _Decoder:
    """A ``Content-Encoding`` (gzip or deflate: all the client asks for) undone a step at
    a time, never more than ``_STEP`` bytes out of one step, so that the caller's counts
    stop a bomb before it is in memory (httpx would inflate a whole chunk at once)."""

    def __init__(self, header: str, url: str) -> None:
        codings = [c.strip().lower() for c in header.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        self._url = url
        self._kind = codings[0] if codings else ""
        if len(codings) > 1 or self._kind not in ("", "gzip", "x-gzip", "deflate"):
            raise _Unreadable(f"{url}: a body encoded as {header.strip()!r}, not decoded here")
        self._z = self._inflater()
        self._head: bytes | None = b""  # deflate's first bytes, until its zlib header is known good
        self._done = False

    def _inflater(self, raw: bool = False):
        if self._kind in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        if self._kind == "deflate":  # zlib-wrapped, or raw as some servers send it
            return zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
        return None

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._z is None:
            yield data
            return
        if self._head is not None and self._kind == "deflate":
            self._head += data
        while data and not self._done:
            try:
                out = self._z.decompress(data, _STEP)
            except zlib.error as exc:
                if self._head is not None and self._kind == "deflate":
                    self._z, data, self._head = self._inflater(raw=True), self._head, None
                    continue
                raise _Unreadable(f"{self._url}: a body that does not decompress: {exc}") from None
            if self._head is not None and len(self._head) >= 2:
                self._head = None  # the header was good: no second guess from here on
            yield out
            data = self._z.unconsumed_tail
            if self._z.eof:
                rest = self._z.unused_data + data
                if self._kind != "deflate" and rest.startswith(b"\x1f\x8b"):
                    self._z, data = self._inflater(), rest  # another gzip member
                else:
                    self._done = True  # what follows the end is ignored, as browsers do

    def flush(self) -> Iterator[bytes]:
        if self._z is not None and not self._done:
            try:
                yield self._z.flush()
            except zlib.error as exc:
                raise _Unreadable(f"{self._url}: a body that does not decompress: {exc}") from None


def _content_type(header: str) -> tuple[str, str | None]:
    message = Message()
    message["content-type"] = header or "application/octet-stream"
    return message.get_content_type(), message.get_param("charset")  # type: ignore[return-value]


def _pause(url: str, policy: FetchPolicy) -> None:
    host = urlsplit(url).netloc
    wait = policy._last.get(host, 0.0) + policy.delay - time.monotonic()
    if wait > 0:
        time.sleep(wait)
    policy._last[host] = time.monotonic()


def _obey_robots(
    url: str, address: str, client: httpx.Client, policy: FetchPolicy, deadline: float
) -> None:
    """Refuse ``url`` if its host's robots.txt asks it, or could not be read."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    known = policy._robots.get(origin)
    if known is None or known[0] <= time.monotonic():
        rules = _robots(origin, address, client, policy, deadline)
        keep = _ROBOTS_RETRY if isinstance(rules, str) else _ROBOTS_KEEP
        policy._robots[origin] = known = (time.monotonic() + keep, rules)
    rules = known[1]
    if isinstance(rules, str):
        raise FetchError(
            f"{url}: robots.txt could not be read ({rules}), so nothing is fetched from "
            f"{origin} for an hour"
        )
    if rules is not None and not rules.can_fetch(policy.user_agent, url):
        raise FetchError(f"{url}: robots.txt asks robots not to fetch it")


def _robots(
    origin: str, address: str, client: httpx.Client, policy: FetchPolicy, deadline: float
) -> urllib.robotparser.RobotFileParser | str | None:
    """The rules of ``origin``'s robots.txt: a parser; None when there is nothing to obey
    (no such file, an error status, a redirect, no connection: as before, and as RFC 9309
    has it for a missing file); or, for a robots.txt sent but over the fetch's budget (too
    big, too slow, a decompression bomb, an encoding not decoded here), why it could not
    be read. That last case refuses the host rather than ignoring the file: rules we could
    not read may well exclude us, RFC 9309 (2.3.1.4) asks a crawler to assume complete
    disallow when robots.txt is unreachable, and a host answering robots.txt so is one to
    leave alone; the refusal is remembered for an hour, so that every item of a feed on
    that host fails at once instead of spending the budget again."""
    where = origin + "/robots.txt"
    try:
        _pause(origin + "/", policy)
        with _exchange(client, where, address, policy, {}, deadline) as answer:
            if answer.status_code >= 300:
                return None
            body = _read(answer, policy, where, deadline)
    except _Unreadable as exc:
        return _reason(where, exc)
    except FetchError:
        return None  # no robots.txt to be had: nothing is asked of us
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(body.decode("utf-8", "replace").splitlines())
    return parser


def page_date(html: str) -> date | None:
    """The publication date a page's metadata states, or None (never guessed)."""
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in _DATE_META and (found := _day(meta.get("content"))):
            return found
    for script in root.iter("script"):
        kind = (script.get("type") or "").lower()
        if kind == "application/ld+json" and (found := _json_ld_date(script.text_content())):
            return found
    for node in root.iter("time"):
        if found := _day(node.get("datetime")):
            return found
    return None


def _json_ld_date(text: str) -> date | None:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    todo = [data]
    while todo:
        item = todo.pop()
        if isinstance(item, list):
            todo.extend(item)
        elif isinstance(item, dict):
            if found := _day(item.get("datePublished")):
                return found
            todo.extend(v for v in item.values() if isinstance(v, (dict, list)))
    return None


def _day(value: object) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None


def read_urls(
    urls: Iterable[str],
    failed: Callable[[str, str], None],
    *,
    policy: FetchPolicy | None = None,
    author: str | None = None,
    feeds: bool = True,
) -> Iterator[Entry]:
    """Each article the URLs give, in order: a page, or every item a feed links to (when
    ``feeds``); each URL or item that gives none is reported through ``failed``, and the
    rest goes on."""
    policy = policy or FetchPolicy()
    accept = (
        "text/html, application/xhtml+xml, "
        "application/rss+xml, application/atom+xml, text/plain;q=0.5"
    )
    with _client(policy, Accept=accept) as client:
        for url in urls:
            try:
                response = get(url, client, policy)
            except FetchError as exc:
                failed(url, _reason(url, exc))
                continue
            if response.media_type in _FEED_TYPES or _looks_like_feed(response.body):
                if feeds:
                    yield from _feed_items(response, client, policy, failed, author)
                else:
                    failed(url, "a feed, not a page: register feeds at /feeds")
                continue
            try:
                yield _page_entry(response, author)
            except InputError as exc:
                failed(url, _reason(url, exc))


def _reason(url: str, exc: Exception) -> str:
    """The message without the URL it starts with (the caller names the URL)."""
    return str(exc).removeprefix(f"{url}: ")


def _looks_like_feed(body: bytes) -> bool:
    head = body[:512].lstrip().lower()
    return head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head)


def _page_entry(response: Response, author: str | None, fallback: date | None = None) -> Entry:
    if response.media_type not in _PAGE_TYPES:
        raise FetchError(f"not a web page but {response.media_type}")
    kind = "text" if response.media_type == "text/plain" else "html"
    article = read_article(response.body, encoding=response.charset, kind=kind)
    published = None
    if kind == "html":
        published = page_date(response.body.decode(response.charset or "utf-8", "replace"))
    published = published or fallback
    article = replace(article, url=response.url, published=published, author=author)
    return Entry(response.url, article, response.url, published)


def _feed_items(
    response: Response,
    client: httpx.Client,
    policy: FetchPolicy,
    failed: Callable[[str, str], None],
    author: str | None,
) -> Iterator[Entry]:
    for link, fallback in _feed_links(response, failed):
        try:
            yield _page_entry(get(link, client, policy), author, fallback)
        except InputError as exc:
            failed(link, _reason(link, exc))


def _feed_links(
    response: Response, failed: Callable[[str, str], None]
) -> Iterator[tuple[str, date | None]]:
    """Each item's absolute link and the feed's date for it (feedparser reads RSS 0.9x to
    2.0, RSS 1.0 and Atom, and normalises their dates)."""
    import feedparser

    feed = feedparser.parse(response.body)
    if feed.bozo and not feed.entries:
        failed(response.url, f"an unreadable feed: {feed.bozo_exception}")
        return
    for item in feed.entries:
        if link := item.get("link"):
            try:
                absolute = urljoin(response.url, link)
            except ValueError as exc:  # "http://[::1/" and the like: this item only
                failed(link, f"a malformed link: {exc}")
                continue
            stamp = item.get("published_parsed") or item.get("updated_parsed")
            yield absolute, (date(*stamp[:3]) if stamp else None)


class FeedWatcher:
    """Polls feeds for new items, politely: conditional requests (ETag, Last-Modified), a
    feed that fails is reported once and then tried again after 1, 2, 4 … (at most 16)
    rounds, an item page that fails is tried again in the next rounds, three times in
    all. What was ingested is known from the store (``seen``), not from a side file."""

    ITEM_ATTEMPTS = 3
    MAX_BACKOFF = 16

    def __init__(
        self,
        feeds: list[str],
        policy: FetchPolicy | None = None,
        validators: MutableMapping[str, dict] | None = None,
    ) -> None:
        self.feeds = feeds
        self.policy = policy or FetchPolicy()
        # Each feed's last ETag and Last-Modified: in memory unless a mapping that keeps
        # them (graph.feed_state.StoredValidators) is given.
        self._validators: MutableMapping[str, dict] = {} if validators is None else validators
        self._failures: dict[str, int] = {}
        self._wait: dict[str, int] = {}
        self._attempts: dict[str, int] = {}
        self._last: dict[str, Response] = {}
        self._handled: set[str] = set()  # item links stored since this watcher started

    def poll(
        self, seen: Callable[[str], bool], failed: Callable[[str, str], None]
    ) -> Iterator[Entry]:
        """One round: the entries of every due feed's items not seen before."""
        with _client(self.policy) as client:
            for feed in self.feeds:
                if self._wait.get(feed, 0) > 0:
                    self._wait[feed] -= 1
                    continue
                try:
                    response = get(feed, client, self.policy, validators=self._validators.get(feed))
                except FetchError as exc:
                    self._back_off(feed)
                    failed(feed, _reason(feed, exc))
                    continue
                self._failures.pop(feed, None)
                fresh = not response.unchanged
                if response.unchanged:  # the items read last time (some may be due again)
                    if feed not in self._last:  # read before a restart: all were handled
                        continue
                    response = self._last[feed]
                else:
                    self._last[feed] = response
                links = list(_feed_links(response, failed))
                yield from self._new_items(links, client, seen, failed)
                # Remembered once every item is in the store or has had its tries, so that
                # a restart finding the feed unchanged has nothing left to do.
                if fresh and links and not any(self._due(link, seen) for link, _ in links):
                    self._validators[feed] = {"etag": response.etag, "modified": response.modified}

    def _back_off(self, feed: str) -> None:
        count = self._failures.get(feed, 0) + 1
        self._failures[feed] = count
        self._wait[feed] = min(2 ** (count - 1), self.MAX_BACKOFF)

    def _due(self, link: str, seen: Callable[[str], bool]) -> bool:
        return (
            link not in self._handled
            and not seen(link)
            and self._attempts.get(link, 0) < self.ITEM_ATTEMPTS
        )

    def _new_items(self, links, client, seen, failed) -> Iterator[Entry]:
        for link, fallback in links:
            if not self._due(link, seen):
                continue
            try:
                yield _page_entry(get(link, client, self.policy), None, fallback)
                # Back here once the caller has stored it; under its final URL, which a
                # redirecting link does not name, hence this set.
                self._handled.add(link)
            except InputError as exc:
                self._attempts[link] = self._attempts.get(link, 0) + 1
                failed(link, _reason(link, exc))
