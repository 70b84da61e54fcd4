"""Placement and case timers (issue 7): assessment bed placements over 3 weeks, the
provider notice in week 8 of the 12-week disregard period, and Care Act assessments and
reviews that are due, due soon or overdue.

Pure: no clock, no database. Callers pass the day (a Europe/London calendar date, see
:func:`local_date`) and the records' dates; the thresholds are data
(``data/casework-timers.yaml``, seed 000 sections 4 and 6.3), loaded by
:func:`load_timers`.

Weeks count from the start day as day 1 of week 1: week N runs from ``start + 7(N-1)``
days to ``start + 7N - 1`` days. 'Within N weeks' means on or before the last day of
week N; 'exceeding N weeks' means from the first day of week N + 1.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from surgewatch.core.documents import COMMON_FIXES, DocumentError, Problem, parse_model

__all__ = [
    "COUNT_NAMES",
    "CaseFacts",
    "CaseworkTimers",
    "Counts",
    "Drift",
    "DueState",
    "DueStatus",
    "NoticeState",
    "PlacementFacts",
    "PlacementStatus",
    "TimersError",
    "Timing",
    "counts_by_area",
    "due_status",
    "load_timers",
    "local_date",
    "notice_to_send",
    "placement_status",
    "timers_for",
]

BUNDLED = "surgewatch.improvement.data"
FILENAME = "casework-timers.yaml"
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
DAYS_PER_WEEK = 7

# The counts a pack may feed to its indicators; each is a number of open records per area.
CountName = Literal[
    "placements_open",
    "placements_approaching",
    "placements_over_limit",
    "provider_notices_due",
    "care_act_due",
    "care_act_due_soon",
    "care_act_overdue",
    "reviews_due",
    "reviews_due_soon",
    "reviews_overdue",
]
COUNT_NAMES: tuple[str, ...] = CountName.__args__  # type: ignore[attr-defined]


class TimersError(DocumentError):
    """The timers file failed to load; ``problems`` lists every reason."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlacementRules(_Strict):
    """Seed 000, section 6.3 'Assessment Beds'."""

    immediate_action_after_weeks: int = Field(ge=1, le=52)
    disregard_period_weeks: int = Field(ge=1, le=52)
    provider_notice_week: int = Field(ge=1, le=52)
    due_soon_days: int = Field(ge=0, le=365)

    @model_validator(mode="after")
    def _notice_inside_the_period(self) -> PlacementRules:
        if self.provider_notice_week > self.disregard_period_weeks:
            raise ValueError(
                f"provider_notice_week {self.provider_notice_week} is after the "
                f"{self.disregard_period_weeks}-week disregard period; fix: choose a week "
                "inside the period"
            )
        return self


class DueWindow(_Strict):
    """A piece of work due from ``from_weeks`` after its start to the end of week
    ``within_weeks`` (seed 000, section 4, Table 2)."""

    from_weeks: int = Field(ge=0, le=52)
    within_weeks: int = Field(ge=1, le=52)
    due_soon_days: int = Field(ge=0, le=365)

    @model_validator(mode="after")
    def _window_opens_before_it_closes(self) -> DueWindow:
        if self.from_weeks >= self.within_weeks:
            raise ValueError(
                f"from_weeks {self.from_weeks} is not before within_weeks {self.within_weeks}; "
                "fix: the window must open before its deadline"
            )
        return self


class CaseworkTimers(_Strict):
    """One pack's timers, and which of its indicators each count feeds."""

    source: str
    placements: PlacementRules
    care_act_assessments: DueWindow
    reviews: DueWindow
    indicators: dict[CountName, Slug] = Field(default_factory=dict)


class TimersFile(_Strict):
    source: str
    packs: dict[Slug, CaseworkTimers]


def load_timers(source: str | Path | None = None) -> TimersFile:
    """The bundled timers file (or ``source``), validated; every problem at once."""
    if source is None:
        path = Path(str(resources.files(BUNDLED) / FILENAME))
    else:
        path = Path(source)
        if not path.is_file():
            raise TimersError([Problem(str(source), "", "no such file; fix: check the path")])
    text = path.read_text(encoding="utf-8")
    return parse_model(TimersFile, text, str(path), TimersError, COMMON_FIXES)


@cache
def timers_for(pack_id: str) -> CaseworkTimers | None:
    """The bundled timers of ``pack_id``; None when its plan sets none."""
    return load_timers().packs.get(pack_id)


