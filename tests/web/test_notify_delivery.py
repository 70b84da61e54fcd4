"""Delivery through real transports to receivers on this machine, with injected failures.

Issue 4 ('Notifications'): email over SMTP, GOV.UK Notify for email and SMS,
Teams, Slack and JSON webhooks; failed sends retried with backoff (1, 2, 4 ...
minutes), permanent errors stopped at once, every attempt a row, and nothing
dropped: a message that runs out of attempts stays failed in the outbox.
Receivers are an aiosmtpd server and http.server threads on 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message as EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.test import Client
from django.urls import reverse
from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from pytest_django import DjangoCaptureOnCommitCallbacks
from pytest_django.fixtures import Settings

from surgewatch.web.accounts.models import User
from surgewatch.web.notify.models import (
    Attempt,
    Channel,
    Kind,
    Message,
    Outcome,
    Preference,
    Status,
)
from surgewatch.web.notify.services import add_channel, notify_user, retry_now
from surgewatch.web.notify.tasks import deliver_due
from surgewatch.web.orgs.models import Organisation

MakeUser = Callable[..., User]

# Monday 5 January 2026, 09:00 UTC (GMT in London).
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ROLE = "stp-team-manager"


# --- receivers on 127.0.0.1 -------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Receiver:
    """An HTTP server answering POSTs with scripted statuses (200 once the script runs out)."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    answers: deque[int] = field(default_factory=deque)
    reply: dict[str, Any] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's name for it
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            headers = {k.lower(): v for k, v in self.headers.items()}
            receiver.requests.append(Received(self.path, headers, json.loads(raw)))
            status = receiver.answers.popleft() if receiver.answers else 200
            answer = json.dumps(receiver.reply or {"ok": status < 400}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads ``receiver.requests`` instead."""

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(found))
    found.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield found
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # nothing listens once the probe is closed


@dataclass
class Mailbox:
    """An aiosmtpd handler keeping every message; addresses at refused.example are refused."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.endswith("@refused.example"):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted"


@pytest.fixture
def smtp(settings: Settings) -> Iterator[Mailbox]:
    mailbox = Mailbox()
    port = _closed_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    # Django's test runner swaps in the in-memory backend; these tests want real SMTP.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.DEFAULT_FROM_EMAIL = "Surgewatch <surgewatch@kent.example>"
    yield mailbox
    controller.stop()


# --- the people and the clock ----------------------------------------------------------


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def manager(make_user: MakeUser, dgs: Any) -> User:
    user = make_user("dgs-manager", ROLE, dgs)
    user.email = "dgs.manager@kent.example"
    user.save()
    return user


def _only_channel(user: User, kind: str, target: str) -> Channel:
    """Register a channel and tick it for every role the person holds."""
    channel = add_channel(user, kind, target, NOW)
    for membership in user.memberships.all():
        Preference.objects.create(membership=membership, channel=channel)
    return channel


def _tell(
    user: User,
    kcc: Organisation,
    capture: DjangoCaptureOnCommitCallbacks,
    key: str = "card:1:opened",
) -> Message:
    """Raise one event for ``user`` and let the worker run once it commits."""
    with capture(execute=True):
        messages = notify_user(
            user,
            organisation=kcc,
            role=ROLE,
            subject="New action: review caseloads",
            body="Review DGS caseloads by 10:30.",
            link="/actions/12/",
            event_key=key,
            now=NOW,
        )
    assert len(messages) == 1
    return Message.objects.get(pk=messages[0].pk)


def _attempts(message: Message) -> list[tuple[int, str]]:
    return list(message.attempts.order_by("number").values_list("number", "outcome"))


# --- email over SMTP -------------------------------------------------------------------


def test_email_reaches_the_smtp_server_with_the_link(
    manager: User,
    kcc: Organisation,
    smtp: Mailbox,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    message = _tell(manager, kcc, django_capture_on_commit_callbacks)
    assert (message.status, message.sent_at, message.attempt_count) == (Status.SENT, NOW, 1)
    assert _attempts(message) == [(1, Outcome.SENT)]
    [(recipients, email)] = smtp.messages
    assert recipients == ["dgs.manager@kent.example"]
    assert email["Subject"] == "New action: review caseloads"
    assert email["From"] == "Surgewatch <surgewatch@kent.example>"
    assert email["X-Surgewatch-Event"] == "card:1:opened"
    text = email.get_payload(decode=True)
    assert isinstance(text, bytes)
    assert text.decode().splitlines() == [  # SMTP ends lines with CRLF
        "Review DGS caseloads by 10:30.",
        "",
        "Open in Surgewatch: http://127.0.0.1:8000/actions/12/",
    ]


def test_an_address_the_mail_server_refuses_fails_at_once(
    manager: User,
    kcc: Organisation,
    smtp: Mailbox,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    _only_channel(manager, Kind.EMAIL, "nobody@refused.example")
    message = _tell(manager, kcc, django_capture_on_commit_callbacks)
    assert message.status == Status.FAILED
    assert message.next_attempt_at is None
    assert message.last_error == (
        "the mail server refused nobody@refused.example: 550 5.1.1 no such mailbox here"
    )
    assert _attempts(message) == [(1, Outcome.PERMANENT)]
    assert smtp.messages == []


def test_a_mail_server_that_is_down_is_retried(
    manager: User,
    kcc: Organisation,
    settings: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()
    message = _tell(manager, kcc, django_capture_on_commit_callbacks)
    assert message.status == Status.RETRYING
    assert message.next_attempt_at == NOW + timedelta(minutes=1)
    assert message.last_error.startswith("could not reach the mail server: ")
    assert "Connection refused" in message.last_error


# --- webhooks --------------------------------------------------------------------------


def test_teams_gets_a_message_card_with_an_open_button(
    manager: User,
    kcc: Organisation,
    receiver: Receiver,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    _only_channel(manager, Kind.TEAMS, receiver.url("/teams"))
    message = _tell(manager, kcc, django_capture_on_commit_callbacks)
    assert message.status == Status.SENT
    [request] = receiver.requests
    assert request.path == "/teams"
    assert request.headers["content-type"] == "application/json"
    assert request.body == {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": "New action: review caseloads",
        "title": "New action: review caseloads",
        "text": "Review DGS caseloads by 10:30.",
        "potentialAction": [
            {
                "@type": "OpenUri",
                "name": "Open in Surgewatch",
                "targets": [{"os": "default", "uri": "http://127.0.0.1:8000/actions/12/"}],
            }
        ],
    }


def test_slack_gets_text_and_a_block_with_markup_escaped(
    manager: User,
    kcc: Organisation,
    receiver: Receiver,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    _only_channel(manager, Kind.SLACK, receiver.url("/slack"))
    with django_capture_on_commit_callbacks(execute=True):
        notify_user(
            manager,
            organisation=kcc,
            role=ROLE,
            subject="Caseload > 99 & rising",
            body="See <the board>.",
            link="/board/",
            event_key="report:late",
            now=NOW,
        )
    text = (
        "*Caseload &gt; 99 &amp; rising*\nSee &lt;the board&gt;.\n"
        "<http://127.0.0.1:8000/board/|Open in Surgewatch>"
    )
    [request] = receiver.requests
    assert request.body == {
        "text": text,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


def test_a_generic_webhook_gets_the_fields_and_ids_to_drop_repeats_by(
    manager: User,
    kcc: Organisation,
    receiver: Receiver,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    _only_channel(manager, Kind.WEBHOOK, receiver.url("/hook"))
    message = _tell(manager, kcc, django_capture_on_commit_callbacks)
    [request] = receiver.requests
    assert request.body == {
        "message_id": message.pk,
        "event_key": "card:1:opened",
        "organisation": "Kent County Council Adult Social Care and Health",
        "role": ROLE,
        "subject": "New action: review caseloads",
        "body": "Review DGS caseloads by 10:30.",
        "link": "http://127.0.0.1:8000/actions/12/",
    }


def test_a_500_is_retried_after_a_minute_and_then_sent_exactly_once(
    manager: User,
    kcc: Organisation,
    receiver: Receiver,
    clock: time_machine.Traveller,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    _only_channel(manager, Kind.WEBHOOK, receiver.url("/hook"))
    receiver.answers.extend([500])
    message = _tell(manager, kcc, django_capture_on_commit_callbacks)
    assert (message.status, message.attempt_count) == (Status.RETRYING, 1)
    assert message.next_attempt_at == NOW + timedelta(minutes=1)
    assert message.last_error == '127.0.0.1 answered HTTP 500: {"ok": false}'

    clock.move_to(NOW + timedelta(seconds=59))
    deliver_due.call_local()
    assert len(receiver.requests) == 1  # not due yet

    clock.move_to(NOW + timedelta(minutes=1))
    deliver_due.call_local()
    deliver_due.call_local()  # a second sweep finds nothing left to send
    message.refresh_from_db()
    assert (message.status, message.sent_at) == (Status.SENT, NOW + timedelta(minutes=1))
    assert _attempts(message) == [(1, Outcome.TRANSIENT), (2, Outcome.SENT)]
    assert [r.body["message_id"] for r in receiver.requests] == [message.pk, message.pk]


def test_backoff_doubles_and_after_the_last_attempt_the_message_is_failed_and_shown(
    manager: User,
    kcc: Organisation,
    receiver: Receiver,
    clock: time_machine.Traveller,
    settings: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.NOTIFY_MAX_ATTEMPTS = 4
    _only_channel(manager, Kind.WEBHOOK, receiver.url("/hook"))
    receiver.answers.extend([503, 503, 429, 502])
    message = _tell(manager, kcc, django_capture_on_commit_callbacks)
    at, waits = NOW, []
    while message.status == Status.RETRYING:
        assert message.next_attempt_at is not None
        waits.append(message.next_attempt_at - at)
        at = message.next_attempt_at
        clock.move_to(at)
        deliver_due.call_local()
        message.refresh_from_db()
    assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert (message.status, message.next_attempt_at) == (Status.FAILED, None)
    assert (
        message.last_error
        == '127.0.0.1 answered HTTP 502: {"ok": false} (gave up after 4 attempts)'
    )
    assert [o for _, o in _attempts(message)] == [Outcome.TRANSIENT] * 4

    client = Client()
    client.force_login(manager)
    page = client.get(reverse("outbox"), {"status": "failed"}).content.decode()
    assert "New action: review caseloads" in page
    assert "gave up after 4 attempts" in page
    assert ">Failed</strong>" in page


def test_a_404_is_permanent(
    manager: User,
    kcc: Organisation,
    receiver: Receiver,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    _only_channel(manager, Kind.SLACK, receiver.url("/gone"))
    receiver.answers.append(404)
    message = _tell(manager, kcc, django_capture_on_commit_callbacks)
    assert (message.status, message.next_attempt_at) == (Status.FAILED, None)
    assert message.last_error == '127.0.0.1 answered HTTP 404: {"ok": false}'
    assert _attempts(message) == [(1, Outcome.PERMANENT)]


def test_a_closed_port_is_transient(
    manager: User,
    kcc: Organisation,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    _only_channel(manager, Kind.TEAMS, f"http://127.0.0.1:{_closed_port()}/teams")
    message = _tell(manager, kcc, django_capture_on_commit_callbacks)
    assert (message.status, message.next_attempt_at) == (
        Status.RETRYING,
        NOW + timedelta(minutes=1),
    )
    assert message.last_error.startswith("could not reach 127.0.0.1: ")
    assert _attempts(message) == [(1, Outcome.TRANSIENT)]


def test_a_worker_that_was_down_catches_up(
    manager: User, kcc: Organisation, receiver: Receiver, clock: time_machine.Traveller
) -> None:
    """No commit callbacks run here: as if the queue lost the task; the sweep still sends."""
    _only_channel(manager, Kind.WEBHOOK, receiver.url("/hook"))
    [message] = notify_user(
        manager, organisation=kcc, role=ROLE, subject="s", body="b", event_key="k", now=NOW
    )
    assert receiver.requests == []
    clock.move_to(NOW + timedelta(hours=3))
    deliver_due.call_local()
    message.refresh_from_db()
    assert (message.status, message.attempt_count) == (Status.SENT, 1)
    assert len(receiver.requests) == 1


def test_retry_now_makes_a_new_attempt_and_leaves_the_old_one(
    manager: User,
    kcc: Organisation,
    receiver: Receiver,
    clock: time_machine.Traveller,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    _only_channel(manager, Kind.WEBHOOK, receiver.url("/hook"))
    receiver.answers.append(403)
    message = _tell(manager, kcc, django_capture_on_commit_callbacks)
    first = Attempt.objects.get(message=message)
    admin = User.objects.create_superuser("admin", password="not-used")
    clock.move_to(NOW + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_now(message.pk, by=admin, now=NOW + timedelta(hours=1)) is True
    message.refresh_from_db()
    assert (message.status, message.attempt_count) == (Status.SENT, 2)
    second = message.attempts.get(number=2)
    assert (second.outcome, second.requested_by, second.at) == (
        Outcome.SENT,
        admin,
        NOW + timedelta(hours=1),
    )
    assert (
        Attempt.objects.get(pk=first.pk).error
        == first.error
        == ('127.0.0.1 answered HTTP 403: {"ok": false}')
    )
    assert message.retry_requested_by is None
    assert retry_now(message.pk, by=admin, now=NOW) is False  # sent: nothing to retry


# --- GOV.UK Notify ---------------------------------------------------------------------


@dataclass(frozen=True)
class NotifyKey:
    service_id: str
    secret: str

    def __str__(self) -> str:
        return f"surgewatch_test-{self.service_id}-{self.secret}"


@pytest.fixture
def notify(receiver: Receiver, settings: Settings) -> NotifyKey:
    """Notify's API stubbed on the receiver, answering 201 as Notify does."""
    key = NotifyKey(str(uuid.uuid4()), str(uuid.uuid4()))
    settings.GOVUK_NOTIFY_API_KEY = str(key)
    settings.GOVUK_NOTIFY_BASE_URL = receiver.url("")
    settings.GOVUK_NOTIFY_EMAIL_TEMPLATE_ID = "email-template-1"
    settings.GOVUK_NOTIFY_SMS_TEMPLATE_ID = "sms-template-1"
    receiver.answers.extend([201])
    receiver.reply = {"id": str(uuid.uuid4()), "reference": None, "content": {}}
    return key


PERSONALISATION = {
    "subject": "New action: review caseloads",
    "body": "Review DGS caseloads by 10:30.",
    "link": "http://127.0.0.1:8000/actions/12/",
}


def test_notify_sends_sms_with_the_template_and_personalisation(
    manager: User,
    kcc: Organisation,
    receiver: Receiver,
    notify: NotifyKey,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    _only_channel(manager, Kind.SMS, "07700 900123")
    message = _tell(manager, kcc, django_capture_on_commit_callbacks)
    assert message.status == Status.SENT
    [request] = receiver.requests
    assert request.path == "/v2/notifications/sms"
    assert request.body == {
        "phone_number": "+447700900123",
        "template_id": "sms-template-1",
        "personalisation": PERSONALISATION,
        "reference": f"surgewatch-{message.pk}",
    }
    token = request.headers["authorization"].removeprefix("Bearer ")
    assert get_token_issuer(token) == notify.service_id  # type: ignore[no-untyped-call]
    assert decode_jwt_token(token, notify.secret) is True  # type: ignore[no-untyped-call]


def test_notify_sends_email_with_the_template_and_personalisation(
    manager: User,
    kcc: Organisation,
    receiver: Receiver,
    notify: NotifyKey,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    _only_channel(manager, Kind.NOTIFY_EMAIL, "dgs.manager@kent.example")
    message = _tell(manager, kcc, django_capture_on_commit_callbacks)
    assert message.status == Status.SENT
    [request] = receiver.requests
    assert request.path == "/v2/notifications/email"
    assert request.body == {
        "email_address": "dgs.manager@kent.example",
        "template_id": "email-template-1",
        "personalisation": PERSONALISATION,
        "reference": f"surgewatch-{message.pk}",
    }


def test_a_long_text_message_is_shortened_to_fit_notifys_limit(
    manager: User,
    kcc: Organisation,
    receiver: Receiver,
    notify: NotifyKey,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    _only_channel(manager, Kind.SMS, "07700900123")
    with django_capture_on_commit_callbacks(execute=True):
        notify_user(
            manager, organisation=kcc, role=ROLE, subject="s", body="x" * 2000,
            event_key="long", now=NOW,
        )  # fmt: skip
    body = receiver.requests[0].body["personalisation"]["body"]
    assert body == "x" * 599 + "\N{HORIZONTAL ELLIPSIS}"


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (400, Outcome.PERMANENT),
        (403, Outcome.PERMANENT),
        (429, Outcome.TRANSIENT),
        (500, Outcome.TRANSIENT),
    ],
)
def test_notify_errors_are_split_into_permanent_and_transient(
    manager: User,
    kcc: Organisation,
    receiver: Receiver,
    notify: NotifyKey,
    status: int,
    outcome: Outcome,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    _only_channel(manager, Kind.SMS, "+447700900123")
    receiver.answers.clear()
    receiver.answers.append(status)
    receiver.reply = {"status_code": status, "errors": [{"error": "E", "message": "said no"}]}
    message = _tell(manager, kcc, django_capture_on_commit_callbacks)
    assert _attempts(message) == [(1, outcome)]
    assert (
        message.last_error
        == f"GOV.UK Notify answered {status}: [{{'error': 'E', 'message': 'said no'}}]"
    )


@pytest.mark.parametrize(
    ("missing", "kind", "target"),
    [
        ("GOVUK_NOTIFY_API_KEY", Kind.SMS, "07700900123"),
        ("GOVUK_NOTIFY_SMS_TEMPLATE_ID", Kind.SMS, "07700900123"),
        ("GOVUK_NOTIFY_EMAIL_TEMPLATE_ID", Kind.NOTIFY_EMAIL, "a@kent.example"),
    ],
)
def test_notify_unconfigured_fails_permanently_naming_the_setting(
    manager: User,
    kcc: Organisation,
    receiver: Receiver,
    notify: NotifyKey,
    settings: Settings,
    missing: str,
    kind: str,
    target: str,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    setattr(settings, missing, "")
    _only_channel(manager, kind, target)
    message = _tell(manager, kcc, django_capture_on_commit_callbacks)
    assert (message.status, message.next_attempt_at) == (Status.FAILED, None)
    assert message.last_error == f"GOV.UK Notify is not configured: {missing} is not set"
    assert receiver.requests == []
