"""Simulation pages (issue 6): scenarios stored as versions on a stored plan, runs in the
worker with stored progress, and the result page showing the stored figures.

The scenarios are the examples in ``examples/scenarios/`` on the flow-model plan,
shortened to four weeks (a ``period``) so each run takes a fraction of a second.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from surgewatch.planning.flow.report import WORDS, label
from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack
from surgewatch.web.plans import simulations
from surgewatch.web.plans.demo import load_demo_scenarios
from surgewatch.web.plans.models import (
    PlanVersion,
    RunStatus,
    Scenario,
    ScenarioVersion,
    SimulationRun,
)
from surgewatch.web.plans.scenarios import ScenarioFile, create_scenario
from surgewatch.web.plans.services import create_plan

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FLOW_PLAN = (EXAMPLES / "plans" / "ssot-2024-25-rsuh-medical-flow.yaml").read_text()
BASE = (EXAMPLES / "scenarios" / "ssot-base.yaml").read_text()
HOME_FIRST = (EXAMPLES / "scenarios" / "ssot-home-first-1000h.yaml").read_text()
# Four weeks of December after two weeks' warm-up: the same model, a short horizon.
SHORT = BASE.replace("warm_up_days: 42", "warm_up_days: 14\nperiod: {start: 2024-12-02, days: 28}")
NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
Capture = Callable[..., Any]


@pytest.fixture
def people(kcc: Organisation) -> dict[str, User]:
    install_pack("example-acute-trust")
    editor = User.objects.create_user("service-manager", password="not-used")
    add_membership(editor, kcc, "stp-service-manager")
    looker = User.objects.create_user("director", password="not-used")
    add_membership(looker, kcc, "director-asc")
    outsider = User.objects.create_user("site-manager", password="not-used")
    add_membership(outsider, organisation_by_slug("example-acute"), "site-manager")
    return {"editor": editor, "looker": looker, "outsider": outsider}


@pytest.fixture
def plan(people: dict[str, User], kcc: Organisation) -> PlanVersion:
    return create_plan(
        people["editor"], kcc, title="", text=FLOW_PLAN, filename="", change_note="v1", now=NOW
    )


def _scenario(
    people: dict[str, User],
    kcc: Organisation,
    plan: PlanVersion | None,
    text: str = SHORT,
    base: ScenarioVersion | None = None,
) -> ScenarioVersion:
    sent = ScenarioFile(text, "short.yaml", plan, base, "First")
    return create_scenario(people["editor"], kcc, title="", sent=sent, now=NOW)


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _text(html: bytes) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html.decode())).split())


def _row(html: bytes, name: str) -> list[str]:
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html.decode(), re.S):
        cells = [_text(c.encode()) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        if cells and cells[0] == name:
            return cells[1:]
    raise AssertionError(f"no row {name!r}")


def _url(version: ScenarioVersion) -> str:
    return f"/org/kcc-asch/plans/scenarios/{version.scenario_id}/v{version.number}/"


def _run(
    client: Client, version: ScenarioVersion, capture: Capture, **fields: Any
) -> tuple[Any, SimulationRun]:
    """POST the run form with the queue's on-commit hook executed (the test queue is immediate)."""
    with capture(execute=True):
        response = client.post(_url(version), {"replications": "10", "seed": "3", **fields})
    return response, SimulationRun.objects.latest("pk")


def _result(run: SimulationRun) -> dict[str, Any]:
    assert run.result is not None, run.error
    return dict(run.result)


# --- Upload -------------------------------------------------------------------------------


