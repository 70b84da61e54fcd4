"""Journey (issue 7, 'Plan governance'): the service manager proposes a new version of the
Kent pack, reviews its diff and cannot approve it herself; her deputy, who also declares
the level, approves it, and the organisation then runs the approved version.

Seed 000, Appendix 5: each version records its summary of changes and who reviewed or
approved it; section 8: the Short-Term Pathway Service Manager declares the level.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from surgewatch.core.loader import resolve_pack_path
from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack

PASSWORD = "a-long-test-password-42"


@pytest.fixture
def kcc(transactional_db: None) -> Organisation:
    install_pack("kent-ascch")
    kcc = organisation_by_slug("kcc-asch")
    for username in ("service-manager", "deputy-manager"):
        user = User.objects.create_user(username, password=PASSWORD)
        add_membership(user, kcc, "stp-service-manager")
    return kcc


def test_propose_review_and_approve_a_pack_version(
    live_server: LiveServer,
    page: Page,
    kcc: Organisation,
    tmp_path: Path,
    sign_in: Callable[..., None],
) -> None:
    blocked: list[str] = []
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    kent = resolve_pack_path("kent-ascch").read_text(encoding="utf-8")
    proposed = tmp_path / "kent-ascch-1.9.yaml"
    proposed.write_text(kent.replace('version: "1.8"', 'version: "1.9"'), encoding="utf-8")

    sign_in("service-manager", PASSWORD)
    page.goto(f"{live_server.url}/org/kcc-asch/")
    page.get_by_role("link", name="Plan governance").click()
    expect(page.get_by_role("heading", name="Plan governance", exact=True)).to_be_visible()
    page.get_by_role("link", name="Propose a new version of the pack").click()
    page.get_by_label("Or upload a pack file").set_input_files(proposed)
    page.get_by_label("Summary of changes").fill("Version raised for the 2026 review")
    page.get_by_role("button", name="Save as a draft").click()

    expect(page.get_by_text("Version 1.9 saved as a draft.")).to_be_visible()
    diff = page.get_by_role("table", name="Changed lines")
    expect(diff.get_by_role("row", name='Added 10 version: "1.9"')).to_be_visible()
    expect(diff.get_by_role("row", name='Removed 10 version: "1.8"')).to_be_visible()
    expect(page.get_by_text("You proposed this version, so someone else")).to_be_visible()
    expect(page.get_by_role("button", name="Approve version 1.9")).to_have_count(0)

    page.context.clear_cookies()  # another person, on the same browser
    sign_in("deputy-manager", PASSWORD)
    page.goto(f"{live_server.url}/org/kcc-asch/governance/")
    page.get_by_role("link", name="Review version 1.9").click()
    page.get_by_role("button", name="Approve version 1.9 and put it in force").click()
    expect(page.get_by_text("Version 1.9 approved and now in force")).to_be_visible()
    live = page.get_by_role("row", name="1.9 Live")
    expect(live.get_by_role("cell").nth(3)).to_contain_text("service-manager")
    expect(live.get_by_role("cell").nth(4)).to_contain_text("deputy-manager")

    page.goto(f"{live_server.url}/org/kcc-asch/")
    expect(page.get_by_text("version 1.9", exact=False).first).to_be_visible()
    kcc.refresh_from_db()
    assert kcc.framework.version == "1.9"
    assert blocked == []
