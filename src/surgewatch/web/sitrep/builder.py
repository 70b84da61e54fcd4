"""Build the daily SitRep for an organisation as at a moment (issue 4).

Levels and indicators come from the readings standing at ``at`` and a day
earlier (:mod:`surgewatch.web.sitrep.standing`), turned into levels by the
same engine calls as the organisation page and the system view, so the
SitRep never disagrees with them. Nothing here renders or reads the clock.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from surgewatch.core.assess import organisation_result
from surgewatch.core.levels import SystemLevel
from surgewatch.core.pack import AreaRule, AreaStatus, Indicator, Pack
from surgewatch.web.escalation.models import Declaration
from surgewatch.web.escalation.selectors import OrganisationStatus, system_level
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.packs import pack_of
from surgewatch.web.reporting.models import Reading
from surgewatch.web.reporting.selectors import Cell
from surgewatch.web.sitrep import cards, log
from surgewatch.web.sitrep.changes import cell_change
from surgewatch.web.sitrep.dates import day_before, sitrep_moment
from surgewatch.web.sitrep.records import (
    Change,
    DeclaredLevel,
    IndicatorRow,
    LevelSummary,
    MemberLevel,
    SitRep,
    SystemSummary,
)
from surgewatch.web.sitrep.standing import cells_at

Cells = dict[Cell, Reading]
ValueLevel = tuple[float | None, int | None]
NOT_MONITORED = AreaStatus.NOT_MONITORED.value


def sitrep_zone(organisation: Organisation) -> ZoneInfo:
    """The zone the organisation's plan keeps time in (Europe/London for the bundled packs)."""
    return ZoneInfo(pack_of(organisation.framework).schedule.timezone)


def sitrep_for_day(organisation: Organisation, day: date, now: datetime) -> SitRep:
    """The daily SitRep for ``day`` (see :mod:`surgewatch.web.sitrep.dates` for its moment).

    Raises SitRepDateError for a day after today in the plan's zone.
    """
    return build_sitrep(organisation, sitrep_moment(day, now, sitrep_zone(organisation)))


def build_sitrep(organisation: Organisation, at: datetime) -> SitRep:
    """The SitRep as at ``at``; 'since yesterday' is the same wall-clock time a day earlier."""
    pack = pack_of(organisation.framework)
    zone = ZoneInfo(pack.schedule.timezone)
    since = day_before(at, zone)
    now, before = cells_at(organisation, at), cells_at(organisation, since, known_at=at)
    return SitRep(
        organisation=organisation.name,
        organisation_slug=organisation.slug,
        pack_name=pack.name,
        pack_version=pack.version,
        illustrative_note=(pack.illustrative_note or "illustrative") if pack.illustrative else "",
        timezone=pack.schedule.timezone,
        level_colours=(pack.colours[1], pack.colours[2], pack.colours[3], pack.colours[4]),
        at=at,
        since=since,
        levels=level_summary(organisation, pack, (now, before), at),
        indicators=indicator_rows(pack, now, before),
        level_changes=cards.level_changes(organisation, since, at),
        actions=cards.open_actions(organisation, {r.id: r.name for r in pack.roles}, at),
        decisions=log.decisions(organisation, since, at),
        meetings=log.meetings(organisation, since, at),
    )


def level_summary(
    organisation: Organisation, pack: Pack, cells: tuple[Cells, Cells], at: datetime
) -> LevelSummary:
    """Declared (by ``at``), suggested and scored levels, acting level and the system view."""
    now, before = cells
    result = organisation_result(pack, _levels(now))
    status = OrganisationStatus(organisation, pack, now, result, _declaration_at(organisation, at))
    system, members = system_level(status)
    return LevelSummary(
        declared=_declared(status.declaration),
        suggested=result.suggested_level,
        suggested_before=organisation_result(pack, _levels(before)).suggested_level,
        score=result.score,
        score_level=result.score_level,
        acting=cards.acting_level_at(organisation, at),
        system=_system(pack, system),
        members=tuple(
            MemberLevel(m.slug, m.name, m.result.suggested_level, m.result.score) for m in members
        ),
    )


def _levels(cells: Cells) -> dict[Cell, int]:
    return {cell: r.level for cell, r in cells.items() if r.level is not None}


def _declaration_at(organisation: Organisation, at: datetime) -> Declaration | None:
    declarations = Declaration.objects.filter(organisation=organisation, declared_at__lte=at)
    return declarations.latest_first().first()


def _declared(declaration: Declaration | None) -> DeclaredLevel | None:
    if declaration is None:
        return None
    by = declaration.declared_by
    return DeclaredLevel(
        level=declaration.level,
        suggested_level=declaration.suggested_level,
        reason=declaration.reason,
        declared_by=by.get_full_name() or by.get_username(),
        declared_at=declaration.declared_at,
    )


def _system(pack: Pack, system: SystemLevel | None) -> SystemSummary | None:
    if system is None or pack.aggregation is None:
        return None
    method = pack.aggregation.method.replace("_", " ")
    names = {a.id: a.name for a in pack.organisation.areas}
    driven_by = tuple(names.get(member, member) for member in system.driven_by)
    return SystemSummary(method, system.aggregate, system.enacted, system.score, driven_by)


def indicator_rows(pack: Pack, now: Cells, before: Cells) -> tuple[IndicatorRow, ...]:
    """One row per cell the pack defines, by indicator then area, in the pack's order."""
    areas = [(a.id, a.name) for a in pack.organisation.areas]
    return tuple(
        _row(ind, area, name, now.get((ind.id, area)), before.get((ind.id, area)))
        for ind in pack.indicators
        for area, name in areas
        if area in ind.areas
    )


def _row(
    ind: Indicator, area: str, name: str, reading: Reading | None, earlier: Reading | None
) -> IndicatorRow:
    value, level = (reading.value, reading.level) if reading else (None, None)
    value_before, level_before = (earlier.value, earlier.level) if earlier else (None, None)
    status = reading.cell_status if reading else _unreported(ind.areas[area])
    return IndicatorRow(
        indicator_id=ind.id,
        indicator=ind.name,
        area_id=area,
        area=name,
        unit=ind.unit,
        value=value,
        level=level,
        colour=reading.colour if reading else "",
        status=status,
        observed_at=reading.observed_at if reading else None,
        value_before=value_before,
        level_before=level_before,
        change=_change(ind, status, (value, level), (value_before, level_before)),
    )


def _change(ind: Indicator, status: str, now: ValueLevel, before: ValueLevel) -> Change:
    if status == NOT_MONITORED and now[0] is None:
        return Change(None, "", "not monitored")
    return cell_change(ind.direction, ind.unit, now, before)


def _unreported(rule: AreaRule) -> str:
    return NOT_MONITORED if rule == AreaStatus.NOT_MONITORED else "no_reading"
