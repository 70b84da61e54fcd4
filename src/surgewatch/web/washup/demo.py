"""A synthetic wash-up case for demonstrations and tests: seed 003's example row (ideal
'Home', expected 'Long term residential care', blocker 'Night sitting service not
available', escalated at the weekly improvement cycle), under a made-up reference."""

from __future__ import annotations

from datetime import datetime, timedelta

from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Area
from surgewatch.web.washup.models import WashupCase
from surgewatch.web.washup.services import CaseFields, open_case


def example_fields(now: datetime, reference: str = "DEMO-0001") -> CaseFields:
    today = now.date()
    return CaseFields(
        reference=reference,
        hospital="Darent Valley Hospital",
        ward="Ward 3",
        ideal_outcome="home-no-support",
        expected_outcome="long-term-residential",
        blocker="night-sitting",
        blocker_detail="",
        action="Escalate at the weekly improvement cycle and to AMT; research alternatives",
        action_owner="Team manager",
        action_deadline=today + timedelta(days=7),
        review_date=today + timedelta(days=7),
        fit_for_discharge_on=today - timedelta(days=3),
        delay_attribution="social_care",
    )


def example_case(user: User, area: Area, now: datetime, reference: str = "DEMO-0001") -> WashupCase:
    return open_case(user, area, example_fields(now, reference), now)
