"""Journey (issue 7): a DGS team manager puts a complex case on the wash-up board, the
weekly improvement cycle shows its blocker in the Pareto, and the blocker is escalated
to the area management team as an action card; the director sees counts, no patient.

Seed 003, Kent 'Acute Hospital Optimisation': the Wash-up Board and the Weekly
improvement cycle ('escalated to area management team').
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from surgewatch.web.accounts.models import User
from surgewatch.web.actions.models import ActionCard
from surgewatch.web.audit.models import AuditAction, AuditEntry
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack
from surgewatch.web.washup.models import WashupCase

PASSWORD = "a-long-test-password-42"


@pytest.fixture
def kcc(transactional_db: None) -> Organisation:
    install_pack("kent-ascch")
    kcc = organisation_by_slug("kcc-asch")
    manager = User.objects.create_user("dgs-manager", password=PASSWORD)
    add_membership(manager, kcc, "stp-team-manager", area=kcc.areas.get(slug="dgs"))
    director = User.objects.create_user("director", password=PASSWORD)
    add_membership(director, kcc, "director-asc")
    return kcc


def _add_case(page: Page) -> None:
    today = timezone.localdate()
    page.get_by_role("link", name="Add a case").first.click()
    page.get_by_label("Patient reference").fill("SW-4821")
    page.get_by_label("Hospital").fill("Darent Valley Hospital")
    page.get_by_label("Ward").fill("Ward 3")
    page.get_by_label("Ideal outcome").select_option(label="Home with no new support")
    page.get_by_label("Expected outcome").select_option(label="Long-term residential care")
    page.get_by_label("Blocker reason").select_option(label="Night sitting service not available")
    page.get_by_label("Action", exact=True).fill("Escalate at the weekly improvement cycle")
    page.get_by_label("Action owner").fill("Dee Gee")
    page.get_by_label("Action deadline").fill(f"{today + timedelta(days=4):%Y-%m-%d}")
    page.get_by_label("Review date").fill(f"{today + timedelta(days=7):%Y-%m-%d}")
    page.get_by_role("button", name="Save the case").click()
    expect(page.get_by_role("heading", name="Case SW-4821")).to_be_visible()
    expect(page.get_by_text("Falls short of the ideal by 3 steps")).to_be_visible()


def test_a_case_its_blocker_in_the_pareto_and_an_escalation_to_the_area(
    live_server: LiveServer, page: Page, kcc: Organisation, sign_in: Callable[..., None]
) -> None:
    sign_in("dgs-manager", PASSWORD)
    page.get_by_role("link", name=kcc.name).first.click()
    page.get_by_role("link", name="Wash-up board: complex discharges").click()
    expect(page.get_by_role("heading", name="Wash-up board")).to_be_visible()
    _add_case(page)

    page.get_by_role("link", name="Weekly improvement cycle").click()
    pareto = page.locator("#pareto")
    expect(pareto.get_by_role("cell", name="Night sitting service not available")).to_be_visible()
    expect(pareto.get_by_role("cell", name="100%").first).to_be_visible()
    page.get_by_label("Area", exact=True).select_option(label="Dartford, Gravesham and Swanley")
    page.get_by_label("Blocker", exact=True).select_option(
        label="Night sitting service not available"
    )
    page.get_by_label("What the area management team is asked to do").fill(
        "Commission night sitting for DGS"
    )
    due = timezone.localtime() + timedelta(days=3)
    page.get_by_label("Due (UK time)").fill(f"{due:%Y-%m-%dT%H:%M}")
    page.get_by_role("button", name="Escalate").click()
    expect(page.get_by_text("Escalated: card")).to_be_visible()
    card = ActionCard.objects.get(role="stp-team-manager", area__slug="dgs")
    assert "Commission night sitting for DGS" in card.text

    page.get_by_role("button", name="Log out").click()
    sign_in("director", PASSWORD)
    page.goto(f"{live_server.url}/org/kcc-asch/washup/")
    expect(page.get_by_text("Patient-level cases are shown only")).to_be_visible()
    expect(page.get_by_text("SW-4821")).to_have_count(0)
    case = WashupCase.objects.get()
    readers = AuditEntry.objects.filter(action=AuditAction.VIEWED, object_id=str(case.pk))
    assert set(readers.values_list("actor", flat=True)) == {"dgs-manager"}


def test_a_weekly_update_supersedes_and_the_case_page_shows_what_changed(
    live_server: LiveServer, page: Page, kcc: Organisation, sign_in: Callable[..., None]
) -> None:
    """Seed 003: each case is reviewed weekly; the update keeps the earlier values."""
    sign_in("dgs-manager", PASSWORD)
    page.goto(f"{live_server.url}/org/kcc-asch/washup/")
    _add_case(page)

    page.get_by_role("link", name="Update this case").click()
    page.get_by_label("Blocker reason").select_option(label="Delay in accessing equipment")
    page.get_by_label("What changed (optional)").fill("Night sitting found; hoist awaited")
    page.get_by_role("button", name="Save the case").click()

    expect(page.get_by_role("heading", name="Revision 2: Updated")).to_be_visible()
    expect(page.get_by_role("heading", name="Revision 1: Added to the board")).to_be_visible()
    expect(page.get_by_text("Note: Night sitting found; hoist awaited")).to_be_visible()
    changed = page.locator("#revision-2").get_by_role("row", name="Blocker reason")
    expect(changed).to_contain_text("Night sitting service not available")
    expect(changed).to_contain_text("Delay in accessing equipment")
    case = WashupCase.objects.get()
    assert list(case.revisions.values_list("blocker", flat=True).order_by("number")) == [
        "night-sitting",
        "equipment-delay",
    ]
