"""Stored rows turned into response bodies; no queries beyond what the caller loaded."""

from __future__ import annotations

from surgewatch.web.api.schemas import (
    AreaOut,
    CellOut,
    DeclarationOut,
    HistoryReadingOut,
    OrganisationOut,
    StatusOut,
)
from surgewatch.web.escalation.models import Declaration
from surgewatch.web.escalation.selectors import OrganisationStatus
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.reporting.models import Reading


def organisation_out(organisation: Organisation) -> OrganisationOut:
    areas = [AreaOut(slug=a.slug, name=a.name, active=a.active) for a in organisation.areas.all()]
    return OrganisationOut(
        slug=organisation.slug,
        name=organisation.name,
        framework=str(organisation.framework),
        areas=sorted(areas, key=lambda a: a.slug),
    )


def declaration_out(declaration: Declaration, organisation: Organisation) -> DeclarationOut:
    """``organisation`` is passed in: the caller has it, and reading it again costs a query."""
    return DeclarationOut(
        id=declaration.pk,
        organisation=organisation.slug,
        level=declaration.level,
        suggested_level=declaration.suggested_level,
        score=declaration.score,
        reason=declaration.reason,
        differs=declaration.differs,
        declared_by=declaration.declared_by.username,
        declared_at=declaration.declared_at,
        framework=str(declaration.framework),
    )


def status_out(status: OrganisationStatus) -> StatusOut:
    indicators = [i.id for i in status.pack.indicators]
    areas = list(status.pack.area_ids)

    def pack_order(cell: tuple[str, str]) -> tuple[int, int, str, str]:
        indicator, area = cell
        return (_position(indicators, indicator), _position(areas, area), indicator, area)

    cells = [_cell_out(status.cells[cell]) for cell in sorted(status.cells, key=pack_order)]
    return StatusOut(
        organisation=status.organisation.slug,
        framework=str(status.organisation.framework),
        suggested_level=status.result.suggested_level,
        score=status.result.score,
        score_level=status.result.score_level,
        declared=(
            declaration_out(status.declaration, status.organisation) if status.declaration else None
        ),
        standing_level=status.standing_level,
        cells=cells,
    )


def _position(ordered: list[str], item: str) -> int:
    """Pack order, with anything the pack no longer lists after it."""
    return ordered.index(item) if item in ordered else len(ordered)


def _cell_out(reading: Reading) -> CellOut:
    return CellOut(
        indicator=reading.indicator,
        area=reading.area.slug,
        reading_id=reading.pk,
        value=reading.value,
        level=reading.level,
        colour=reading.colour,
        cell_status=reading.cell_status,
        observed_at=reading.observed_at,
        kind=reading.kind,
        warnings=reading.warnings,
    )


def history_reading_out(reading: Reading, superseded_by: int | None) -> HistoryReadingOut:
    return HistoryReadingOut(
        id=reading.pk,
        value=reading.value,
        observed_at=reading.observed_at,
        kind=reading.kind,
        level=reading.level,
        colour=reading.colour,
        cell_status=reading.cell_status,
        warnings=reading.warnings,
        supersedes=reading.supersedes_id,
        superseded_by=superseded_by,
        confirms=reading.confirms_id,
        reason=reading.reason,
        submitted_by=reading.submitted_by.username,
        submitted_at=reading.submitted_at,
    )
