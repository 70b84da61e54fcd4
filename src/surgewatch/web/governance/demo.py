"""Demonstration governance history: seed 000's version table and plan tests for Kent,
seed 002's sign-off schedule for the example acute trust (which holds the SSOT plans).

Called by :func:`surgewatch.web.demo.seed.seed_demo`, which passes ``now``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings

from surgewatch.web.governance.history import load_history_file
from surgewatch.web.orgs.models import Organisation

# (organisation, file under examples/governance/), in loading order: the version table
# before the plan tests that link to its versions.
FILES = (
    ("kcc-asch", "kent-asch-opel-plan-versions.yaml"),
    ("kcc-asch", "kent-asch-plan-tests.yaml"),
    ("example-acute", "ssot-2024-25-sign-off.yaml"),
)


def load_demo_governance(organisations: Sequence[Organisation], now: datetime) -> None:
    by_slug = {o.slug: o for o in organisations}
    folder = settings.REPO_ROOT / "examples" / "governance"
    for slug, name in FILES:
        if slug in by_slug:
            load_history_file(folder / name, by_slug[slug], now=now)
