"""Writes for casework records, each in one transaction, each checked on the server.

Every change is on the audit log through the model signals (issue 7, 'Security'). The
checks here are the only ones: the forms parse, these decide, so a script meets the
same rules as the page. Dates are calendar days in the pack's time zone (UK time).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from surgewatch.improvement.timers import local_date
from surgewatch.web.accounts.models import User
from surgewatch.web.casework.models import CareActAssessment, Placement, Review, ReviewKind
from surgewatch.web.orgs.models import Area
from surgewatch.web.orgs.packs import pack_of
from surgewatch.web.orgs.permissions import may_see_patient_records

# Pseudonymous: letters, digits, '-' and '/', as case numbers are written; no spaces, so
# a name cannot be typed by accident.
REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9/-]{2,39}$"
# An NHS number is 10 digits; a reference must never be one.
NHS_NUMBER = re.compile(r"^\d{3}[ -]?\d{3}[ -]?\d{4}$")
Problems = dict[str, list[str]]


def require_patient_records(user: User, area: Area) -> None:
    if not may_see_patient_records(user, area):
        raise PermissionDenied(f"{user} may not open patient-level records of {area.slug}")


def today_in(area: Area, now: datetime) -> date:
    """The calendar day ``now`` falls on where the area's plan keeps time."""
    return local_date(now, pack_of(area.organisation.framework).schedule.timezone)


@dataclass(frozen=True)
class PlacementFields:
    reference: str
    provider: str
    provider_email: str
    started_on: date | None
    disregard_starts_on: date | None = None


@dataclass(frozen=True)
class CaseFields:
    """A Care Act assessment (``starts_on`` the discharge date) or a review (its start)."""

    reference: str
    starts_on: date | None
    kind: str = ""  # reviews only: what started


def record_placement(user: User, area: Area, given: PlacementFields, now: datetime) -> Placement:
    require_patient_records(user, area)
    today = today_in(area, now)
    problems: Problems = {}
    _check_reference(Placement, area, given.reference, problems)
    check_text("provider", given.provider, problems)
    if not given.provider_email.strip():
        add_problem(problems, "provider_email", "is empty; fix: give the provider's email address")
    check_day("started_on", given.started_on, today, problems)
    if given.disregard_starts_on is not None:
        check_day("disregard_starts_on", given.disregard_starts_on, today, problems, future=True)
    raise_problems(problems)
    with transaction.atomic():
        return Placement.objects.create(
            area=area,
            reference=given.reference.strip(),
            provider=given.provider.strip(),
            provider_email=given.provider_email.strip(),
            started_on=_checked(given.started_on),
            disregard_starts_on=given.disregard_starts_on,
            recorded_by=user,
            recorded_at=now,
        )


def record_care_act_assessment(
    user: User, area: Area, given: CaseFields, now: datetime
) -> CareActAssessment:
    require_patient_records(user, area)
    problems: Problems = {}
    _check_reference(CareActAssessment, area, given.reference, problems)
    check_day("starts_on", given.starts_on, today_in(area, now), problems)
    raise_problems(problems)
    with transaction.atomic():
        return CareActAssessment.objects.create(
            area=area,
            reference=given.reference.strip(),
            discharged_on=_checked(given.starts_on),
            recorded_by=user,
            recorded_at=now,
        )


def record_review(user: User, area: Area, given: CaseFields, now: datetime) -> Review:
    require_patient_records(user, area)
    problems: Problems = {}
    _check_reference(Review, area, given.reference, problems)
    check_day("starts_on", given.starts_on, today_in(area, now), problems)
    if given.kind not in ReviewKind.values:
        add_problem(problems, "kind", "is not chosen; fix: choose what started")
    raise_problems(problems)
    with transaction.atomic():
        return Review.objects.create(
            area=area,
            reference=given.reference.strip(),
            kind=given.kind,
            started_on=_checked(given.starts_on),
            recorded_by=user,
            recorded_at=now,
        )


# What closes each kind of record: its date field, and the date it must not precede.
CLOSING: dict[str, tuple[Any, str, str]] = {
    "placement": (Placement, "ended_on", "started_on"),
    "care_act": (CareActAssessment, "assessed_on", "discharged_on"),
    "review": (Review, "reviewed_on", "started_on"),
}


def close_record(
    user: User, area: Area, kind: str, record_id: int | None, on: date | None, now: datetime
) -> Placement | CareActAssessment | Review:
    """Record the end of a placement, or the day an assessment or review was done."""
    require_patient_records(user, area)
    if kind not in CLOSING or record_id is None:
        raise ValidationError({"record": ["is not a record of this area; fix: reload the page"]})
    model, field, start_field = CLOSING[kind]
    with transaction.atomic():
        found = model.objects.select_for_update().filter(area=area, pk=record_id)
        record: Placement | CareActAssessment | Review | None = found.open().first()
        if record is None:
            raise ValidationError({"record": ["is closed or not in this area; fix: reload"]})
        problems: Problems = {}
        check_day("on", on, today_in(area, now), problems)
        began = getattr(record, start_field)
        if on is not None and on < began:
            add_problem(problems, "on", f"is before {began:%d %b %Y}; fix: check the date")
        raise_problems(problems)
        setattr(record, field, on)
        record.closed_at = now
        record.save(update_fields=[field, "closed_at"])
        return record


def _check_reference(model: Any, area: Area, reference: str, problems: Problems) -> None:
    text = reference.strip()
    if NHS_NUMBER.match(text):
        add_problem(problems, "reference", "looks like an NHS number; fix: use the case reference")
    elif not re.fullmatch(REFERENCE_PATTERN, text):
        add_problem(
            problems,
            "reference",
            "must be 3-40 letters, digits, '-' or '/' (a pseudonymous reference such as the "
            "Mosaic case number, never a name); fix: use the case reference",
        )
    elif model.objects.open().filter(area=area, reference=text).exists():
        add_problem(
            problems, "reference", f"'{text}' is already open in {area.name}; fix: close it first"
        )


def check_text(name: str, value: str, problems: Problems) -> None:
    if not value.strip():
        add_problem(problems, name, "is empty; fix: fill it in")
    elif len(value.strip()) > 200:
        add_problem(problems, name, "is longer than 200 characters; fix: shorten it")


def check_day(
    name: str, value: date | None, today: date, problems: Problems, *, future: bool = False
) -> None:
    if value is None:
        add_problem(problems, name, "is missing; fix: give the date")
    elif value > today and not future:
        add_problem(problems, name, f"{value:%d %b %Y} is in the future; fix: check the date")


def _checked(day: date | None) -> date:
    assert day is not None  # check_day refused a missing date before any write
    return day


def add_problem(problems: Problems, name: str, text: str) -> None:
    problems.setdefault(name, []).append(text)


def raise_problems(problems: Problems) -> None:
    if problems:
        raise ValidationError(problems)
