"""What is remembered about a feed between polls, kept in the store it feeds.

The feeds graph (:data:`FEEDS_GRAPH`) holds the service's registrations and, for every
feed polled into the store (by the service or by ``detente watch``), the validators of its
last answer: an ETag and a Last-Modified date. A restarted watcher asks conditionally from
its first poll, and the state travels with the store instead of a side file that can drift.

The feeds graph is public: anyone may read it over SPARQL. A feed URL may carry secrets (a
user and password, an API key in its query), so a URL is written there only when it has
neither (:func:`has_secret`). A registered feed whose URL has one gets a public name instead
(its address without them, and a random fragment: :func:`public_name`), and its full URL
is kept out of the store by :class:`FeedSecrets`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from rdflib import Literal, URIRef

from detente.graph.store import InvalidTermError, KnowledgeStore, check_iri, nt
from detente.ontology import NS

FEEDS_GRAPH = URIRef("https://w3id.org/detente/graph/feeds")
_FIELDS = {"etag": NS.feedETag, "modified": NS.feedLastModified}
PRIVATE_FRAGMENT = "detente-feed-"  # a public name's fragment: the full URL is kept apart
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+")
log = logging.getLogger("detente.graph")


def redact(url: str) -> str:
    """``url`` as anyone may see it: without user-info, query or fragment."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return "(an unparsable URL)"
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def without_userinfo(url: str) -> str:
    """``url`` without user-info: the address of an item a feed with credentials links to
    relatively (it inherits them), as it may be stored and shown."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def has_secret(url: str) -> bool:
    """Whether ``url`` has a part that may be a secret (user-info, a query; a fragment, to
    keep the rule simple): such a URL is never written to the public feeds graph."""
    return redact(url) != url


def scrub(text: str) -> str:
    """``text`` (an error message) with every URL in it redacted."""
    return _URL.sub(lambda m: redact(m.group()), text)


def public_name(url: str) -> str:
    """The IRI a registered feed has in the public graph: its URL if it holds no secret,
    else its redacted address with a random fragment (two feeds may differ only in their
    query). Raises :class:`InvalidTermError` for a URL that is no absolute IRI."""
    check_iri(url)
    if not has_secret(url):
        return url
    return check_iri(f"{redact(url)}#{PRIVATE_FRAGMENT}{secrets.token_hex(8)}")


def is_private_name(name: str) -> bool:
    """Whether ``name`` is a public name made by :func:`public_name` (its full URL is kept
    apart)."""
    try:
        parts = urlsplit(name)
    except ValueError:
        return False
    return parts.fragment.startswith(PRIVATE_FRAGMENT) and redact(name) == name.split("#")[0]


def _storable(url: str) -> bool:
    try:
        check_iri(url)
    except InvalidTermError:
        return False
    return True


def _public_key(feed: str) -> str | None:
    """By default a feed's validators are kept under its URL when that is a valid IRI that
    holds no secret; otherwise they are not kept (the feed is asked in full after a
    restart, as before validators were kept)."""
    return feed if _storable(feed) and not has_secret(feed) else None


class StoredValidators(MutableMapping[str, dict]):
    """Feed URL -> ``{"etag": …, "modified": …}``, read from and written to the store.
    ``writing`` guards each write (the service's write lock); each access is one query.
    ``key`` names a feed URL's node in the public graph (None: not kept); by default the
    URL itself, unless it may hold a secret (:func:`has_secret`) or is no IRI."""

    def __init__(
        self,
        store: KnowledgeStore,
        writing: Callable[[], AbstractContextManager] = nullcontext,
        key: Callable[[str], str | None] = _public_key,
    ) -> None:
        self.store = store
        self.writing = writing
        self.key = key

    def _node(self, feed: str) -> str | None:
        name = self.key(feed)
        return None if name is None or not _storable(name) else nt(URIRef(name))

    def __getitem__(self, feed: str) -> dict:
        node = self._node(feed)
        if node is None:
            raise KeyError(feed)
        found = {
            name: value
            for name, value in self.store.values(
                f"SELECT ?name ?value WHERE {{ GRAPH {nt(FEEDS_GRAPH)} {{ "
                f"VALUES (?name ?p) {{ {self._names()} }} {node} ?p ?value }} }}"
            )
        }
        if not found:
            raise KeyError(feed)
        return {name: found.get(name) for name in _FIELDS}

    def __setitem__(self, feed: str, validators: dict) -> None:
        # A write drops the ledger saved beside an embedded store: none when nothing
        # changed, and none for a URL not kept (it is simply asked in full).
        wanted = {n: validators.get(n) for n in _FIELDS}
        node = self._node(feed)
        if node is None or self.get(feed, dict.fromkeys(_FIELDS)) == wanted:
            return
        graph = nt(FEEDS_GRAPH)
        removes = " ".join(f"OPTIONAL {{ {node} {nt(p)} ?{n} }}" for n, p in _FIELDS.items())
        drops = " ".join(f"{node} {nt(p)} ?{n} ." for n, p in _FIELDS.items())
        kept = " ".join(
            f"{node} {nt(p)} {nt(Literal(validators[n]))} ."
            for n, p in _FIELDS.items()
            if validators.get(n)
        )
        update = (
            f"DELETE {{ GRAPH {graph} {{ {drops} }} }} WHERE {{ GRAPH {graph} {{ {removes} }} }}"
        )
        if kept:
            update += f" ;\nINSERT DATA {{ GRAPH {graph} {{ {kept} }} }}"
        with self.writing():
            self.store.update(update)

    def __delitem__(self, feed: str) -> None:
        if feed not in self:
            raise KeyError(feed)
        self[feed] = dict.fromkeys(_FIELDS)

    def __iter__(self) -> Iterator[str]:
        rows = self.store.values(
            f"SELECT DISTINCT ?f WHERE {{ GRAPH {nt(FEEDS_GRAPH)} {{ "
            f"VALUES ?p {{ {' '.join(nt(p) for p in _FIELDS.values())} }} ?f ?p ?v }} }}"
        )
        return iter(sorted(str(f) for (f,) in rows))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    @staticmethod
    def _names() -> str:
        return " ".join(f"({nt(Literal(n))} {nt(p)})" for n, p in _FIELDS.items())


def secrets_path(location: str) -> Path:
    """Where the full URLs of the feeds registered on the embedded store at ``location``
    are kept: a hidden sibling, as the saved ledger (inside the folder RocksDB would see
    it), readable by its owner only."""
    store = Path(location).resolve()
    return store.parent / f".{store.name}.feed-urls.json"


class FeedSecrets:
    """The full URLs of registered feeds whose URL holds a secret, by public name.

    Why a file and not the store: the SPARQL endpoint and the Graph Store Protocol serve
    every graph of the store to anyone, so no graph can hold a secret. Beside an embedded
    store on disk the URLs are kept in a JSON file of mode 0600 (written whole, then
    renamed over the old one), so the poller can fetch them after a restart; for other
    stores (``memory:``, a remote endpoint) they are kept in memory only, and such a feed
    must be registered again after a restart (``GET /feeds`` says so).
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._urls: dict[str, str] = {}
        self._lock = threading.Lock()
        if path is not None and path.exists():
            try:
                if path.stat().st_mode & 0o077:
                    os.chmod(path, 0o600)  # someone widened it: narrow it again
                data = json.loads(path.read_text(encoding="utf-8"))
                self._urls = {str(k): str(v) for k, v in data.get("feeds", {}).items()}
            except (OSError, ValueError, AttributeError) as exc:
                log.warning("ignoring the feed URL file %s: %s", path, type(exc).__name__)

    @classmethod
    def beside(cls, store: KnowledgeStore) -> FeedSecrets:
        """The secrets of ``store``: a file beside an embedded store on disk (not beside a
        server's ``memory:``, a temporary folder), else in memory."""
        location = getattr(store, "location", None)
        if location and str(getattr(store, "url", "")).startswith("oxigraph:"):
            return cls(secrets_path(location))
        return cls(None)

    @property
    def durable(self) -> bool:
        return self.path is not None

    def get(self, name: str) -> str | None:
        return self._urls.get(name)

    def name_of(self, url: str) -> str | None:
        """The public name ``url`` was kept under, if any."""
        return next((k for k, v in self._urls.items() if v == url), None)

    def put(self, name: str, url: str) -> None:
        with self._lock:
            self._urls[name] = url
            self._save()

    def discard(self, name: str) -> None:
        with self._lock:
            if self._urls.pop(name, None) is not None:
                self._save()

    def _save(self) -> None:
        if self.path is None:
            return
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        # Created 0600 (never readable by others, not even for a moment), then renamed.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                if hasattr(os, "fchmod"):  # an old file of that name may have another mode
                    os.fchmod(out.fileno(), 0o600)
                json.dump({"feeds": self._urls}, out, indent=1, sort_keys=True)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
