"""Packs put in force from files (``install_pack``, which ``surgewatch demo`` runs) carry
no approval in the app: the command says so in one line and points at the governance
page, where changes are approved by someone else (issue 7, plan governance)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from surgewatch.commands.demo import approval_notice, load_demo
from surgewatch.core.loader import resolve_pack_path
from surgewatch.web.accounts.models import User
from surgewatch.web.governance import services
from surgewatch.web.orgs.models import Organisation

NOW = datetime(2026, 1, 5, 11, 0, tzinfo=UTC)
MakeUser = Callable[..., User]


def _kent_1_9() -> str:
    text = resolve_pack_path("kent-ascch").read_text(encoding="utf-8")
    return text.replace('version: "1.8"', 'version: "1.9"')


def test_an_installed_pack_is_named_with_its_governance_page(kcc: Organisation) -> None:
    notice = approval_notice()
    assert notice is not None and "\n" not in notice
    assert notice.startswith("In force without an approval recorded in the app")
    assert "kent-ascch v1.8 for kcc-asch" in notice
    assert "propose the new version on its Plan governance page (/org/kcc-asch/governance/)" in (
        notice
    )


def test_a_version_approved_in_the_app_needs_no_notice(
    kcc: Organisation, make_user: MakeUser
) -> None:
    author = make_user("service-manager", "stp-service-manager")
    approver = make_user("deputy-manager", "stp-service-manager")
    revision = services.propose_revision(
        author, kcc, text=_kent_1_9(), filename="", summary="Version 1.9", now=NOW
    )
    services.approve_revision(approver, revision, now=NOW)
    assert approval_notice() is None


def test_no_organisation_no_notice(db: None) -> None:
    assert approval_notice() is None


def test_the_demo_command_prints_the_notice(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert load_demo(days=1, seed=1, show_logins=False)
    lines = capsys.readouterr().out.splitlines()
    notice = [line for line in lines if "without an approval recorded in the app" in line]
    assert len(notice) == 1
    assert "kent-ascch v1.8 for kcc-asch" in notice[0]
    assert "/org/kcc-asch/governance/" in notice[0]
