"""The reading standing in each cell at a past moment, read from history.

CurrentReading only knows now; a SitRep for an earlier date needs the values
as they stood then. The rule (issue 4): a cell's standing reading at ``at``,
as known at ``known_at``, is the latest reading observed at or before ``at``
that had not been superseded by an amendment submitted at or before
``known_at``. The SitRep passes its own moment as ``known_at`` for both its
values and yesterday's, so an amendment made after the SitRep's moment is
not used (a past SitRep printed again reads the same), while a typo in
yesterday's value corrected this morning does not show as a change. A report
submitted late for an earlier time counts, as the board showed it once it
came in.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from surgewatch.web.orgs.models import Organisation
from surgewatch.web.reporting.models import CurrentReading, Reading, ReadingKind
from surgewatch.web.reporting.selectors import Cell


def cells_at(
    organisation: Organisation, at: datetime, known_at: datetime | None = None
) -> dict[Cell, Reading]:
    """Per (indicator, area slug), the reading standing at ``at``: two queries, any history."""
    latest = (
        _standing(at, known_at or at)
        .filter(area=OuterRef("area"), indicator=OuterRef("indicator"))
        .order_by("-observed_at", "-submitted_at", "-pk")
        .values("pk")[:1]
    )
    # Every cell that has ever had a reading has a CurrentReading row.
    cells = CurrentReading.objects.filter(area__organisation=organisation)
    standing = cells.annotate(standing=Subquery(latest)).values_list("standing", flat=True)
    readings = Reading.objects.filter(pk__in=[pk for pk in standing if pk is not None])
    return {(r.indicator, r.area.slug): r for r in readings.select_related("area")}


def _standing(at: datetime, known_at: datetime) -> QuerySet[Reading]:
    """Readings observed by ``at`` and not replaced by an amendment known at ``known_at``."""
    amended = Reading.objects.filter(supersedes=OuterRef("pk"), submitted_at__lte=known_at)
    observed = Reading.objects.filter(observed_at__lte=at)
    return observed.exclude(kind=ReadingKind.AMENDMENT, submitted_at__gt=known_at).exclude(
        Exists(amended)
    )
