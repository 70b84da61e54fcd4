"""Demonstration plans for the example acute trust: seed 002's SSOT RSUH medical bed gap
with its risk register in one file, the illustrative demand model for the uncertainty page,
and the flow-model plan with the two example patient-flow scenarios (issue 6).

Called by :func:`surgewatch.web.demo.seed.seed_demo`, which passes ``now``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from django.conf import settings

from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.plans.scenarios import ScenarioFile, create_scenario
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
FLOW_PLAN = (
    "SSOT 2024/25 RSUH medicine: flow model plan (illustrative arrivals and beds)",
    "ssot-2024-25-rsuh-medical-flow.yaml",
)
# The example scenarios in order: the second extends the first (examples/scenarios/).
SCENARIOS = ("ssot-base.yaml", "ssot-home-first-1000h.yaml")


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
    load_demo_scenarios(trust, users[AUTHOR], now)


def load_demo_scenarios(trust: Organisation, author: User, now: datetime) -> None:
    """The flow-model plan, then the base scenario on it and Home First +1,000 hours on that."""
    examples = settings.REPO_ROOT / "examples"
    title, name = FLOW_PLAN
    plan = create_plan(
        author,
        trust,
        title=title,
        text=(examples / "plans" / name).read_text(encoding="utf-8"),
        filename=name,
        change_note=f"Demonstration data: examples/plans/{name}",
        now=now,
    )
    base = None
    for name in SCENARIOS:
        sent = ScenarioFile(
            (examples / "scenarios" / name).read_text(encoding="utf-8"),
            name,
            plan,
            base,
            f"Demonstration data: examples/scenarios/{name}",
        )
        base = create_scenario(author, trust, title="", sent=sent, now=now)
