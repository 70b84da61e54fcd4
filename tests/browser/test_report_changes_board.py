"""Journey: a team manager logs in, reports a value that changes a level, sees the board change.

Seed 000, section 4.3: DGS short-term pathway staffing of 70-100% is OPEL 1
(green) and 30-49% is OPEL 3 (red).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack
from surgewatch.web.reporting.services import submit_readings

PASSWORD = "a-long-test-password-42"


@pytest.fixture
def team_manager(transactional_db: None) -> User:
    install_pack("kent-ascch")
    kcc = organisation_by_slug("kcc-asch")
    dgs = kcc.areas.get(slug="dgs")
    user = User.objects.create_user("dgs-manager", password=PASSWORD)
    add_membership(user, kcc, "stp-team-manager", area=dgs)
    earlier = timezone.now() - timedelta(hours=2)
    submit_readings(user, dgs, {"stp_staffing_pct": 80}, earlier, now=earlier)
    return user


def _dgs_row(page: Page) -> str:
    row = page.get_by_role("row").filter(has_text="Dartford, Gravesham and Swanley")
    return row.inner_text()


def test_reporting_a_lower_staffing_level_turns_the_board_red(
    live_server: LiveServer, page: Page, team_manager: User, sign_in: Callable[..., None]
) -> None:
    sign_in("dgs-manager", PASSWORD, start="/")  # the board redirects to the login form
    assert "OPEL 1 · Green" in _dgs_row(page)

    page.goto(f"{live_server.url}/org/kcc-asch/area/dgs/report/")
    page.get_by_label("Staffing of Short-term Pathway Team (%)").fill("45")
    page.get_by_role("button", name="Save readings").click()
    expect(
        page.get_by_text("1 readings saved for Dartford, Gravesham and Swanley.")
    ).to_be_visible()

    page.get_by_role("link", name="Status board").first.click()
    row = _dgs_row(page)
    assert "OPEL 3 · Red" in row
    assert "falling, worse" in row


def test_a_refused_value_is_shown_beside_its_field_and_nothing_changes(
    live_server: LiveServer, page: Page, team_manager: User, sign_in: Callable[..., None]
) -> None:
    sign_in("dgs-manager", PASSWORD)

    page.goto(f"{live_server.url}/org/kcc-asch/area/dgs/report/")
    page.get_by_label("Staffing of Short-term Pathway Team (%)").fill("130")
    page.get_by_role("button", name="Save readings").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator("#id_stp_staffing_pct-error")).to_contain_text("less than or equal to 100")

    page.goto(f"{live_server.url}/")
    assert "OPEL 1 · Green" in _dgs_row(page)
