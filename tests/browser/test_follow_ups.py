"""Journey (issue 4): what the escalation group agrees and what a decision asks to be
reviewed land on the owner's My actions, and are done from there.

Seed 000, section 5.2 (actions agreed by the KCC Operational Pressures Escalation
Group) and Appendix 4 (a decision's follow-up review time).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from surgewatch.web.accounts.models import User
from surgewatch.web.actions.models import CardStatus
from surgewatch.web.decisions.models import DecisionReview, MeetingAction
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack

PASSWORD = "a-long-test-password-42"


@pytest.fixture
def kcc(transactional_db: None) -> Organisation:
    install_pack("kent-ascch")
    kcc = organisation_by_slug("kcc-asch")
    director = User.objects.create_user(
        "director", first_name="Alex", last_name="Reed", password=PASSWORD
    )
    add_membership(director, kcc, "director-asc")
    head = User.objects.create_user("ria", first_name="Ria", last_name="Shah", password=PASSWORD)
    add_membership(head, kcc, "head-of-keah")
    return kcc


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_an_agreed_action_and_a_review_reach_my_actions_and_are_done(
    live_server: LiveServer, page: Page, kcc: Organisation, sign_in: Callable[..., None]
) -> None:
    now = timezone.now()
    sign_in("director", PASSWORD)
    page.goto(f"{live_server.url}/org/kcc-asch/meetings/new/")
    page.get_by_label("Chair (name)").fill("Alex Reed")
    page.get_by_label("Attendee 1 name").fill("Ria Shah")
    page.get_by_label("Action 1: what is to be done").fill("Move 3 KEaH staff to DGS")
    page.get_by_label("Action 1: owner").select_option(
        label="Ria Shah (Head of Kent Enablement at Home)"
    )
    page.get_by_label("Action 1: due (UK time)").fill(_local(now + timedelta(hours=3)))
    page.get_by_role("button", name="Save meeting").click()
    expect(page.get_by_text("is on record")).to_be_visible()

    page.goto(f"{live_server.url}/org/kcc-asch/decisions/new/")
    page.get_by_label("What was decided").fill("Spot purchase 4 beds out of county")
    page.get_by_label("The risk it mitigates").fill("Patients wait in acute beds")
    page.get_by_label("How the risk was identified").fill("DGS caseload on the board")
    page.get_by_label("How the risk was measured").fill("Caseload at OPEL 3 for two days")
    page.get_by_label("When it was decided (UK time)").fill(_local(now - timedelta(minutes=10)))
    page.get_by_label("When to review it (UK time)").fill(_local(now + timedelta(hours=4)))
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text("is on record")).to_be_visible()

    page.get_by_role("link", name="My actions").first.click()
    review = page.get_by_role("link", name="Review decision")
    expect(review).to_be_visible()
    expect(page.get_by_role("link", name="Move 3 KEaH staff to DGS")).to_have_count(0)
    review.click()
    page.get_by_role("link", name="Record the review of decision").click()
    page.get_by_label("What the review found and decided").fill("Beds found; stands down")
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator("strong.nhsuk-tag", has_text="Reviewed")).to_be_visible()
    assert DecisionReview.objects.get().outcome == "Beds found; stands down"

    page.get_by_role("button", name="Log out").click()
    sign_in("ria", PASSWORD)
    page.get_by_role("link", name="My actions").first.click()
    page.get_by_role("link", name="Move 3 KEaH staff to DGS").click()
    page.get_by_role("button", name="Acknowledge").click()
    page.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_text("Done").first).to_be_visible()
    card = MeetingAction.objects.get().card
    assert card is not None
    card.refresh_from_db()
    assert card.status == CardStatus.DONE
