"""Corrections of casework records (issue 7): a saved record's mistake is put right by a
correction that supersedes the value, never by overwriting it silently (DESIGN.md,
'Security and records': 'an amendment is a new record that supersedes the old').

Each corrected value is a ``Correction`` row (written once, never changed) with the old
and new value, who, when and why; the record carries the new value, in the same
transaction. Checked here, on the server, in the same words as the record's first save.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from surgewatch.web.accounts.models import User
from surgewatch.web.casework.models import (
    KIND_FIELD,
    CareActAssessment,
    Correction,
    Placement,
    Review,
)
from surgewatch.web.casework.services import (
    Problems,
    add_problem,
    check_day,
    check_text,
    raise_problems,
    require_patient_records,
    today_in,
)
from surgewatch.web.orgs.models import Area

# What a correction may change on each kind of record (the rest is fixed once saved: the
# reference names the person, and an end or done date closes the record).
CORRECTABLE: dict[str, tuple[Any, tuple[str, ...]]] = {
    "placement": (Placement, ("provider", "provider_email", "started_on")),
    "care_act": (CareActAssessment, ("discharged_on",)),
    "review": (Review, ("started_on",)),
}
CaseworkRecord = Placement | CareActAssessment | Review
KIND_NAMES = {
    "placement": "Assessment bed placement",
    "care_act": "Care Act assessment",
    "review": "Review",
}


def find_record(area: Area, kind: str, record_id: int | None) -> CaseworkRecord | None:
    """A record of ``area`` by kind and id, open or closed; None if there is no such one."""
    if kind not in CORRECTABLE or record_id is None:
        return None
    model = CORRECTABLE[kind][0]
    found: CaseworkRecord | None = model.objects.filter(area=area, pk=record_id).first()
    return found


def correct_record(
    user: User,
    area: Area,
    kind: str,
    record_id: int | None,
    given: Mapping[str, object],
    reason: str,
    now: datetime,
) -> list[Correction]:
    """Correct values of an open record: one ``Correction`` per changed value, keeping the
    old and new value, who, when and why, and the record updated, in one transaction
    (DESIGN.md, 'Security and records': amendments supersede, they never overwrite).

    ``given`` maps fields of ``CORRECTABLE[kind]`` to new values; a field left out, or
    given its current value, is not changed. The reason is required.

    A placement's provider notice (seed 000, section 6.3: week 8 of the disregard
    period) is claimed once and never reset here: if a new start date means the notice
    was already due, a notice already sent is not sent again; if it means the notice is
    not due yet, the notice already sent stays recorded as sent. An unsent notice follows
    the new date: the next run of the casework task sends it when it falls due.
    """
    require_patient_records(user, area)
    if kind not in CORRECTABLE or record_id is None:
        raise ValidationError({"record": ["is not a record of this area; fix: reload the page"]})
    model, fields = CORRECTABLE[kind]
    with transaction.atomic():
        record = model.objects.select_for_update().filter(area=area, pk=record_id).first()
        if record is None or record.closed_at is not None:
            raise ValidationError({"record": ["is closed or not in this area; fix: reload"]})
        changes = _corrections(record, fields, given, reason, today_in(area, now))
        corrections = [
            _correction(record, name, old, new, user, reason, now)
            for name, (old, new) in changes.items()
        ]
        for name, (_, new) in changes.items():
            setattr(record, name, new)
        record.save(update_fields=list(changes))
        return corrections


Change = tuple[object, object]


def _corrections(
    record: CaseworkRecord,
    fields: tuple[str, ...],
    given: Mapping[str, object],
    reason: str,
    today: date,
) -> dict[str, Change]:
    """The (old, new) value of each field that changes; ValidationError naming every problem."""
    problems: Problems = {}
    for name in given:
        if name not in fields:
            add_problem(
                problems, name, f"cannot be corrected; fix: correct one of {', '.join(fields)}"
            )
    wanted = {name: _cleaned(given[name]) for name in fields if name in given}
    for name, value in wanted.items():
        _check_value(name, value, today, problems)
    changes = {
        name: (getattr(record, name), value)
        for name, value in wanted.items()
        if value != getattr(record, name)
    }
    if not changes and not problems:
        add_problem(
            problems, "__all__", "nothing is different from the record; fix: change a value"
        )
    if not reason.strip():
        add_problem(problems, "reason", "is empty; fix: say why the record is corrected")
    raise_problems(problems)
    return changes


def _cleaned(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _check_value(name: str, value: object, today: date, problems: Problems) -> None:
    if name.endswith("_on"):
        day = value if isinstance(value, date) else None
        if value is not None and day is None:
            add_problem(problems, name, f"'{value}' is not a date; fix: give a date")
        else:
            check_day(name, day, today, problems)
    elif name == "provider_email":
        if not str(value or "").strip():
            add_problem(problems, name, "is empty; fix: give the provider's email address")
    else:
        check_text(name, str(value or ""), problems)


def _correction(
    record: CaseworkRecord,
    name: str,
    old: object,
    new: object,
    user: User,
    reason: str,
    now: datetime,
) -> Correction:
    return Correction.objects.create(
        **{KIND_FIELD[type(record)]: record},
        field=name,
        old_value=_text(old),
        new_value=_text(new),
        reason=reason.strip(),
        corrected_by=user,
        corrected_at=now,
    )


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
