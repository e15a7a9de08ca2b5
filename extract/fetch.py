"""Articles from the web: a page by its URL, or every item of an RSS or Atom feed.

Fetching is polite and guarded:

* a User-Agent that names detente, robots.txt respected, one request at a time with a
  pause between two requests to the same host, a timeout and a size limit per response;
* only http and https, and never to loopback, link-local, private or other non-global
  addresses, checked after DNS resolution and again at every redirect (a page must not
  make the fetcher reach the machine it runs on or its network); hosts or networks in
  ``FetchPolicy.allow`` are let through (the tests' local server).

A page's publication date comes from its metadata only (``article:published_time`` and
similar ``<meta>`` tags, JSON-LD ``datePublished``, ``<time datetime>``), never guessed from
its text: a wrong date would misplace every relative date the text gives. An item of a
feed without a dated page takes the feed's date for it.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import time
import urllib.robotparser
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from email.message import Message
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

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


class FetchError(InputError):
    """A URL that gave no article; the message says why, in one line."""


@dataclass
class FetchPolicy:
    """How pages are fetched. ``allow``: hosts ("localhost") or networks ("127.0.0.0/8")
    reachable even though they are not public."""

    allow: tuple[str, ...] = ()
    timeout: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    delay: float = 1.0  # seconds between two requests to one host
    user_agent: str = USER_AGENT
    _last: dict[str, float] = field(default_factory=dict, repr=False)
    _robots: dict[str, urllib.robotparser.RobotFileParser | None] = field(
        default_factory=dict, repr=False
    )

    def allowed(self, host: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        for rule in self.allow:
            if rule == host:
                return True
            try:
                if address in ipaddress.ip_network(rule, strict=False):
                    return True
            except ValueError:
                continue
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


def fetch_policy() -> FetchPolicy:
    """The policy of this environment: ``DETENTE_FETCH_ALLOW`` lists the hosts or networks
    (comma-separated) that may be reached although they are not public."""
    allowed = os.environ.get("DETENTE_FETCH_ALLOW", "")
    return FetchPolicy(allow=tuple(x.strip() for x in allowed.split(",") if x.strip()))


def check_destination(url: str, policy: FetchPolicy) -> str:
    """Refuse what no fetch may reach: other schemes, and hosts that resolve to an address
    that is not public (unless the policy allows it). Returns the address to connect to:
    the request goes there, not to a second resolution that could answer otherwise (DNS
    rebinding)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"{url}: not an http or https URL")
    host = parts.hostname
    try:
        infos = socket.getaddrinfo(host, parts.port or 80, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise FetchError(f"{url}: cannot resolve {host}: {exc}") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for address in addresses:
        if not address.is_global and not policy.allowed(host, address):
            raise FetchError(
                f"{url}: refused: {host} is at {address}, not a public address "
                "(allow it in the fetch settings if it is meant to be reached)"
            )
    if not addresses:
        raise FetchError(f"{url}: cannot resolve {host}")
    return str(min(addresses, key=lambda a: a.version))  # IPv4 first, as most servers listen


def _pinned(url: str, address: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """The request for ``url`` sent to ``address``: the URL with the address for its host,
    the Host header, and the TLS server name (certificates are still checked against the
    host named)."""
    parts = urlsplit(url)
    where = f"[{address}]" if ":" in address else address
    netloc = f"{where}:{parts.port}" if parts.port else where
    target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host = parts.netloc.rsplit("@", 1)[-1]
    return target, {"Host": host}, {"sni_hostname": parts.hostname or ""}


def get(
    url: str, client: httpx.Client, policy: FetchPolicy, *, validators: dict | None = None
) -> Response:
    """One resource: redirects followed (each checked), robots.txt obeyed, size bounded.
    ``validators`` (the ``etag`` and ``modified`` of an earlier answer) make the request
    conditional: an unchanged resource comes back with ``unchanged`` set and no body."""
    headers = {}
    if validators and validators.get("etag"):
        headers["If-None-Match"] = validators["etag"]
    if validators and validators.get("modified"):
        headers["If-Modified-Since"] = validators["modified"]
    for _ in range(policy.max_redirects + 1):
        address = check_destination(url, policy)
        if not _robots_allow(url, address, client, policy):
            raise FetchError(f"{url}: robots.txt asks robots not to fetch it")
        _pause(url, policy)
        target, host, extensions = _pinned(url, address)
        try:
            with client.stream(
                "GET",
                target,
                timeout=policy.timeout,
                headers={**headers, **host},
                extensions=extensions,
            ) as response:
                if response.status_code == 304:
                    return Response(url, "", None, b"", unchanged=True)
                if response.is_redirect:
                    url = urljoin(url, response.headers.get("location", ""))
                    continue
                if response.status_code >= 400:
                    raise FetchError(f"{url}: the server answered {response.status_code}")
                body = _read(response, policy, url)
                media, charset = _content_type(response.headers.get("content-type", ""))
                return Response(
                    url,  # as named, not the address it was fetched from
                    media,
                    charset,
                    body,
                    etag=response.headers.get("etag"),
                    modified=response.headers.get("last-modified"),
                )
        except httpx.TimeoutException:
            raise FetchError(f"{url}: no answer within {policy.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from None
    raise FetchError(f"{url}: more than {policy.max_redirects} redirects")


def _read(response: httpx.Response, policy: FetchPolicy, url: str) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchError(f"{url}: {int(declared):,} bytes, over the {policy.max_bytes:,} limit")
    parts, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > policy.max_bytes:
            raise FetchError(f"{url}: over the {policy.max_bytes:,} byte limit")
        parts.append(chunk)
    return b"".join(parts)


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


def _robots_allow(url: str, address: str, client: httpx.Client, policy: FetchPolicy) -> bool:
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    if origin not in policy._robots:
        parser: urllib.robotparser.RobotFileParser | None = None
        try:
            _pause(origin + "/", policy)
            target, host, extensions = _pinned(origin + "/robots.txt", address)
            answer = client.get(target, timeout=policy.timeout, headers=host, extensions=extensions)
            if answer.status_code < 400 and len(answer.content) <= policy.max_bytes:
                parser = urllib.robotparser.RobotFileParser()
                parser.parse(answer.text.splitlines())
        except httpx.HTTPError:
            parser = None  # no robots.txt to be had: nothing is asked of us
        policy._robots[origin] = parser
    found = policy._robots[origin]
    return found is None or found.can_fetch(policy.user_agent, url)


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
    headers = {
        "User-Agent": policy.user_agent,
        "Accept": "text/html, application/xhtml+xml, "
        "application/rss+xml, application/atom+xml, text/plain;q=0.5",
    }
    with httpx.Client(headers=headers, follow_redirects=False, trust_env=False) as client:
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
            stamp = item.get("published_parsed") or item.get("updated_parsed")
            yield urljoin(response.url, link), (date(*stamp[:3]) if stamp else None)


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
        headers = {"User-Agent": self.policy.user_agent}
        with httpx.Client(headers=headers, follow_redirects=False, trust_env=False) as client:
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
