"""Security headers and settings (issue 8): CSP, frame denial, nosniff, Referrer-Policy,
HSTS and secure cookies behind TLS, the 12-hour sign-in, and the password policy.

CSRF on every form, the API's cookie refusal, and 'no inline script or style on any
page' are walked URL by URL in test_access_matrix.py; login throttling is in
test_login.py; tests/browser/test_csp.py loads pages in Chromium and fails on any
CSP violation.
"""

from __future__ import annotations

import os
import runpy
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.security import DEFAULT_POLICY, policy_text

MakeUser = Callable[..., User]
NOW = datetime(2026, 1, 5, 11, 30, tzinfo=UTC)
PASSWORD = "a-long-test-password-42"
PROD = "surgewatch.web.settings.prod"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- headers -----------------------------------------------------------------------------


def test_the_policy_allows_this_site_only_and_nothing_inline() -> None:
    policy = policy_text(DEFAULT_POLICY)
    assert "script-src 'self';" in policy
    assert "style-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/", "/no-such-page/", "/api/openapi.json", "/api/organisations"]
)
def test_every_response_carries_the_headers(url: str, db: None) -> None:
    response = Client().get(url)
    assert response["Content-Security-Policy"] == policy_text(DEFAULT_POLICY)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_a_forbidden_page_carries_them_too(dgs_member: User, kcc: Organisation) -> None:
    response = _signed_in(dgs_member).post(reverse("declare", args=["kcc-asch"]), {"level": 1})
    assert response.status_code == 403
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Security-Policy"].startswith("default-src 'self'")


# --- HTTPS behind the TLS proxy (production settings) ----------------------------------------


@pytest.fixture
def prod(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.setenv("DATABASE_URL", "postgres://surge:secret@db.example:5432/surgewatch")
    return runpy.run_module(PROD)


TLS_SETTINGS = (
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
)


def test_production_redirects_plain_http_and_sends_hsts_over_tls(
    prod: dict[str, Any], db: None
) -> None:
    with override_settings(**{name: prod[name] for name in TLS_SETTINGS}):
        plain = Client().get("/accounts/login/")
        assert plain.status_code == 301
        assert plain["Location"] == "https://testserver/accounts/login/"
        behind_proxy = Client().get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
        assert behind_proxy.status_code == 200
        hsts = "max-age=31536000; includeSubDomains"
        assert behind_proxy["Strict-Transport-Security"] == hsts
        assert behind_proxy.cookies["csrftoken"]["secure"] is True


def test_production_session_cookies_are_secure_and_http_only(
    prod: dict[str, Any], dgs_member: User
) -> None:
    dgs_member.set_password(PASSWORD)
    dgs_member.save()
    with override_settings(**{name: prod[name] for name in TLS_SETTINGS}):
        client = Client(headers={"X-Forwarded-Proto": "https"})
        response = client.post(
            reverse("login"), {"username": dgs_member.username, "password": PASSWORD}
        )
        assert response.status_code == 302
        cookie = response.cookies["sessionid"]
        assert (cookie["secure"], cookie["httponly"], cookie["samesite"]) == (True, True, "Lax")


def test_production_never_debugs(prod: dict[str, Any]) -> None:
    assert prod["DEBUG"] is False
    assert prod["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


def test_djangos_deployment_checks_pass_in_production(tmp_path: Path) -> None:
    # The browser tests' conftest allows async-unsafe calls for this pytest process;
    # a production process never inherits that, so neither does this check.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": PROD,
        "SECRET_KEY": secrets.token_urlsafe(60),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "ALLOWED_HOSTS": "surgewatch.example",
    }
    checked = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert "no issues" in checked.stdout


# --- the 12-hour sign-in --------------------------------------------------------------------


def _log_in(user: User) -> Client:
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    # No Max-Age or Expires: the browser drops it when it closes.
    assert (cookie["max-age"], cookie["expires"]) == ("", "")
    return client


def test_a_sign_in_lasts_twelve_hours(dgs_member: User) -> None:
    client = _log_in(dgs_member)
    with time_machine.travel(NOW + timedelta(hours=11, minutes=59), tick=False):
        assert client.get(reverse("board")).status_code == 200
    with time_machine.travel(NOW + timedelta(hours=12, minutes=1), tick=False):
        response = client.get(reverse("board"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_busy_session_still_ends_twelve_hours_after_signing_in(dgs_member: User) -> None:
    client = _log_in(dgs_member)
    with time_machine.travel(NOW + timedelta(hours=11), tick=False):
        # Saving the session moves Django's own expiry on; the sign-in's clock does not move.
        session = client.session
        session["touched"] = True
        session.save()
    with time_machine.travel(NOW + timedelta(hours=12, minutes=1), tick=False):
        assert client.get(reverse("board")).status_code == 302
    assert client.get(reverse("board")).status_code == 302  # signed out for good


# --- passwords ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("winter-2026", "at least 12 characters"),
        ("123456789012345", "entirely numeric"),
        ("password1234", "too common"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(
    password: str, problem: str, dgs_member: User
) -> None:
    with pytest.raises(ValidationError, match=problem):
        validate_password(password, dgs_member)


def test_the_password_change_form_applies_the_policy(dgs_member: User) -> None:
    dgs_member.set_password(PASSWORD)
    dgs_member.save()
    short = {"old_password": PASSWORD, "new_password1": "short-pw-1", "new_password2": "short-pw-1"}
    form = PasswordChangeForm(dgs_member, short)
    assert not form.is_valid()
    assert "at least 12 characters" in str(form.errors["new_password2"])
    good = "kettle-lorry-harbour"
    form = PasswordChangeForm(
        dgs_member,
        {"old_password": PASSWORD, "new_password1": good, "new_password2": good},
    )
    assert form.is_valid(), form.errors
