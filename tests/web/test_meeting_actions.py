"""Actions agreed at the escalation group become cards for their owners.

Seed 000, section 5.2: the KCC Operational Pressures Escalation Group considers
'actions required to alleviate pressure'; issue 4: each has an owner and a due
time. An action owned by a person holding a role here goes to their My actions
with its deadline on the clocks (a reminder when missed, then the role above),
and the owner acknowledges it and marks it done. The meeting stays immutable.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from surgewatch.web.accounts.models import User
from surgewatch.web.actions import services
from surgewatch.web.actions.clocks import run_clocks
from surgewatch.web.actions.models import ActionCard, CardEventKind, CardSource, CardStatus
from surgewatch.web.actions.selectors import my_cards
from surgewatch.web.decisions.models import Meeting, MeetingAction
from surgewatch.web.decisions.services import AgreedAction, Attendee, record_meeting
from surgewatch.web.notify.models import Message
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.reporting.services import submit_readings

MakeUser = Callable[..., User]
NINE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # Monday, GMT
TEN = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
NOON = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def director(make_user: MakeUser) -> User:
    return make_user("director", "director-asc")


@pytest.fixture
def head(make_user: MakeUser) -> User:
    user = make_user("ria", "head-of-keah")
    user.first_name, user.last_name, user.email = "Ria", "Shah", "ria@example.org"
    user.save()
    return user


def _meet(
    user: User, organisation: Organisation, actions: list[AgreedAction], **more: Any
) -> Meeting:
    values: dict[str, Any] = {
        "group_id": "kcc-ope-group",
        "convened_at": NINE,
        "convened_by": "Kim Lowe",
        "chair": "Alex Reed",
        "chair_role": "Director of Adult Social Care (Short Term Support)",
        "attendees": [Attendee("Ria Shah", "Head of Kent Enablement at Home")],
        "actions": actions,
        "agreed_level": None,
        "agreed_level_reason": "",
        "now": TEN,
    }
    return record_meeting(user, organisation, **{**values, **more})


def _move_staff(owner: User | None, due: datetime = NOON, text: str = "") -> AgreedAction:
    words = text or "Move 3 KEaH staff to DGS for the week"
    return AgreedAction(words, "", due, owner_user=owner)


def test_an_action_with_a_person_becomes_their_card_due_then(
    director: User, head: User, dgs_member: User, dgs: Area, kcc: Organisation
) -> None:
    submit_readings(
        dgs_member, dgs, {"stp_staffing_pct": 45, "health_caseload": 70}, NINE, now=NINE
    )
    meeting = _meet(director, kcc, [_move_staff(head)])
    row = MeetingAction.objects.get(meeting=meeting)
    card = row.card
    assert card is not None
    assert (row.owner, row.owner_user) == ("Ria Shah", head)
    assert (card.source, card.assignee, card.role, card.status) == (
        CardSource.MEETING, head, "head-of-keah", CardStatus.OPEN,
    )  # fmt: skip
    assert card.text == "Move 3 KEaH staff to DGS for the week"
    assert card.level == 3  # the level standing when the group met
    assert [d.due_at for d in card.deadlines.all()] == [NOON]
    assert card in my_cards(head)
    told = Message.objects.get(recipient=head, event_key=f"card:{card.pk}:opened")
    assert told.subject == (
        "Action agreed at KCC Operational Pressures Escalation Group: "
        "Move 3 KEaH staff to DGS for the week"
    )


def test_an_owner_named_only_in_words_is_recorded_without_a_card(
    director: User, kcc: Organisation
) -> None:
    meeting = _meet(director, kcc, [AgreedAction("Ask Medway for beds", "Commissioning", NOON)])
    row = meeting.actions.get()
    assert (row.owner, row.card) == ("Commissioning", None)
    assert ActionCard.objects.count() == 0


def test_an_owner_holding_no_role_here_is_refused_and_nothing_is_saved(
    director: User, kcc: Organisation
) -> None:
    stranger = User.objects.create_user("stranger")
    with pytest.raises(ValidationError) as caught:
        _meet(director, kcc, [_move_staff(stranger)])
    assert caught.value.message_dict == {
        "action_1_owner": [
            "stranger holds no role in Kent County Council Adult Social Care and Health; "
            "fix: choose someone from the list"
        ]
    }
    assert (Meeting.objects.count(), ActionCard.objects.count()) == (0, 0)


def test_the_owner_acknowledges_and_marks_it_done_others_cannot(
    director: User, head: User, dgs_member: User, kcc: Organisation
) -> None:
    card = _meet(director, kcc, [_move_staff(head)]).actions.get().card
    assert card is not None
    with pytest.raises(PermissionDenied):
        services.complete(card, dgs_member, TEN)
    services.acknowledge(card, head, TEN + HOUR)
    services.complete(card, head, TEN + HOUR, "three staff moved")
    card.refresh_from_db()
    assert card.status == CardStatus.DONE
    assert card.deadlines.get().met_at == TEN + HOUR
    run_clocks(NOON + 2 * HOUR)  # done before the due time: never chased
    assert not card.events.filter(kind=CardEventKind.REMINDED).exists()


def test_a_missed_action_reminds_the_owner_then_the_role_above(
    director: User, head: User, make_user: MakeUser, kcc: Organisation
) -> None:
    above = make_user("assistant", "assistant-director")
    above.email = "ad@example.org"
    above.save()
    card = _meet(director, kcc, [_move_staff(head)]).actions.get().card
    assert card is not None
    deadline = card.deadlines.get()
    run_clocks(NOON)
    run_clocks(NOON + HOUR)
    reminder = Message.objects.get(event_key=f"deadline:{deadline.pk}:reminder")
    escalation = Message.objects.get(event_key=f"deadline:{deadline.pk}:escalated")
    assert (reminder.recipient, escalation.recipient) == (head, above)
    assert reminder.subject == "Overdue: Move 3 KEaH staff to DGS for the week"


def test_a_correction_keeps_the_card_of_a_repeated_action_and_stands_down_the_rest(
    director: User, head: User, make_user: MakeUser, kcc: Organisation
) -> None:
    other = make_user("access", "access-to-resources-manager")
    original = _meet(
        director, kcc, [_move_staff(head), AgreedAction("Find 2 beds", "", NOON, owner_user=other)]
    )
    kept, dropped = (a.card for a in original.actions.all())
    assert kept is not None and dropped is not None
    services.complete(kept, head, TEN + HOUR)
    correction = _meet(
        director, kcc,
        [_move_staff(head), AgreedAction("Find 3 beds", "", NOON, owner_user=other)],
        corrects=original, correction_reason="three beds, not two", now=TEN + 2 * HOUR,
    )  # fmt: skip
    again, new = (a.card for a in correction.actions.all())
    assert again == kept
    assert again is not None and again.status == CardStatus.DONE
    assert new is not None and new != dropped and new.status == CardStatus.OPEN
    dropped.refresh_from_db()
    assert dropped.status == CardStatus.STOOD_DOWN
    assert dropped.events.last().note == f"meeting {original.pk} corrected by {correction.pk}"  # type: ignore[union-attr]


# --- pages -----------------------------------------------------------------------------


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(owner: str) -> dict[str, str]:
    return {
        "group_id": "kcc-ope-group",
        "convened_at": "2026-01-05T09:00",
        "convened_by": "Kim Lowe",
        "chair": "Alex Reed",
        "chair_role": "Director of Adult Social Care (Short Term Support)",
        "attendee_1_name": "Ria Shah",
        "attendee_1_role": "Head of Kent Enablement at Home",
        "action_1_text": "Move 3 KEaH staff to DGS",
        "action_1_owner": owner,
        "action_1_due_at": "2026-01-05T12:00",
        "agreed_level": "none",
        "agreed_level_reason": "",
    }


def test_the_form_offers_the_people_holding_a_role_and_the_card_reaches_my_actions(
    director: User, head: User, kcc: Organisation
) -> None:
    client = _client(director)
    url = reverse("meeting-new", args=["kcc-asch"])
    with time_machine.travel(TEN, tick=False):
        form = client.get(url).content.decode()
        assert (
            f'<option value="{head.pk}">Ria Shah (Head of Kent Enablement at Home)</option>' in form
        )
        response = client.post(url, _post(str(head.pk)))
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    row = meeting.actions.get()
    assert row.owner == "Ria Shah (Head of Kent Enablement at Home)"
    page = " ".join(
        client.get(reverse("meeting", args=["kcc-asch", meeting.pk])).content.decode().split()
    )
    assert f'<a href="/actions/{row.card_id}/">Open' in page
    with time_machine.travel(TEN, tick=False):
        mine = " ".join(_client(head).get(reverse("my-actions")).content.decode().split())
        card_page = " ".join(
            _client(head).get(reverse("action-card", args=[row.card_id])).content.decode().split()
        )
    assert "Move 3 KEaH staff to DGS" in mine
    assert f"KCC Operational Pressures Escalation Group, meeting {meeting.pk}</a>" in card_page


def test_an_owner_not_on_the_list_is_refused_beside_the_row(
    director: User, kcc: Organisation
) -> None:
    stranger = User.objects.create_user("stranger")
    with time_machine.travel(TEN, tick=False):
        response = _client(director).post(
            reverse("meeting-new", args=["kcc-asch"]), _post(str(stranger.pk))
        )
    assert response.status_code == 400
    assert "Action 1: owner: Select a valid choice." in " ".join(response.content.decode().split())
    assert Meeting.objects.count() == 0
