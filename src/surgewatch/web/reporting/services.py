"""Writes for readings: submit, amend, confirm, and record computed values. Each is one
transaction.

Validation is all-or-nothing, as in :mod:`surgewatch.core.assess`: every bad
value is named and nothing is saved. Levels come from the engine under the
framework in force and are stored with it. The area row is locked for the
length of each write, so the current reading of a cell moves one writer at a
time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from surgewatch.core import assess as engine
from surgewatch.core.bands import BandTable, CellStatus
from surgewatch.core.pack import Pack
from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Area, Framework
from surgewatch.web.orgs.packs import pack_of, table_of
from surgewatch.web.orgs.selectors import roles_in_area
from surgewatch.web.reporting.models import CurrentReading, Reading, ReadingKind
from surgewatch.web.reporting.signals import readings_stored

# A device clock a few minutes fast is not an error; an observation tomorrow is.
FUTURE_TOLERANCE = timedelta(minutes=5)

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class _Context:
    """An area, locked, with the framework in force and its compiled rules."""

    area: Area
    framework: Framework
    pack: Pack
    table: BandTable


@dataclass(frozen=True)
class _Draft:
    indicator: str
    value: float
    observed_at: datetime
    kind: ReadingKind
    supersedes: Reading | None = None
    confirms: Reading | None = None
    reason: str = ""


def submit_readings(
    user: User,
    area: Area,
    values: Mapping[str, float],
    observed_at: datetime,
    *,
    now: datetime | None = None,
) -> list[Reading]:
    """Store one report per indicator, or nothing if any value is refused.

    Raises PermissionDenied unless the user holds, for this area, a role the
    pack lists in each indicator's ``reported_by``; ValidationError keyed by
    indicator id (and ``observed_at``) for every bad value.
    """
    now = now or timezone.now()
    with transaction.atomic():
        ctx = _lock(area)
        _check_scope(user, ctx, values)
        return _report(user, ctx, values, observed_at, now)


def record_computed_readings(
    area: Area,
    values: Mapping[str, float],
    at: datetime,
    source: User,
    *,
    now: datetime | None = None,
) -> list[Reading]:
    """Store values the system computed (not typed in by a person) as reports observed ``at``.

    For feeds such as the casework counts (issue 7), recorded under ``source``, a system
    account that cannot sign in (inactive): a person's account is refused, since people
    report through :func:`submit_readings`, which checks their roles. Otherwise the same
    write as :func:`submit_readings`, in one transaction with the area locked: every value
    checked against the plan's cells and valid ranges (ValidationError keyed by indicator,
    and ``observed_at``, nothing saved if any is refused); each row names ``source`` and
    ``now`` as who and when; the cell's current reading moves to it, keeping the one it
    replaces as ``previous``; and ``readings_stored`` is sent, so levels are refreshed.
    """
    if source.is_active:
        raise PermissionDenied(
            f"{source} is a person's account; fix: submit readings, or use a system account"
        )
    now = now or timezone.now()
    with transaction.atomic():
        return _report(source, _lock(area), values, at, now)


def _report(
    user: User, ctx: _Context, values: Mapping[str, float], observed_at: datetime, now: datetime
) -> list[Reading]:
    """Check and store one report per value; the caller holds the lock and checked who."""
    errors = {**_time_errors(observed_at, now), **_value_errors(ctx, values)}
    if not values:
        errors[NON_FIELD_ERRORS] = ["no values given; fix: report at least one indicator"]
    _raise(errors)
    drafts = [_Draft(i, v, observed_at, ReadingKind.REPORT) for i, v in values.items()]
    return _record(user, ctx, drafts, now)


def amend_reading(
    user: User, reading_id: int, value: float, reason: str, *, now: datetime | None = None
) -> Reading:
    """Replace a reading's value with a new row that supersedes it; the old row stays."""
    now = now or timezone.now()
    with transaction.atomic():
        original = Reading.objects.select_related("area").get(pk=reading_id)
        ctx = _lock(original.area)
        _check_scope(user, ctx, [original.indicator])
        errors = _value_errors(ctx, {original.indicator: value})
        later = Reading.objects.filter(supersedes=original).values_list("pk", flat=True).first()
        if later is not None:
            errors["reading"] = [f"already amended by reading {later}; fix: amend that one"]
        if not reason.strip():
            errors["reason"] = ["is empty; fix: say why the value changes"]
        _raise(errors)
        draft = _Draft(
            original.indicator,
            value,
            original.observed_at,
            ReadingKind.AMENDMENT,
            supersedes=original,
            reason=reason.strip(),
        )
        return _record(user, ctx, [draft], now)[0]


