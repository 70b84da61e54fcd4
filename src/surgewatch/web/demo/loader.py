"""Store a planned history in bulk, with the invariants the reporting services keep.

:func:`surgewatch.web.reporting.services.submit_readings` stores one
submission at a time; loading months of history that way is slow, so this
writes the same rows in a few ``bulk_create`` calls:

- level, colour, cell status and warnings come from the engine
  (:func:`surgewatch.core.assess.assess`) under the framework in force, exactly
  as ``_save`` fills them;
- an amendment supersedes its original, a confirmation confirms the row that
  measured its value, and each row is written after the row it points at;
- CurrentReading holds, per cell, the row standing after the last submission,
  and ``previous`` the one it replaced, by the rule of ``_advance_current``
  (an amendment of the current row leaves ``previous`` as it was);
- declarations carry the suggestion they were made against, and a reason
  whenever they differ from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from surgewatch.core import assess as engine
from surgewatch.web.accounts.models import User
from surgewatch.web.demo.history import AMENDMENT, CONFIRMATION, History, PlannedReading
from surgewatch.web.escalation.models import Declaration
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.packs import pack_of, table_of
from surgewatch.web.reporting.models import CurrentReading, Reading

BATCH = 1000
Key = tuple[str, str]


def load_history(organisation: Organisation, history: History, users: Mapping[str, User]) -> None:
    """Write ``history`` for ``organisation``; call inside a transaction on an empty history."""
    rows = _store_readings(organisation, history.readings, users)
    _store_current(history.readings, rows)
    _store_declarations(organisation, history, users)


def _store_readings(
    organisation: Organisation, planned: Sequence[PlannedReading], users: Mapping[str, User]
) -> list[Reading]:
    """Rows in rounds: those whose link is already saved go in each round's bulk insert."""
    make = _RowMaker(organisation, planned, users)
    unsaved = [make(i) for i in range(len(planned))]
    saved: dict[int, Reading] = {}
    while len(saved) < len(planned):
        ready = [i for i, p in enumerate(planned) if i not in saved and _linked(p, saved)]
        if not ready:
            raise ValueError("planned readings link in a cycle; fix: the history planner")
        for i in ready:
            _attach_link(unsaved[i], planned[i], saved)
        created = Reading.objects.bulk_create([unsaved[i] for i in ready], batch_size=BATCH)
        saved.update(zip(ready, created, strict=True))
    return [saved[i] for i in range(len(planned))]


def _linked(planned: PlannedReading, saved: Mapping[int, Reading]) -> bool:
    return planned.link is None or planned.link in saved


def _attach_link(row: Reading, planned: PlannedReading, saved: Mapping[int, Reading]) -> None:
    if planned.link is None:
        return
    if planned.kind == AMENDMENT:
        row.supersedes = saved[planned.link]
    elif planned.kind == CONFIRMATION:
        row.confirms = saved[planned.link]


class _RowMaker:
    """Unsaved Reading rows, classified by the engine in one batch."""

    def __init__(
        self,
        organisation: Organisation,
        planned: Sequence[PlannedReading],
        users: Mapping[str, User],
    ) -> None:
        self.framework = organisation.framework
        pack = pack_of(self.framework)
        batch = [engine.Reading(p.indicator, p.area, p.value, p.observed_at) for p in planned]
        self.results = engine.assess(pack, batch, table_of(self.framework)).results
        self.areas: dict[str, Area] = {a.slug: a for a in organisation.areas.all()}
        self.planned, self.users = planned, users

    def __call__(self, i: int) -> Reading:
        p, result = self.planned[i], self.results[i]
        return Reading(
            indicator=p.indicator,
            area=self.areas[p.area],
            value=p.value,
            observed_at=p.observed_at,
            kind=p.kind,
            submitted_by=self.users[p.reporter],
            submitted_at=p.submitted_at,
            reason=p.reason,
            framework=self.framework,
            level=result.level,
            colour=result.colour,
            cell_status=result.status.value,
            warnings=list(result.warnings),
        )


def standing_after(planned: Sequence[PlannedReading]) -> dict[Key, tuple[int, int | None]]:
    """Per cell, the (current, previous) row indexes once every submission is replayed in order.

    The rule of ``reporting.services._advance_current`` and ``_stands_over``.
    """
    standing: dict[Key, tuple[int, int | None]] = {}
    for i in sorted(range(len(planned)), key=lambda n: (planned[n].submitted_at, n)):
        key = (planned[i].indicator, planned[i].area)
        if key not in standing:
            standing[key] = (i, None)
            continue
        current, previous = standing[key]
        if _stands_over(planned, i, current):
            replaces = planned[i].kind == AMENDMENT and planned[i].link == current
            standing[key] = (i, previous if replaces else current)
    return standing


def _stands_over(planned: Sequence[PlannedReading], new: int, old: int) -> bool:
    if planned[new].kind == AMENDMENT and planned[new].link == old:
        return True
    if planned[new].kind == AMENDMENT:
        return planned[new].observed_at > planned[old].observed_at
    return planned[new].observed_at >= planned[old].observed_at


def _store_current(planned: Sequence[PlannedReading], rows: Sequence[Reading]) -> None:
    current = [
        CurrentReading(
            area=rows[now].area,
            indicator=rows[now].indicator,
            reading=rows[now],
            previous=None if before is None else rows[before],
        )
        for now, before in standing_after(planned).values()
    ]
    CurrentReading.objects.bulk_create(current, batch_size=BATCH)


def _store_declarations(
    organisation: Organisation, history: History, users: Mapping[str, User]
) -> None:
    declarations = [
        Declaration(
            organisation=organisation,
            level=d.level,
            suggested_level=d.suggested_level,
            score=d.score,
            reason=d.reason,
            declared_by=users[d.declared_by],
            declared_at=d.declared_at,
            framework=organisation.framework,
        )
        for d in history.declarations
    ]
    Declaration.objects.bulk_create(declarations, batch_size=BATCH)
