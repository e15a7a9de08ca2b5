"""A corpus as a stream of articles: files and folders of .txt/.html, and JSON Lines.

JSON Lines is what news-crawl and GDELT-style pipelines emit: one article per line, an
object with ``text`` or ``html`` and optionally ``title``, ``url``, ``date`` (ISO 8601) and
``author``. Entries are read one at a time, so memory stays bounded by what the caller
keeps, not by the size of the corpus. Every entry that cannot be read is reported through
``failed`` with a one-line reason, and the rest goes on.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from detente.extract.text import MAX_CHARS, Article, InputError, read_article, with_author

MAX_LINE_BYTES = 16 * MAX_CHARS  # one entry: the text limit, with room for JSON escapes
TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".html", ".htm", ".xhtml"})
LINES_SUFFIXES = frozenset({".jsonl", ".ndjson"})


@dataclass(frozen=True)
class Entry:
    """One article of a corpus, read: ``name`` says where it is (a path, or path:line) for
    messages; ``url`` is its own identity when the corpus gives one."""

    name: str
    article: Article
    url: str | None = None
    published: date | None = None


def corpus_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files named, with folders expanded to their article and JSON Lines files."""
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files += sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in TEXT_SUFFIXES | LINES_SUFFIXES and p.is_file()
            )
        else:
            files.append(path)
    return files


def read_corpus(
    files: Iterable[str | Path],
    failed: Callable[[str, str], None],
    *,
    encoding: str | None = None,
    author: str | None = None,
) -> Iterator[Entry]:
    """Each readable article of ``files`` in order (a JSON Lines file gives one per line,
    ``-`` is standard input); ``failed(name, reason)`` for each that is not."""
    for file in map(Path, files):
        if file.suffix.lower() in LINES_SUFFIXES:
            yield from _read_lines(file, failed, author)
            continue
        try:
            data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
            article = read_article(data, encoding=encoding)
        except (InputError, OSError) as exc:
            failed(str(file), _reason(exc))
            continue
        yield Entry(str(file), with_author(article, author))


def _read_lines(
    file: Path, failed: Callable[[str, str], None], author: str | None
) -> Iterator[Entry]:
    try:
        handle = file.open("rb")
    except OSError as exc:
        failed(str(file), _reason(exc))
        return
    with handle:
        number = 0
        while raw := handle.readline(MAX_LINE_BYTES + 1):
            number += 1
            name = f"{file}:{number}"
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                while (rest := handle.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass  # the rest of the line, read in pieces and dropped
                failed(name, f"line longer than {MAX_LINE_BYTES:,} bytes: skipped")
                continue
            try:
                # utf-8-sig on every line: files joined with cat keep each one's BOM.
                line = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                failed(name, f"not UTF-8: invalid byte 0x{raw[exc.start]:02x} at {exc.start}")
                continue
            if not line.strip():
                continue
            try:
                yield _entry(name, line, author)
            except InputError as exc:
                failed(name, str(exc))


def _entry(name: str, line: str, author: str | None) -> Entry:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"not a JSON object: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise InputError("not a JSON object: nested too deeply") from None
    if not isinstance(record, dict):
        raise InputError("not a JSON object")
    body, kind = record.get("text"), "text"
    if (body is None or body == "") and record.get("html") is not None:
        body, kind = record["html"], "html"
    if not isinstance(body, str):
        raise InputError("no 'text' or 'html' string")
    _encodable(body, "text" if kind == "text" else "html")
    article = read_article(body, kind=kind)
    title = _string(record, "title")
    url = _string(record, "url")
    published = _date(record.get("date"))
    article = replace(article, title=title or article.title, url=url or article.url)
    return Entry(name, with_author(article, _string(record, "author") or author), url, published)


def _string(record: dict, key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"'{key}' is not a string")
    _encodable(value, key)
    return value.strip() or None


def _encodable(value: str, key: str) -> None:
    """JSON may escape lone surrogates (\\ud800), which no UTF-8 text can hold."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(f"'{key}' holds an unpaired surrogate at {exc.start}") from None


def _date(value: object) -> date | None:
    """An ISO date or date-time ("2020-06-01", "2020-06-01T08:30:00Z") as a date."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError("'date' is not a string")
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date()
    except ValueError:
        raise InputError(f"'date' is not an ISO 8601 date: {value[:40]!r}") from None


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)
