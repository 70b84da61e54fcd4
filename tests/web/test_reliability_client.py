"""The load client's retry and idempotency accounting (issue 8), fast enough for CI.

The full load and fault suite (scripts/reliability) takes minutes; these
check the logic it relies on: writes are retried with the same key until
acknowledged or refused, reads are not retried, the ledger counts every
attempt, and against the real API a lost answer retried under its key is
stored once and replayed.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis.exceptions
from django.core import mail
from django.db import transaction
from django.test import Client
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from surgewatch.reliability.client import (
    NO_ANSWER,
    Answer,
    Call,
    HttpTransport,
    Ledger,
    figures,
    percentile,
    send_until_settled,
    verdict,
)
from surgewatch.web.accounts.models import User
from surgewatch.web.api.services import issue_token
from surgewatch.web.notify.models import Message, Status
from surgewatch.web.notify.services import notify_user
from surgewatch.web.notify.tasks import deliver_due
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.reporting.models import Reading

WRITE = Call("readings", "POST", "/api/readings", b"{}", key="k-1")
READ = Call("board", "GET", "/")
ROLE = "stp-team-manager"  # dgs_member's role in Kent (tests/web/conftest.py)


class Scripted:
    """A transport answering from a script; an exception in the script is raised instead."""

    def __init__(self, *script: int | Exception) -> None:
        self.script: Iterator[int | Exception] = iter(script)
        self.calls = 0

    def __call__(self, call: Call) -> Answer:
        self.calls += 1
        step = next(self.script)
        if isinstance(step, Exception):
            raise step
        return Answer(step, b"{}", replayed=self.calls > 1 and step == 201)


class Clock:
    """Moves on only when slept on, so deadlines are exact and the test never waits."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def settle(transport: Scripted, call: Call, ledger: Ledger, deadline: float = 60.0) -> object:
    clock = Clock()
    return send_until_settled(
        transport, call, ledger, deadline=deadline, clock=clock, sleep=clock.sleep
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, "acknowledged"),
        (201, "acknowledged"),
        (NO_ANSWER, "retry"),
        (409, "retry"),
        (429, "retry"),
        (500, "retry"),
        (502, "retry"),
        (400, "refused"),
        (401, "refused"),
        (422, "refused"),
    ],
)
def test_verdict_retries_only_what_may_succeed_later(status: int, expected: str) -> None:
    assert verdict(status) == expected


def test_a_write_is_retried_with_its_key_until_acknowledged() -> None:
    ledger = Ledger()
    transport = Scripted(ConnectionRefusedError(), 502, 409, 201)
    assert settle(transport, WRITE, ledger) == "acknowledged"
    assert transport.calls == 4
    assert ledger.attempts["k-1"] == 4
    assert ledger.retries == 3
    assert ledger.acknowledged == {"k-1": WRITE}
    assert ledger.given_up == {} and ledger.refused == {}
    assert ledger.replayed == 1
    assert ledger.statuses[("readings", NO_ANSWER)] == 1
    assert ledger.failures("readings") == 3
    assert len(ledger.latencies["readings"]) == 1  # only the answered attempt is timed


def test_a_refused_write_is_not_retried() -> None:
    ledger = Ledger()
    transport = Scripted(500, 422)
    assert settle(transport, WRITE, ledger) == "refused"
    assert transport.calls == 2
    assert list(ledger.refused) == ["k-1"]
    assert ledger.refused["k-1"][1] == 422
    assert ledger.acknowledged == {}


def test_a_write_that_never_gets_through_is_given_up_at_the_deadline() -> None:
    ledger = Ledger()
    transport = Scripted(*[http.client.RemoteDisconnected("closed")] * 50)
    assert settle(transport, WRITE, ledger, deadline=5.0) is None
    # Waits 0.1, 0.2, 0.4, 0.8, 1.6, then 2 s: the sixth sleep would pass 5 s.
    assert transport.calls == 6
    assert list(ledger.given_up) == ["k-1"]
    assert ledger.acknowledged == {}


def test_a_read_is_sent_once_whatever_the_answer() -> None:
    ledger = Ledger()
    transport = Scripted(503)
    assert settle(transport, READ, ledger) == "retry"
    assert transport.calls == 1
    assert ledger.attempts == {}
    assert ledger.given_up == {}  # reads are not settled: only writes have a fate


def test_percentile_is_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 101)]
    assert percentile(samples, 50) == 50.0
    assert percentile(samples, 95) == 95.0
    assert percentile(samples, 99) == 99.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([7.0], 99) == 7.0


def test_figures_count_answered_calls_per_second_in_milliseconds() -> None:
    ledger = Ledger()
    for seconds in (0.010, 0.020, 0.030, 0.040):
        ledger.attempt(READ, 200, seconds)
    ledger.attempt(READ, 502, 0.001)
    shown = figures(ledger, "board", 2.0)
    assert (shown.answered, shown.failed, shown.per_second) == (4, 1, 2.0)
    assert shown.p50_ms == pytest.approx(20.0)
    assert shown.p99_ms == pytest.approx(40.0)


