"""Journey (issue 4): values that push Kent to OPEL 3 open the right cards, start
the twice-daily SHREWD clock, notify by the chosen channels, and show in the
SitRep; the cards stand down only after the hold.

Kent suggests the highest level reached by at least two indicators, so DGS
staffing 45% and caseload 70 (both OPEL 3, seed 000 section 4.3) put KCC at 3.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from surgewatch.web.accounts.models import User
from surgewatch.web.actions.models import ActionCard, CardStatus
from surgewatch.web.actions.services import refresh_level
from surgewatch.web.notify.models import Message
from surgewatch.web.notify.services import add_channel, choose_channels
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack

PASSWORD = "a-long-test-password-42"


@pytest.fixture
def kcc(transactional_db: None) -> Organisation:
    install_pack("kent-ascch")
    kcc = organisation_by_slug("kcc-asch")
    manager = User.objects.create_user("dgs-manager", password=PASSWORD)
    add_membership(manager, kcc, "stp-team-manager", area=kcc.areas.get(slug="dgs"))
    coordinator = User.objects.create_user("coordinator", password=PASSWORD)
    add_membership(coordinator, kcc, "discharge-coordinator")
    email = add_channel(coordinator, "email", "coordinator@example.org", timezone.now())
    choose_channels(coordinator, {coordinator.memberships.get().pk: [email.pk]})
    User.objects.create_user("director", email="director@example.org", password=PASSWORD)
    add_membership(User.objects.get(username="director"), kcc, "director-asc")
    return kcc


def _report(page: Page, server: LiveServer, staffing: str, caseload: str) -> None:
    page.goto(f"{server.url}/org/kcc-asch/area/dgs/report/")
    page.get_by_label("Staffing of Short-term Pathway Team (%)").fill(staffing)
    page.get_by_label("KCC Health Caseload (cases)").fill(caseload)
    page.get_by_role("button", name="Save readings").click()
    expect(page.get_by_text("2 readings saved")).to_be_visible()


def test_opel_3_opens_cards_notifies_and_stands_down_after_the_hold(
    live_server: LiveServer, page: Page, kcc: Organisation, sign_in: Callable[..., None]
) -> None:
    sign_in("dgs-manager", PASSWORD)
    _report(page, live_server, "45", "70")

    page.goto(f"{live_server.url}/org/kcc-asch/actions/")
    expect(page.get_by_role("heading", name="Actions by role")).to_be_visible()
    expect(page.get_by_text("Indicators (after the de-escalation hold)").first).to_be_visible()
    expect(page.get_by_role("link", name="Ensure Shrewd is updated by 10.30 am")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    sign_in("coordinator", PASSWORD)
    page.get_by_role("link", name="My actions").first.click()
    page.get_by_role("link", name="Ensure Shrewd is updated by 10.30 am").click()
    expect(page.get_by_text("Deadlines")).to_be_visible()
    page.get_by_role("button", name="Done for the next deadline").click()
    expect(page.get_by_text("Done for this deadline")).to_be_visible()

    # Notified by the channel each person chose (the coordinator) or their email.
    kinds = set(Message.objects.values_list("recipient__username", "kind"))
    assert {("coordinator", "email"), ("director", "email")} <= kinds
    assert Message.objects.filter(subject__contains="is now at OPEL 3").exists()

    # The SitRep shows the level and the open actions.
    page.goto(f"{live_server.url}/org/kcc-asch/sitrep/")
    expect(page.get_by_text("OPEL 3").first).to_be_visible()
    expect(page.get_by_text("Ensure Shrewd is updated again between 14:00").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="as PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")

    # Green again: the acting level holds at 3 until the pack's 48 hours have passed.
    page.get_by_role("button", name="Log out").click()
    sign_in("dgs-manager", PASSWORD)
    _report(page, live_server, "80", "20")
    assert not ActionCard.objects.filter(status=CardStatus.STOOD_DOWN).exists()
    refresh_level(kcc, timezone.now() + timedelta(hours=49))
    page.goto(f"{live_server.url}/org/kcc-asch/actions/?status=stood_down")
    expect(page.get_by_role("link", name="Ensure Shrewd is updated by 10.30 am")).to_be_visible()
    assert not ActionCard.objects.active().exists()
