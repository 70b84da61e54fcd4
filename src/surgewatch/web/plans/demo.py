"""Demonstration plans for the example acute trust: seed 002's SSOT RSUH medical bed gap
with its risk register in one file, and the illustrative demand model for the uncertainty page.

Called by :func:`surgewatch.web.demo.seed.seed_demo`, which passes ``now``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from django.conf import settings

from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.plans.services import create_plan

ORGANISATION = "example-acute"
AUTHOR = "director-on-call"  # declares the trust's level, so may change its plans
PLANS = (
    (
        "SSOT 2024/25 surge plan: RSUH medical beds and risks (seed 002)",
        ("ssot-2024-25-rsuh-medical.yaml", "ssot-2024-25-risks.yaml"),
    ),
    (
        "Illustrative demand model on seed 002 assumptions (not real figures)",
        ("illustrative-rsuh-medical-demand.yaml",),
    ),
)


def load_demo_plans(
    organisations: Sequence[Organisation], users: Mapping[str, User], now: datetime
) -> None:
    """Store each demo plan as version 1 of a plan of the acute trust."""
    trust = next(o for o in organisations if o.slug == ORGANISATION)
    folder = settings.REPO_ROOT / "examples" / "plans"
    for title, files in PLANS:
        text = "---\n".join((folder / name).read_text(encoding="utf-8") for name in files)
        create_plan(
            users[AUTHOR],
            trust,
            title=title,
            text=text,
            filename="",
            change_note="Demonstration data: " + " and ".join(f"examples/plans/{n}" for n in files),
            now=now,
        )