def test_uploading_a_scenario_stores_version_one_on_the_chosen_plan(
    people: dict[str, User], plan: PlanVersion
) -> None:
    upload = SimpleUploadedFile("ssot-base.yaml", BASE.encode())
    response = _client(people["editor"]).post(
        "/org/kcc-asch/plans/scenarios/new/",
        {"title": "", "plan_version": plan.pk, "upload": upload, "change_note": "As shipped"},
    )
    version = ScenarioVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/org/kcc-asch/plans/scenarios/{version.scenario_id}/"
    assert version.scenario.title == "SSOT RSUH medicine winter 2024/25, base (illustrative)"
    assert (version.filename, version.plan_version, version.yaml_text) == (
        "ssot-base.yaml",
        plan,
        BASE,
    )
    page = _text(_client(people["looker"]).get(response["Location"]).content)
    assert f"Builds on plan {plan}" in page and "Version 1 (shown)" in page
    assert "Run the simulation" not in page  # the looker reads; only plan editors run


def test_a_bad_scenario_is_refused_with_the_loaders_messages_and_nothing_is_saved(
    people: dict[str, User], plan: PlanVersion
) -> None:
    bad = SHORT.replace("share: 0.88", "share: 1.88")
    response = _client(people["editor"]).post(
        "/org/kcc-asch/plans/scenarios/new/",
        {"yaml_text": bad, "plan_version": plan.pk, "change_note": "v1"},
    )
    assert response.status_code == 400
    errors = re.search(r'id="id_yaml_text-error">(.*?)</ul>', response.content.decode(), re.S)
    assert errors is not None
    problems = [_text(li.encode()) for li in re.findall(r"<li>(.*?)</li>", errors.group(1))]
    assert problems == [
        "Error: scenario.yaml: pathways.0.share: Input should be less than or equal to 1; "
        "fix: use a smaller value"
    ]
    assert "surgewatch-scenario-" not in response.content.decode()  # no temporary folder shown
    assert Scenario.objects.count() == 0 and ScenarioVersion.objects.count() == 0


def test_references_must_be_chosen_and_extends_merges_the_stored_base(
    people: dict[str, User], kcc: Organisation, plan: PlanVersion
) -> None:
    client = _client(people["editor"])
    no_plan = client.post(
        "/org/kcc-asch/plans/scenarios/new/", {"yaml_text": BASE, "change_note": "v1"}
    )
    assert no_plan.status_code == 400
    assert (
        "scenario.yaml: plan: names '../plans/ssot-2024-25-rsuh-medical-flow.yaml'; "
        "fix: choose the stored plan this scenario builds on" in _text(no_plan.content)
    )
    no_base = client.post(
        "/org/kcc-asch/plans/scenarios/new/",
        {"yaml_text": HOME_FIRST, "plan_version": plan.pk, "change_note": "v1"},
    )
    assert "extends: names 'ssot-base.yaml'; fix: choose the stored scenario" in _text(
        no_base.content
    )
    assert ScenarioVersion.objects.count() == 0
    base = _scenario(people, kcc, plan)
    home_first = client.post(
        "/org/kcc-asch/plans/scenarios/new/",
        {"yaml_text": HOME_FIRST, "base": base.pk, "change_note": "v1"},
    )
    assert home_first.status_code == 302
    stored = ScenarioVersion.objects.latest("pk")
    resolved = yaml.safe_load(stored.resolved_yaml)
    # The base's keys (its short period, its services) with this file's title and schemes.
    assert resolved["period"] == yaml.safe_load(SHORT)["period"]
    assert resolved["title"].endswith("base + Home First 1,000 hours a week (illustrative)")
    assert [s["name"] for s in resolved["schemes"]][-1] == "Home First Additional Hours"
    assert "extends" not in resolved
    assert (stored.base, stored.plan_version) == (base, plan)  # the plan comes with the base


