"""Journey (issue 6): the service manager uploads the example scenario on the stored
flow-model plan, runs it with a few replications, watches the progress finish and reads
the predicted OPEL calendar and the fan charts; a run still in the worker is polled by
htmx until it finishes and the page shows its result.

The scenario is examples/scenarios/ssot-base.yaml shortened to four weeks, so the runs
take well under a second.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack
from surgewatch.web.plans.models import PlanVersion, RunStatus, SimulationRun
from surgewatch.web.plans.scenarios import ScenarioFile, create_scenario
from surgewatch.web.plans.services import create_plan
from surgewatch.web.plans.simulations import execute_simulation

PASSWORD = "a-long-test-password-42"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BASE = (EXAMPLES / "scenarios" / "ssot-base.yaml").read_text()
SHORT = BASE.replace("warm_up_days: 42", "warm_up_days: 14\nperiod: {start: 2024-12-02, days: 28}")
NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def service_manager(transactional_db: None) -> User:
    install_pack("kent-ascch")
    user = User.objects.create_user("service-manager", password=PASSWORD)
    add_membership(user, organisation_by_slug("kcc-asch"), "stp-service-manager")
    return user


@pytest.fixture
def flow_plan(service_manager: User) -> PlanVersion:
    text = (EXAMPLES / "plans" / "ssot-2024-25-rsuh-medical-flow.yaml").read_text()
    return create_plan(
        service_manager,
        organisation_by_slug("kcc-asch"),
        title="Flow model plan",
        text=text,
        filename="ssot-2024-25-rsuh-medical-flow.yaml",
        change_note="Example",
        now=NOW,
    )


def test_upload_run_and_read_the_opel_calendar(
    live_server: LiveServer,
    page: Page,
    service_manager: User,
    flow_plan: PlanVersion,
    tmp_path: Path,
    sign_in: Callable[..., None],
) -> None:
    blocked: list[str] = []
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    scenario_file = tmp_path / "ssot-short.yaml"
    scenario_file.write_text(SHORT)
    sign_in("service-manager", PASSWORD)
    page.goto(f"{live_server.url}/org/kcc-asch/plans/")
    page.get_by_role(
        "link", name="Patient-flow scenarios: simulate schemes and predict OPEL"
    ).click()
    page.get_by_role("link", name="Add a scenario").click()
    page.get_by_label("Plan it builds on").select_option(label=str(flow_plan))
    page.get_by_label("Or upload a scenario file").set_input_files(scenario_file)
    page.get_by_label("What this version changes").fill("Four weeks of December")
    page.get_by_role("button", name="Save scenario").click()
    expect(page.get_by_text("base (illustrative): version 1 saved.")).to_be_visible()

    page.get_by_label("Replications").fill("10")
    page.get_by_label("Seed").fill("7")
    page.get_by_role("button", name="Run the simulation").click()
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    expect(page.locator("#simulation-progress")).to_have_attribute("value", "100")
    expect(page.get_by_role("status")).to_contain_text("100% \N{EN DASH} 10 of 10 replications")

    run = SimulationRun.objects.get()
    assert run.result is not None
    first = run.result["opel"]["by_day"][0]
    calendar = page.locator("#opel-calendar")
    expect(calendar.locator("td.sw-opel:not(.sw-opel--blank)")).to_have_count(28)
    expect(calendar.locator("td.sw-opel").first).to_contain_text("Mon 2 Dec 2024")
    expect(calendar.locator("td.sw-opel").first).to_contain_text(f"OPEL {first['p50']}")
    expect(calendar.locator("td.sw-opel").first).to_contain_text("at OPEL 3+")
    # Chart.js drew the occupancy fan: P10, the P10-P90 band and the median.
    page.wait_for_function("() => window.Chart && window.Chart.getChart('flow-chart-0')")
    labels = page.evaluate(
        "() => window.Chart.getChart('flow-chart-0').data.datasets.map(d => d.label)"
    )
    assert labels == ["P10", "P10 to P90", "median (P50)"]
    assert blocked == []


def test_a_run_in_the_worker_is_polled_until_its_result_shows(
    live_server: LiveServer,
    page: Page,
    service_manager: User,
    flow_plan: PlanVersion,
    sign_in: Callable[..., None],
) -> None:
    sent = ScenarioFile(SHORT, "short.yaml", flow_plan, None, "Four weeks")
    version = create_scenario(
        service_manager, flow_plan.plan.organisation, title="Short", sent=sent, now=NOW
    )
    run = SimulationRun.objects.create(
        scenario=version, replications=10, seed=2, status=RunStatus.QUEUED, total=10,
        requested_by=service_manager, requested_at=NOW,
    )  # fmt: skip
    sign_in("service-manager", PASSWORD)
    page.goto(f"{live_server.url}/org/kcc-asch/plans/simulations/{run.pk}/")
    expect(page.get_by_role("status")).to_contain_text("0% \N{EN DASH} 0 of 10 replications")
    expect(page.get_by_role("heading", name="Summary")).to_have_count(0)
    execute_simulation(run.pk, NOW)  # the worker's job, while the page polls
    expect(page.get_by_role("heading", name="Summary")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("status")).to_contain_text("100%")
    expect(page.locator("#opel-calendar td.sw-opel--blank")).to_have_count(0)
