"""Dates as news gives them: a year, a month or a day (ISO 8601: YYYY, YYYY-MM, YYYY-MM-DD).

A statement's date is often partial ("in 2019", "last March"); it is kept at the precision
the text gave and compared by its first day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_FORM = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
PRECISIONS = {4: "year", 7: "month", 10: "day"}


@dataclass(frozen=True, order=True)
class PartialDate:
    """A year, a month or a day. ``str()`` gives it back in its ISO form."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a longer timestamp is read to its day);
        ValueError for anything else or a day that does not exist."""
        found = _FORM.fullmatch(text.strip()[:10])
        if found is None:
            raise ValueError(f"{text!r} is not a date as YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = (int(g) if g else None for g in found.groups())
        partial = cls(year, month, day)  # type: ignore[arg-type]
        partial.first_day()  # validates month and day
        return partial

    @classmethod
    def parse_or_none(cls, text: str | None) -> PartialDate | None:
        """:meth:`parse`, with None for a missing or empty date."""
        return cls.parse(text) if text else None

    @property
    def precision(self) -> str:
        """ "year", "month" or "day"."""
        return "day" if self.day else "month" if self.month else "year"

    def first_day(self) -> date:
        """The first day it covers: what partial dates are compared and ordered by."""
        return date(self.year, self.month or 1, self.day or 1)

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
        if self.day:
            text += f"-{self.day:02d}"
        return text


def first_day(text: str | None) -> date | None:
    """The first day of a YYYY, YYYY-MM or YYYY-MM-DD date (None for none)."""
    partial = PartialDate.parse_or_none(text)
    return partial.first_day() if partial else None
