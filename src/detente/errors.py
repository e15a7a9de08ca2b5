"""Every error detente tells a user about, in one tree rooted at :class:`DetenteError`.

Each kind knows how it ends a command (``exit_code``) and how the HTTP service answers it
(``http_status``), so the CLI maps the whole tree in one place (:func:`detente.cli.app.main`)
and so does the service (:func:`detente.http.app.create_app`); the modules that raise them
re-export their own (``detente.graph.StoreError`` is this module's). The message is one
line that says why, fit to show as it is.
"""

from __future__ import annotations


class DetenteError(Exception):
    """Something detente cannot do as asked; the message says why, in one line."""

    exit_code = 2  # the command line's status for a user's error
    http_status = 422  # the request was understood but cannot be carried out


class InputError(DetenteError, ValueError):
    """Input that cannot be read as an article; the message says why."""


class FetchError(InputError):
    """A URL that gave no article; the message says why, in one line."""


class IngestError(DetenteError, ValueError):
    """A document that cannot be ingested; nothing was written."""


class FeedError(DetenteError, ValueError):
    """A feed URL the registry refuses or cannot tell apart; the message says why."""


class UnknownNameError(DetenteError, LookupError):
    """A theatre or actor the knowledge graph does not hold; ``suggestions`` are the
    nearest names it does hold (a misspelling's likely meaning), best first."""

    http_status = 404

    def __init__(self, kind: str, name: str, suggestions: list[str] | tuple[str, ...] = ()):
        hint = f"; did you mean {' or '.join(map(repr, suggestions))}?" if suggestions else ""
        super().__init__(f"unknown {kind} {name!r}: not in the knowledge graph{hint}")
        self.kind = kind
        self.name = name
        self.suggestions = list(suggestions)


class CurationConflict(DetenteError):
    """A curation act that cannot be made in the state the curation is in (taking back an
    act taken back already)."""

    http_status = 409


class StoreError(DetenteError, RuntimeError):
    """The store cannot do what was asked; the message says why."""

    http_status = 503  # the store, not the request, is what failed


class QuerySyntaxError(StoreError):
    """Malformed SPARQL."""

    http_status = 400


class RemoteQueryError(StoreError):
    """The endpoint rejected the request (syntax, permissions)."""

    http_status = 502


class ClusterError(DetenteError, RuntimeError):
    """The cluster cannot be reached or started; the message says which and why."""


class SandboxUnavailable(DetenteError, RuntimeError):
    """This platform offers no way to confine a process's network access."""

    http_status = 503


class SparqlError(DetenteError):
    """A SPARQL request the endpoint refuses; ``status`` is the HTTP status to answer with
    (the Protocol's errors are plain text, see :mod:`detente.http.sparql_routes`)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    @property
    def http_status(self) -> int:  # type: ignore[override]
        return self.status
