"""Logging in, and the lock that stops password guessing (django-axes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from surgewatch.web.accounts.models import User

PASSWORD = "a-long-test-password-42"


@pytest.fixture
def person(db: None) -> User:
    return User.objects.create_user("dgs-manager", password=PASSWORD)


def _login(client: Client, password: str) -> int:
    response = client.post(reverse("login"), {"username": "dgs-manager", "password": password})
    return response.status_code


def test_pages_ask_for_a_login_first(db: None) -> None:
    response = Client().get(reverse("board"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_the_right_password_signs_in(person: User) -> None:
    client = Client()
    assert _login(client, PASSWORD) == 302
    assert client.get(reverse("board")).status_code == 200


def test_a_wrong_password_says_so_without_saying_which_part(person: User) -> None:
    client = Client()
    response = client.post(reverse("login"), {"username": "dgs-manager", "password": "nope"})
    assert response.status_code == 200
    assert "The username or password is not right." in response.content.decode()


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(person: User) -> None:
    client = Client()
    assert [_login(client, f"guess-{n}") for n in range(4)] == [200, 200, 200, 200]
    locked = client.post(reverse("login"), {"username": "dgs-manager", "password": "guess-5"})
    assert locked.status_code == 429
    assert "Too many failed log-in attempts" in locked.content.decode()
    assert _login(client, PASSWORD) == 429
    assert client.get(reverse("board")).status_code == 302


def _login_from(client: Client, password: str, address: str) -> int:
    response = client.post(
        reverse("login"),
        {"username": "dgs-manager", "password": password},
        REMOTE_ADDR=address,
    )
    return response.status_code


def test_the_lock_lifts_after_an_hour(person: User) -> None:
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        for n in range(5):
            _login(Client(), f"guess-{n}")
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        assert _login(Client(), PASSWORD) == 302


def test_guessing_while_locked_keeps_it_locked(person: User) -> None:
    """AXES_COOLOFF_TIME counts from the last try, and a try while locked counts."""
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        for n in range(5):
            _login(Client(), f"guess-{n}")
    with time_machine.travel(start + timedelta(minutes=50), tick=False):
        assert _login(Client(), "guess-again") == 429
    assert AccessAttempt.objects.get().attempt_time == start + timedelta(minutes=50)
    with time_machine.travel(start + timedelta(minutes=111), tick=False):
        assert _login(Client(), PASSWORD) == 302


def test_the_lock_is_for_the_username_from_that_address(person: User) -> None:
    """Someone guessing from one place does not lock the real person out from another."""
    for n in range(5):
        _login_from(Client(), f"guess-{n}", "203.0.113.9")
    assert _login_from(Client(), PASSWORD, "203.0.113.9") == 429
    assert _login_from(Client(), PASSWORD, "198.51.100.20") == 302


def test_signing_in_clears_the_count(person: User) -> None:
    for n in range(4):
        _login(Client(), f"guess-{n}")
    assert _login(Client(), PASSWORD) == 302
    assert [_login(Client(), f"again-{n}") for n in range(4)] == [200, 200, 200, 200]
    assert _login(Client(), PASSWORD) == 302


def test_the_admin_login_is_throttled_too(person: User) -> None:
    person.is_staff = True
    person.save()
    for n in range(5):
        Client().post(reverse("admin:login"), {"username": "dgs-manager", "password": f"guess-{n}"})
    assert _login(Client(), PASSWORD) == 429
