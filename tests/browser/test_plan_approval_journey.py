"""Journey (issue 7): the plans list shows that the latest version of a capacity plan is a
draft; the deputy follows the link to plan governance, approves it there, and the plan
page then says who approved it and when.

Seed 000, Appendix 5: each version of a plan records who approved it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from surgewatch.web.accounts.models import User
from surgewatch.web.governance.models import PlanApproval
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack
from surgewatch.web.plans.models import Plan
from surgewatch.web.plans.services import create_plan

PASSWORD = "a-long-test-password-42"
PLAN = Path(__file__).resolve().parents[2] / "examples" / "plans" / "ssot-2024-25-rsuh-medical.yaml"
UPLOADED = datetime(2026, 1, 5, 11, 0, tzinfo=UTC)


@pytest.fixture
def kcc(transactional_db: None) -> Organisation:
    install_pack("kent-ascch")
    kcc = organisation_by_slug("kcc-asch")
    for username in ("service-manager", "deputy-manager"):
        user = User.objects.create_user(username, password=PASSWORD)
        add_membership(user, kcc, "stp-service-manager")
    author = User.objects.get(username="service-manager")
    create_plan(
        author, kcc, title="Winter beds", text=PLAN.read_text(encoding="utf-8"), filename="",
        change_note="First", now=UPLOADED,
    )  # fmt: skip
    return kcc


def test_a_draft_plan_is_approved_from_its_link_and_the_plan_page_says_so(
    live_server: LiveServer, page: Page, kcc: Organisation, sign_in: Callable[..., None]
) -> None:
    sign_in("deputy-manager", PASSWORD)
    page.goto(f"{live_server.url}/org/kcc-asch/plans/")
    row = page.get_by_role("row", name="Winter beds")
    expect(row.locator("strong.nhsuk-tag")).to_have_text("Draft")
    expect(row).to_contain_text("no approval recorded")
    row.get_by_role("link", name="Plan governance, where versions are approved").click()

    expect(page.get_by_role("heading", name="Capacity plan versions")).to_be_visible()
    page.get_by_label("What is approved, and by which meeting").fill("UEC Board 26.09.24")
    page.get_by_role("button", name="Approve version 1").click()
    expect(page.get_by_text("Winter beds: version 1 approved.")).to_be_visible()

    page.get_by_role("link", name="Winter beds").click()
    summary = page.locator(".nhsuk-summary-list__row", has_text="Approval")
    expect(summary.locator("strong.nhsuk-tag")).to_have_text("Approved")
    expect(summary).to_contain_text("by deputy-manager on")
    approval = PlanApproval.objects.get()
    plan = Plan.objects.get()
    assert (approval.plan_version.plan, approval.approved_by.username) == (plan, "deputy-manager")
