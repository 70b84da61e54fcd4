"""Which cells owe reports, and who is told when a report is late or missing.

Seed 000, section 3.1: the first assessment is due by 10:00 every day; Appendix 3
adds SHREWD updates at OPEL 2 and 3 (the times are the pack's ``schedule``, read
by :mod:`surgewatch.core.schedule`). A late report reminds the roles that report
the indicator; a missing one (past the grace) goes to the roles they escalate to.
The live worker (``surgewatch.web.actions.clocks``) sends these; exercise mode
lists them. Pure: no clock, no storage.
"""

from __future__ import annotations

from surgewatch.core.pack import AreaStatus, Indicator, Pack
from surgewatch.core.schedule import ReportState

Cell = tuple[str, str]  # (indicator id, area id)


def monitored_cells(pack: Pack) -> list[Cell]:
    """Every indicator in every area it is reported for, except where the plan says N/A."""
    return [
        (ind.id, area)
        for ind in pack.indicators
        for area, rule in ind.areas.items()
        if rule != AreaStatus.NOT_MONITORED
    ]


def escalates_to(pack: Pack, role: str) -> str | None:
    return next((r.escalates_to for r in pack.roles if r.id == role), None)


def reminder_roles(pack: Pack, indicator: Indicator, state: ReportState) -> list[str]:
    """Late: the indicator's reporters. Missing: the roles above them, each once.
    Any other state tells nobody."""
    if state == ReportState.LATE:
        return list(indicator.reported_by)
    if state == ReportState.MISSING:
        return sorted({a for r in indicator.reported_by if (a := escalates_to(pack, r))})
    return []
