"""Which statements a question is about: one filter, read the same way by every question
(the ledger's, the networkx oracle's), the command line, the REST routes and the explorer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from detente.domain.stance import Polarity
from detente.errors import InputError


@dataclass(frozen=True)
class StatementFilter:
    """Statements about ``theatre`` with ``actor`` as subject or object, dated within
    ``since``..``until`` (a date bound keeps dated statements only, unless ``undated``
    asks for the statements no text dates too), stating one of ``predicates`` (their
    sub-relations included by whoever reads them; none: any) with ``polarity``. Every
    field left at its default lets everything through."""

    theatre: str | None = None
    actor: str | None = None  # an actor id
    since: date | None = None
    until: date | None = None
    predicates: tuple[str, ...] = ()
    polarity: Polarity | None = None
    undated: bool = False  # with a date bound: keep the undated statements as well

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise InputError("since is after until")
        if self.polarity is not None:
            object.__setattr__(self, "polarity", Polarity(self.polarity))
        object.__setattr__(self, "predicates", tuple(sorted(set(self.predicates))))
