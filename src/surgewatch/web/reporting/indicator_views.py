"""The indicator page: one cell's bands, standing values, SPC view and full history.

Thin, as every view here: check scope, read, and leave the shaping of series,
bands and SPC to the pure functions of :mod:`surgewatch.web.reporting.charts`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from surgewatch.core.bands import CellStatus, compile_cell
from surgewatch.core.pack import Direction, Indicator, Pack
from surgewatch.web.orgs.packs import pack_of
from surgewatch.web.orgs.permissions import reportable_indicators
from surgewatch.web.reporting.charts import (
    PERIODS,
    Observation,
    build_charts,
    period_days,
    superseded_ids,
)
from surgewatch.web.reporting.models import Reading
from surgewatch.web.reporting.selectors import cell_history, history_page, standing_cells
from surgewatch.web.reporting.views import area_in_scope, request_user

DIRECTION_WORDS = {
    Direction.HIGHER_IS_BETTER: "Higher is better",
    Direction.LOWER_IS_BETTER: "Lower is better",
}
UNBANDED_WORDS = {
    CellStatus.NOT_MONITORED: "Not monitored in this area",
    CellStatus.NO_THRESHOLDS: "No thresholds: recorded and charted only",
    CellStatus.REPORT_ONLY: "No thresholds: recorded and charted only",
}


@dataclass(frozen=True)
class HistoryRow:
    """One reading of the history table, with what the page may do with it."""

    reading: Reading
    superseded: bool
    amendable: bool


@login_required
def indicator(request: HttpRequest, slug: str, area_slug: str, indicator: str) -> HttpResponse:
    area = area_in_scope(request, slug, area_slug)
    pack = pack_of(area.organisation.framework)
    spec = _indicator_or_404(pack, indicator)
    cell = compile_cell(spec, area.slug)
    history = [_observation(r) for r in cell_history(area, indicator)]
    charts = build_charts(
        history,
        cell,
        pack.colours,
        now=timezone.now(),
        days=period_days(request.GET.get("days")),
        zone=timezone.get_current_timezone(),
    )
    standing = standing_cells(area.organisation).get((indicator, area.slug))
    may_amend = indicator in reportable_indicators(request_user(request), area)
    context = {
        "area": area,
        "indicator": spec,
        "direction": DIRECTION_WORDS[spec.direction],
        "unbanded": UNBANDED_WORDS.get(cell.status, ""),
        "current": standing.reading if standing else None,
        "charts": charts,
        "chart_data": charts.as_json(),
        "periods": PERIODS,
        "history": _history_rows(history_page(area, indicator), history, may_amend),
        "history_total": len(history),
        "may_amend": may_amend,
    }
    return render(request, "reporting/indicator.html", context)


def _indicator_or_404(pack: Pack, indicator: str) -> Indicator:
    try:
        return pack.indicator(indicator)
    except KeyError:
        raise Http404(f"no indicator '{indicator}' in {pack.id}") from None


def _history_rows(
    page: list[Reading], history: list[Observation], may_amend: bool
) -> list[HistoryRow]:
    """Newest first; a superseded row is labelled and offers no Amend (it is amended once)."""
    superseded = superseded_ids(history)
    return [HistoryRow(r, r.pk in superseded, may_amend and r.pk not in superseded) for r in page]


def _observation(reading: Reading) -> Observation:
    return Observation(
        reading_id=reading.pk,
        observed_at=reading.observed_at,
        submitted_at=reading.submitted_at,
        value=reading.value,
        level=reading.level,
        colour=reading.colour,
        supersedes=reading.supersedes_id,
    )
