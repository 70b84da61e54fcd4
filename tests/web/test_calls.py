"""Multi-agency calls held from the system (seed 000, section 5.1).

The calls anticipate and mitigate risk and agree local actions: the agenda is
generated from the levels, changes and overdue actions on record; the chair
records attendance and an action per partner with an owner and a due time;
each owner is told, then asked at the due time whether it is done; the answer
is recorded and never overwritten. Kent suggests the highest level reached by
at least two indicators, so a DGS staffing of 45% with a caseload of 70 puts
KCC at OPEL 3 (as in test_action_cards).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from surgewatch.web.accounts.models import User
from surgewatch.web.actions.models import ActionCard, LevelChange
from surgewatch.web.actions.services import refresh_level
from surgewatch.web.calls import agenda, export
from surgewatch.web.calls.models import (
    ActionStatus,
    Call,
    CallAction,
    CallActionAnswer,
    CallAttendee,
)
from surgewatch.web.calls.services import (
    AgreedAction,
    Attendance,
    answer_action,
    ask_due_owners,
    record_call,
)
from surgewatch.web.calls.tasks import ask_call_action_owners
from surgewatch.web.decisions.models import ImmutableRecordError
from surgewatch.web.notify.models import Message
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.packs import pack_of
from surgewatch.web.reporting.services import submit_readings

MakeUser = Callable[..., User]
# Monday 5 January 2026: GMT, so UK wall-clock reads as UTC.
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
NOON = T0 + 3 * HOUR
RECORDED = NOON + timedelta(minutes=5)
RED: dict[str, float] = {"stp_staffing_pct": 45, "health_caseload": 70}
# An OPEL 2 action inherited at OPEL 3, due 2 hours after the change: overdue by noon.
INFORM_REFERRER = "keah-2-inform-referrer"


@pytest.fixture
def red(dgs_member: User, dgs: Area, kcc: Organisation) -> LevelChange:
    submit_readings(dgs_member, dgs, RED, T0, now=T0)
    change = refresh_level(kcc, T0)
    assert change is not None and change.to_level == 3
    return change


def _person(make_user: MakeUser, username: str, role: str) -> User:
    user = make_user(username, role)
    user.email = f"{username}@example.org"
    user.save()
    return user


@pytest.fixture
def keah(make_user: MakeUser) -> User:
    return _person(make_user, "keah-organiser", "keah-locality-organiser")


@pytest.fixture
def arranging(make_user: MakeUser) -> User:
    return _person(make_user, "arranging", "arranging-support-team")


def _hold(recorder: User, kcc: Organisation, keah: User, arranging: User, **changes: Any) -> Call:
    """A whole-system call at noon, chaired by whoever records it unless ``chair`` is given."""
    values: dict[str, Any] = {
        "call_id": "whole-system",
        "held_at": NOON,
        "chair": recorder,
        "attendees": [
            Attendance("Short-Term Pathway Team Manager", "Dee Gee", True),
            Attendance("PASC Connect Operations Manager", "", False),
            Attendance("East Kent Hospitals", "=HYPERLINK(evil)", True),
        ],
        "actions": [
            AgreedAction("Kent Enablement at Home", "Find 3 packages in DGS", keah, NOON + HOUR),
            AgreedAction("Arranging Support", "Chase 2 placements", arranging, NOON + 2 * HOUR),
        ],
        "now": RECORDED,
        "notes": "Two partners short of staff",
    }
    return record_call(recorder, kcc, **{**values, **changes})


@pytest.fixture
def held(
    red: LevelChange, dgs_member: User, kcc: Organisation, keah: User, arranging: User
) -> Call:
    return _hold(dgs_member, kcc, keah, arranging)


def _action(call: Call, position: int) -> CallAction:
    return call.actions.get(position=position)


def test_the_agenda_lists_the_levels_the_change_and_the_overdue_action(
    red: LevelChange, kcc: Organisation
) -> None:
    pack = pack_of(kcc.framework)
    taken = agenda.read(agenda.generate(kcc, pack, pack.calls[0], NOON))
    assert (taken.acting_level, taken.suggested_level, taken.declared) == (3, 3, None)
    levels = {i.indicator: i.level for i in taken.indicators}
    assert (levels["stp_staffing_pct"], levels["health_caseload"], levels["referrals"]) == (
        3,
        3,
        None,
    )
    assert (taken.system_aggregate, taken.system_enacted) == (3, 3)
    # No earlier whole-system call: the last 24 hours.
    assert (taken.since, taken.previous_call) == (NOON - 24 * HOUR, None)
    assert [
        (c.at, c.from_level, c.to_level, c.area) for c in taken.level_changes if not c.area
    ] == [(T0, None, 3, None)]
    # Overdue first, by deadline: inform the referrer (11:00), then SHREWD by 10:30 (its
    # next deadline, tomorrow's, is added by the clocks once today's has come).
    overdue = {ActionCard.objects.get(pk=a.card).action_id: a for a in taken.overdue_actions}
    assert set(overdue) == {INFORM_REFERRER, "dc-3-shrewd-morning"}
    referrer = overdue[INFORM_REFERRER]
    assert (referrer.role, referrer.level, referrer.next_due) == (
        "Kent Enablement at Home Locality Organisers",
        2,
        T0 + 2 * HOUR,
    )
    assert [a.overdue for a in taken.actions[:2]] == [True, True]
    assert not any(a.overdue for a in taken.actions[2:])
    assert len(taken.actions) == ActionCard.objects.active().count()


def test_a_call_keeps_its_agenda_attendance_and_actions(
    held: Call, dgs_member: User, keah: User, arranging: User
) -> None:
    assert (held.call_id, held.call_name, held.level) == (
        "whole-system",
        "Whole System Escalation Teleconference",
        3,
    )
    assert (held.chair, held.recorded_by, held.recorded_at) == (dgs_member, dgs_member, RECORDED)
    assert [(a.partner, a.person, a.present) for a in held.attendees.all()] == [
        ("Short-Term Pathway Team Manager", "Dee Gee", True),
        ("PASC Connect Operations Manager", "", False),
        ("East Kent Hospitals", "=HYPERLINK(evil)", True),
    ]
    actions = list(held.actions.order_by("position"))
    assert [(a.partner, a.owner, a.owner_role, a.due_at, a.status) for a in actions] == [
        ("Kent Enablement at Home", keah, "keah-locality-organiser", NOON + HOUR, "open"),
        ("Arranging Support", arranging, "arranging-support-team", NOON + 2 * HOUR, "open"),
    ]
    taken = agenda.read(held.agenda)
    assert taken.generated_at == RECORDED
    assert INFORM_REFERRER in {
        ActionCard.objects.get(pk=a.card).action_id for a in taken.overdue_actions
    }


def test_the_next_agenda_reports_since_the_previous_call_and_carries_overdue_call_actions(
    held: Call, kcc: Organisation
) -> None:
    pack = pack_of(kcc.framework)
    at = NOON + 90 * timedelta(minutes=1)  # the KEaH action (due 13:00) is overdue
    taken = agenda.read(agenda.generate(kcc, pack, pack.calls[0], at))
    assert (taken.since, taken.previous_call) == (NOON, held.pk)
    assert taken.level_changes == ()  # the change at 09:00 was before the previous call
    keah_action = _action(held, 1)
    assert [(a.id, a.call, a.text, a.status) for a in taken.call_actions] == [
        (keah_action.pk, held.pk, "Find 3 packages in DGS", "Open")
    ]
    # The LHE call has its own previous call: none yet, so the last 24 hours.
    lhe = agenda.read(agenda.generate(kcc, pack, pack.calls[1], at))
    assert lhe.previous_call is None


def test_a_saved_call_tells_each_owner_once(
    held: Call, keah: User, arranging: User, kcc: Organisation
) -> None:
    for position, owner in ((1, keah), (2, arranging)):
        action = _action(held, position)
        sent = Message.objects.filter(event_key=f"call-action:{action.pk}:assigned")
        assert [(m.recipient, m.target, m.link) for m in sent] == [
            (owner, owner.email, f"/calls/actions/{action.pk}/answer/")
        ]
        assert action.text in sent.get().subject
    assert Message.objects.filter(event_key__startswith="call-action:").count() == 2


def test_the_worker_asks_at_the_due_time_once_even_when_run_twice(
    held: Call, keah: User, arranging: User
) -> None:
    keah_action = _action(held, 1)
    with time_machine.travel(NOON + HOUR - timedelta(seconds=1), tick=False):
        ask_call_action_owners.call_local()
    assert not Message.objects.filter(event_key__endswith=":asked").exists()
    with time_machine.travel(NOON + HOUR, tick=False):
        ask_call_action_owners.call_local()
        ask_call_action_owners.call_local()
    asked = Message.objects.filter(event_key__endswith=":asked")
    assert [(m.recipient, m.event_key) for m in asked] == [
        (keah, f"call-action:{keah_action.pk}:asked")
    ]
    assert asked.get().subject == "Is it done? Find 3 packages in DGS"
    keah_action.refresh_from_db()
    assert keah_action.asked_at == NOON + HOUR
    assert ask_due_owners(NOON + 2 * HOUR) == 1  # the second action, now due
    assert ask_due_owners(NOON + 3 * HOUR) == 0


def test_an_action_answered_before_it_is_due_is_not_asked(held: Call, keah: User) -> None:
    answer_action(keah, _action(held, 1), done=True, note="", now=NOON + 30 * timedelta(minutes=1))
    assert ask_due_owners(NOON + HOUR) == 0


def test_an_answer_records_and_the_latest_sets_the_status(held: Call, keah: User) -> None:
    action = _action(held, 1)
    first = answer_action(keah, action, done=False, note="Only 2 found", now=NOON + HOUR)
    action.refresh_from_db()
    assert action.status == ActionStatus.NOT_DONE
    answer_action(keah, action, done=True, note="Third one found", now=NOON + 2 * HOUR)
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    answers = list(action.answers.values_list("by__username", "done", "note"))
    assert answers == [
        ("keah-organiser", False, "Only 2 found"),
        ("keah-organiser", True, "Third one found"),
    ]
    first.refresh_from_db()
    assert (first.done, first.note, first.at) == (False, "Only 2 found", NOON + HOUR)


def test_not_done_needs_a_note(held: Call, keah: User) -> None:
    with pytest.raises(ValidationError) as refused:
        answer_action(keah, _action(held, 1), done=False, note="  ", now=NOON + HOUR)
    assert list(refused.value.message_dict) == ["note"]
    assert CallActionAnswer.objects.count() == 0


def test_only_the_owner_the_chair_a_declarer_or_a_superuser_answer(
    held: Call, arranging: User, swale_member: User, dgs_member: User, make_user: MakeUser
) -> None:
    action = _action(held, 1)  # owned by the KEaH organiser
    for stranger in (arranging, swale_member):
        with pytest.raises(PermissionDenied):
            answer_action(stranger, action, done=True, note="", now=NOON + HOUR)
    assert CallActionAnswer.objects.count() == 0
    declarer = make_user("service-manager", "stp-service-manager")
    admin = User.objects.create_superuser("admin", password="not-used")
    for n, person in enumerate((dgs_member, declarer, admin), start=1):  # the chair first
        answer_action(person, action, done=True, note="", now=NOON + n * HOUR)
    assert CallActionAnswer.objects.count() == 3


def test_records_are_never_changed_or_deleted(held: Call) -> None:
    action = _action(held, 1)
    with pytest.raises(ImmutableRecordError):
        held.save()
    with pytest.raises(ImmutableRecordError):
        Call.objects.filter(pk=held.pk).update(notes="rewritten")
    with pytest.raises(ImmutableRecordError):
        CallAction.objects.filter(pk=action.pk).update(text="rewritten")
    with pytest.raises(ImmutableRecordError):
        action.save()
    with pytest.raises(ImmutableRecordError):
        CallAttendee.objects.filter(call=held).delete()
    with pytest.raises(ImmutableRecordError):
        CallAction.objects.filter(pk=action.pk).delete()


def test_a_call_with_any_problem_saves_nothing_and_names_each(
    red: LevelChange,
    dgs_member: User,
    kcc: Organisation,
    keah: User,
    arranging: User,
    make_user: MakeUser,
) -> None:
    outsider = User.objects.create_user("nobody", password="not-used")
    with pytest.raises(ValidationError) as refused:
        _hold(
            dgs_member,
            kcc,
            keah,
            arranging,
            held_at=RECORDED + HOUR,
            attendees=[Attendance("", "Someone", None), Attendance("ICB", "Ann", True)],
            actions=[
                AgreedAction("", "", None, None, row=1),
                AgreedAction("ICB", "Open 5 beds", outsider, NOON, row=3),
            ],
        )
    assert set(refused.value.message_dict) == {
        "held_at",
        "attendee_1_partner",
        "attendee_1_present",
        "action_1_partner",
        "action_1_text",
        "action_1_owner",
        "action_1_due_at",
        "action_3_owner",
        "action_3_due_at",
    }
    assert "holds no role here" in refused.value.message_dict["action_3_owner"][0]
    counts = [m.objects.count() for m in (Call, CallAttendee, CallAction)]
    assert counts == [0, 0, 0]
    assert not Message.objects.filter(event_key__startswith="call-action:").exists()


def test_an_unknown_call_and_a_viewer_are_refused(
    red: LevelChange, dgs_member: User, kcc: Organisation, keah: User, arranging: User,
    make_user: MakeUser,
) -> None:  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        _hold(dgs_member, kcc, keah, arranging, call_id="weekly-tea")
    assert "use whole-system, lhe" in refused.value.message_dict["call_id"][0]
    viewer = make_user("viewer", "viewer")
    with pytest.raises(PermissionDenied):
        _hold(viewer, kcc, keah, arranging, chair=dgs_member)
    assert Call.objects.count() == 0


def test_nobody_present_is_refused(
    red: LevelChange, dgs_member: User, kcc: Organisation, keah: User, arranging: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        _hold(dgs_member, kcc, keah, arranging, attendees=[Attendance("ICB", "", False)])
    assert list(refused.value.message_dict) == ["attendee_1_present"]


def _sections(text: str) -> dict[str, list[dict[str, str]]]:
    """The CSV's blocks by section name, each row as a dict of its block's header."""
    found: dict[str, list[dict[str, str]]] = {}
    for block in text.strip().split("\n\n"):
        rows = list(csv.reader(io.StringIO(block)))
        header = rows[0]
        for row in rows[1:]:
            found.setdefault(row[0], []).append(dict(zip(header, row, strict=True)))
    return found


def test_the_call_csv_has_every_section_with_the_actions_and_answers(
    held: Call, keah: User
) -> None:
    action = _action(held, 1)
    answer_action(keah, action, done=False, note="=cmd|' /C calc'!A0", now=NOON + HOUR)
    sections = _sections(export.call_csv(Call.objects.get(pk=held.pk)))
    assert list(sections) == [
        "call",
        "agenda",
        "indicators",
        "level_changes",
        "open_actions",
        "attendance",
        "actions",
        "answers",
    ]  # overdue_call_actions has a header but no rows: none were owed yet
    about = {r["item"]: r["value"] for r in sections["call"]}
    assert (about["Call"], about["Held at"], about["Acting level"]) == (
        "Whole System Escalation Teleconference",
        "2026-01-05T12:00+00:00",
        "3",
    )
    assert [(r["partner"], r["present"]) for r in sections["attendance"]] == [
        ("Short-Term Pathway Team Manager", "yes"),
        ("PASC Connect Operations Manager", "no"),
        ("East Kent Hospitals", "yes"),
    ]
    assert sections["attendance"][2]["person"] == "'=HYPERLINK(evil)"  # never run as a formula
    assert [(r["text"], r["owner"], r["status"]) for r in sections["actions"]] == [
        ("Find 3 packages in DGS", "keah-organiser", "Not done"),
        ("Chase 2 placements", "arranging", "Open"),
    ]
    assert sections["answers"] == [
        {
            "section": "answers",
            "call": str(held.pk),
            "action": str(action.pk),
            "at": "2026-01-05T13:00+00:00",
            "by": "keah-organiser",
            "done": "no",
            "note": "'=cmd|' /C calc'!A0",
        }
    ]
    overdue = {r["card"] for r in sections["open_actions"] if r["overdue"] == "yes"}
    assert str(ActionCard.objects.get(action_id=INFORM_REFERRER).pk) in overdue


def test_the_calls_csv_lists_every_call_with_its_actions_and_answers(
    held: Call, kcc: Organisation, dgs_member: User, keah: User, arranging: User
) -> None:
    rota = AgreedAction("KEaH", "Staff the DGS rota", keah, NOON + 5 * HOUR)
    later = _hold(
        dgs_member, kcc, keah, arranging, call_id="lhe", held_at=NOON + HOUR, now=NOON + HOUR,
        actions=[rota],
    )  # fmt: skip
    answer_action(keah, _action(held, 1), done=True, note="All 3", now=NOON + 2 * HOUR)
    sections = _sections(export.calls_csv(kcc))
    assert [(r["call"], r["name"], r["present"], r["actions"]) for r in sections["calls"]] == [
        (str(later.pk), "Local Health Economy Teleconference", "2", "1"),
        (str(held.pk), "Whole System Escalation Teleconference", "2", "2"),
    ]
    assert [(r["call"], r["text"], r["status"]) for r in sections["actions"]] == [
        (str(held.pk), "Find 3 packages in DGS", "Done"),
        (str(held.pk), "Chase 2 placements", "Open"),
        (str(later.pk), "Staff the DGS rota", "Open"),
    ]
    assert [(r["action"], r["done"], r["note"]) for r in sections["answers"]] == [
        (str(_action(held, 1).pk), "yes", "All 3")
    ]
