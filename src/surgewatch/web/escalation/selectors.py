"""What an organisation's standing readings add up to, computed by the engine.

Reads the one current reading per cell (never history), then asks the core
for the suggestion, score and system aggregate, so the rules live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from surgewatch.core.assess import OrganisationResult, organisation_result
from surgewatch.core.levels import MemberStatus, SystemLevel, aggregate_system
from surgewatch.core.pack import Aggregation, Pack
from surgewatch.web.escalation.models import Declaration
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.packs import pack_of
from surgewatch.web.reporting.models import Reading
from surgewatch.web.reporting.selectors import Cell, current_status


@dataclass(frozen=True)
class OrganisationStatus:
    organisation: Organisation
    pack: Pack
    cells: dict[Cell, Reading]
    result: OrganisationResult
    declaration: Declaration | None

    @property
    def standing_level(self) -> int | None:
        """The declared level where there is one, else the engine's suggestion."""
        if self.declaration is not None:
            return self.declaration.level
        return self.result.suggested_level


@dataclass(frozen=True)
class AreaLevel:
    slug: str
    name: str
    result: OrganisationResult


def latest_declaration(organisation: Organisation) -> Declaration | None:
    return Declaration.objects.filter(organisation=organisation).latest_first().first()


def organisation_status(organisation: Organisation) -> OrganisationStatus:
    pack = pack_of(organisation.framework)
    cells = current_status(organisation)
    result = organisation_result(pack, _levels(cells))
    return OrganisationStatus(organisation, pack, cells, result, latest_declaration(organisation))


def area_levels(status: OrganisationStatus) -> list[AreaLevel]:
    """Each area's own suggestion and score, from its cells alone (the system's members)."""
    levels = []
    for area in status.pack.organisation.areas:
        own = {cell: r for cell, r in status.cells.items() if cell[1] == area.id}
        levels.append(AreaLevel(area.id, area.name, organisation_result(status.pack, _levels(own))))
    return levels


def system_level(status: OrganisationStatus) -> tuple[SystemLevel | None, list[AreaLevel]]:
    """The aggregate over the areas that have a level, by the pack's rule (seed 000, App. 4)."""
    members = area_levels(status)
    assessed = [
        MemberStatus(m.slug, m.result.suggested_level, m.result.score)
        for m in members
        if m.result.suggested_level is not None
    ]
    aggregation = status.pack.aggregation
    if aggregation is None or not assessed or _unscored(aggregation, assessed):
        return None, members
    cutoffs = status.pack.scoring.cutoffs if status.pack.scoring else (15, 40, 70)
    return aggregate_system(aggregation, assessed, cutoffs), members


def _unscored(aggregation: Aggregation, members: list[MemberStatus]) -> bool:
    needs_score = aggregation.method == "weighted_mean_score"
    return needs_score and any(m.score is None for m in members)


def _levels(cells: dict[Cell, Reading]) -> dict[Cell, int]:
    return {cell: r.level for cell, r in cells.items() if r.level is not None}
