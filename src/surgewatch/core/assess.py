"""Assess a batch of readings against a pack: validate, classify, summarise.

Validation is all-or-nothing: every bad row is reported (row and column
named) and nothing is assessed, so a caller never acts on half a batch.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from surgewatch.core.bands import BandTable, Cell, CellStatus, colour_of, compile_pack
from surgewatch.core.levels import level_for_score, opel_score, suggested_level, worst_by_indicator
from surgewatch.core.pack import Pack

REQUIRED_COLUMNS = ("indicator", "area", "value")


@dataclass(frozen=True)
class Reading:
    indicator: str
    area: str
    value: float
    observed_at: datetime | None = None


@dataclass(frozen=True)
class RowError:
    """One bad input row: where it is and what is wrong."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column '{self.column}': {self.message}"


class ReadingsError(ValueError):
    """A batch of readings was refused; ``errors`` names every bad row."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass(frozen=True)
class ReadingResult:
    reading: Reading
    level: int | None
    colour: str
    status: CellStatus
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrganisationResult:
    suggested_level: int | None
    score: float | None
    score_level: int | None
    indicator_levels: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Assessment:
    pack: Pack
    results: tuple[ReadingResult, ...]
    organisation: OrganisationResult


def check_header(columns: Iterable[str]) -> None:
    """Refuse a table whose header lacks a required column."""
    missing = [c for c in REQUIRED_COLUMNS if c not in set(columns)]
    if missing:
        raise ReadingsError([RowError(1, c, "column is missing from the header") for c in missing])


def parse_rows(pack: Pack, rows: Iterable[Mapping[str, str | None]]) -> list[Reading]:
    """Turn text rows (as from a CSV with a header) into readings, or refuse them all.

    Row numbers count the header as row 1, as a spreadsheet shows them.
    """
    readings: list[Reading] = []
    errors: list[RowError] = []
    for number, row in enumerate(rows, start=2):
        reading, problems = _parse_row(pack, number, row)
        errors.extend(problems)
        if reading is not None:
            readings.append(reading)
    if errors:
        raise ReadingsError(errors)
    return readings


def _parse_row(
    pack: Pack, number: int, row: Mapping[str, str | None]
) -> tuple[Reading | None, list[RowError]]:
    missing = [c for c in REQUIRED_COLUMNS if not (row.get(c) or "").strip()]
    if missing:
        return None, [RowError(number, c, "is empty; fix: give a value") for c in missing]
    indicator, area = (row["indicator"] or "").strip(), (row["area"] or "").strip()
    errors = _reference_errors(pack, number, indicator, area)
    value = _parse_value(number, row["value"] or "", errors)
    observed_at = _parse_time(number, row.get("observed_at"), errors)
    if errors or value is None:
        return None, errors
    errors.extend(check_value(pack, indicator, value, number))
    return (None if errors else Reading(indicator, area, value, observed_at)), errors


def _reference_errors(pack: Pack, number: int, indicator: str, area: str) -> list[RowError]:
    known = {i.id: i for i in pack.indicators}
    if indicator not in known:
        choices = ", ".join(sorted(known))
        return [
            RowError(number, "indicator", f"unknown indicator '{indicator}'; use one of {choices}")
        ]
    if area not in pack.area_ids:
        choices = ", ".join(pack.area_ids)
        return [RowError(number, "area", f"unknown area '{area}'; use one of {choices}")]
    if area not in known[indicator].areas:
        areas = ", ".join(known[indicator].areas)
        return [
            RowError(
                number,
                "area",
                f"'{indicator}' is not reported for '{area}'; it is reported for {areas}",
            )
        ]
    return []


def _parse_value(number: int, text: str, errors: list[RowError]) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        errors.append(RowError(number, "value", f"'{text}' is not a number"))
        return None
    if not math.isfinite(value):
        errors.append(RowError(number, "value", f"'{text}' is not a finite number"))
        return None
    return value


def _parse_time(number: int, text: str | None, errors: list[RowError]) -> datetime | None:
    if not text or not text.strip():
        return None
    try:
        stamp = datetime.fromisoformat(text.strip())
    except ValueError:
        errors.append(RowError(number, "observed_at", f"'{text}' is not an ISO 8601 time"))
        return None
    if stamp.tzinfo is None:
        errors.append(
            RowError(
                number,
                "observed_at",
                f"'{text}' has no UTC offset; add one, e.g. 2026-01-05T09:30:00+00:00",
            )
        )
        return None
    return stamp


def check_value(pack: Pack, indicator_id: str, value: float, row: int = 0) -> list[RowError]:
    """Refuse a value impossible for the unit (DESIGN.md: negative counts, staffing 140%)."""
    indicator = pack.indicator(indicator_id)
    if indicator.valid_range.contains(value):
        return []
    bounds = indicator.valid_range
    span = (
        f"{_num(bounds.min)} to {_num(bounds.max)}"
        if bounds.max is not None
        else (f"at least {_num(bounds.min)}")
    )
    return [
        RowError(
            row,
            "value",
            f"{_num(value)} is impossible for '{indicator_id}' "
            f"({indicator.unit}); valid values are {span}",
        )
    ]


def assess(pack: Pack, readings: list[Reading], table: BandTable | None = None) -> Assessment:
    """Classify each reading and summarise the organisation from the latest per cell."""
    results = classify(pack, readings, table)
    return Assessment(pack, results, _organisation(pack, results))


def classify(
    pack: Pack, readings: list[Reading], table: BandTable | None = None
) -> tuple[ReadingResult, ...]:
    """Each reading's level, colour, cell status and warnings, without the summary.

    Bulk ingest stores results and keeps the standing cells itself, so it skips
    the organisation summary, which sorts every reading.
    """
    table = table or compile_pack(pack)
    return tuple(_result(pack, table.cell(r.indicator, r.area), r) for r in readings)


def _result(pack: Pack, cell: Cell, reading: Reading) -> ReadingResult:
    level = cell.level(reading.value)
    return ReadingResult(
        reading, level, colour_of(pack, level), cell.status, tuple(_warnings(cell, reading))
    )


def _warnings(cell: Cell, reading: Reading) -> list[str]:
    if cell.status is CellStatus.NOT_MONITORED:
        return [f"not monitored in {reading.area} (N/A in the plan): no level"]
    if cell.status in (CellStatus.NO_THRESHOLDS, CellStatus.REPORT_ONLY):
        return ["no trigger thresholds configured: recorded without a level"]
    if cell.beyond_printed(reading.value):
        low, high = cell.printed
        return [
            f"data quality: {_num(reading.value)} is beyond the printed bands "
            f"({_num(low)}-{_num(high)}): given the nearest level; check the value"
        ]
    return []


def _organisation(pack: Pack, results: tuple[ReadingResult, ...]) -> OrganisationResult:
    latest: dict[tuple[str, str], int] = {}
    for r in sorted(results, key=_time_key):
        if r.level is not None:
            latest[(r.reading.indicator, r.reading.area)] = r.level
    return organisation_result(pack, latest)


def organisation_result(pack: Pack, levels: Mapping[tuple[str, str], int]) -> OrganisationResult:
    """Suggested level and score from the standing level of each (indicator, area) cell.

    The one place an organisation's suggestion is computed, for the CLI and the web alike.
    """
    by_indicator = worst_by_indicator(levels)
    score = opel_score(pack.scoring, by_indicator) if pack.scoring else None
    score_level = (
        level_for_score(score, pack.scoring.cutoffs) if pack.scoring and score is not None else None
    )
    return OrganisationResult(
        suggested_level(pack.suggested_level, by_indicator), score, score_level, by_indicator
    )


def _time_key(result: ReadingResult) -> float:
    at = result.reading.observed_at
    return at.timestamp() if at else float("-inf")


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
