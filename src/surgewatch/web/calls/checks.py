"""What makes a call record refusable, as messages keyed by the form's field names.

Every function returns the problems it finds (field -> messages), each saying
what is wrong and the fix; ``record_call`` gathers them all and saves nothing
if there is any. Rows are keyed ``attendee_<n>_<field>`` and
``action_<n>_<field>``, counting from 1 as the page does.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from surgewatch.web.accounts.models import User
from surgewatch.web.decisions.checks import Errors, too_long, when

TEXT_LIMIT = 4000


@dataclass(frozen=True)
class Attendance:
    """A partner on the call (seed 000, 5.1 lists who attends), who spoke, whether present."""

    partner: str
    person: str
    present: bool | None
    row: int = 0


@dataclass(frozen=True)
class AgreedAction:
    """An action for one partner, owned by one person, due at a time."""

    partner: str
    text: str
    owner: User | None
    due_at: datetime | None
    row: int = 0


def chair(person: User | None, allowed: Collection[int]) -> Errors:
    if person is None:
        return {"chair": ["the call has no chair; fix: choose who chaired it"]}
    if person.pk not in allowed:
        return {"chair": [f"{person} holds no role here; fix: choose someone from the list"]}
    return {}


def attendance(rows: Sequence[Attendance]) -> Errors:
    if not any(r.present for r in rows):
        return {"attendee_1_present": ["no partner was present; fix: mark who attended"]}
    errors: Errors = {}
    for position, entry in enumerate(rows, start=1):
        errors.update(_attendee(entry, entry.row or position))
    return errors


def _attendee(entry: Attendance, row: int) -> Errors:
    errors: Errors = {}
    if not entry.partner.strip():
        errors[f"attendee_{row}_partner"] = [f"row {row} names no partner; fix: give the team"]
    if entry.present is None:
        fix = "choose yes or no"
        errors[f"attendee_{row}_present"] = [f"say whether row {row} attended; fix: {fix}"]
    errors.update(_too_long(f"attendee_{row}_partner", entry.partner))
    errors.update(_too_long(f"attendee_{row}_person", entry.person))
    return errors


def actions(rows: Sequence[AgreedAction], held_at: datetime, owners: Collection[int]) -> Errors:
    errors: Errors = {}
    for position, action in enumerate(rows, start=1):
        row = action.row or position
        errors.update(_words(action, row))
        errors.update(_owner(action.owner, row, owners))
        errors.update(_due(action.due_at, row, held_at))
    return errors


def _words(action: AgreedAction, row: int) -> Errors:
    errors: Errors = {}
    if not action.partner.strip():
        errors[f"action_{row}_partner"] = [f"action {row} names no partner; fix: give the team"]
    if not action.text.strip():
        errors[f"action_{row}_text"] = [f"action {row} is empty; fix: say what is to be done"]
    elif len(action.text) > TEXT_LIMIT:
        errors[f"action_{row}_text"] = [f"action {row} is too long; fix: {TEXT_LIMIT} at most"]
    errors.update(_too_long(f"action_{row}_partner", action.partner))
    return errors


def _owner(owner: User | None, row: int, allowed: Collection[int]) -> Errors:
    if owner is None:
        return {f"action_{row}_owner": [f"action {row} has no owner; fix: choose who owns it"]}
    if owner.pk not in allowed:
        fix = "choose someone from the list"
        return {f"action_{row}_owner": [f"{owner} holds no role here; fix: {fix}"]}
    return {}


def _due(due_at: datetime | None, row: int, held_at: datetime) -> Errors:
    if due_at is None:
        return {f"action_{row}_due_at": [f"action {row} has no due time; fix: give one"]}
    if due_at <= held_at:
        message = (
            f"action {row} is due ({when(due_at)}) before the call was held ({when(held_at)}); "
            "fix: give a due time after the call"
        )
        return {f"action_{row}_due_at": [message]}
    return {}


def _too_long(field: str, value: str) -> Errors:
    return too_long({field: value})
