"""An example HICM assessment and improvement action for an organisation: for a
demonstration and for tests that need one on record (the access matrix)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from surgewatch.web.accounts.models import User
from surgewatch.web.improve.catalogue import loaded
from surgewatch.web.improve.models import Assessment, ImprovementAction
from surgewatch.web.improve.services import (
    ActionInput,
    AssessmentInput,
    Given,
    plan_action,
    record_assessment,
)
from surgewatch.web.orgs.models import Organisation

FRAMEWORK = "hicm-2015"


def record_example(
    organisation: Organisation, user: User, now: datetime
) -> tuple[Assessment, ImprovementAction]:
    """Change 1 assessed (illustrative levels) and one action for it, owned by ``user``."""
    source = loaded(FRAMEWORK)
    today = timezone.localdate(now)
    ratings = {
        "elective-admissions": Given(2, "Illustrative: commissioners discussing the pathway"),
        "emergency-admissions": Given(3, "Illustrative: provisional dates set within 48 hours"),
    }
    assessed = AssessmentInput(None, today, "Illustrative workshop", "", ratings)
    assessment = record_assessment(user, organisation, source, assessed, now)
    action = ActionInput(
        group_id="early-discharge-planning",
        area=None,
        where_now="Plans in place for elective admissions",
        what_to_do="Agree joint pre-admission discharge planning with primary care",
        due_on=today + timedelta(days=28),
        success_measure="Discharge planning starts before every planned admission",
        owner=user,
    )
    return assessment, plan_action(user, organisation, source, action, assessment, now)
