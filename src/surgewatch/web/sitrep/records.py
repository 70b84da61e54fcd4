"""The SitRep as data: immutable records every output format reads, with no rendering.

Issue 4: current levels and scores, indicators with colours and changes since
yesterday, open and overdue actions, decisions in the last 24 hours. Records
hold names and words copied from the pack, not models, so the PDF, XLSX, CSV
and HTML page show exactly the same SitRep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Change:
    """A cell's value against the same cell a day earlier.

    ``verdict`` is 'better' or 'worse' by the indicator's direction in the
    pack (DESIGN.md, band semantics), or '' when there is nothing to judge.
    """

    delta: float | None
    arrow: str
    words: str
    verdict: str = ""


@dataclass(frozen=True)
class IndicatorRow:
    """One (indicator, area) cell as it stood at the SitRep's moment and a day earlier."""

    indicator_id: str
    indicator: str
    area_id: str
    area: str
    unit: str
    value: float | None
    level: int | None
    colour: str
    status: str
    observed_at: datetime | None
    value_before: float | None
    level_before: int | None
    change: Change


@dataclass(frozen=True)
class DeclaredLevel:
    level: int
    suggested_level: int | None
    reason: str
    declared_by: str
    declared_at: datetime


@dataclass(frozen=True)
class MemberLevel:
    """One area of the organisation as a member of the system (seed 000, Appendix 4)."""

    area_id: str
    area: str
    level: int | None
    score: float | None


@dataclass(frozen=True)
class SystemSummary:
    """The areas aggregated by the pack's rule, and the level whose actions are enacted."""

    method: str
    aggregate: int
    enacted: int
    score: float | None
    driven_by: tuple[str, ...]


@dataclass(frozen=True)
class LevelSummary:
    """Declared, suggested and acting levels, the score, and the system view."""

    declared: DeclaredLevel | None
    suggested: int | None
    suggested_before: int | None
    score: float | None
    score_level: int | None
    acting: int | None
    system: SystemSummary | None
    members: tuple[MemberLevel, ...]

    @property
    def standing(self) -> int | None:
        """The declared level where there is one, else the suggestion (as the board shows)."""
        return self.declared.level if self.declared else self.suggested


@dataclass(frozen=True)
class LevelChangeRow:
    at: datetime
    from_level: int | None
    to_level: int
    source: str


@dataclass(frozen=True)
class ActionRow:
    """An action card active at the SitRep's moment; ``overdue`` when a deadline had passed."""

    role: str
    text: str
    level: int
    status: str
    assignee: str
    opened_at: datetime
    due_at: datetime | None
    overdue: bool


@dataclass(frozen=True)
class DecisionRow:
    decided_at: datetime
    decision: str
    risk: str
    decided_by: str
    review_at: datetime
    recorded_at: datetime
    corrects: int | None
    number: int


@dataclass(frozen=True)
class MeetingRow:
    convened_at: datetime
    group: str
    chair: str
    position: str
    agreed_level: int | None
    agreed_actions: tuple[str, ...]


@dataclass(frozen=True)
class SitRep:
    """The daily SitRep for one organisation and its areas as a system, as at ``at``.

    ``since`` is the same wall-clock time the day before: changes, level
    changes, decisions and meetings are 'since yesterday'.
    """

    organisation: str
    organisation_slug: str
    pack_name: str
    pack_version: str
    illustrative_note: str
    timezone: str
    level_colours: tuple[str, str, str, str]
    at: datetime
    since: datetime
    levels: LevelSummary
    indicators: tuple[IndicatorRow, ...]
    level_changes: tuple[LevelChangeRow, ...]
    actions: tuple[ActionRow, ...]
    decisions: tuple[DecisionRow, ...]
    meetings: tuple[MeetingRow, ...]

    def colour(self, level: int | None) -> str:
        """The pack's colour word for ``level`` ('amber'), '' for no level."""
        return self.level_colours[level - 1] if level else ""

    @property
    def overdue_actions(self) -> tuple[ActionRow, ...]:
        return tuple(a for a in self.actions if a.overdue)