def local_date(now: datetime, zone: str) -> date:
    """The calendar day ``now`` falls on in ``zone`` (DESIGN.md: compute in local time)."""
    if now.tzinfo is None:
        raise ValueError(f"{now.isoformat()} has no time zone; fix: pass an aware time")
    return now.astimezone(ZoneInfo(zone)).date()


def _week_starts(start: date, week: int) -> date:
    """The first day of week ``week`` (1-based) counted from ``start``."""
    return start + timedelta(days=DAYS_PER_WEEK * (week - 1))


# --- assessment bed placements -------------------------------------------------------------


class Drift(StrEnum):
    """Where an open placement stands against the 3 weeks (seed 000, section 6.3)."""

    WITHIN = "within"
    APPROACHING = "approaching"
    OVER = "over"  # escalated for immediate action
    CLOSED = "closed"


class NoticeState(StrEnum):
    """The provider notice of week 8 of the disregard period (seed 000, section 6.3)."""

    NOT_YET = "not_yet"
    DUE = "due"
    OVERDUE = "overdue"  # week 8 has passed and the provider has not been told
    SENT = "sent"
    NOT_NEEDED = "not_needed"  # the placement ended before week 8


@dataclass(frozen=True)
class PlacementFacts:
    """What the timers need of a placement; ``disregard_starts_on`` defaults to the start."""

    area: str
    started_on: date
    ended_on: date | None = None
    disregard_starts_on: date | None = None
    notice_sent_on: date | None = None


@dataclass(frozen=True)
class PlacementStatus:
    drift: Drift
    days_in: int  # days since the start day (0 on the start day)
    over_from: date  # the first day the placement is over its weeks
    notice: NoticeState
    notice_from: date  # first day of the notice week
    notice_by: date  # last day of the notice week
    disregard_ends_on: date  # last day of the disregard period


def placement_status(p: PlacementFacts, rules: PlacementRules, today: date) -> PlacementStatus:
    """The placement's drift and its provider notice on ``today``."""
    over_from = _week_starts(p.started_on, rules.immediate_action_after_weeks + 1)
    disregard = p.disregard_starts_on or p.started_on
    notice_from = _week_starts(disregard, rules.provider_notice_week)
    return PlacementStatus(
        drift=_drift(p, rules, over_from, today),
        days_in=(today - p.started_on).days,
        over_from=over_from,
        notice=_notice(p, notice_from, today),
        notice_from=notice_from,
        notice_by=notice_from + timedelta(days=DAYS_PER_WEEK - 1),
        disregard_ends_on=_week_starts(disregard, rules.disregard_period_weeks + 1)
        - timedelta(days=1),
    )


def _drift(p: PlacementFacts, rules: PlacementRules, over_from: date, today: date) -> Drift:
    if p.ended_on is not None and p.ended_on <= today:
        return Drift.CLOSED
    if today >= over_from:
        return Drift.OVER
    if (over_from - today).days <= rules.due_soon_days:
        return Drift.APPROACHING
    return Drift.WITHIN


def _notice(p: PlacementFacts, notice_from: date, today: date) -> NoticeState:
    if p.notice_sent_on is not None:
        return NoticeState.SENT
    if p.ended_on is not None and p.ended_on < notice_from:
        return NoticeState.NOT_NEEDED
    if p.ended_on is not None and p.ended_on <= today:
        # Ended in or after week 8 without a notice: the chance has gone, and it shows.
        return NoticeState.OVERDUE
    if today < notice_from:
        return NoticeState.NOT_YET
    in_week = (today - notice_from).days < DAYS_PER_WEEK
    return NoticeState.DUE if in_week else NoticeState.OVERDUE


def notice_to_send(p: PlacementFacts, rules: PlacementRules, today: date) -> bool:
    """Whether the provider should be told now: an open placement in or past week 8 of its
    disregard period with no notice yet. Late is better than never, so past week 8 counts."""
    open_today = p.ended_on is None or p.ended_on > today
    state = placement_status(p, rules, today).notice
    return open_today and state in (NoticeState.DUE, NoticeState.OVERDUE)


# --- Care Act assessments and reviews -------------------------------------------------------


class DueState(StrEnum):
    NOT_YET_DUE = "not_yet_due"
    DUE = "due"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    DONE = "done"


