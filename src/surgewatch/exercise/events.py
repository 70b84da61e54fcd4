"""What an exercise produces: an ordered timeline of events, and its summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo


class Kind(StrEnum):
    READING = "reading"
    HOLD = "hold"  # a lower reading, but the higher level holds (seed 000, section 8)
    HOLD_ENDED = "hold-ended"  # the hold has passed: the cell's level steps down
    DECLARATION = "declaration"
    LEVEL = "level"  # the organisation's (area None) or an area's acting level moved
    ACTION_OPENED = "action-opened"
    ACTION_STOOD_DOWN = "action-stood-down"
    DEADLINE_MET = "deadline-met"
    DEADLINE_MISSED = "deadline-missed"
    ACTION_DONE = "action-done"
    ESCALATED = "escalated"  # a missed deadline sent on to the role above
    NOTIFICATION = "notification"  # what would have been sent; nothing is
    NOTE = "note"  # a script entry that could not apply (an action not in force)
    PROTOCOL_STARTED = "protocol-started"  # a timed protocol of the pack starts
    PROTOCOL_STEP = "protocol-step"  # one step of a round, for the role that does it
    PROTOCOL_REVIEW = "protocol-review"  # the review: pressure remains (repeat) or not
    PROTOCOL_STOPPED = "protocol-stopped"
    REPORT_DUE = "report-due"  # an area's reports owed by a reporting deadline
    REPORT_LATE = "report-late"  # a cell's report not in by the deadline
    REPORT_MISSING = "report-missing"  # still not in at the end of the grace period


@dataclass(frozen=True)
class Event:
    """One thing that would have happened. ``text`` is one line; ``detail`` the rest."""

    at: datetime
    kind: Kind
    text: str
    area: str | None = None
    role: str | None = None
    level: int | None = None
    colour: str | None = None
    action: str | None = None
    due_at: datetime | None = None
    channel: str | None = None
    detail: str = ""
    indicator: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "kind": str(self.kind),
            "text": self.text,
            "area": self.area,
            "role": self.role,
            "level": self.level,
            "colour": self.colour,
            "action": self.action,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "channel": self.channel,
            "detail": self.detail,
            "indicator": self.indicator,
        }


@dataclass(frozen=True)
class ExerciseResult:
    """A whole run: what the script was, against which pack, and the timeline."""

    title: str
    pack_id: str
    pack_version: str
    illustrative: bool
    note: str
    timezone: str
    starts_at: datetime
    ends_at: datetime
    events: tuple[Event, ...]

    def of(self, kind: Kind) -> list[Event]:
        return [e for e in self.events if e.kind is kind]

    def summary(self) -> dict[str, int]:
        """How many of each kind of event, every kind listed (zero included)."""
        counts = Counter(e.kind for e in self.events)
        return {str(kind): counts.get(kind, 0) for kind in Kind}

    def final_level(self, area: str | None = None) -> int | None:
        changes = [e for e in self.of(Kind.LEVEL) if e.area == area]
        return changes[-1].level if changes else None

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "framework": self.pack_id,
            "framework_version": self.pack_version,
            "illustrative": self.illustrative,
            "note": self.note,
            "timezone": self.timezone,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "sent": False,  # exercise mode never sends
            "summary": self.summary(),
            "events": [e.as_json() for e in self.events],
        }


def local_text(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%a %d %b %Y %H:%M %Z")
