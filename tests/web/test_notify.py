"""Who gets a message, through which channel, exactly once (issue 4, 'Notifications').

Rules under test: ``notify_role`` reaches every active holder of a role,
deputies included, organisation-wide and in the area (or every area);
people choose channels per role membership and default to their account
email; someone with neither gets a failed message, not silence; one event
key makes one message per person and channel however often it is raised;
a due message is claimed by one worker only; the backoff doubles to a cap.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from pytest_django import DjangoCaptureOnCommitCallbacks

from surgewatch.web.accounts.models import User
from surgewatch.web.notify.backoff import retry_delay
from surgewatch.web.notify.delivery import LEASE, claim
from surgewatch.web.notify.models import Channel, Kind, Message, Preference, Status
from surgewatch.web.notify.services import (
    add_channel,
    choose_channels,
    notify_role,
    notify_user,
    remove_channel,
)
from surgewatch.web.notify.targets import clean_target
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.services import add_membership

MakeUser = Callable[..., User]

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ROLE = "stp-team-manager"
NO_CHANNEL = "no channel: add an email address or a channel"


def _with_email(user: User, email: str) -> User:
    user.email = email
    user.save()
    return user


def _role_event(kcc: Organisation, key: str = "card:123:opened", **kwargs: object) -> list[Message]:
    return notify_role(
        kcc,
        ROLE,
        subject="New action",
        body="Review caseloads.",
        link="/actions/123/",
        event_key=key,
        now=NOW,
        **kwargs,  # type: ignore[arg-type]
    )


def _where(messages: list[Message]) -> set[tuple[str, str, str]]:
    return {(m.recipient.username, m.kind, m.target) for m in messages}


def _tick(user: User, channel: Channel, role: str = ROLE) -> None:
    for membership in user.memberships.filter(role=role):
        Preference.objects.create(membership=membership, channel=channel)


# --- who is told -----------------------------------------------------------------------


@pytest.fixture
def team(make_user: MakeUser, dgs: Area, swale: Area, kcc: Organisation) -> dict[str, User]:
    """Holders of the STP team manager role: in DGS, in Swale, county-wide, a DGS deputy,
    someone who has left (inactive), and a director who does not hold the role."""
    people = {
        "dgs": make_user("dgs-manager", ROLE, dgs),
        "swale": make_user("swale-manager", ROLE, swale),
        "county": make_user("county-manager", ROLE),
        "deputy": make_user("dgs-deputy"),
        "left": make_user("left-manager", ROLE, dgs),
        "director": make_user("director", "director-asc"),
    }
    add_membership(people["deputy"], kcc, ROLE, area=dgs, is_deputy=True)
    people["left"].is_active = False
    people["left"].save()
    for name, user in people.items():
        _with_email(user, f"{name}@kent.example")
    return people


def test_an_area_event_reaches_the_area_and_the_county_holders_deputies_included(
    kcc: Organisation, dgs: Area, team: dict[str, User]
) -> None:
    messages = _role_event(kcc, area=dgs)
    assert {m.recipient.username for m in messages} == {
        "dgs-manager",
        "dgs-deputy",
        "county-manager",
    }


def test_an_organisation_event_reaches_every_area_holder(
    kcc: Organisation, team: dict[str, User]
) -> None:
    messages = _role_event(kcc)
    assert {m.recipient.username for m in messages} == {
        "dgs-manager",
        "dgs-deputy",
        "county-manager",
        "swale-manager",
    }


def test_default_is_email_to_the_account_address_queued_now(
    kcc: Organisation, dgs: Area, team: dict[str, User]
) -> None:
    [message] = notify_user(
        team["dgs"],
        organisation=kcc,
        role=ROLE,
        subject="New action",
        body="Review caseloads.",
        link="/actions/123/",
        event_key="card:123:opened",
        now=NOW,
    )
    assert (message.kind, message.target, message.status) == (
        Kind.EMAIL,
        "dgs@kent.example",
        Status.QUEUED,
    )
    assert (message.next_attempt_at, message.created_at, message.attempt_count) == (NOW, NOW, 0)
    assert (message.organisation, message.role, message.link) == (kcc, ROLE, "/actions/123/")


def test_delivery_waits_for_the_commit_then_sends_once(
    kcc: Organisation,
    team: dict[str, User],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as queued:
        _role_event(kcc)
        assert mail.outbox == []  # nothing leaves before the transaction commits
    assert len(queued) == 4
    assert sorted(m.to[0] for m in mail.outbox) == [
        "county@kent.example",
        "deputy@kent.example",
        "dgs@kent.example",
        "swale@kent.example",
    ]
    assert mail.outbox[0].body == (
        "Review caseloads.\n\nOpen in Surgewatch: http://127.0.0.1:8000/actions/123/"
    )
    assert set(Message.objects.values_list("status", flat=True)) == {Status.SENT}


def test_one_event_key_makes_one_message_per_person_and_channel(
    kcc: Organisation,
    dgs: Area,
    team: dict[str, User],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    slack = add_channel(team["dgs"], Kind.SLACK, "https://hooks.slack.example/T1/B2", NOW)
    email = add_channel(team["dgs"], Kind.EMAIL, "dgs@kent.example", NOW)
    _tick(team["dgs"], slack)
    _tick(team["dgs"], email)
    first = _role_event(kcc, area=dgs)
    with django_capture_on_commit_callbacks() as queued:
        again = _role_event(kcc, area=dgs)
    assert queued == []  # nothing new to deliver
    assert sorted(m.pk for m in again) == sorted(m.pk for m in first)
    assert Message.objects.count() == 4
    assert _where(first) == {
        ("dgs-manager", Kind.SLACK, "https://hooks.slack.example/T1/B2"),
        ("dgs-manager", Kind.EMAIL, "dgs@kent.example"),
        ("dgs-deputy", Kind.EMAIL, "deputy@kent.example"),
        ("county-manager", Kind.EMAIL, "county@kent.example"),
    }
    assert len(_role_event(kcc, key="card:124:opened", area=dgs)) == 4  # a new event is new


def test_two_memberships_of_one_role_make_one_message(
    kcc: Organisation, dgs: Area, team: dict[str, User]
) -> None:
    add_membership(team["county"], kcc, ROLE, area=dgs)
    messages = _role_event(kcc, area=dgs)
    assert [m.kind for m in messages if m.recipient == team["county"]] == [Kind.EMAIL]


# --- preferences -----------------------------------------------------------------------


def test_sms_chosen_for_a_role_is_the_only_channel_for_that_role(
    kcc: Organisation, dgs: Area, team: dict[str, User]
) -> None:
    manager = team["dgs"]
    add_membership(manager, kcc, "discharge-coordinator", area=dgs)
    sms = add_channel(manager, Kind.SMS, "07700 900123", NOW)
    _tick(manager, sms, role=ROLE)
    as_manager = notify_user(
        manager, organisation=kcc, role=ROLE, subject="s", body="b", event_key="e1", now=NOW
    )
    as_coordinator = notify_user(
        manager,
        organisation=kcc,
        role="discharge-coordinator",
        subject="s",
        body="b",
        event_key="e1",
        now=NOW,
    )
    assert _where(as_manager) == {("dgs-manager", Kind.SMS, "+447700900123")}
    assert _where(as_coordinator) == {("dgs-manager", Kind.EMAIL, "dgs@kent.example")}


def test_without_a_channel_or_an_email_the_failure_is_recorded_once(
    kcc: Organisation, make_user: MakeUser, dgs: Area
) -> None:
    make_user("no-email", ROLE, dgs)
    [message] = _role_event(kcc, area=dgs)
    assert (message.kind, message.target, message.status) == (Kind.NONE, "", Status.FAILED)
    assert (message.last_error, message.next_attempt_at) == (NO_CHANNEL, None)
    assert message.attempts.count() == 0
    assert [m.pk for m in _role_event(kcc, area=dgs)] == [message.pk]


def test_a_removed_channel_falls_back_to_email_and_its_messages_stay(
    kcc: Organisation, dgs: Area, team: dict[str, User]
) -> None:
    manager = team["dgs"]
    sms = add_channel(manager, Kind.SMS, "+447700900123", NOW)
    _tick(manager, sms)
    [before] = notify_user(
        manager, organisation=kcc, role=ROLE, subject="s", body="b", event_key="e1", now=NOW
    )
    remove_channel(manager, sms.pk)
    before.refresh_from_db()
    assert (before.channel, before.kind, before.target) == (None, Kind.SMS, "+447700900123")
    [after] = notify_user(
        manager, organisation=kcc, role=ROLE, subject="s", body="b", event_key="e2", now=NOW
    )
    assert (after.kind, after.target) == (Kind.EMAIL, "dgs@kent.example")


def test_an_inactive_person_is_not_sent_to_but_the_message_is_recorded(
    kcc: Organisation, team: dict[str, User]
) -> None:
    [message] = notify_user(
        team["left"], organisation=kcc, role=ROLE, subject="s", body="b", event_key="e", now=NOW
    )
    assert (message.status, message.kind) == (Status.FAILED, Kind.NONE)
    assert message.last_error == "not sent: the account 'left-manager' is inactive"


def test_choices_must_be_the_persons_own(kcc: Organisation, team: dict[str, User]) -> None:
    theirs = add_channel(team["swale"], Kind.EMAIL, "swale@kent.example", NOW)
    mine = team["dgs"].memberships.get()
    with pytest.raises(PermissionDenied):
        choose_channels(team["dgs"], {mine.pk: [theirs.pk]})
    with pytest.raises(PermissionDenied):
        choose_channels(team["swale"], {mine.pk: [theirs.pk]})
    assert Preference.objects.count() == 0


def test_choosing_replaces_the_ticks_for_that_membership(team: dict[str, User]) -> None:
    manager = team["dgs"]
    membership = manager.memberships.get()
    sms = add_channel(manager, Kind.SMS, "07700900123", NOW)
    slack = add_channel(manager, Kind.SLACK, "https://hooks.slack.example/x", NOW)
    choose_channels(manager, {membership.pk: [sms.pk, slack.pk]})
    choose_channels(manager, {membership.pk: [slack.pk]})
    assert list(Preference.objects.values_list("channel", flat=True)) == [slack.pk]


def test_a_channel_is_added_once(team: dict[str, User]) -> None:
    add_channel(team["dgs"], Kind.SMS, "07700 900123", NOW)
    with pytest.raises(ValidationError) as refused:
        add_channel(team["dgs"], Kind.SMS, "+44 7700 900123", NOW)
    assert refused.value.message_dict == {"target": ["You have already added this channel."]}


def test_links_must_be_paths_on_this_site(kcc: Organisation, team: dict[str, User]) -> None:
    for link in ("https://elsewhere.example/x", "//elsewhere.example/x", "actions/1/"):
        with pytest.raises(ValueError, match="link must be a path on this site"):
            notify_user(
                team["dgs"], organisation=kcc, role=ROLE, subject="s", body="b", link=link,
                event_key="e", now=NOW,
            )  # fmt: skip
    assert Message.objects.count() == 0


def test_a_subject_is_one_line(kcc: Organisation, team: dict[str, User]) -> None:
    [message] = notify_user(
        team["dgs"],
        organisation=kcc,
        role=ROLE,
        subject="Level change:\n  OPEL 3\r\n",
        body="b",
        event_key="e",
        now=NOW,
    )
    assert message.subject == "Level change: OPEL 3"


# --- targets ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "typed", "stored"),
    [
        (Kind.SMS, "07700 900123", "+447700900123"),
        (Kind.SMS, "+44 (0)7700-900123", "+447700900123"),
        (Kind.SMS, "0044 7700 900 123", "+447700900123"),
        (Kind.EMAIL, " a.person@nhs.net ", "a.person@nhs.net"),
        (
            Kind.SLACK,
            "https://hooks.slack.com/services/T/B/X",
            "https://hooks.slack.com/services/T/B/X",
        ),
        (Kind.WEBHOOK, "http://127.0.0.1:8081/hook", "http://127.0.0.1:8081/hook"),
        (Kind.TEAMS, "http://localhost:9000/t", "http://localhost:9000/t"),
    ],
)
def test_targets_are_tidied(kind: str, typed: str, stored: str) -> None:
    assert clean_target(kind, typed) == stored


@pytest.mark.parametrize(
    ("kind", "typed", "says"),
    [
        (Kind.SMS, "01632 960123", "Enter a UK mobile number"),  # a landline
        (Kind.SMS, "+33 6 12 34 56 78", "Enter a UK mobile number"),
        (Kind.SMS, "0770090012", "Enter a UK mobile number"),  # a digit short
        (Kind.EMAIL, "a.person@", "Enter an email address in the correct format"),
        (Kind.NOTIFY_EMAIL, "not an address", "Enter an email address in the correct format"),
        (Kind.WEBHOOK, "http://hooks.example/x", "must start https://"),
        (Kind.SLACK, "hooks.slack.com/services/x", "Enter the full webhook address"),
        (Kind.TEAMS, "ftp://teams.example/x", "Enter the full webhook address"),
        (Kind.EMAIL, "   ", "Enter where messages should go"),
    ],
)
def test_bad_targets_are_refused_saying_what_to_fix(kind: str, typed: str, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        clean_target(kind, typed)


# --- claiming and backoff --------------------------------------------------------------


def test_a_due_message_is_claimed_by_one_worker_only(
    kcc: Organisation, team: dict[str, User]
) -> None:
    [message] = notify_user(
        team["dgs"], organisation=kcc, role=ROLE, subject="s", body="b", event_key="e", now=NOW
    )
    stale = Message.objects.get(pk=message.pk)  # what a second worker read at the same time
    won = claim(message.pk, NOW)
    assert won is not None and won.attempt_count == 1
    assert claim(message.pk, NOW) is None
    # The second worker's conditional UPDATE names the attempt count it read: no match.
    assert (
        Message.objects.filter(pk=stale.pk, attempt_count=stale.attempt_count).update(
            attempt_count=stale.attempt_count + 1
        )
        == 0
    )


def test_a_claim_left_by_a_worker_that_died_falls_due_after_the_lease(
    kcc: Organisation, team: dict[str, User]
) -> None:
    [message] = notify_user(
        team["dgs"], organisation=kcc, role=ROLE, subject="s", body="b", event_key="e", now=NOW
    )
    assert claim(message.pk, NOW) is not None
    assert list(Message.objects.due(NOW + LEASE - timedelta(seconds=1))) == []
    again = claim(message.pk, NOW + LEASE)
    assert again is not None and again.attempt_count == 2


def test_backoff_doubles_from_one_minute_to_the_cap() -> None:
    waits = [retry_delay(n, cap_minutes=60).total_seconds() / 60 for n in range(1, 11)]
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]
    assert retry_delay(10_000, cap_minutes=60) == timedelta(hours=1)
    with pytest.raises(ValueError, match="counts from the first attempt"):
        retry_delay(0, cap_minutes=60)
