"""Meetings of the KCC Operational Pressures Escalation Group (seed 000, section 5.2).

The group is 'chaired by a Director of Adult Social Care', includes the roles
the pack lists, considers the position, actions and support required, and
'the KCC OPEL status on SHREWD may be escalated based the Group's assessment'.
Records are never changed; a correction is a new record.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from surgewatch.web.accounts.models import User
from surgewatch.web.decisions.models import (
    ImmutableRecordError,
    Meeting,
    MeetingAction,
    MeetingAttendee,
)
from surgewatch.web.decisions.selectors import meetings_since
from surgewatch.web.decisions.services import AgreedAction, Attendee, record_meeting
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack
from surgewatch.web.reporting.services import submit_readings

MakeUser = Callable[..., User]
# January: GMT, so UK wall-clock reads as UTC.
NINE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
TEN = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
NOON = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
CHAIR_ROLE = "Director of Adult Social Care (Short Term Support)"


@pytest.fixture
def director(make_user: MakeUser) -> User:
    return make_user("director", "director-asc")


def _meet(user: User, organisation: Organisation, **changes: Any) -> Meeting:
    values: dict[str, Any] = {
        "group_id": "kcc-ope-group",
        "convened_at": NINE,
        "convened_by": "Kim Lowe (PASC Connect Operations Manager)",
        "chair": "Alex Reed",
        "chair_role": CHAIR_ROLE,
        "attendees": [
            Attendee("Sam Patel", "Short-Term Pathway Service Manager"),
            Attendee("Ria Shah", "Head of Kent Enablement at Home"),
        ],
        "actions": [
            AgreedAction("Ask Medway for 4 D2A beds", "Commissioning Manager", NOON),
            AgreedAction("Move 3 KEaH staff to DGS", "Ria Shah", NOON + timedelta(hours=4)),
        ],
        "agreed_level": 3,
        "agreed_level_reason": "Caseload and staffing both at OPEL 3 in DGS",
        "position": "DGS caseload 65, staffing 45%",
        "support_required": "Two providers to take weekend packages",
        "now": TEN,
    }
    return record_meeting(user, organisation, **{**values, **changes})


def test_a_meeting_keeps_the_group_people_actions_and_agreed_status(
    director: User, dgs_member: User, dgs: Area, kcc: Organisation
) -> None:
    submit_readings(
        dgs_member, dgs, {"stp_staffing_pct": 45, "health_caseload": 65}, NINE, now=NINE
    )
    meeting = _meet(director, kcc)
    assert (meeting.group_id, meeting.group_name) == (
        "kcc-ope-group",
        "KCC Operational Pressures Escalation Group",
    )
    assert (meeting.convened_at, meeting.chair, meeting.chair_role) == (
        NINE,
        "Alex Reed",
        CHAIR_ROLE,
    )
    assert [(a.position, a.name, a.role) for a in meeting.attendees.all()] == [
        (1, "Sam Patel", "Short-Term Pathway Service Manager"),
        (2, "Ria Shah", "Head of Kent Enablement at Home"),
    ]
    assert [(a.text, a.owner, a.due_at) for a in meeting.actions.all()] == [
        ("Ask Medway for 4 D2A beds", "Commissioning Manager", NOON),
        ("Move 3 KEaH staff to DGS", "Ria Shah", NOON + timedelta(hours=4)),
    ]
    assert (meeting.agreed_level, meeting.snapshot_level, meeting.snapshot["suggested_level"]) == (
        3,
        3,
        3,
    )
    assert (meeting.recorded_by, meeting.recorded_at, meeting.framework) == (
        director,
        TEN,
        kcc.framework,
    )


def test_no_status_change_needs_no_reason(director: User, kcc: Organisation) -> None:
    meeting = _meet(director, kcc, agreed_level=None, agreed_level_reason="")
    assert (meeting.agreed_level, meeting.agreed_level_reason) == (None, "")


def test_every_problem_is_named_by_row_and_nothing_is_saved(
    director: User, kcc: Organisation
) -> None:
    with pytest.raises(ValidationError) as caught:
        _meet(
            director,
            kcc,
            group_id="gold-command",
            chair=" ",
            attendees=[Attendee("Sam Patel", "", row=1), Attendee("", "Head of KEaH", row=3)],
            actions=[
                AgreedAction("Call Medway", "", NOON, row=1),
                AgreedAction("Too early", "Ria", NINE - timedelta(minutes=1), row=2),
                AgreedAction("", "Ria", None, row=4),
            ],
            agreed_level=5,
        )
    assert caught.value.message_dict == {
        "group_id": [
            "'gold-command' is not a group of Kent County Council Adult Social Care and Health; "
            "fix: choose one of kcc-ope-group"
        ],
        "chair": ["the chair is empty; fix: name who chaired the meeting"],
        "attendee_1_role": ["attendee 1 has no role; fix: choose the role or type it"],
        "attendee_3_name": ["attendee 3 has no name; fix: give the name"],
        "action_1_owner": ["action 1 has no owner; fix: name who owns it"],
        "action_2_due_at": [
            "action 2 is due (Mon 05 Jan 2026 08:59 GMT) before the group convened "
            "(Mon 05 Jan 2026 09:00 GMT); fix: give a due time after the meeting"
        ],
        "action_4_text": ["action 4 is empty; fix: say what is to be done"],
        "action_4_due_at": ["action 4 has no due time; fix: give one"],
        "agreed_level": ["OPEL 5 is not a level; fix: choose 1, 2, 3, 4 or none"],
    }
    assert (Meeting.objects.count(), MeetingAttendee.objects.count()) == (0, 0)
    assert MeetingAction.objects.count() == 0


def test_a_status_change_needs_its_reason_and_a_meeting_someone_attended(
    director: User, kcc: Organisation
) -> None:
    with pytest.raises(ValidationError) as caught:
        _meet(director, kcc, attendees=[], agreed_level=4, agreed_level_reason="")
    assert caught.value.message_dict == {
        "attendee_1_name": ["no one attended; fix: name at least one attendee"],
        "agreed_level_reason": [
            "the change to OPEL 4 has no reason; fix: say why the group agreed it"
        ],
    }


def test_a_meeting_and_its_rows_are_never_changed(director: User, kcc: Organisation) -> None:
    meeting = _meet(director, kcc)
    meeting.chair = "Someone else"
    attendee = meeting.attendees.all()[0]
    attendee.name = "Someone else"
    for attempt in (
        meeting.save,
        attendee.save,
        meeting.delete,
        lambda: MeetingAction.objects.all().update(owner="nobody"),
        lambda: MeetingAttendee.objects.all().delete(),
    ):
        with pytest.raises(ImmutableRecordError):
            attempt()
    assert Meeting.objects.get().chair == "Alex Reed"
    assert MeetingAttendee.objects.get(position=1).name == "Sam Patel"


def test_a_correction_is_a_new_record_with_its_own_rows(director: User, kcc: Organisation) -> None:
    original = _meet(director, kcc)
    correction = _meet(
        director,
        kcc,
        attendees=[*original_attendees(original), Attendee("Lee Ford", "Commissioning Manager")],
        corrects=original,
        correction_reason="Lee Ford attended too",
        now=NOON,
    )
    assert original.attendees.count() == 2
    assert correction.attendees.count() == 3
    assert (correction.corrects, Meeting.objects.get(pk=original.pk).corrected_by) == (
        original,
        correction,
    )
    assert correction.snapshot == original.snapshot
    with pytest.raises(ValidationError) as caught:
        _meet(director, kcc, corrects=original, correction_reason="again")
    assert list(caught.value.message_dict) == ["corrects"]


def original_attendees(meeting: Meeting) -> list[Attendee]:
    return [Attendee(a.name, a.role) for a in meeting.attendees.all()]


def test_meetings_since_is_judged_by_when_they_were_recorded(
    director: User, kcc: Organisation
) -> None:
    early = _meet(director, kcc, now=NINE)
    late = _meet(director, kcc, convened_at=NINE - timedelta(hours=1), now=NOON)
    assert list(meetings_since(kcc, TEN)) == [late]
    assert list(meetings_since(kcc, NINE)) == [late, early]


# --- pages -----------------------------------------------------------------------------


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(**changes: str) -> dict[str, str]:
    data = {
        "group_id": "kcc-ope-group",
        "convened_at": "2026-01-05T09:00",
        "convened_by": "Kim Lowe",
        "chair": "Alex Reed",
        "chair_role": CHAIR_ROLE,
        "attendee_1_name": "Sam Patel",
        "attendee_1_role": "Short-Term Pathway Service Manager",
        "attendee_2_name": "",
        "attendee_2_role": "Assistant Director",
        "position": "",
        "support_required": "",
        "action_1_text": "Ask Medway for 4 D2A beds",
        "action_1_owner": "",  # a person's id: the tests choose one
        "action_1_due_at": "2026-01-05T12:00",
        "action_2_text": "",
        "action_2_owner": "",
        "action_2_due_at": "",
        "agreed_level": "3",
        "agreed_level_reason": "Both DGS indicators at OPEL 3",
    }
    return {**data, **changes}


def test_the_form_offers_the_groups_member_roles(director: User, kcc: Organisation) -> None:
    with time_machine.travel(NINE, tick=False):
        html = _client(director).get(reverse("meeting-new", args=["kcc-asch"])).content.decode()
    assert f'name="chair_role" type="text" value="{CHAIR_ROLE}"' in html
    for row, role in enumerate(
        [
            "Assistant Director",
            "Short-Term Pathway Service Manager",
            "Head of Kent Enablement at Home",
            "Access to Resources Manager",
            "Commissioning Manager",
        ],
        start=1,
    ):
        assert (
            f'id="id_attendee_{row}_role" name="attendee_{row}_role" type="text" value="{role}"'
            in html
        )
        assert f'<option value="{role}"></option>' in html
    assert '<label class="nhsuk-label" for="id_attendee_9_name">Attendee 9 name</label>' in html
    assert 'id="id_action_5_due_at"' in html
    assert 'value="2026-01-05T09:00"' in html


def test_recording_a_meeting_from_the_page(director: User, kcc: Organisation) -> None:
    with time_machine.travel(TEN, tick=False):
        response = _client(director).post(
            reverse("meeting-new", args=["kcc-asch"]), _post(action_1_owner=str(director.pk))
        )
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("meeting", args=["kcc-asch", meeting.pk])
    # The role row with no name (Assistant Director) was not attended.
    assert [(a.name, a.role) for a in meeting.attendees.all()] == [
        ("Sam Patel", "Short-Term Pathway Service Manager")
    ]
    assert [(a.text, a.due_at) for a in meeting.actions.all()] == [
        ("Ask Medway for 4 D2A beds", NOON)
    ]
    assert (meeting.agreed_level, meeting.recorded_at) == (3, TEN)
    html = _client(director).get(response["Location"]).content.decode()
    for text in (
        "Sam Patel (Short-Term Pathway Service Manager)",
        "Mon 05 Jan 2026 12:00 GMT",
        "OPEL 3",
    ):
        assert text in html


def test_a_page_with_problems_saves_nothing_and_names_the_row(
    director: User, kcc: Organisation
) -> None:
    response = _client(director).post(
        reverse("meeting-new", args=["kcc-asch"]),
        _post(action_2_text="Phone providers", agreed_level="4", agreed_level_reason=""),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_action_2_owner">Action 2: owner: action 2 has no owner' in html
    assert 'href="#id_action_2_due_at">Action 2: due (UK time): action 2 has no due time' in html
    assert 'href="#id_agreed_level_reason">Why the group agreed this status change:' in html
    # The rows posted come back as they were typed.
    assert 'value="Phone providers"' in html
    assert Meeting.objects.count() == 0


def test_correcting_a_meeting_from_the_page(director: User, kcc: Organisation) -> None:
    original = _meet(director, kcc)
    client = _client(director)
    url = reverse("meeting-correct", args=["kcc-asch", original.pk])
    html = client.get(url).content.decode()
    assert 'name="attendee_2_name" type="text" value="Ria Shah"' in html
    assert 'name="action_2_due_at" type="datetime-local" value="2026-01-05T16:00"' in html
    assert 'id="id_agreed_level_3" name="agreed_level" type="radio" value="3" checked' in html
    response = client.post(
        url,
        _post(
            action_1_owner=str(director.pk),
            correction_reason="The first record had the wrong actions",
        ),
    )
    correction = Meeting.objects.get(corrects=original)
    assert response["Location"] == reverse("meeting", args=["kcc-asch", correction.pk])
    page = client.get(reverse("meeting", args=["kcc-asch", original.pk])).content.decode()
    assert "This record was corrected" in page
    assert "Ria Shah (Head of Kent Enablement at Home)" in page
    listing = client.get(reverse("meetings", args=["kcc-asch"])).content.decode()
    assert f"Corrected by meeting {correction.pk}</a>" in listing
    assert f"Corrects meeting {original.pk}</a>" in listing


def test_a_plan_without_a_group_has_no_meeting_to_record(kcc: Organisation) -> None:
    install_pack("example-acute-trust")
    trust = organisation_by_slug("example-acute")
    manager = User.objects.create_user("site-manager", password="x")
    add_membership(manager, trust, "site-manager")
    html = _client(manager).get(reverse("meeting-new", args=["example-acute"])).content.decode()
    assert "defines no escalation group, so there is no meeting to record" in html
    assert '<form method="post"' not in html