class Timing(StrEnum):
    """When finished work was done, against its window."""

    EARLY = "early"  # before the window opened (a Care Act assessment before recovery)
    ON_TIME = "on_time"
    LATE = "late"


@dataclass(frozen=True)
class CaseFacts:
    """A Care Act assessment (``starts_on`` the discharge date) or a review (``starts_on``
    the placement's or package's start), and the day the work was done, if it was."""

    area: str
    starts_on: date
    done_on: date | None = None


@dataclass(frozen=True)
class DueStatus:
    state: DueState
    opens_on: date
    due_by: date  # the last day on time
    days_left: int  # to ``due_by``; negative once overdue
    timing: Timing | None = None  # for finished work


def due_status(c: CaseFacts, window: DueWindow, today: date) -> DueStatus:
    """The case's state on ``today`` (seed 000, section 4, Table 2)."""
    opens_on = c.starts_on + timedelta(days=DAYS_PER_WEEK * window.from_weeks)
    due_by = _week_starts(c.starts_on, window.within_weeks + 1) - timedelta(days=1)
    days_left = (due_by - today).days
    if c.done_on is not None and c.done_on <= today:
        timing = _timing(c.done_on, opens_on, due_by)
        return DueStatus(DueState.DONE, opens_on, due_by, days_left, timing)
    return DueStatus(_open_state(today, opens_on, days_left, window), opens_on, due_by, days_left)


def _open_state(today: date, opens_on: date, days_left: int, window: DueWindow) -> DueState:
    if days_left < 0:
        return DueState.OVERDUE
    if days_left < window.due_soon_days:
        return DueState.DUE_SOON
    if today < opens_on:
        return DueState.NOT_YET_DUE
    return DueState.DUE


def _timing(done_on: date, opens_on: date, due_by: date) -> Timing:
    if done_on < opens_on:
        return Timing.EARLY
    return Timing.ON_TIME if done_on <= due_by else Timing.LATE


# --- counts per area ------------------------------------------------------------------------


@dataclass
class Counts:
    """Open records of one area by state; every field is a :data:`CountName`."""

    placements_open: int = 0
    placements_approaching: int = 0
    placements_over_limit: int = 0
    provider_notices_due: int = 0
    care_act_due: int = 0
    care_act_due_soon: int = 0
    care_act_overdue: int = 0
    reviews_due: int = 0
    reviews_due_soon: int = 0
    reviews_overdue: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class Records:
    placements: Iterable[PlacementFacts] = ()
    care_act_assessments: Iterable[CaseFacts] = ()
    reviews: Iterable[CaseFacts] = ()
    areas: Iterable[str] = field(default_factory=tuple)  # areas to list even with no records


def counts_by_area(records: Records, timers: CaseworkTimers, today: date) -> dict[str, Counts]:
    """Each area's counts on ``today``: what the summary page shows and the indicators get."""
    counts: dict[str, Counts] = defaultdict(Counts)
    for area in records.areas:
        counts[area] = Counts()
    for p in records.placements:
        _count_placement(counts[p.area], placement_status(p, timers.placements, today))
    _count_cases(
        counts, records.care_act_assessments, timers.care_act_assessments, today, "care_act"
    )
    _count_cases(counts, records.reviews, timers.reviews, today, "reviews")
    return dict(counts)


def _count_placement(counts: Counts, status: PlacementStatus) -> None:
    if status.drift is Drift.CLOSED:
        return
    counts.placements_open += 1
    counts.placements_approaching += status.drift is Drift.APPROACHING
    counts.placements_over_limit += status.drift is Drift.OVER
    counts.provider_notices_due += status.notice in (NoticeState.DUE, NoticeState.OVERDUE)


_STATE_SUFFIX: Mapping[DueState, str] = {
    DueState.DUE: "due",
    DueState.DUE_SOON: "due_soon",
    DueState.OVERDUE: "overdue",
}


def _count_cases(
    counts: dict[str, Counts],
    cases: Iterable[CaseFacts],
    window: DueWindow,
    today: date,
    prefix: str,
) -> None:
    for case in cases:
        suffix = _STATE_SUFFIX.get(due_status(case, window, today).state)
        if suffix is not None:
            name = f"{prefix}_{suffix}"
            setattr(counts[case.area], name, getattr(counts[case.area], name) + 1)
