"""The strict Content-Security-Policy breaks nothing: Chromium loads the pages, their own
scripts run (nhsuk-frontend, htmx, Chart.js, the API docs) and no violation is reported.

Violations are caught twice: the browser's console error and the page's
``securitypolicyviolation`` event, recorded by a script Playwright adds before
any page script runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack
from surgewatch.web.reporting.services import submit_readings

PASSWORD = "a-long-test-password-42"
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile);
});
"""


@pytest.fixture
def team_manager(transactional_db: None) -> User:
    install_pack("kent-ascch")
    kcc = organisation_by_slug("kcc-asch")
    dgs = kcc.areas.get(slug="dgs")
    user = User.objects.create_user("dgs-manager", password=PASSWORD)
    add_membership(user, kcc, "stp-team-manager", area=dgs)
    for hours, value in ((50, 80), (26, 64), (2, 45)):
        at = timezone.now() - timedelta(hours=hours)
        submit_readings(user, dgs, {"stp_staffing_pct": value}, at, now=at)
    return user


def _watch(page: Page) -> list[str]:
    seen: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            seen.append(message.text)

    page.on("console", on_console)
    page.add_init_script(RECORD_VIOLATIONS)
    return seen


def _violations(page: Page, console: list[str]) -> list[str]:
    recorded: list[str] = page.evaluate("window.__cspViolations")
    return console + recorded


def test_pages_run_their_scripts_with_no_csp_violation(
    live_server: LiveServer, page: Page, team_manager: User, sign_in: Callable[..., None]
) -> None:
    console = _watch(page)
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("body")).to_have_class(re.compile(r"\bjs-enabled nhsuk-frontend-supported"))
    sign_in("dgs-manager", PASSWORD, start=None)  # the form already on screen
    # nhsuk-frontend's module ran (it marks each component it starts) and htmx loaded.
    expect(page.locator("header[data-nhsuk-header-init]")).to_have_count(1)
    assert page.evaluate("typeof window.htmx") == "object"
    assert _violations(page, console) == []

    page.goto(f"{live_server.url}/org/kcc-asch/area/dgs/indicator/stp_staffing_pct/")
    page.wait_for_function("window.Chart && Object.keys(Chart.instances).length >= 1")
    assert _violations(page, console) == []

    page.goto(f"{live_server.url}/org/kcc-asch/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert _violations(page, console) == []


def test_the_api_docs_render_under_the_policy(live_server: LiveServer, page: Page) -> None:
    console = _watch(page)
    page.goto(f"{live_server.url}/api/docs")
    expect(page.get_by_text("/api/readings").first).to_be_visible()
    assert _violations(page, console) == []
