"""Journey (issue 7): the service manager sets the unit costs, records HART's outcomes and
sees the savings worked out, then amends a count and sees the total follow.

Seed 003, Lincolnshire HART: 1,220 bed days x GBP 400 = GBP 488,000; 303 avoided
admissions x GBP 2,000 = GBP 606,000; total GBP 1,094,000.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack

PASSWORD = "a-long-test-password-42"


@pytest.fixture
def service_manager(transactional_db: None) -> User:
    install_pack("kent-ascch")
    user = User.objects.create_user("service-manager", password=PASSWORD)
    add_membership(user, organisation_by_slug("kcc-asch"), "stp-service-manager")
    return user


def test_record_outcomes_and_see_the_savings(
    live_server: LiveServer, page: Page, service_manager: User, sign_in: Callable[..., None]
) -> None:
    blocked: list[str] = []
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    sign_in("service-manager", PASSWORD)

    page.goto(f"{live_server.url}/org/kcc-asch/")
    page.get_by_role("link", name="Scheme outcomes and savings").click()
    expect(page.get_by_text("No unit costs are set yet")).to_be_visible()

    page.get_by_role("link", name="Set the unit costs").click()
    page.get_by_label("Cost of one bed day (GBP)").fill("400")
    page.get_by_label("Cost of one avoided admission (GBP)").fill("2000")
    page.get_by_label("Where these costs come from").fill("Seed 003, HART slides")
    page.get_by_role("button", name="Save the unit costs").click()
    expect(page.get_by_text("Unit costs saved")).to_be_visible()

    page.get_by_role("link", name="Record scheme outcomes").click()
    page.get_by_label("Scheme", exact=True).fill("HART")
    page.get_by_label("First day the counts cover").fill("2015-12-15")
    page.get_by_label("Last day the counts cover").fill("2017-08-31")
    page.get_by_label("Bed days saved").fill("1200")  # a slip, amended below
    page.get_by_label("Admissions avoided").fill("303")
    page.get_by_label("Bed days potentially saved (optional)").fill("670")
    page.get_by_role("button", name="Save the outcomes").click()
    expect(page.get_by_text("HART: outcomes recorded.")).to_be_visible()
    expect(page.locator("#savings-total")).to_have_text("GBP 1,086,000")

    page.get_by_role("link", name="Amend HART").click()
    expect(page.get_by_label("Bed days saved")).to_have_value("1200.00")
    page.get_by_label("Bed days saved").fill("1220")
    page.get_by_label("Why this amends the earlier record").fill("Typed 1200 for 1,220")
    page.get_by_role("button", name="Save the amendment").click()
    expect(page.get_by_text("HART: outcomes amended.")).to_be_visible()

    expect(page.get_by_text("1,220 bed days saved x GBP 400 = GBP 488,000")).to_be_visible()
    expect(page.get_by_text("303 admissions avoided x GBP 2,000 = GBP 606,000")).to_be_visible()
    expect(page.locator("#savings-total")).to_have_text("GBP 1,094,000")
    expect(page.get_by_text("Potential savings, not in the total: GBP 268,000.")).to_be_visible()
    page.get_by_text("Earlier records, replaced by an amendment (1)").click()
    expect(page.get_by_text("Typed 1200 for 1,220")).to_have_count(2)
    assert blocked == []