def confirm_no_change(
    user: User, area: Area, observed_at: datetime, *, now: datetime | None = None
) -> list[Reading]:
    """Record 'no change since last report' for every current value the user reports.

    Each confirmation carries the current value and points (``confirms``) at
    the row that measured it, so a chain of confirmations still names its origin.
    """
    now = now or timezone.now()
    with transaction.atomic():
        ctx = _lock(area)
        current = _confirmable(user, ctx)
        _raise(_time_errors(observed_at, now))
        _raise(_confirmation_errors(ctx, current, observed_at))
        drafts = [
            _Draft(r.indicator, r.value, observed_at, ReadingKind.CONFIRMATION, confirms=_origin(r))
            for r in current
        ]
        return _record(user, ctx, drafts, now)


def _lock(area: Area) -> _Context:
    locked = (
        Area.objects.select_for_update(of=("self",))
        .select_related("organisation__framework")
        .get(pk=area.pk)
    )
    framework = locked.organisation.framework
    return _Context(locked, framework, pack_of(framework), table_of(framework))


def _check_scope(user: User, ctx: _Context, indicators: Iterable[str]) -> None:
    roles = roles_in_area(user, ctx.area)
    known = {i.id: i for i in ctx.pack.indicators}
    refused = [i for i in indicators if i in known and not roles & set(known[i].reported_by)]
    if not roles or refused:
        what = ", ".join(refused) or "readings"
        raise PermissionDenied(f"{user} may not report {what} for {ctx.area.slug}")


def _confirmable(user: User, ctx: _Context) -> list[Reading]:
    roles = roles_in_area(user, ctx.area)
    mine = [i.id for i in ctx.pack.indicators if roles & set(i.reported_by)]
    if not mine:
        raise PermissionDenied(f"{user} may not report for {ctx.area.slug}")
    current = CurrentReading.objects.filter(area=ctx.area, indicator__in=mine)
    readings = [c.reading for c in current.select_related("reading").order_by("indicator")]
    if not readings:
        raise ValidationError(f"nothing reported yet in {ctx.area.slug}; fix: submit readings")
    return readings


def _confirmation_errors(ctx: _Context, current: list[Reading], observed_at: datetime) -> Errors:
    errors = _value_errors(ctx, {r.indicator: r.value for r in current})
    for reading in current:
        if observed_at <= reading.observed_at:
            errors.setdefault(reading.indicator, []).append(
                f"last reported for {_local(reading.observed_at)}; fix: confirm a later time"
            )
    return errors


def _origin(reading: Reading) -> Reading:
    """The row that measured the value a confirmation repeats."""
    if reading.kind == ReadingKind.CONFIRMATION and reading.confirms is not None:
        return reading.confirms
    return reading


def _time_errors(observed_at: datetime, now: datetime) -> Errors:
    problem = observed_at_problem(observed_at, now)
    return {"observed_at": [problem]} if problem else {}


def observed_at_problem(observed_at: datetime, now: datetime) -> str | None:
    """Why a reading may not be stored for ``observed_at``; None if it may.

    Public so the bulk import refuses the same times in the same words as a
    write does: a time without a zone cannot be stored as UTC, and a time past
    ``now`` (beyond a fast clock's few minutes) has not been observed yet.
    """
    if timezone.is_naive(observed_at):
        return "has no time zone; fix: give an aware time, stored as UTC"
    if observed_at > now + FUTURE_TOLERANCE:
        return f"{_local(observed_at)} is in the future; fix: check the time"
    return None


