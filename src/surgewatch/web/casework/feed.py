"""Casework counts as indicator readings (issue 7): the counts the pack's timers map to
indicators are computed from the records and stored as readings, so the board, the
SitRep and the charts use them like any other indicator.

A cell is written when its count differs from the reading standing in it, or when that
reading is from an earlier day (UK time): once a day, and on change. Readings are
recorded under the casework system account with
:func:`surgewatch.web.reporting.services.record_computed_readings`, so they get levels,
current cells and the level check exactly as typed readings do.
"""

from __future__ import annotations

from datetime import datetime

from surgewatch.improvement.timers import CaseworkTimers, local_date
from surgewatch.web.accounts.models import User
from surgewatch.web.casework.notices import system_user
from surgewatch.web.casework.selectors import organisation_counts, organisation_timers
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.packs import pack_of, table_of
from surgewatch.web.reporting import services as reporting
from surgewatch.web.reporting.models import CurrentReading, Reading
from surgewatch.web.reporting.services import record_computed_readings


def refresh_indicators(now: datetime) -> int:
    """Store the counts that are new or changed, for every organisation; readings stored."""
    stored = 0
    for organisation in Organisation.objects.select_related("framework"):
        timers = organisation_timers(organisation)
        if timers is not None and timers.indicators:
            stored += refresh_organisation(organisation, timers, now)
    return stored


def refresh_organisation(organisation: Organisation, timers: CaseworkTimers, now: datetime) -> int:
    zone = pack_of(organisation.framework).schedule.timezone
    today = local_date(now, zone)
    counts = organisation_counts(organisation, timers, today)
    stored = 0
    for area in organisation.areas.filter(active=True).order_by("slug"):
        values = {
            indicator: float(counts[area.pk].as_dict()[name])
            for name, indicator in timers.indicators.items()
            if _has_cell(organisation, area, indicator)
        }
        stale = _stale(area, values, now, zone)
        if stale:
            stored += len(store(system_user(), area, stale, now))
    return stored


def _has_cell(organisation: Organisation, area: Area, indicator: str) -> bool:
    framework = organisation.framework
    pack, table = pack_of(framework), table_of(framework)
    return reporting.cell_problem(pack, table, str(framework), area.slug, indicator) is None


def _stale(area: Area, values: dict[str, float], now: datetime, zone: str) -> dict[str, float]:
    """The values whose cell holds another value, or nothing reported today."""
    standing = {
        c.indicator: c.reading
        for c in CurrentReading.objects.filter(
            area=area, indicator__in=list(values)
        ).select_related("reading")
    }
    today = local_date(now, zone)
    return {
        indicator: value
        for indicator, value in values.items()
        if indicator not in standing
        or standing[indicator].value != value
        or local_date(standing[indicator].observed_at, zone) != today
    }


def store(user: User, area: Area, values: dict[str, float], now: datetime) -> list[Reading]:
    """Record computed values as reports observed ``now``; all or nothing.

    A computed count has no person to check roles for (issue 7: computed from records,
    not typed in), so it goes through the reporting service's write for system accounts.
    """
    return record_computed_readings(area, values, now, user, now=now)
