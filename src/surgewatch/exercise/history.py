"""Governance history files: a plan's version table, its sign-off schedule and its
exercise log, as YAML (issue 7, 'Plan governance'). Imports no Django.

Seed 000, Appendix 5 keeps a 'Version Control' table (version, revision date,
status, summary of changes, reviewed / approved by) and a 'History of Plan
Tests' (date, exercise or actual invocation, scenario, lessons identified).
Seed 002, 'Proposed Governance & Sign-off' lists the meetings a plan goes to
(meeting, anticipated month, meeting date, 'TBC' where not fixed). A file may
hold any of the three lists; every problem is reported at once, with a fix.
"""

from __future__ import annotations

import calendar
import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from surgewatch.core.documents import COMMON_FIXES, DocumentError, parse_model

__all__ = [
    "ExerciseKind",
    "ExerciseRow",
    "GovernanceHistory",
    "HistoryError",
    "SignOffRow",
    "VersionRow",
    "VersionStatus",
    "month_label",
    "parse_history",
]

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]

HISTORY_FIXES = {
    **COMMON_FIXES,
    "string_pattern_mismatch": "write the month as YYYY-MM, e.g. 2024-09",
    "string_too_short": "write some text",
    "date_from_datetime_parsing": "write the date as YYYY-MM-DD",
    "date_parsing": "write the date as YYYY-MM-DD",
    "date_type": "write the date as YYYY-MM-DD",
    "string_type": "write text (quote a version number such as '1.0')",
}


class HistoryError(DocumentError):
    """A governance history file failed to load; ``problems`` lists every reason."""


class VersionStatus(StrEnum):
    """Seed 000, Appendix 5 'Status': a version is a draft until it is approved."""

    DRAFT = "draft"
    APPROVED = "approved"


class ExerciseKind(StrEnum):
    """Seed 000, Appendix 5: each plan test is an exercise or an actual invocation."""

    EXERCISE = "exercise"
    ACTUAL_INVOCATION = "actual_invocation"


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class VersionRow(_Row):
    """One line of a version control table."""

    version: Short
    date: dt.date
    status: VersionStatus
    summary: Text
    reviewed_by: str = Field(default="", max_length=300)


class SignOffRow(_Row):
    """One meeting of a sign-off schedule; ``date`` is empty while it is 'TBC'."""

    meeting: Short
    anticipated_month: Month
    date: dt.date | None = None
    outcome: str = Field(default="", max_length=2000)

    @field_validator("date", mode="before")
    @classmethod
    def _to_be_confirmed(cls, value: object) -> object:
        # Seed 002 prints 'TBC' where a meeting's date is not fixed yet.
        return None if isinstance(value, str) and value.strip().upper() == "TBC" else value


class ExerciseRow(_Row):
    """One plan test: an exercise, or the plan invoked for real."""

    date: dt.date
    kind: ExerciseKind
    title: Short
    scenario: Text
    what_happened: str = Field(default="", max_length=4000)
    lessons: Text
    plan_changes: str = Field(default="", max_length=4000)
    # A version of this file's (or the organisation's) version table the test led to.
    plan_version: str = Field(default="", max_length=300)


class GovernanceHistory(_Row):
    """A file of governance history for one plan document."""

    document: str = Field(default="", max_length=300)
    source: str = Field(default="", max_length=1000)
    versions: tuple[VersionRow, ...] = ()
    sign_off: tuple[SignOffRow, ...] = ()
    exercises: tuple[ExerciseRow, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> GovernanceHistory:
        problems = [*self._emptiness(), *self._repeats()]
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _emptiness(self) -> list[str]:
        if not (self.versions or self.sign_off or self.exercises):
            return ["nothing to load; fix: add 'versions:', 'sign_off:' or 'exercises:'"]
        if (self.versions or self.sign_off) and not self.document.strip():
            return ["document: missing; fix: name the plan the versions or meetings belong to"]
        return []

    def _repeats(self) -> list[str]:
        problems: list[str] = []
        seen: dict[str, int] = {}
        for i, row in enumerate(self.versions):
            if row.version in seen:
                problems.append(
                    f"versions.{i}: version {row.version} is also entry {seen[row.version]}; "
                    "fix: give each version one line"
                )
            seen.setdefault(row.version, i)
        titles: dict[tuple[dt.date, str], int] = {}
        for i, ex in enumerate(self.exercises):
            key = (ex.date, ex.title)
            if key in titles:
                problems.append(
                    f"exercises.{i}: the same date and title as entry {titles[key]}; "
                    "fix: record each test once"
                )
            titles.setdefault(key, i)
        return problems


def parse_history(text: str, filename: str) -> GovernanceHistory:
    """Validate YAML text as a governance history; raise :class:`HistoryError` listing all."""
    return parse_model(GovernanceHistory, text, filename, HistoryError, HISTORY_FIXES)


def month_label(month: str) -> str:
    """'2024-09' -> 'September 2024'."""
    year, number = month.split("-")
    return f"{calendar.month_name[int(number)]} {year}"