def test_editing_stores_the_next_version_and_keeps_the_first(
    people: dict[str, User], kcc: Organisation, plan: PlanVersion
) -> None:
    first = _scenario(people, kcc, plan)
    url = f"/org/kcc-asch/plans/scenarios/{first.scenario_id}/edit/"
    client = _client(people["editor"])
    assert SHORT in unescape(client.get(url).content.decode())
    same = client.post(url, {"yaml_text": SHORT, "plan_version": plan.pk, "change_note": "x"})
    assert "this is version 1; fix: change the scenario" in _text(same.content)
    changed = SHORT.replace("seven_day_service: false", "seven_day_service: true")
    saved = client.post(url, {"yaml_text": changed, "plan_version": plan.pk, "change_note": "7d"})
    assert saved.status_code == 302
    versions = list(ScenarioVersion.objects.order_by("number").values_list("number", "yaml_text"))
    assert versions == [(1, SHORT), (2, changed)]


# --- Runs ---------------------------------------------------------------------------------


def test_a_run_stores_its_result_once_and_progress_reaches_100_percent(
    people: dict[str, User],
    kcc: Organisation,
    plan: PlanVersion,
    django_capture_on_commit_callbacks: Capture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    version = _scenario(people, kcc, plan)
    seen: list[tuple[int, int]] = []
    record = simulations._record_progress

    def spy(run_id: int, done: int, total: int) -> None:
        record(run_id, done, total)
        seen.append((done, SimulationRun.objects.get(pk=run_id).done))

    monkeypatch.setattr(simulations, "_record_progress", spy)
    response, run = _run(_client(people["editor"]), version, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == f"/org/kcc-asch/plans/simulations/{run.pk}/"
    # The core reported as chunks finished, rising to 10, and the row followed each time.
    done = [d for d, _ in seen]
    assert len(done) > 1 and done == sorted(set(done)) and done[-1] == 10
    assert all(d == stored for d, stored in seen)
    assert (run.status, run.done, run.total, run.percent) == (RunStatus.DONE, 10, 10, 100)
    result = _result(run)
    assert (result["replications"], result["seed"], result["days"]) == (10, 3, 28)
    assert result["dates"][0] == "2024-12-02"
    # The same inputs again reuse the stored run rather than repeating it.
    again, reused = _run(_client(people["editor"]), version, django_capture_on_commit_callbacks)
    assert reused.pk == run.pk and SimulationRun.objects.count() == 1
    status = _client(people["looker"]).get(again["Location"] + "status/")
    assert status["HX-Refresh"] == "true"
    assert b'value="100"' in status.content and "100% \N{EN DASH} 10 of 10" in _text(status.content)


def test_out_of_range_replications_start_nothing(
    people: dict[str, User], kcc: Organisation, plan: PlanVersion
) -> None:
    version = _scenario(people, kcc, plan)
    response = _client(people["editor"]).post(_url(version), {"replications": "5", "seed": "1"})
    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 10." in _text(response.content)
    assert SimulationRun.objects.count() == 0


def test_the_result_page_shows_the_stored_figures_and_the_opel_calendar(
    people: dict[str, User],
    kcc: Organisation,
    plan: PlanVersion,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    version = _scenario(people, kcc, plan)
    response, run = _run(_client(people["editor"]), version, django_capture_on_commit_callbacks)
    html = _client(people["looker"]).get(response["Location"]).content
    occupancy = _result(run)["summary"]["mean_occupancy"]
    assert _row(html, label("mean_occupancy")) == [
        f"{occupancy['mean']:,.2f}",
        f"{occupancy['low']:,.2f} to {occupancy['high']:,.2f}",
    ]
    # The calendar: 28 days from Monday 2 December, level in words and colour, share at 3+.
    first = _result(run)["opel"]["by_day"][0]
    high = first["share_at_level"]["3"] + first["share_at_level"]["4"]
    cells = re.findall(r'<td class="sw-opel sw-opel--(\d)">(.*?)</td>', html.decode(), re.S)
    assert len(cells) == 28
    assert cells[0][0] == str(first["p50"])
    colour = ["grey", "green", "amber", "red", "black"][first["p50"]]
    assert _text(cells[0][1].encode()) == (
        f"Mon 2 Dec 2024 {WORDS[first['p50']]} {colour} {high:.0%} at OPEL 3+"
    )
    # Charts read their data from a JSON element; the weekly table shows the same P50.
    data = re.search(
        r'<script id="flow-chart-data" type="application/json">(.*?)</script>', html.decode(), re.S
    )
    assert data is not None
    assert '"dates": ["2024-12-02"' in unescape(data.group(1))
    p50 = _result(run)["daily"]["dta_waiting"]["p50"][7]
    assert b"DTA patients waiting in ED" in html
    rows = re.findall(
        r"<th scope=\"row\" class=\"nhsuk-table__cell\">2024-12-09</th>(.*?)</tr>",
        html.decode(),
        re.S,
    )
    assert f">{p50:.1f}<" in rows[1]  # occupancy first, then DTA waiting
    # No inline script or style (the Content-Security-Policy allows neither).
    assert not re.search(r"<script(?![^>]*(src=|application/json))", html.decode())
    assert " style=" not in html.decode()
    download = _client(people["looker"]).get(response["Location"] + "result.json")
    assert download.json() == run.result


def test_a_comparison_shows_paired_differences_with_intervals(
    people: dict[str, User],
    kcc: Organisation,
    plan: PlanVersion,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    base = _scenario(people, kcc, plan)
    home_first = _scenario(people, kcc, None, HOME_FIRST, base=base)
    client = _client(people["editor"])
    response, run = _run(
        client, base, django_capture_on_commit_callbacks, compared_with=home_first.pk
    )
    assert (run.status, run.done, run.total) == (RunStatus.DONE, 20, 20)
    diff = _result(run)["differences_b_minus_a"]["bed_days_lost"]
    a = _result(run)["a"]["summary"]["bed_days_lost"]["mean"]
    b = _result(run)["b"]["summary"]["bed_days_lost"]["mean"]
    assert abs(diff["mean"] - (b - a)) < 0.01
    html = client.get(response["Location"]).content
    assert _row(html, label("bed_days_lost")) == [
        f"{a:,.2f}",
        f"{b:,.2f}",
        f"{diff['mean']:,.2f}",
        f"{diff['low']:,.2f} to {diff['high']:,.2f}",
    ]
    assert len(re.findall(r'<td class="sw-opel sw-opel--\d">', html.decode())) == 56  # A and B


def test_scenarios_over_different_periods_are_not_compared(
    people: dict[str, User], kcc: Organisation, plan: PlanVersion
) -> None:
    base = _scenario(people, kcc, plan)
    longer = _scenario(people, kcc, plan, SHORT.replace("days: 28}", "days: 35}"))
    response = _client(people["editor"]).post(
        _url(base), {"replications": "10", "seed": "1", "compared_with": longer.pk}
    )
    assert response.status_code == 400
    assert "runs 35 days from 2024-12-02 but" in _text(response.content)
    assert "fix: compare scenarios over the same period" in _text(response.content)
    assert SimulationRun.objects.count() == 0


def test_a_queued_run_shows_its_progress_and_is_polled(
    people: dict[str, User], kcc: Organisation, plan: PlanVersion
) -> None:
    version = _scenario(people, kcc, plan)
    run = SimulationRun.objects.create(
        scenario=version, replications=40, seed=1, status=RunStatus.RUNNING, done=10, total=40,
        requested_by=people["editor"], requested_at=NOW,
    )  # fmt: skip
    page = _client(people["looker"]).get(f"/org/kcc-asch/plans/simulations/{run.pk}/")
    html = page.content.decode()
    poll = f'hx-get="/org/kcc-asch/plans/simulations/{run.pk}/status/" hx-trigger="every 2s"'
    assert poll in html and 'value="25"' in html
    assert "25% \N{EN DASH} 10 of 40 replications" in _text(page.content)
    assert "Predicted OPEL" not in _text(page.content)  # no result yet
    simulations.execute_simulation(run.pk, NOW)  # not queued: the claim refuses it
    assert SimulationRun.objects.get(pk=run.pk).status == RunStatus.RUNNING


def test_a_run_that_stops_is_marked_failed_not_left_running(
    people: dict[str, User], kcc: Organisation, plan: PlanVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    version = _scenario(people, kcc, plan)
    run = SimulationRun.objects.create(
        scenario=version, replications=10, seed=1, status=RunStatus.QUEUED, total=10,
        requested_by=people["editor"], requested_at=NOW,
    )  # fmt: skip

    def broken(run: SimulationRun) -> dict[str, Any]:
        raise MemoryError

    monkeypatch.setattr(simulations, "_simulate", broken)
    with pytest.raises(MemoryError):
        simulations.execute_simulation(run.pk, NOW)
    run.refresh_from_db()
    assert (run.status, run.error, run.result) == (
        RunStatus.FAILED,
        "the simulation stopped (MemoryError)",
        None,
    )
    status = _client(people["looker"]).get(f"/org/kcc-asch/plans/simulations/{run.pk}/status/")
    assert "The run failed: the simulation stopped (MemoryError)" in _text(status.content)
    assert status["HX-Refresh"] == "true"


# --- Scope --------------------------------------------------------------------------------


def test_readers_read_and_only_plan_editors_upload_or_run(
    people: dict[str, User],
    kcc: Organisation,
    plan: PlanVersion,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    version = _scenario(people, kcc, plan)
    _, run = _run(_client(people["editor"]), version, django_capture_on_commit_callbacks)
    pages = [
        "/org/kcc-asch/plans/scenarios/",
        f"/org/kcc-asch/plans/scenarios/{version.scenario_id}/",
        _url(version),
        f"/org/kcc-asch/plans/simulations/{run.pk}/",
        f"/org/kcc-asch/plans/simulations/{run.pk}/status/",
        f"/org/kcc-asch/plans/simulations/{run.pk}/result.json",
    ]
    for url in pages:
        assert _client(people["looker"]).get(url).status_code == 200, url
        assert _client(people["outsider"]).get(url).status_code == 403, url
        assert _client(None).get(url).status_code == 302, url
    looker = _client(people["looker"])
    for url in (
        "/org/kcc-asch/plans/scenarios/new/",
        f"/org/kcc-asch/plans/scenarios/{version.scenario_id}/edit/",
    ):
        assert looker.get(url).status_code == 403
        assert looker.post(url, {"yaml_text": SHORT, "change_note": "x"}).status_code == 403
    assert looker.post(_url(version), {"replications": "20", "seed": "1"}).status_code == 403
    assert (SimulationRun.objects.count(), ScenarioVersion.objects.count()) == (1, 1)
    # Another organisation's address does not reach the scenario or the run.
    admin = _client(User.objects.create_superuser("admin", password="not-used"))
    assert admin.get(f"/org/example-acute/plans/simulations/{run.pk}/").status_code == 404
    assert (
        admin.get(f"/org/example-acute/plans/scenarios/{version.scenario_id}/").status_code == 404
    )
    listing = _text(_client(people["looker"]).get("/org/kcc-asch/plans/").content)
    assert "Patient-flow scenarios: simulate schemes and predict OPEL" in listing


def test_the_demo_stores_the_two_example_scenarios_on_the_flow_plan(
    people: dict[str, User],
) -> None:
    acute = organisation_by_slug("example-acute")
    load_demo_scenarios(acute, User.objects.create_superuser("admin", password="x"), NOW)
    base, home_first = ScenarioVersion.objects.order_by("pk")
    assert (base.filename, home_first.filename) == ("ssot-base.yaml", "ssot-home-first-1000h.yaml")
    assert home_first.base == base and home_first.plan_version == base.plan_version
    assert base.plan_version is not None and base.plan_version.plan.organisation == acute
    schemes = yaml.safe_load(home_first.resolved_yaml)["schemes"]
    assert schemes[-1]["name"] == "Home First Additional Hours"
