"""What the SPARQL Protocol needs to know about a request's text without parsing it fully.

The protocol's ``using-graph-uri`` / ``using-named-graph-uri`` parameters set the dataset
of every ``DELETE/INSERT … WHERE`` operation, as ``USING`` clauses would; pyoxigraph takes
no such argument, so the clauses are written into the update text. A small lexer finds the
top-level keywords (outside IRIs, strings, comments and braces) this needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")
_LONG_STRING = re.compile(r"'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\"")
_STRING = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")


@dataclass(frozen=True)
class Keyword:
    word: str  # upper-cased
    start: int


def top_level_keywords(text: str) -> list[Keyword]:
    """Keywords outside braces, IRIs, strings and comments, in order. O(len(text))."""
    found: list[Keyword] = []
    depth, i, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif skip := _opaque(text, i):
            i = skip
        elif ch == "{":
            depth, i = depth + 1, i + 1
        elif ch == "}":
            depth, i = depth - 1, i + 1
        elif (ch.isalpha() or ch == "_") and (m := _WORD.match(text, i)):
            # Prefixed names (dc:title) and variables are not keywords.
            before = text[i - 1] if i else " "
            after = text[m.end()] if m.end() < n else " "
            if depth == 0 and before not in "?$:" and after != ":":
                found.append(Keyword(m.group().upper(), i))
            i = m.end()
        else:
            i += 1
    return found


def _opaque(text: str, i: int) -> int:
    """End of the IRI or string literal starting at ``i`` (0 if none starts there)."""
    ch = text[i]
    if ch == "<":
        m = _IRI.match(text, i)
    elif ch in "'\"":
        m = _LONG_STRING.match(text, i) or _STRING.match(text, i)
    else:
        return 0
    return m.end() if m else 0


def declares_dataset(update: str) -> bool:
    """Whether an update names its own dataset with USING or WITH."""
    return any(k.word in ("USING", "WITH") for k in top_level_keywords(update))


def with_using(update: str, default: list[str], named: list[str]) -> str:
    """``update`` with ``USING <g>`` / ``USING NAMED <g>`` clauses on every operation
    that has a WHERE clause; the shorthand ``DELETE WHERE {…}`` becomes ``DELETE {…}
    USING … WHERE {…}``, its equivalent long form. O(len(update))."""
    clauses = " ".join([f"USING <{g}>" for g in default] + [f"USING NAMED <{g}>" for g in named])
    if not clauses:
        return update
    words = top_level_keywords(update)
    out, last = [], 0
    for prev, word in zip([None, *words], words, strict=False):
        if word.word != "WHERE":
            continue
        if prev is not None and prev.word == "DELETE":
            pattern = _braced(update, word.start + len("WHERE"))
            out.append(update[last : word.start])
            out.append(f"{pattern} {clauses} WHERE ")
        else:
            out.append(update[last : word.start])
            out.append(f"{clauses} WHERE ")
        last = word.start + len("WHERE")
    out.append(update[last:])
    return "".join(out)


def _braced(text: str, start: int) -> str:
    """The ``{ … }`` group starting at or after ``start``."""
    open_at = text.index("{", start)
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[open_at : i + 1]
    raise ValueError("unbalanced braces")
