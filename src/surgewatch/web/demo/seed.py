"""Seed a database with demonstration data: both bundled packs, a login per role, and history.

One master seed derives an independent random stream per organisation
(STYLE.md), so the Kent history does not change when the acute example's
does. Nothing here reads the clock: the command passes ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db import transaction

from surgewatch.web.actions.services import refresh_level
from surgewatch.web.demo.history import Cast, History, plan_history
from surgewatch.web.demo.improvement import load_demo_improvement
from surgewatch.web.demo.loader import load_history
from surgewatch.web.demo.personas import DECLARERS, ensure_personas, reporters
from surgewatch.web.demo.walk import Season
from surgewatch.web.escalation.models import Declaration
from surgewatch.web.governance.demo import load_demo_governance
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.packs import pack_of, table_of
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import install_pack
from surgewatch.web.plans.demo import load_demo_plans
from surgewatch.web.reporting.models import Reading


@dataclass(frozen=True)
class DemoPack:
    """A bundled pack and how its pressure runs over the period (0-4 scale, see ``walk``)."""

    pack_id: str
    season: Season


# Kent's suggestion needs two indicators at a level (kent-ascch, suggested_level),
# and an indicator's level is its worst area, so Kent starts lower to start at OPEL 1-2.
DEMO_PACKS = (
    DemoPack("kent-ascch", Season(start=0.5, end=2.2)),
    DemoPack("example-acute-trust", Season(start=0.4, end=2.3)),
)


class DemoDataExistsError(RuntimeError):
    """The database already holds readings; loading again would double the history."""

    def __init__(self, readings: int) -> None:
        self.readings = readings
        super().__init__(f"the database already holds {readings:,} readings")


@dataclass(frozen=True)
class DemoSummary:
    days: int
    readings: int
    declarations: int
    users: int


def seed_demo(*, days: int, seed: int, now: datetime) -> DemoSummary:
    """Install the packs, create the logins and load ``days`` days of history ending at ``now``.

    Refuses (DemoDataExistsError) when any reading exists, so running it twice
    never doubles the history; the logins are created only where missing.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    existing = Reading.objects.count()
    if existing:
        raise DemoDataExistsError(existing)
    streams = np.random.SeedSequence(seed).spawn(len(DEMO_PACKS))
    with transaction.atomic():
        # Installed the day before the history starts, so every stored level has its rules.
        installed = now - timedelta(days=days)
        organisations = [_install(spec.pack_id, installed) for spec in DEMO_PACKS]
        users = ensure_personas({o.slug: o for o in organisations})
        for spec, organisation, stream in zip(DEMO_PACKS, organisations, streams, strict=True):
            history = _plan(organisation, spec, days, now, np.random.default_rng(stream))
            load_history(organisation, history, users)
        # Start the clocks where the history ends: today's level with its cards.
        for organisation in organisations:
            refresh_level(organisation, now)
        load_demo_plans(organisations, users, now)
        load_demo_governance(organisations, now)  # seed 000 Appendix 5, seed 002 sign-off
        load_demo_improvement(organisations, users, now)  # issue 7's pages, one of each
    return DemoSummary(days, Reading.objects.count(), Declaration.objects.count(), len(users))


def _install(pack_id: str, now: datetime) -> Organisation:
    framework = install_pack(pack_id, now=now)
    return organisation_by_slug(pack_of(framework).organisation.id)


def _plan(
    organisation: Organisation, spec: DemoPack, days: int, now: datetime, rng: np.random.Generator
) -> History:
    pack, table = pack_of(organisation.framework), table_of(organisation.framework)
    reported_by = {i.id: i.reported_by for i in pack.indicators}
    cast = Cast(reporters(organisation.slug, table, reported_by), DECLARERS[organisation.slug])
    return plan_history(pack, table, cast, spec.season, days, now, rng)
