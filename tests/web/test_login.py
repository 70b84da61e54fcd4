"""Logging in, and the lock that stops password guessing (django-axes)."""

from __future__ import annotations

import pytest
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
