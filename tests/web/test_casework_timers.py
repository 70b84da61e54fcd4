"""The casework worker (issue 7): the week-8 provider notice, sent once through the notify
app, and the counts fed to the Kent pack's indicators once a day and on change, in UK
dates across both clock changes (seed 000, sections 4 and 6.3).

2026's clocks: forward at 01:00 UTC on Sunday 29 March, back at 01:00 UTC on Sunday
25 October.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from pytest_django import DjangoCaptureOnCommitCallbacks

from surgewatch.web.accounts.models import User
from surgewatch.web.audit.models import AuditEntry
from surgewatch.web.casework import tasks
from surgewatch.web.casework.feed import refresh_indicators
from surgewatch.web.casework.models import Placement
from surgewatch.web.casework.notices import SYSTEM_USERNAME, send_due_notices
from surgewatch.web.casework.services import (
    CaseFields,
    PlacementFields,
    close_record,
    record_care_act_assessment,
    record_placement,
)
from surgewatch.web.notify.models import Message, Status
from surgewatch.web.orgs.models import Area
from surgewatch.web.reporting.models import CurrentReading, Reading

MakeUser = Callable[..., User]
CaptureCommits = DjangoCaptureOnCommitCallbacks


def _placement(user: User, area: Area, started_on: date, reference: str = "DGS-0042") -> Placement:
    given = PlacementFields(reference, "Oak House", "beds@oak.example.org", started_on)
    return record_placement(
        user, area, given, datetime.combine(started_on, datetime.min.time(), UTC)
    )


# --- the week-8 provider notice ------------------------------------------------------------


def test_the_notice_goes_to_the_provider_once(
    dgs_member: User, dgs: Area, django_capture_on_commit_callbacks: CaptureCommits
) -> None:
    placement = _placement(dgs_member, dgs, date(2026, 1, 5))
    week_8 = datetime(2026, 2, 23, 9, 0, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_notices(week_8 - timedelta(days=1)) == 0  # Sunday of week 7
        assert send_due_notices(week_8) == 1
        assert send_due_notices(week_8 + timedelta(minutes=5)) == 0
        assert send_due_notices(week_8 + timedelta(days=3)) == 0
    (sent,) = mail.outbox
    assert sent.to == ["beds@oak.example.org"]
    assert sent.subject == "Placement DGS-0042: the disregard period ends on Sunday 29 March 2026"
    assert "Please make arrangements now for discharge, or for funding" in sent.body
    message = Message.objects.get()
    assert (message.status, message.recipient.username) == (Status.SENT, SYSTEM_USERNAME)
    placement.refresh_from_db()
    assert (placement.notice_queued_at, placement.notice_message) == (week_8, message)


def test_two_workers_claiming_one_placement_tell_the_provider_once(
    dgs_member: User, dgs: Area
) -> None:
    """The claim is an UPDATE that applies only while the notice is unclaimed: a second
    worker holding the same stale row queues nothing."""
    from surgewatch.web.casework.notices import send_notice
    from surgewatch.web.casework.selectors import organisation_timers

    placement = _placement(dgs_member, dgs, date(2026, 1, 5))
    stale = Placement.objects.get(pk=placement.pk)
    timers = organisation_timers(dgs.organisation)
    assert timers is not None
    now = datetime(2026, 2, 23, 9, 0, tzinfo=UTC)
    assert send_notice(placement, timers.placements, now.date(), now)
    assert not send_notice(stale, timers.placements, now.date(), now)
    assert Message.objects.count() == 1


def test_no_notice_for_a_placement_that_ended(dgs_member: User, dgs: Area) -> None:
    placement = _placement(dgs_member, dgs, date(2026, 1, 5))
    ended_at = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)
    close_record(dgs_member, dgs, "placement", placement.pk, date(2026, 2, 10), ended_at)
    assert send_due_notices(datetime(2026, 2, 24, 9, 0, tzinfo=UTC)) == 0
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    ("started_on", "before", "after"),
    [
        # Week 8 begins Monday 30 March, the day after the clocks go forward: at 23:30 UTC
        # on Sunday 29 March it is already 00:30 on Monday in London.
        (
            date(2026, 2, 9),
            datetime(2026, 3, 29, 22, 59, tzinfo=UTC),
            datetime(2026, 3, 29, 23, 0, tzinfo=UTC),
        ),
        # Week 8 begins Monday 26 October, the day after the clocks go back: London is on
        # UTC again, so 23:30 UTC on Sunday is still Sunday and midnight UTC is Monday.
        (
            date(2026, 9, 7),
            datetime(2026, 10, 25, 23, 30, tzinfo=UTC),
            datetime(2026, 10, 26, 0, 0, tzinfo=UTC),
        ),
    ],
)
def test_the_notice_falls_due_at_uk_midnight_across_the_clock_changes(
    dgs_member: User, dgs: Area, started_on: date, before: datetime, after: datetime
) -> None:
    _placement(dgs_member, dgs, started_on)
    assert send_due_notices(before) == 0
    assert send_due_notices(after) == 1


# --- the counts fed to the indicators -------------------------------------------------------


def _current(area: Area, indicator: str) -> Reading:
    return (
        CurrentReading.objects.select_related("reading").get(area=area, indicator=indicator).reading
    )


def test_counts_become_readings_once_a_day_and_on_change(dgs_member: User, dgs: Area) -> None:
    _placement(dgs_member, dgs, date(2026, 1, 5), "DGS-1")
    second = _placement(dgs_member, dgs, date(2026, 1, 12), "DGS-2")
    record_care_act_assessment(
        dgs_member, dgs, CaseFields("CA-1", date(2026, 1, 1)), datetime(2026, 1, 2, tzinfo=UTC)
    )
    morning = datetime(2026, 2, 24, 0, 5, tzinfo=UTC)
    # Four areas x three indicators on the first run.
    assert refresh_indicators(morning) == 12
    over = _current(dgs, "placements_over_3_weeks")
    assert (over.value, over.level, over.colour) == (2.0, None, "grey")
    assert over.submitted_by.username == SYSTEM_USERNAME
    assert _current(dgs, "care_act_assessments_overdue").value == 1.0
    assert _current(dgs, "reviews_overdue").value == 0.0
    # Nothing changed: nothing written.
    assert refresh_indicators(morning + timedelta(hours=1)) == 0
    # A placement ends: the DGS count moves, and only it is written.
    noon = datetime(2026, 2, 24, 12, 0, tzinfo=UTC)
    close_record(dgs_member, dgs, "placement", second.pk, date(2026, 2, 24), noon)
    assert refresh_indicators(noon + timedelta(minutes=5)) == 1
    assert _current(dgs, "placements_over_3_weeks").value == 1.0
    # Next UK day: every cell is reported again, unchanged values included.
    assert refresh_indicators(datetime(2026, 2, 25, 0, 5, tzinfo=UTC)) == 12


def test_the_new_day_starts_at_uk_midnight_in_summer(dgs_member: User, dgs: Area) -> None:
    """At 23:30 UTC on 30 March it is 00:30 on 31 March in London: a new day's readings."""
    _placement(dgs_member, dgs, date(2026, 3, 9))  # over 3 weeks from Monday 30 March
    assert refresh_indicators(datetime(2026, 3, 29, 22, 30, tzinfo=UTC)) == 12
    assert _current(dgs, "placements_over_3_weeks").value == 0.0
    assert refresh_indicators(datetime(2026, 3, 29, 23, 30, tzinfo=UTC)) == 12
    assert _current(dgs, "placements_over_3_weeks").value == 1.0


def test_the_task_acts_as_the_system_on_the_audit_log(
    dgs_member: User, dgs: Area, django_capture_on_commit_callbacks: CaptureCommits
) -> None:
    _placement(dgs_member, dgs, date(2026, 1, 5))
    mark = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with (
        time_machine.travel(datetime(2026, 2, 23, 9, 0, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        tasks.casework_timers()  # the queue runs it at once under the test settings
    assert (Message.objects.count(), Reading.objects.count()) == (1, 12)
    made = AuditEntry.objects.filter(
        pk__gt=mark, model__in=["casework.placement", "reporting.reading", "notify.message"]
    )
    assert {e.model for e in made} == {"casework.placement", "reporting.reading", "notify.message"}
    # The notify worker's delivery updates the message as itself; everything else is ours.
    ours = [e for e in made if not (e.model == "notify.message" and e.action == "changed")]
    assert {(e.actor, e.user_id) for e in ours} == {("system:casework_timers", None)}
