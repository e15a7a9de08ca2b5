"""What the endpoint must know about a request's SPARQL text before Oxigraph evaluates it.

A lexer (SPARQL 1.1 §19.8 terminals: IRIs, prefixed names, variables, strings, comments)
turns the text into tokens with their brace depth. Two things are read off them:

* the operations that make Oxigraph open a connection (``SERVICE`` anywhere in a query or
  update, ``LOAD`` in an update) and the IRIs they would call, resolved the way the parser
  will resolve them (``BASE``, ``PREFIX``, the endpoint's base IRI, ``\\u`` escapes);
* the top-level keywords needed to write the protocol's ``using-graph-uri`` /
  ``using-named-graph-uri`` parameters into update text as ``USING`` clauses (pyoxigraph
  takes no such argument).

The lexer errs on the side of finding a keyword: text it cannot tokenise becomes
punctuation, so a word is only ever skipped when it is inside an IRI, a string, a comment,
a variable or a prefixed name, which is exactly where SPARQL does not read keywords.
One terminal depends on where the parser stands: ``<`` starts an IRI, or is less-than in an
expression (``FILTER(1<2)SERVICE:x#>`` is an IRI to a lexer and a comparison, a ``SERVICE``
and a comment to Oxigraph). Where an IRI token holds ``SERVICE`` or ``LOAD``, the text after
its ``<`` is read a second time as if ``<`` were an operator, and a call found either way
counts. This check is the first line only: the processes that evaluate SPARQL cannot open
network sockets at all (:mod:`detente.sparql.sandbox`).
Oxigraph does not expand ``\\u`` escapes outside IRIs and strings, so an escaped keyword is
a syntax error there rather than a hidden ``SERVICE``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
    "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)
_PN_CHARS = _PN_CHARS_BASE + "_0-9\u00b7\u0300-\u036f\u203f-\u2040-"
_ESCAPE = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_HEX = r"%[0-9A-Fa-f]{2}"
_PN_PREFIX = rf"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL_CHAR = rf"(?:[{_PN_CHARS}:]|{_HEX}|{_ESCAPE})"
_PN_LOCAL_FIRST = rf"(?:[{_PN_CHARS_BASE}_:0-9]|{_HEX}|{_ESCAPE})"
_PN_LOCAL = rf"{_PN_LOCAL_FIRST}(?:(?:{_PN_LOCAL_CHAR}|\.)*{_PN_LOCAL_CHAR})?"

_TOKENS = [
    ("space", r"\s+"),
    ("comment", r"#[^\n\r]*"),
    ("iri", r"<(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>"),
    ("string", r"'''(?:[^'\\]|\\.|'(?!''))*'''"),
    ("string", r'"""(?:[^"\\]|\\.|"(?!""))*"""'),
    ("string", r"'(?:[^'\\\n\r]|\\.)*'"),
    ("string", r'"(?:[^"\\\n\r]|\\.)*"'),
    ("var", rf"[?$][{_PN_CHARS}]+"),
    ("bnode", rf"_:[{_PN_CHARS}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"),
    ("langtag", r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*"),
    ("pname", rf"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?"),
    ("word", r"[A-Za-z_][A-Za-z0-9_]*"),
    ("number", r"[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?"),
]
_LEXER = re.compile("|".join(f"(?P<{kind}{i}>{rx})" for i, (kind, rx) in enumerate(_TOKENS)))
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Token:
    kind: str  # iri, string, var, bnode, langtag, pname, word, number, punct
    text: str
    start: int
    depth: int  # braces open before it

    @property
    def word(self) -> str:
        """The keyword this token is (upper-cased), or "" for anything else."""
        return self.text.upper() if self.kind == "word" else ""


def tokenize(text: str) -> list[Token]:
    """The tokens of a SPARQL query or update, comments and whitespace left out.
    O(len(text))."""
    tokens: list[Token] = []
    depth, i, n = 0, 0, len(text)
    while i < n:
        m = _LEXER.match(text, i)
        if m is None or m.end() == i:  # an operator or a character SPARQL has no token for
            ch = text[i]
            if ch == "}":
                depth -= 1
            tokens.append(Token("punct", ch, i, depth))
            if ch == "{":
                depth += 1
            i += 1
            continue
        kind = (m.lastgroup or "").rstrip("0123456789")
        if kind not in ("space", "comment"):
            tokens.append(Token(kind, m.group(), i, depth))
        i = m.end()
    return tokens


@dataclass(frozen=True)
class Keyword:
    word: str  # upper-cased
    start: int


def top_level_keywords(text: str) -> list[Keyword]:
    """Keywords outside braces, IRIs, strings and comments, in order. O(len(text))."""
    return [Keyword(t.word, t.start) for t in tokenize(text) if t.word and t.depth == 0]


# ---------------------------------------------------------------------- outbound calls
@dataclass(frozen=True)
class OutboundCall:
    """An operation that makes the store open a connection: ``SERVICE`` or ``LOAD``."""

    operation: str  # "SERVICE" | "LOAD"
    target: str | None  # the absolute IRI it calls; None when it is chosen at run time
    start: int  # where in the text


def unescape_iri(iri: str) -> str:
    """An IRIREF's text without its angle brackets, with ``\\u`` escapes expanded."""
    return _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iri[1:-1])


def _resolve(reference: str, base: str | None) -> str:
    return urljoin(base, reference) if base else reference


