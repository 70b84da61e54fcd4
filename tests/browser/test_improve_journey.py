"""Journey (issue 7): a team records a High Impact Change Model self-assessment, sees its
maturity per change as a radar chart with a table of the same figures, plans an action
with an owner and a due date, and the owner finds it on My actions and marks it done.

Seed 003, '4. The model' (eight changes, five maturity levels) and its action planning
template.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from surgewatch.web.accounts.models import User
from surgewatch.web.improve.models import Assessment, ImprovementAction
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack

PASSWORD = "a-long-test-password-42"


@pytest.fixture
def kcc(transactional_db: None) -> Organisation:
    install_pack("kent-ascch")
    kcc = organisation_by_slug("kcc-asch")
    manager = User.objects.create_user(
        "service-manager", first_name="Sam", last_name="Patel", password=PASSWORD
    )
    add_membership(manager, kcc, "stp-service-manager")
    return kcc


def _rate(page: Page, criterion: str, level: str, evidence: str) -> None:
    page.get_by_role("group", name=criterion).get_by_label(level, exact=True).check()
    page.get_by_label(f"Evidence: {criterion}").fill(evidence)


def test_an_assessment_becomes_a_radar_chart_and_a_plan_reaches_my_actions(
    live_server: LiveServer, page: Page, kcc: Organisation, sign_in: Callable[..., None]
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in("service-manager", PASSWORD)
    page.goto(f"{live_server.url}/org/kcc-asch/")
    page.get_by_role("link", name="Self-assessments").click()
    page.get_by_role(
        "link", name="Record an assessment against the High Impact Change Model"
    ).click()
    expect(page.get_by_role("heading", name="Record an assessment")).to_be_visible()

    page.get_by_label("Who took part").fill("Sam Patel (Service Manager), KEaH, DGS IDT")
    _rate(page, "Early discharge planning for elective admissions", "Plans in place",
          "Commissioners meet monthly")  # fmt: skip
    _rate(page, "Discharge planning for emergency admissions", "Established",
          "EDD audit: 81% within 48 hours")  # fmt: skip
    _rate(page, "Bottlenecks", "Mature", "Two delays in December, both cleared in a day")
    page.get_by_role("button", name="Save assessment").click()

    expect(page.get_by_text("Assessment 1 is on record.")).to_be_visible()
    expect(
        page.get_by_role("heading", name="High Impact Change Model: assessment 1")
    ).to_be_visible()
    table = page.get_by_role("table", name="Mean level per change")
    row = table.get_by_role("row", name="1. Early discharge planning")
    expect(row.get_by_role("cell").nth(1)).to_have_text("2.5")
    chart = page.locator("#radar-chart")
    expect(chart).to_be_visible()
    drawn = page.evaluate("() => window.Chart && !!window.Chart.getChart('radar-chart')")
    assert drawn is True
    assert Assessment.objects.get().ratings.count() == 3

    page.get_by_role("link", name="Plan an action for change 2").click()
    page.get_by_label("Where are you now?").fill("Bottlenecks are rare")
    page.get_by_label("What do you need to do?").fill("Daily flow huddle with KEaH")
    due = timezone.localdate() + timedelta(days=30)
    page.get_by_label("When will it be done by?").fill(due.isoformat())
    page.get_by_label("How will you know it has been successful?").fill("No delay over a day")
    page.get_by_label("Owner").select_option(label="Sam Patel (Short-Term Pathway Service Manager)")
    page.get_by_role("button", name="Add to the plan").click()
    expect(page.get_by_text("Action 1 is in the plan")).to_be_visible()

    page.get_by_role("link", name="My actions").first.click()
    mine = page.get_by_role("table", name="Your open improvement actions, overdue first")
    expect(mine.get_by_role("link", name="Daily flow huddle with KEaH")).to_be_visible()
    mine.get_by_role("link", name="Daily flow huddle with KEaH").click()
    page.get_by_role("button", name="Mark done action 1").click()
    expect(page.get_by_text("Action 1 is done.")).to_be_visible()
    assert ImprovementAction.objects.get().status == "done"
    assert errors == []
