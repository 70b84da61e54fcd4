"""Self-assessment records (issue 7): immutable assessments, who may record, numbering,
the previous assessment of the same scope, and audited action status changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from surgewatch.web.accounts.models import User
from surgewatch.web.audit.models import AuditEntry
from surgewatch.web.decisions.models import ImmutableRecordError
from surgewatch.web.improve.catalogue import loaded
from surgewatch.web.improve.demo import record_example
from surgewatch.web.improve.models import Assessment, ImprovementAction, Rating
from surgewatch.web.improve.permissions import can_assess
from surgewatch.web.improve.selectors import open_actions_for, previous_of, results_for
from surgewatch.web.improve.services import (
    ActionInput,
    AssessmentInput,
    Given,
    plan_action,
    record_assessment,
    set_action_status,
)
from surgewatch.web.orgs.models import Area, Organisation

MakeUser = Callable[..., User]
NOW = datetime(2026, 1, 5, 11, 30, tzinfo=UTC)
HICM = loaded("hicm-2015")


def _record(
    user: User, kcc: Organisation, on: date, level: int, area: Area | None = None
) -> Assessment:
    given = AssessmentInput(
        area, on, "Flow group", "", {"bottlenecks": Given(level, f"Level {level} seen")}
    )
    return record_assessment(user, kcc, HICM, given, NOW)


def test_every_pack_role_records_but_viewers_and_strangers_do_not(
    kcc: Organisation, make_user: MakeUser, dgs: Area
) -> None:
    assert can_assess(make_user("dgs", "stp-team-manager", dgs), kcc) is True
    assert can_assess(make_user("director", "director-asc"), kcc) is True
    assert can_assess(User.objects.create_superuser("admin", password="x"), kcc) is True
    viewer = make_user("viewer", "viewer")
    assert can_assess(viewer, kcc) is False
    assert can_assess(make_user("nobody"), kcc) is False
    with pytest.raises(PermissionDenied, match="may not record assessments"):
        _record(viewer, kcc, date(2026, 1, 5), 2)
    assert Assessment.objects.count() == 0


def test_assessments_are_numbered_and_never_changed(kcc: Organisation, make_user: MakeUser) -> None:
    user = make_user("director", "director-asc")
    first = _record(user, kcc, date(2025, 10, 1), 1)
    second = _record(user, kcc, date(2026, 1, 5), 3)
    assert (first.number, second.number) == (1, 2)
    first.notes = "rewritten"
    with pytest.raises(ImmutableRecordError):
        first.save()
    with pytest.raises(ImmutableRecordError):
        Rating.objects.filter(assessment=first).update(level=5)
    with pytest.raises(ImmutableRecordError):
        second.delete()
    assert Assessment.objects.get(pk=first.pk).notes == ""


def test_the_previous_assessment_is_the_one_before_in_the_same_scope(
    kcc: Organisation, make_user: MakeUser, dgs: Area
) -> None:
    user = make_user("director", "director-asc")
    older = _record(user, kcc, date(2025, 10, 1), 1)
    dgs_one = _record(user, kcc, date(2025, 12, 1), 4, area=dgs)
    # Recorded later for an earlier day: it comes before 'older' in time.
    backfilled = _record(user, kcc, date(2025, 9, 1), 2)
    newest = _record(user, kcc, date(2026, 1, 5), 3)
    assert previous_of(newest) == older
    assert previous_of(older) == backfilled
    assert previous_of(backfilled) is None
    assert previous_of(dgs_one) is None  # an area's assessments compare among themselves
    results = results_for(HICM.framework, newest)
    flow = results.groups[1]
    assert (flow.change.before, flow.change.now, flow.change.delta) == (1.0, 3.0, 2.0)
    assert results.better == 1


def test_bad_ratings_save_nothing(kcc: Organisation, make_user: MakeUser) -> None:
    user = make_user("director", "director-asc")
    given = AssessmentInput(
        None, date(2026, 1, 5), "Group", "",
        {"bottlenecks": Given(6, "x"), "unknown": Given(2, "y"), "daily-mdt": Given(2, "")},
    )  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        record_assessment(user, kcc, HICM, given, NOW)
    assert caught.value.message_dict == {
        "level-unknown": ["not a criterion of hicm-2015; fix: use the framework's criterion ids"],
        "level-bottlenecks": ["level 6 is not on the scale; fix: use 1 to 5"],
        "evidence-daily-mdt": ["Give the evidence for this level (what shows it)"],
    }
    assert (Assessment.objects.count(), Rating.objects.count()) == (0, 0)


def test_action_status_changes_are_audited(kcc: Organisation, make_user: MakeUser) -> None:
    user = make_user("director", "director-asc")
    _, action = record_example(kcc, user, NOW)
    mark = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    set_action_status(user, action, "done", NOW)
    entry = AuditEntry.objects.get(pk__gt=mark, model="improve.improvementaction")
    assert (entry.action, entry.before, entry.after) == (
        "changed",
        {"status": "open", "status_changed_by": None, "status_changed_at": None},
        {
            "status": "done",
            "status_changed_by": user.pk,
            "status_changed_at": "2026-01-05T11:30:00Z",
        },
    )
    with pytest.raises(ValidationError):
        set_action_status(user, action, "cancelled", NOW)
    viewer = make_user("viewer", "viewer")
    with pytest.raises(PermissionDenied):
        set_action_status(viewer, action, "open", NOW)
    assert ImprovementAction.objects.get().status == "done"


def test_my_open_actions_come_overdue_first_and_only_mine(
    kcc: Organisation, make_user: MakeUser
) -> None:
    me, other = make_user("me", "director-asc"), make_user("other", "stp-service-manager")

    def plan(owner: User, due: date, text: str) -> ImprovementAction:
        given = ActionInput("focus-on-choice", None, "Now", text, due, "Measured", owner)
        return plan_action(me, kcc, HICM, given, None, NOW)

    later = plan(me, date(2026, 2, 1), "Later")
    overdue = plan(me, date(2025, 12, 24), "Overdue")
    plan(other, date(2025, 12, 1), "Someone else's")
    set_action_status(me, plan(me, date(2025, 11, 1), "Done already"), "done", NOW)
    found = open_actions_for(me, date(2026, 1, 5))
    assert [(m.action, m.overdue) for m in found] == [(overdue, True), (later, False)]
    assert found[0].group_title == "Focus on choice"
    assert found[0].framework_name == "High Impact Change Model"


def test_an_owner_must_hold_a_role_in_the_organisation(
    kcc: Organisation, make_user: MakeUser
) -> None:
    me, stranger = make_user("me", "director-asc"), make_user("stranger")
    given = ActionInput("focus-on-choice", None, "Now", "Do", date(2026, 2, 1), "Done", stranger)
    with pytest.raises(ValidationError) as caught:
        plan_action(me, kcc, HICM, given, None, NOW)
    assert caught.value.message_dict == {
        "owner": [f"Choose an owner who holds a role in {kcc.name}"]
    }


def test_the_admin_lists_assessments_and_actions_but_changes_neither(
    kcc: Organisation, make_user: MakeUser
) -> None:
    assessment, action = record_example(kcc, make_user("director", "director-asc"), NOW)
    client = Client()
    client.force_login(User.objects.create_superuser("admin", password="x"))
    listing = client.get(reverse("admin:improve_assessment_changelist"))
    assert listing.status_code == 200 and "hicm-2015" in listing.content.decode()
    url = reverse("admin:improve_improvementaction_change", args=[action.pk])
    assert client.post(url, {"status": "done"}).status_code == 403
    delete = reverse("admin:improve_assessment_delete", args=[assessment.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ImprovementAction.objects.get().status == "open"
    assert Assessment.objects.count() == 1
