"""Articles and how documents are identified."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Article:
    """A text to extract from, with what is known about it."""

    text: str
    title: str | None = None
    published: date | None = None
    url: str | None = None
    was_html: bool = False
    author: str | None = None  # who speaks as "we": a government office, an organisation


def document_id(text: str) -> str:
    """Content hash of a document's text: the same text always gets the same id."""
    return "doc-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def content_source(text: str) -> str:
    """The source of a text that came without one (standard input, a POST without a URL):
    its content hash, so that only the same text is ever the same document."""
    return "text:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def outlet(source: str | None) -> str | None:
    """The outlet a document's source names: the host of a web URL, without "www." (the
    same newspaper however its links are written); None for a file, pasted text or a
    feed item without a URL, where nothing says which outlet it is."""
    if not source or not source.startswith(("http://", "https://")):
        return None
    host = urlsplit(source).hostname or ""
    return host.removeprefix("www.") or None
