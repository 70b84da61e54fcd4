"""The live DoS protocol decides in or out of hours at each round (seed 000, section 6.1).

Step (b) says 'inform the ICB commissioning lead in hours or NHS Director on Call
out of hours': a run started in hours and reviewed after 17:00 repeats step (b)
for the Director on Call. The rule is :mod:`surgewatch.core.protocols`, shared
with exercise mode.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from surgewatch.web.accounts.models import User
from surgewatch.web.actions import protocols, services
from surgewatch.web.actions.models import ActionCard
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.reporting.services import submit_readings

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # Monday, GMT
STARTED = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)  # in office hours


@pytest.fixture
def opel3(dgs_member: User, dgs: Area, kcc: Organisation) -> Organisation:
    submit_readings(dgs_member, dgs, {"stp_staffing_pct": 45, "health_caseload": 70}, T0, now=T0)
    services.refresh_level(kcc, T0)
    return kcc


def test_a_review_after_office_hours_repeats_step_b_for_the_director_on_call(
    opel3: Organisation, make_user: Callable[..., User]
) -> None:
    owner = make_user("ops", "pasc-connect-ops-manager")
    run = protocols.start_protocol(opel3, "nhs111-dos", owner, STARTED)
    review = run.cards.get(action_id="nhs111-dos-c")
    due = review.deadlines.get().due_at
    assert due == STARTED + timedelta(hours=4)  # 19:00, out of hours
    protocols.review(review, owner, pressure_remains=True, note="", now=due)
    roles = list(
        ActionCard.objects.filter(action_id="nhs111-dos-b")
        .order_by("opened_at")
        .values_list("opened_at", "role")
    )
    assert roles == [(STARTED, "icb-commissioning-lead"), (due, "nhs-director-on-call")]
    run.refresh_from_db()
    assert run.in_hours  # the run still records how it started