def _value_errors(ctx: _Context, values: Mapping[str, float]) -> Errors:
    errors: Errors = {}
    for indicator, value in values.items():
        problem = _cell_problem(ctx, indicator) or _value_problem(ctx.pack, indicator, value)
        if problem:
            errors[indicator] = [problem]
    return errors


def _cell_problem(ctx: _Context, indicator: str) -> str | None:
    return cell_problem(ctx.pack, ctx.table, str(ctx.framework), ctx.area.slug, indicator)


def cell_problem(
    pack: Pack, table: BandTable, framework_label: str, area_slug: str, indicator: str
) -> str | None:
    """Why ``indicator`` may not be reported for ``area_slug`` under the plan; None if it may.

    The plan decides which cells exist: an indicator it does not define, an
    area it does not cover, or a cell it marks N/A (not monitored) has no level
    to give. Takes the plan, not a locked area, so a check before any write
    (the bulk import) says the same words as the write itself.
    """
    known = [i.id for i in pack.indicators]
    if indicator not in known:
        return f"unknown indicator '{indicator}'; fix: use one of {', '.join(known)}"
    key = (indicator, area_slug)
    if key not in table.index:
        return (
            f"area '{area_slug}' is not in framework {framework_label}; fix: report a current area"
        )
    if table.cell(*key).status is CellStatus.NOT_MONITORED:
        return f"not monitored in {area_slug} (N/A in the plan); fix: leave it out"
    return None


def _value_problem(pack: Pack, indicator: str, value: float) -> str | None:
    if not math.isfinite(value):
        return f"{value} is not a finite number; fix: give a number"
    problems = engine.check_value(pack, indicator, value)
    return problems[0].message if problems else None


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _record(user: User, ctx: _Context, drafts: list[_Draft], now: datetime) -> list[Reading]:
    batch = [engine.Reading(d.indicator, ctx.area.slug, d.value, d.observed_at) for d in drafts]
    results = engine.assess(ctx.pack, batch, ctx.table).results
    readings = [_save(user, ctx, d, r, now) for d, r in zip(drafts, results, strict=True)]
    for reading in readings:
        _advance_current(reading)
    readings_stored.send(Reading, organisation_ids={ctx.area.organisation_id})
    return readings


def _save(
    user: User, ctx: _Context, draft: _Draft, result: engine.ReadingResult, now: datetime
) -> Reading:
    return Reading.objects.create(
        indicator=draft.indicator,
        area=ctx.area,
        value=draft.value,
        observed_at=draft.observed_at,
        kind=draft.kind,
        submitted_by=user,
        submitted_at=now,
        supersedes=draft.supersedes,
        confirms=draft.confirms,
        reason=draft.reason,
        framework=ctx.framework,
        level=result.level,
        colour=result.colour,
        cell_status=result.status.value,
        warnings=list(result.warnings),
    )


def _advance_current(reading: Reading) -> None:
    """Point the cell at ``reading`` if it now stands (the area is locked by the caller)."""
    current = (
        CurrentReading.objects.select_related("reading")
        .filter(area=reading.area, indicator=reading.indicator)
        .first()
    )
    if current is None:
        CurrentReading.objects.create(
            area=reading.area, indicator=reading.indicator, reading=reading
        )
    elif _stands_over(reading, current.reading):
        if reading.supersedes_id != current.reading.pk:
            current.previous = current.reading
        current.reading = reading
        current.save(update_fields=["reading", "previous"])


def _stands_over(new: Reading, old: Reading) -> bool:
    """An amendment replaces what it supersedes; otherwise the latest observation stands.

    A report for the same observed time as the current one replaces it (the
    later submission wins); an amendment of an older row does not.
    """
    if new.supersedes_id == old.pk:
        return True
    if new.kind == ReadingKind.AMENDMENT:
        return new.observed_at > old.observed_at
    return new.observed_at >= old.observed_at


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")
