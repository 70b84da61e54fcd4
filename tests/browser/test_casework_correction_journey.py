"""Journey (issue 7; DESIGN.md 'Security and records'): a DGS team manager finds a
placement recorded with the wrong provider, opens it from the area's list, corrects it
with a reason, and sees the old and the new value side by side on the record's page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from surgewatch.web.accounts.models import User
from surgewatch.web.casework.models import Correction, Placement
from surgewatch.web.casework.services import PlacementFields, record_placement
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack

PASSWORD = "a-long-test-password-42"


@pytest.fixture
def team_manager(transactional_db: None) -> User:
    install_pack("kent-ascch")
    kcc = organisation_by_slug("kcc-asch")
    dgs = kcc.areas.get(slug="dgs")
    user = User.objects.create_user("dgs-manager", password=PASSWORD)
    add_membership(user, kcc, "stp-team-manager", area=dgs)
    started = timezone.localdate() - timedelta(days=10)
    given = PlacementFields("DGS-0042", "Oak House", "beds@oak.example.org", started)
    record_placement(user, dgs, given, timezone.now())
    return user


def test_correct_a_placements_provider_and_see_both_values(
    live_server: LiveServer, page: Page, team_manager: User, sign_in: Callable[..., None]
) -> None:
    blocked: list[str] = []
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    sign_in("dgs-manager", PASSWORD)
    page.goto(f"{live_server.url}/org/kcc-asch/casework/dgs/")
    page.get_by_role("link", name="DGS-0042").click()
    expect(page.get_by_role("heading", name="Assessment bed placement DGS-0042")).to_be_visible()
    expect(page.get_by_text("Not corrected since it was recorded.")).to_be_visible()

    page.get_by_label("Provider", exact=True).fill("Elm Lodge")
    page.get_by_role("button", name="Save correction").click()
    # No reason: refused, named beside the field, nothing saved.
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_text("say why the record is corrected").first).to_be_visible()
    assert Correction.objects.count() == 0

    page.get_by_label("Why is this corrected?").fill("Typed the wrong home")
    page.get_by_role("button", name="Save correction").click()
    expect(page.get_by_text("DGS-0042 corrected.")).to_be_visible()
    row = page.get_by_role("row", name="Typed the wrong home")
    expect(row).to_contain_text("Oak House")
    expect(row).to_contain_text("Elm Lodge")
    expect(row).to_contain_text("dgs-manager")
    assert Placement.objects.get().provider == "Elm Lodge"
    assert blocked == []
