"""``surgewatch token``: a feed's bearer token from the command line."""

from __future__ import annotations

import pytest
from django.test import Client

from surgewatch.cli import main
from surgewatch.web.accounts.models import User
from surgewatch.web.api.models import ApiToken


def _organisations(token: str) -> int:
    response = Client().get("/api/organisations", HTTP_AUTHORIZATION=f"Bearer {token}")
    return response.status_code


def test_an_issued_token_works_once_printed_and_stops_when_revoked(
    dgs_member: User, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "issue", "dgs-manager", "--name", "DGS feed"]) == 0
    heading, plaintext = capsys.readouterr().out.splitlines()
    token = ApiToken.objects.get()
    assert heading.startswith(f"token {token.pk} for dgs-manager (DGS feed)")
    assert plaintext.startswith("sw_") and plaintext not in token.key_sha256
    assert _organisations(plaintext) == 200

    assert main(["token", "revoke", str(token.pk)]) == 0
    assert _organisations(plaintext) == 401
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["token", "issue", "nobody", "--name", "feed"], "no active user 'nobody'"),
        (["token", "issue", "dgs-manager", "--name", "  "], "--name is empty; fix:"),
        (["token", "revoke", "999"], "no token 999; fix:"),
    ],
)
def test_bad_requests_say_what_is_wrong_and_issue_nothing(
    dgs_member: User, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not ApiToken.objects.exists()
