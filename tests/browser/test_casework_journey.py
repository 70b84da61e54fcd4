"""Journey (issue 7): a DGS team manager records an assessment bed placement that began
30 days ago, sees it flagged over 3 weeks for immediate action (seed 000, section 6.3),
records its end, and it leaves the list and the counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from surgewatch.web.accounts.models import User
from surgewatch.web.audit.models import AuditAction, AuditEntry
from surgewatch.web.casework.models import Placement
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack

PASSWORD = "a-long-test-password-42"


@pytest.fixture
def team_manager(transactional_db: None) -> User:
    install_pack("kent-ascch")
    kcc = organisation_by_slug("kcc-asch")
    user = User.objects.create_user("dgs-manager", password=PASSWORD)
    add_membership(user, kcc, "stp-team-manager", area=kcc.areas.get(slug="dgs"))
    return user


def test_record_a_placement_see_it_flagged_and_record_its_end(
    live_server: LiveServer, page: Page, team_manager: User, sign_in: Callable[..., None]
) -> None:
    blocked: list[str] = []
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    sign_in("dgs-manager", PASSWORD)

    page.goto(f"{live_server.url}/org/kcc-asch/")
    page.get_by_role("link", name="Casework timers: assessment bed placements").click()
    expect(page.get_by_role("heading", name="Casework timers")).to_be_visible()
    page.get_by_role("link", name="Dartford, Gravesham and Swanley").click()
    page.get_by_role("link", name="Record an assessment bed placement").click()

    today = timezone.localdate()
    started = today - timedelta(days=30)
    page.get_by_label("Case reference").fill("DGS-0042")
    page.get_by_label("Provider", exact=True).fill("Oak House")
    page.get_by_label("Provider's email address").fill("beds@oak.example.org")
    page.get_by_label("Placement started").fill(started.isoformat())
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Assessment bed placement DGS-0042 recorded.")).to_be_visible()
    row = page.locator("#placement-" + str(Placement.objects.get().pk))
    expect(row).to_contain_text("Over 3 weeks")
    expect(row).to_contain_text("immediate action since")
    # Colour is a second cue: the words are in the tag itself.
    expect(row.locator(".nhsuk-tag--red")).to_have_text("Over 3 weeks")

    row.get_by_label("Ended on for DGS-0042").fill(today.isoformat())
    row.get_by_role("button", name="Save ended on for DGS-0042").click()
    expect(page.get_by_text("DGS-0042 closed.")).to_be_visible()
    expect(page.get_by_text("No open placements.")).to_be_visible()

    page.get_by_role("link", name="Casework counts for every area").click()
    dgs = page.get_by_role("row", name="Dartford, Gravesham and Swanley")
    expect(dgs.get_by_role("cell").first).to_have_text("0")
    assert Placement.objects.get().ended_on == today
    assert AuditEntry.objects.filter(model="casework.placement", action=AuditAction.VIEWED).exists()
    assert blocked == []
