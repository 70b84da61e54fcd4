"""'Changes since yesterday' for one cell, in an arrow and in words.

Issue 4: indicators 'with colours and changes since yesterday'. Up or down is
the value; better or worse follows the indicator's direction in the pack
(DESIGN.md, band semantics: caseloads are lower-is-better, staffing %
higher-is-better). Pure: no database, no clock.
"""

from __future__ import annotations

from surgewatch.core.pack import Direction
from surgewatch.web.sitrep.records import Change
from surgewatch.web.sitrep.words import counted, number

UP, DOWN, SAME = "\N{UPWARDS ARROW}", "\N{DOWNWARDS ARROW}", "\N{RIGHTWARDS ARROW}"
# Readings are entered to a few decimals; 69.5 - 69.4 must not print as 0.0999999.
PLACES = 6


def cell_change(
    direction: Direction,
    unit: str,
    now: tuple[float | None, int | None],
    before: tuple[float | None, int | None],
) -> Change:
    """``now`` and ``before`` are (value, level) at the SitRep's moment and a day earlier."""
    (value, level), (value_before, level_before) = now, before
    if value is None:
        return Change(None, "", "no reading")
    if value_before is None:
        return Change(None, "", "new since yesterday")
    delta = round(value - value_before, PLACES)
    if delta == 0:
        return Change(0.0, SAME, _with_levels("no change", level, level_before))
    rising = delta > 0
    verdict = "better" if rising == (direction is Direction.HIGHER_IS_BETTER) else "worse"
    words = f"{'up' if rising else 'down'} {amount(abs(delta), unit)}, {verdict}"
    return Change(delta, UP if rising else DOWN, _with_levels(words, level, level_before), verdict)


def amount(size: float, unit: str) -> str:
    """'12 cases', '1 case'; a difference of percentages is in percentage points."""
    if unit == "%":
        return f"{number(size)} {counted(size, 'percentage points')}"
    return f"{number(size)} {counted(size, unit)}".strip()


def _with_levels(words: str, level: int | None, level_before: int | None) -> str:
    if level is None or level_before is None or level == level_before:
        return words
    return f"{words}; OPEL {level_before} to OPEL {level}"
