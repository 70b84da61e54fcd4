"""Planning months: ``YYYY-MM`` strings, their labels, lengths and distances."""

from __future__ import annotations

import calendar
from typing import Annotated

from pydantic import StringConstraints

Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]

_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def split(month: str) -> tuple[int, int]:
    """``"2024-10"`` -> ``(2024, 10)``."""
    year, number = month.split("-")
    return int(year), int(number)


def label(month: str) -> str:
    """The label seed 002 prints over its bed table: ``"2024-10"`` -> ``"Oct-24"``."""
    year, number = split(month)
    return f"{_ABBR[number - 1]}-{year % 100:02d}"


def days_in(month: str) -> int:
    """Calendar days in the month (leap years included)."""
    year, number = split(month)
    return calendar.monthrange(year, number)[1]


def months_between(start: str, end: str) -> int:
    """Whole months from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    (y0, m0), (y1, m1) = split(start), split(end)
    return (y1 - y0) * 12 + (m1 - m0)