def _hides_keyword(token: Token) -> bool:
    """Whether Oxigraph may read SERVICE or LOAD inside this token. Its parser does not
    require a word boundary after a keyword: ``SERVICE:x`` is SERVICE then ``:x``,
    ``trueSERVICE<…>`` is ``true`` then SERVICE. No built-in name or keyword contains
    either word, so a word or prefix that does is treated as hiding one."""
    if token.kind == "word":
        word = token.word
        return word not in ("SERVICE", "LOAD") and ("SERVICE" in word or "LOAD" in word)
    if token.kind == "pname":
        prefix = token.text.partition(":")[0].upper()
        return "SERVICE" in prefix or "LOAD" in prefix
    return False


def outbound_calls(
    text: str, *, base_iri: str | None = None, prefixes: dict[str, str] | None = None
) -> list[OutboundCall]:
    """Every ``SERVICE`` (at any depth, in queries and updates) and ``LOAD`` in ``text``,
    with the IRI it would connect to as the parser resolves it: ``BASE`` declarations and
    ``base_iri`` for relative IRIs, ``PREFIX`` declarations and ``prefixes`` for prefixed
    names. A target that cannot be resolved statically (a variable, a keyword glued to
    other text) is reported with ``target=None``. O(len(text))."""
    tokens = tokenize(text)
    known = dict(prefixes or {})
    base = base_iri
    found: list[OutboundCall] = []

    def iri_of(token: Token | None) -> str | None:
        if token is None:
            return None
        if token.kind == "iri":
            return _resolve(unescape_iri(token.text), base)
        if token.kind == "pname" and not _hides_keyword(token):
            prefix, _, local = token.text.partition(":")
            if prefix.upper() == "SILENT" or prefix not in known:
                return None  # "SILENT:x" may be SILENT then ":x"
            return known[prefix] + _LOCAL_ESCAPE.sub(r"\1", local)
        return None

    for i, token in enumerate(tokens):
        after = tokens[i + 1 : i + 4]
        if token.word == "BASE" and after and after[0].kind == "iri":
            base = _resolve(unescape_iri(after[0].text), base)
        elif token.word == "PREFIX" and len(after) >= 2 and after[0].kind == "pname":
            name = after[0].text.partition(":")[0]
            if after[1].kind == "iri":
                known[name] = _resolve(unescape_iri(after[1].text), base)
        elif token.word in ("SERVICE", "LOAD"):
            if after and after[0].word == "SILENT":
                after = after[1:]
            target = iri_of(after[0]) if after else None
            found.append(OutboundCall(token.word, target, token.start))
        elif _hides_keyword(token):
            operation = "SERVICE" if "SERVICE" in token.text.upper() else "LOAD"
            found.append(OutboundCall(operation, None, token.start))
        elif token.kind == "iri" and _CALL_WORD.search(token.text):
            found.extend(_as_less_than(text, token))
    return found


_CALL_WORD = re.compile("SERVICE|LOAD", re.IGNORECASE)
_TARGETS = ("iri", "pname", "var")


def _as_less_than(text: str, iri: Token) -> list[OutboundCall]:
    """The calls in ``text`` after ``iri``'s ``<`` when that ``<`` is read as less-than.
    Only a keyword followed by something it can call (an IRI, a prefixed name or a
    variable, after SILENT or not) counts: ``<http://schema.org/Service>`` read that way
    has ``>`` after the word, which no parser takes for a call. Each reading is shorter
    than the text, and an IRI inside it that holds a keyword is read again in turn."""
    offset = iri.start + 1
    rest = text[offset:]
    tokens = tokenize(rest)
    found: list[OutboundCall] = []
    for i, token in enumerate(tokens):
        keyword = token.word in ("SERVICE", "LOAD") or _hides_keyword(token)
        if keyword:
            after = tokens[i + 1 : i + 3]
            if after and after[0].word == "SILENT":
                after = after[1:]
            glued = _hides_keyword(token) and token.kind == "pname"  # SERVICE:x is a call
            if glued or (after and after[0].kind in _TARGETS):
                operation = "SERVICE" if "SERVICE" in token.text.upper() else "LOAD"
                found.append(OutboundCall(operation, None, offset + token.start))
        elif token.kind == "iri" and _CALL_WORD.search(token.text):
            found.extend(
                OutboundCall(c.operation, None, offset + c.start)
                for c in _as_less_than(rest, token)
            )
    return found


# ---------------------------------------------------------------------- USING clauses
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
    tokens = tokenize(update)
    out, last = [], 0
    for i, token in enumerate(tokens):
        if token.word != "WHERE" or token.depth != 0:
            continue
        out.append(update[last : token.start])
        # The shorthand is DELETE directly followed by WHERE; "DELETE { … } WHERE" is not.
        if i and tokens[i - 1].word == "DELETE":
            pattern = _braced(update, token.start + len("WHERE"))
            out.append(f"{pattern} {clauses} WHERE ")
        else:
            out.append(f"{clauses} WHERE ")
        last = token.start + len("WHERE")
    out.append(update[last:])
    return "".join(out)


def _braced(text: str, start: int) -> str:
    """The ``{ … }`` group starting at or after ``start`` (braces in IRIs, strings and
    comments do not count)."""
    group = [t for t in tokenize(text[start:]) if t.kind == "punct" and t.text in "{}"]
    if not group or group[0].text != "{":
        raise ValueError("DELETE WHERE without a { … } group")
    for token in group[1:]:
        if token.text == "}" and token.depth == 0:
            return text[start + group[0].start : start + token.start + 1]
    raise ValueError("unbalanced braces")
