"""The agenda of a call, generated from the stored state and kept on the record as JSON.

Seed 000, section 5.1: the calls exist 'to anticipate and mitigate risk
caused by operational pressures' and to agree local actions, so the agenda
opens with where the organisation stands (acting, suggested and declared
level, each indicator's level, the system aggregate), what moved since the
previous call of the same kind (or in the last 24 hours when there was none),
the plan's actions still open (overdue first) and the actions earlier calls
agreed that are past due and not done. It is built from stored rows, never
typed, and never recomputed: the record shows what the agenda said then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from surgewatch.core.pack import Pack, SystemCall
from surgewatch.web.actions import selectors as action_selectors
from surgewatch.web.actions.models import LevelChange
from surgewatch.web.calls import selectors
from surgewatch.web.calls.models import CallAction
from surgewatch.web.escalation.models import Declaration
from surgewatch.web.escalation.selectors import (
    OrganisationStatus,
    organisation_status,
    system_level,
)
from surgewatch.web.orgs.models import Organisation

Json = dict[str, Any]
# With no earlier call of the kind, the agenda reports the last day's changes.
DEFAULT_LOOKBACK = timedelta(hours=24)


def generate(organisation: Organisation, pack: Pack, call: SystemCall, now: datetime) -> Json:
    """The agenda for ``call`` as it stands at ``now``, ready to store."""
    previous = selectors.previous_call(organisation, call.id, now)
    since = previous.held_at if previous else now - DEFAULT_LOOKBACK
    acting = action_selectors.acting_change(organisation)
    return {
        "generated_at": now.isoformat(),
        "since": since.isoformat(),
        "previous_call": previous.pk if previous else None,
        "framework": {"pack_id": pack.id, "version": pack.version},
        "acting_level": acting.to_level if acting else None,
        **_levels(organisation_status(organisation)),
        "level_changes": [_change(c) for c in selectors.changes_between(organisation, since, now)],
        "actions": _open_actions(organisation, pack, now),
        "call_actions": [
            _call_action(a) for a in selectors.overdue_call_actions(organisation, now)
        ],
    }


def _levels(status: OrganisationStatus) -> Json:
    levels = status.result.indicator_levels
    return {
        "suggested_level": status.result.suggested_level,
        "declared": _declared_json(status.declaration),
        "system": _system_json(status),
        "indicators": [
            {"indicator": i.id, "name": i.name, "level": levels.get(i.id)}
            for i in status.pack.indicators
        ],
    }


def _declared_json(declaration: Declaration | None) -> Json | None:
    if declaration is None:
        return None
    return {
        "level": declaration.level,
        "by": declaration.declared_by.get_username(),
        "at": declaration.declared_at.isoformat(),
        "reason": declaration.reason,
    }


def _system_json(status: OrganisationStatus) -> Json | None:
    """Seed 000, Appendix 4: the system enacts a member's OPEL 3 or 4 whatever its aggregate."""
    system, _members = system_level(status)
    return None if system is None else {"aggregate": system.aggregate, "enacted": system.enacted}


def _change(change: LevelChange) -> Json:
    return {
        "at": change.at.isoformat(),
        "from_level": change.from_level,
        "to_level": change.to_level,
        "source": change.get_source_display(),
        "area": change.area.name if change.area else None,
    }


def _open_actions(organisation: Organisation, pack: Pack, now: datetime) -> list[Json]:
    cards = action_selectors.organisation_cards(organisation)
    views = action_selectors.card_views(cards, {organisation.pk: pack}, now)
    return [
        {
            "card": v.card.pk,
            "role": v.role_name,
            "text": v.card.text,
            "level": v.card.level,
            "next_due": v.next_due.isoformat() if v.next_due else None,
            "overdue": v.overdue,
        }
        for v in views
    ]


def _call_action(action: CallAction) -> Json:
    return {
        "id": action.pk,
        "call": action.call_id,
        "call_name": action.call.call_name,
        "partner": action.partner,
        "text": action.text,
        "owner": selectors.person_name(action.owner),
        "due_at": action.due_at.isoformat(),
        "status": action.get_status_display(),
    }


# Read back -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Declared:
    level: int
    by: str
    at: datetime
    reason: str


@dataclass(frozen=True)
class IndicatorLevel:
    indicator: str
    name: str
    level: int | None


@dataclass(frozen=True)
class Change:
    at: datetime
    from_level: int | None
    to_level: int
    source: str
    area: str | None


@dataclass(frozen=True)
class OpenAction:
    card: int
    role: str
    text: str
    level: int
    next_due: datetime | None
    overdue: bool


@dataclass(frozen=True)
class OwedAction:
    id: int
    call: int
    call_name: str
    partner: str
    text: str
    owner: str
    due_at: datetime
    status: str


@dataclass(frozen=True)
class Agenda:
    """A stored agenda read back for a page or an export."""

    generated_at: datetime
    since: datetime
    previous_call: int | None
    pack_id: str
    version: str
    acting_level: int | None
    suggested_level: int | None
    declared: Declared | None
    system_aggregate: int | None
    system_enacted: int | None
    indicators: tuple[IndicatorLevel, ...]
    level_changes: tuple[Change, ...]
    actions: tuple[OpenAction, ...]
    call_actions: tuple[OwedAction, ...]

    @property
    def overdue_actions(self) -> tuple[OpenAction, ...]:
        return tuple(a for a in self.actions if a.overdue)


def read(data: Json) -> Agenda:
    system = data["system"] or {}
    return Agenda(
        generated_at=_when(data["generated_at"]),
        since=_when(data["since"]),
        previous_call=data["previous_call"],
        pack_id=data["framework"]["pack_id"],
        version=data["framework"]["version"],
        acting_level=data["acting_level"],
        suggested_level=data["suggested_level"],
        declared=_declared(data["declared"]),
        system_aggregate=system.get("aggregate"),
        system_enacted=system.get("enacted"),
        indicators=tuple(IndicatorLevel(**i) for i in data["indicators"]),
        level_changes=tuple(Change(**{**c, "at": _when(c["at"])}) for c in data["level_changes"]),
        actions=tuple(_open(a) for a in data["actions"]),
        call_actions=tuple(
            OwedAction(**{**a, "due_at": _when(a["due_at"])}) for a in data["call_actions"]
        ),
    )


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _declared(data: Json | None) -> Declared | None:
    return None if data is None else Declared(**{**data, "at": _when(data["at"])})


def _open(data: Json) -> OpenAction:
    due = data["next_due"]
    return OpenAction(**{**data, "next_due": _when(due) if due else None})
