"""Demonstration records for issue 7's pages, so a first look finds something on each:
one High Impact Change Model assessment with an action, one wash-up case, and casework
timers in each state. All synthetic, with made-up references."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from surgewatch.web.accounts.models import User
from surgewatch.web.casework import services as casework
from surgewatch.web.casework.models import ReviewKind
from surgewatch.web.improve.demo import record_example
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.washup.demo import example_case

KENT = "kcc-asch"


def load_demo_improvement(
    organisations: Sequence[Organisation], users: Mapping[str, User], now: datetime
) -> None:
    kent = next(o for o in organisations if o.slug == KENT)
    record_example(kent, users["service-manager"], now)
    dgs = kent.areas.get(slug="dgs")
    example_case(users["dgs-team-manager"], dgs, now)
    _casework(users["service-manager"], kent, now)


def _casework(user: User, kent: Organisation, now: datetime) -> None:
    """A placement in week 5 (flagged), one in week 8 (the provider's notice is due),
    an overdue Care Act assessment and a review due soon, in East Kent."""
    east = kent.areas.get(slug="east-kent")
    today = casework.today_in(east, now)
    for reference, weeks in (("DEMO-P-101", 4), ("DEMO-P-102", 7)):
        started = today - timedelta(weeks=weeks, days=1)
        given = casework.PlacementFields(reference, "Demo Care Ltd", "beds@demo.invalid", started)
        casework.record_placement(user, east, given, now)
    discharged = today - timedelta(weeks=7)
    casework.record_care_act_assessment(
        user, east, casework.CaseFields("DEMO-A-201", discharged), now
    )
    review_start = today - timedelta(weeks=5, days=2)
    given_review = casework.CaseFields("DEMO-R-301", review_start, ReviewKind.SHORT_TERM_PACKAGE)
    casework.record_review(user, east, given_review, now)
