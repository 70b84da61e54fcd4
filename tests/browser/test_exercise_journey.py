"""Journey (issue 7): the service manager opens Exercises from Kent's organisation page,
runs the shipped MTW OPEL 4 script, reads the timeline (levels as words and colour,
notifications marked not sent), replays it at a chosen speed, and sees that the live
level and the outbox are untouched."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from surgewatch.web.accounts.models import User
from surgewatch.web.actions.models import ActionCard, LevelChange
from surgewatch.web.notify.models import Message
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack

PASSWORD = "a-long-test-password-42"


@pytest.fixture
def service_manager(transactional_db: None) -> User:
    install_pack("kent-ascch")
    user = User.objects.create_user("service-manager", password=PASSWORD)
    add_membership(user, organisation_by_slug("kcc-asch"), "stp-service-manager")
    return user


def test_run_and_replay_the_mtw_exercise(
    live_server: LiveServer, page: Page, service_manager: User, sign_in: Callable[..., None]
) -> None:
    blocked: list[str] = []
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    sign_in("service-manager", PASSWORD)

    page.goto(f"{live_server.url}/org/kcc-asch/")
    page.get_by_role("link", name=re.compile("^Exercises")).click()
    expect(page.get_by_role("heading", name="Exercises", exact=True)).to_be_visible()
    page.get_by_label("Shipped example script").select_option("mtw-opel4-2024-07-24.yaml")
    page.get_by_role("button", name="Run exercise").click()

    expect(page.get_by_role("heading", name=re.compile("MTW OPEL 4"))).to_be_visible()
    timeline = page.locator("#exercise-timeline")
    expect(timeline.get_by_text("OPEL 4 · Black").first).to_be_visible()
    expect(timeline.get_by_text("Notification (not sent)").first).to_be_visible()
    # The DoS protocol (seed 000, 6.1) and the reporting deadlines are on the timeline.
    expect(timeline.get_by_role("cell", name="Protocol started", exact=True)).to_be_visible()
    expect(timeline.get_by_role("cell", name="Report missing", exact=True).first).to_be_visible()
    expect(
        timeline.get_by_text(re.compile("Extra-ordinary Practice Assurance Panel"))
    ).to_be_visible()

    # Replay at an hour a second: only the rows up to the simulated clock show.
    total = timeline.locator("tbody tr").count()
    page.get_by_label("Replay speed").select_option("3600")
    page.get_by_role("button", name="Replay").click()
    expect(page.locator("[data-replay-clock]")).to_contain_text("22 Jul")
    expect(timeline.locator("tbody tr:visible")).not_to_have_count(total)
    page.get_by_role("button", name="Show everything").click()
    expect(timeline.locator("tbody tr:visible")).to_have_count(total)
    expect(page.locator("[data-replay-clock]")).to_contain_text("30 Jul")

    assert not LevelChange.objects.exists()
    assert not ActionCard.objects.exists()
    assert not Message.objects.exists()
    assert blocked == []
