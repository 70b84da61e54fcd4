"""How the SitRep writes numbers, levels, colours and times, the same in every format.

Colour is never the only cue (DESIGN.md): every level is written as 'OPEL n'
and every colour as a word, wherever a fill or tag colour is also shown.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

NO_VALUE = "\N{EN DASH}"

STATUS_WORDS = {
    "banded": "",
    "no_thresholds": "No thresholds",
    "report_only": "Recorded only",
    "not_monitored": "Not monitored (N/A in the plan)",
    "no_reading": "No reading",
}


def number(value: float | None) -> str:
    """A reading as people write it: 12, not 12.0; 7.5 stays 7.5."""
    if value is None:
        return NO_VALUE
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def with_unit(value: float | None, unit: str) -> str:
    """'45 cases', '69.5%'; a dash when there is no value."""
    if value is None:
        return NO_VALUE
    if unit == "%":
        return f"{number(value)}%"
    return f"{number(value)} {counted(value, unit)}".strip()


def counted(size: float, unit: str) -> str:
    """The pack's units are plural nouns ('cases', 'beds'): one of them is singular."""
    return unit[:-1] if size == 1 and unit.endswith("s") else unit


def colour_word(colour: str) -> str:
    return colour.capitalize() if colour else ""


def status_words(status: str) -> str:
    return STATUS_WORDS.get(status, status.replace("_", " ").capitalize())


def naive_local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """For spreadsheets, which store times without a zone: UK wall-clock time."""
    if moment is None:
        return None
    return moment.astimezone(zone).replace(tzinfo=None)
