"""Journey (issue 5): the service manager uploads the SSOT plan file, sees the gap table
and chart with seed 002's residual, and downloads the workbook for the board.

Seed 002, 'Indicative Medical Bed Count': the residual after mitigation is +9, -7,
-4, -9, -5, +8, +2, +14, +12 for Oct-24..Jun-25.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack

PASSWORD = "a-long-test-password-42"
SSOT = Path(__file__).resolve().parents[2] / "examples" / "plans" / "ssot-2024-25-rsuh-medical.yaml"


@pytest.fixture
def service_manager(transactional_db: None) -> User:
    install_pack("kent-ascch")
    user = User.objects.create_user("service-manager", password=PASSWORD)
    add_membership(user, organisation_by_slug("kcc-asch"), "stp-service-manager")
    return user


def test_upload_a_plan_see_the_gap_and_download_the_workbook(
    live_server: LiveServer,
    page: Page,
    service_manager: User,
    tmp_path: Path,
    sign_in: Callable[..., None],
) -> None:
    # The site's strict Content-Security-Policy must not block the chart or the form.
    blocked: list[str] = []
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    sign_in("service-manager", PASSWORD)

    page.goto(f"{live_server.url}/org/kcc-asch/")
    page.get_by_role("link", name="Capacity plans: bed gap, uncertainty, costs and risks").click()
    page.get_by_role("link", name="Add a plan").click()
    page.get_by_label("Or upload a plan file").set_input_files(SSOT)
    page.get_by_label("What this version changes").fill("Seed 002 as printed")
    page.get_by_role("button", name="Save plan").click()
    expect(
        page.get_by_text("SSOT 2024/25 RSUH medical beds (seed 002): version 1 saved.")
    ).to_be_visible()

    page.get_by_role("link", name="Bed gap and schemes").first.click()
    expect(page.get_by_role("heading", name="Bed gap and mitigation")).to_be_visible()
    residual = page.get_by_role("row", name="Residual")
    expect(residual.get_by_role("cell")).to_have_text(
        ["", "acute", "+9", "-7", "-4", "-9", "-5", "+8", "+2", "+14", "+12"]
    )
    # Chart.js drew the chart with its three series (gap, mitigation, residual).
    page.wait_for_function("() => window.Chart && window.Chart.getChart('gap-chart')")
    labels = page.evaluate(
        "() => window.Chart.getChart('gap-chart').data.datasets.map(d => d.label)"
    )
    assert labels == ["Gap before mitigation", "Total mitigation", "Residual"]

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as Excel (XLSX)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.endswith("-v1.xlsx")
    rows = {r[0]: r[3:] for r in load_workbook(saved)["Gap"].iter_rows(values_only=True) if r}
    assert list(rows["Residual"]) == [9, -7, -4, -9, -5, 8, 2, 14, 12]
    assert blocked == []