class LosesFirstAnswer(HttpTransport):
    """Sends the request, then drops its answer once: the client never hears the 201."""

    lost = False

    def __call__(self, call: Call) -> Answer:
        answer = super().__call__(call)
        if not self.lost:
            self.lost = True
            raise http.client.RemoteDisconnected("answer lost on purpose")
        return answer


@pytest.mark.django_db(transaction=True)
def test_a_lost_answer_retried_with_its_key_is_stored_once(
    live_server: LiveServer, dgs_member: User, dgs: Area
) -> None:
    _, token = issue_token(dgs_member, "load test")
    observed = (datetime.now(UTC) - timedelta(minutes=5)).replace(microsecond=0)
    row = {"organisation": "kcc-asch", "area": "dgs", "indicator": "stp_staffing_pct"}
    body = {"readings": [{**row, "value": 61.5, "observed_at": observed.isoformat()}]}
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    call = Call("readings", "POST", "/api/readings", json.dumps(body).encode(), headers, "lost-1")
    host, port = live_server.url.removeprefix("http://").split(":")
    ledger = Ledger()

    outcome = send_until_settled(LosesFirstAnswer(host, int(port)), call, ledger, deadline=1e12)

    assert outcome == "acknowledged"
    assert ledger.attempts["lost-1"] == 2
    assert ledger.replayed == 1  # the second answer is the first one, replayed
    stored = Reading.objects.filter(area=dgs, indicator="stp_staffing_pct", observed_at=observed)
    assert list(stored.values_list("value", flat=True)) == [61.5]


# --- what the fault runs found (issue 8) ------------------------------------------------


def _queue_down(*args: object, **kwargs: object) -> None:
    raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6390.")


@pytest.mark.django_db(transaction=True)
def test_a_reading_stored_while_the_queue_is_down_is_acknowledged(
    client: Client, dgs_member: User, dgs: Area, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With Redis lost, the commit stands: answering 500 would make feeds resend stored data."""
    monkeypatch.setattr("surgewatch.web.actions.tasks.refresh_organisation", _queue_down)
    _, token = issue_token(dgs_member, "load test")
    observed = (datetime.now(UTC) - timedelta(minutes=5)).replace(microsecond=0)
    row = {"organisation": "kcc-asch", "area": "dgs", "indicator": "stp_staffing_pct"}
    body = {"readings": [{**row, "value": 58.0, "observed_at": observed.isoformat()}]}
    response = client.post(
        "/api/readings",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "queue-down-1"},
    )
    assert response.status_code == 201
    stored = Reading.objects.filter(area=dgs, indicator="stp_staffing_pct", observed_at=observed)
    assert list(stored.values_list("value", flat=True)) == [58.0]


def _with_email(user: User) -> None:
    """Email to the account address is the channel a person gets without choosing one."""
    user.email = f"{user.username}@example.org"
    user.save(update_fields=["email"])


@pytest.mark.django_db(transaction=True)
def test_a_message_made_while_the_queue_is_down_is_kept_for_the_sweep(
    kcc: Organisation, dgs_member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("surgewatch.web.notify.services.deliver", _queue_down)
    _with_email(dgs_member)
    with transaction.atomic():
        made = notify_user(
            dgs_member, organisation=kcc, role=ROLE, subject="Level change",
            body="OPEL 3", event_key="queue-down:1", now=datetime.now(UTC),
        )  # fmt: skip
    assert [m.status for m in Message.objects.filter(pk__in=[m.pk for m in made])] == [
        Status.QUEUED
    ]


@pytest.mark.django_db
def test_one_sweep_sends_a_backlog_larger_than_a_batch(
    kcc: Organisation, dgs_member: User, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault runs left 400 messages to retry; 100 a minute took 4 minutes to clear."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    monkeypatch.setattr("surgewatch.web.notify.services.deliver", lambda message_id: None)
    _with_email(dgs_member)
    now = datetime.now(UTC)
    for n in range(250):
        notify_user(
            dgs_member, organisation=kcc, role=ROLE, subject=f"Backlog {n}",
            body="-", event_key=f"backlog:{n}", now=now,
        )  # fmt: skip
    deliver_due.call_local()
    assert Message.objects.filter(status=Status.SENT).count() == 250
    assert len(mail.outbox) == 250


def test_healthz_is_the_trivial_peer(client: Client) -> None:
    """The load suite's peer: 'ok' to anyone, no database, and nothing but GET and HEAD."""
    answer = client.get("/healthz")
    assert (answer.status_code, answer.content) == (200, b"ok")
    assert client.post("/healthz").status_code == 405
