"""The notification settings page and the outbox (issue 4, 'Notifications').

Personas (STYLE.md): a DGS team manager who owns the messages, a Swale team
manager who must not see them, and an administrator (superuser) who sees
every message and alone may retry a failed one. Every field is labelled,
errors are named beside the field and nothing is saved from a form with one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from surgewatch.web.accounts.models import User
from surgewatch.web.notify.models import Attempt, Channel, Kind, Message, Preference, Status
from surgewatch.web.notify.services import add_channel, notify_user
from surgewatch.web.orgs.models import Area, Organisation

MakeUser = Callable[..., User]

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ROLE = "stp-team-manager"
SETTINGS = reverse("notification-settings")
ADD = reverse("notification-channel-add")
OUTBOX = reverse("outbox")


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response: object) -> str:
    content: bytes = response.content  # type: ignore[attr-defined]
    return " ".join(content.decode().split())


@pytest.fixture
def owner(make_user: MakeUser, dgs: Area) -> User:
    return make_user("dgs-manager", ROLE, dgs)


@pytest.fixture
def outsider(make_user: MakeUser, swale: Area) -> User:
    return make_user("swale-manager", ROLE, swale)


@pytest.fixture
def admin(kcc: Organisation) -> User:
    return User.objects.create_superuser("admin", password="not-used")


def _message(user: User, kcc: Organisation, key: str, subject: str) -> Message:
    [message] = notify_user(
        user, organisation=kcc, role=ROLE, subject=subject, body="b", event_key=key, now=NOW
    )
    return message


# --- settings page ---------------------------------------------------------------------


def test_the_settings_page_needs_a_login() -> None:
    response = Client().get(SETTINGS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_every_field_is_labelled_and_each_role_has_its_boxes(owner: User) -> None:
    add_channel(owner, Kind.SMS, "07700900123", NOW)
    page = _text(_client(owner).get(SETTINGS))
    assert (
        '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Kind of channel</legend>'
        in page
    )
    assert '<label class="nhsuk-label" for="id_target">Where to send</label>' in page
    assert "Short-Term Pathway Team Manager, Dartford, Gravesham and Swanley" in page
    membership = owner.memberships.get()
    box = f'id="id_membership_{membership.pk}_0" name="membership_{membership.pk}" type="checkbox"'
    assert box in page
    assert "Text message (SMS) through GOV.UK Notify: +447700900123" in page
    assert "your account has no email address" in page


def test_adding_a_channel_saves_it_tidied(owner: User) -> None:
    response = _client(owner).post(ADD, {"kind": Kind.SMS, "target": "07700 900 123"})
    assert response.status_code == 302
    channel = Channel.objects.get(user=owner)
    assert (channel.kind, channel.target) == (Kind.SMS, "+447700900123")


@pytest.mark.parametrize(
    ("form", "field", "error"),
    [
        (
            {"kind": Kind.EMAIL, "target": "not-an-address"},
            "target",
            "Enter an email address in the correct format, like name@example.nhs.uk.",
        ),
        (
            {"kind": Kind.SMS, "target": "01632 960123"},
            "target",
            "Enter a UK mobile number, like 07700 900123 or +44 7700 900123.",
        ),
        (
            {"kind": Kind.WEBHOOK, "target": "http://hooks.example/x"},
            "target",
            "Webhook addresses must start https:// (http:// only to this machine).",
        ),
        ({"target": "a@b.example"}, "kind", "Choose a kind of channel."),
    ],
)
def test_a_bad_channel_is_refused_beside_its_field_and_nothing_saved(
    owner: User, form: dict[str, str], field: str, error: str
) -> None:
    response = _client(owner).post(ADD, form)
    assert response.status_code == 400
    page = _text(response)
    assert "There is a problem" in page
    assert f'<a href="#id_{field}">' in page
    beside = f'id="id_{field}-error"><span class="nhsuk-u-visually-hidden">Error:</span> {error}'
    assert beside.replace("'", "&#x27;") in page
    assert Channel.objects.count() == 0


def test_the_same_channel_twice_is_refused(owner: User) -> None:
    add_channel(owner, Kind.SMS, "07700900123", NOW)
    response = _client(owner).post(ADD, {"kind": Kind.SMS, "target": "+447700900123"})
    assert response.status_code == 400
    assert "You have already added this channel." in _text(response)
    assert Channel.objects.count() == 1


def test_ticking_a_channel_for_a_role_saves_the_choice(owner: User) -> None:
    sms = add_channel(owner, Kind.SMS, "07700900123", NOW)
    membership = owner.memberships.get()
    response = _client(owner).post(
        reverse("notification-preferences"), {f"membership_{membership.pk}": [str(sms.pk)]}
    )
    assert response.status_code == 302
    assert list(Preference.objects.values_list("membership", "channel")) == [
        (membership.pk, sms.pk)
    ]
    page = _text(_client(owner).get(SETTINGS))
    assert f'name="membership_{membership.pk}" type="checkbox" value="{sms.pk}" checked' in page


def test_someone_elses_channel_cannot_be_ticked(owner: User, outsider: User) -> None:
    theirs = add_channel(outsider, Kind.SMS, "07700900999", NOW)
    add_channel(owner, Kind.SMS, "07700900123", NOW)
    membership = owner.memberships.get()
    response = _client(owner).post(
        reverse("notification-preferences"), {f"membership_{membership.pk}": [str(theirs.pk)]}
    )
    assert response.status_code == 400
    assert f'<a href="#id_membership_{membership.pk}">' in _text(response)
    assert Preference.objects.count() == 0


def test_only_your_own_channel_can_be_removed(owner: User, outsider: User) -> None:
    theirs = add_channel(outsider, Kind.SMS, "07700900999", NOW)
    mine = add_channel(owner, Kind.SMS, "07700900123", NOW)
    remove = "notification-channel-remove"
    assert _client(owner).post(reverse(remove, args=[theirs.pk])).status_code == 404
    assert _client(owner).post(reverse(remove, args=[mine.pk])).status_code == 302
    assert list(Channel.objects.values_list("pk", flat=True)) == [theirs.pk]


# --- outbox ----------------------------------------------------------------------------


def test_the_outbox_shows_your_messages_failed_first_and_not_other_peoples(
    kcc: Organisation, owner: User, outsider: User
) -> None:
    owner.email = "dgs@kent.example"
    owner.save()
    queued = _message(owner, kcc, "e1", "Queued for the owner")
    failed = _message(owner, kcc, "e2", "Owner cannot be reached")
    Message.objects.filter(pk=failed.pk).update(status=Status.FAILED, last_error="boom 500")
    _message(outsider, kcc, "e3", "For Swale only")
    page = _text(_client(owner).get(OUTBOX))
    assert page.index("Owner cannot be reached") < page.index("Queued for the owner")
    assert "For Swale only" not in page
    assert "boom 500" in page
    assert f'id="message-{queued.pk}"' in page
    assert "Retry now" not in page
    outsider_page = _text(_client(outsider).get(OUTBOX))
    assert "For Swale only" in outsider_page
    assert "Owner cannot be reached" not in outsider_page
    assert "no channel: add an email address or a channel" in outsider_page


def test_a_message_page_is_only_for_its_recipient_and_administrators(
    kcc: Organisation, owner: User, outsider: User, admin: User
) -> None:
    message = _message(owner, kcc, "e1", "Only for the owner")
    url = reverse("outbox-message", args=[message.pk])
    assert _client(outsider).get(url).status_code == 404
    assert "Only for the owner" in _text(_client(owner).get(url))
    assert "Only for the owner" in _text(_client(admin).get(url))


def test_the_outbox_filters_by_status(kcc: Organisation, owner: User, admin: User) -> None:
    _message(owner, kcc, "e1", "Failed for want of a channel")
    owner.email = "dgs@kent.example"
    owner.save()
    _message(owner, kcc, "e2", "Waiting in the queue")
    failed = _text(_client(admin).get(OUTBOX, {"status": "failed"}))
    assert "Failed for want of a channel" in failed
    assert "Waiting in the queue" not in failed
    queued = _text(_client(admin).get(OUTBOX, {"status": "queued"}))
    assert "Waiting in the queue" in queued
    assert "Failed for want of a channel" not in queued
    assert '<label class="nhsuk-label" for="id_status">Status</label>' in queued


def test_only_an_administrator_can_retry_and_the_retry_is_a_new_attempt(
    kcc: Organisation,
    owner: User,
    admin: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    message = _message(owner, kcc, "e1", "Nowhere to go")
    retry = reverse("outbox-retry", args=[message.pk])
    assert _client(owner).post(retry).status_code == 403
    message.refresh_from_db()
    assert (message.status, message.attempt_count) == (Status.FAILED, 0)

    admin_client = _client(admin)
    assert "Retry now" in _text(admin_client.get(OUTBOX))
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(retry).status_code == 302
    message.refresh_from_db()
    # Still no channel: the retry is stored as attempt 1 and fails again, visibly.
    assert (message.status, message.attempt_count) == (Status.FAILED, 1)
    attempt = Attempt.objects.get(message=message)
    assert (attempt.requested_by, attempt.error) == (
        admin,
        "no channel: add an email address or a channel",
    )
    detail = _text(admin_client.get(reverse("outbox-message", args=[message.pk])))
    assert "admin (retry now)" in detail


# --- admin -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["notify/channel", "notify/preference", "notify/message", "notify/attempt"]
)
def test_every_notification_record_has_an_admin_list(admin: User, model: str) -> None:
    assert _client(admin).get(f"/admin/{model}/").status_code == 200


def test_messages_cannot_be_changed_or_deleted_in_admin(
    kcc: Organisation, owner: User, admin: User
) -> None:
    message = _message(owner, kcc, "e1", "On record")
    client = _client(admin)
    assert client.get(reverse("admin:notify_message_change", args=[message.pk])).status_code == 200
    delete = reverse("admin:notify_message_delete", args=[message.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:notify_message_change", args=[message.pk])
    assert client.post(change, {"subject": "Changed"}).status_code == 403
    message.refresh_from_db()
    assert message.subject == "On record"
