"""Plan pages (issue 5): upload and edit, the gap table and chart, uncertainty, costs,
risks and demand, and the workbook for the board, each showing the planning core's figures.

Seed 002: the SSOT RSUH medical residual is +9, -7, -4, -9, -5, +8, +2, +14, +12
(Oct-24..Jun-25). Seed 001: the staffing proposals total GBP 540,286.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from surgewatch.planning.tables import plain
from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack
from surgewatch.web.plans.models import PlanVersion, RunStatus, UncertaintyRun
from surgewatch.web.plans.services import create_plan

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "plans"
SSOT = (EXAMPLES / "ssot-2024-25-rsuh-medical.yaml").read_text()
RISKS = (EXAMPLES / "ssot-2024-25-risks.yaml").read_text()
COSTS = (EXAMPLES / "kent-winter-2020-21-costs.yaml").read_text()
DEMAND = (EXAMPLES / "kent-demand-illustrative.yaml").read_text()
MODEL = (EXAMPLES / "illustrative-rsuh-medical-demand.yaml").read_text()
NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
RESIDUAL = ["+9", "-7", "-4", "-9", "-5", "+8", "+2", "+14", "+12"]


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


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _plan(people: dict[str, User], kcc: Organisation, text: str) -> PlanVersion:
    return create_plan(
        people["editor"], kcc, title="", text=text, filename="", change_note="First", now=NOW
    )


def _text(html: bytes) -> str:
    """The page's text with tags removed and spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html.decode())).split())


def _row(html: bytes, name: str) -> list[str]:
    """The cells after the row header ``name`` in the first row that has it."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html.decode(), re.S):
        cells = [_text(c.encode()) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        if cells and cells[0] == name:
            return cells[1:]
    raise AssertionError(f"no row {name!r}")


def _url(version: PlanVersion, page: str = "") -> str:
    org, pk = version.plan.organisation.slug, version.plan.pk
    return f"/org/{org}/plans/{pk}/v{version.number}/{page}"


# --- Scope --------------------------------------------------------------------------------


def test_scope_reading_is_for_the_organisation_and_changing_for_its_declarers(
    people: dict[str, User], kcc: Organisation
) -> None:
    version = _plan(people, kcc, SSOT + "---\n" + RISKS)
    pages = ["", "gap/", "risks/", "uncertainty/", "plan.xlsx", "plan.yaml"]
    for page in pages:
        assert _client(people["looker"]).get(_url(version, page)).status_code == 200, page
        assert _client(people["outsider"]).get(_url(version, page)).status_code == 403, page
        assert _client(None).get(_url(version, page)).status_code == 302, page
    for url in ("/org/kcc-asch/plans/new/", f"/org/kcc-asch/plans/{version.plan.pk}/edit/"):
        assert _client(people["looker"]).get(url).status_code == 403
        assert _client(people["looker"]).post(url, {"yaml_text": RISKS}).status_code == 403
        assert _client(people["editor"]).get(url).status_code == 200
    assert PlanVersion.objects.count() == 1
    # Another organisation's address does not reach the plan; missing parts are not found.
    acute = _client(User.objects.create_superuser("admin", password="not-used"))
    assert acute.get(f"/org/example-acute/plans/{version.plan.pk}/").status_code == 404
    assert acute.get(_url(version, "costs/")).status_code == 404
    assert acute.get(f"/org/kcc-asch/plans/{version.plan.pk}/v9/").status_code == 404


def test_the_organisation_page_links_to_its_plans(people: dict[str, User]) -> None:
    page = _client(people["looker"]).get("/org/kcc-asch/")
    assert b'href="/org/kcc-asch/plans/"' in page.content
    listing = _client(people["looker"]).get("/org/kcc-asch/plans/")
    assert "No plans yet." in _text(listing.content)
    assert "Add a plan" not in _text(listing.content)  # the looker may not
    assert "Add a plan" in _text(_client(people["editor"]).get("/org/kcc-asch/plans/").content)


# --- Upload and edit ----------------------------------------------------------------------


def test_uploading_a_file_stores_version_one(people: dict[str, User]) -> None:
    upload = SimpleUploadedFile("ssot.yaml", (SSOT + "---\n" + RISKS).encode())
    response = _client(people["editor"]).post(
        "/org/kcc-asch/plans/new/",
        {"title": "Winter plan 2024/25", "yaml_text": "", "upload": upload, "change_note": "v1"},
    )
    version = PlanVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/org/kcc-asch/plans/{version.plan.pk}/"
    assert (version.plan.title, version.filename, version.kinds) == (
        "Winter plan 2024/25",
        "ssot.yaml",
        "capacity,risks",
    )
    page = _text(_client(people["looker"]).get(response["Location"]).content)
    assert "Winter plan 2024/25 saved" not in page  # messages belong to the uploader
    assert "Version 1 (shown) \N{EN DASH} latest" in page and "from ssot.yaml" in page
    source = _client(people["looker"]).get(_url(version, "plan.yaml"))
    assert source.content.decode() == SSOT + "---\n" + RISKS  # byte for byte, comments kept
    assert source["Content-Disposition"] == 'attachment; filename="ssot.yaml"'


def test_a_bad_file_is_refused_beside_its_field_and_nothing_is_saved(
    people: dict[str, User],
) -> None:
    bad = SSOT.replace("title: SSOT", "titel: SSOT")
    response = _client(people["editor"]).post(
        "/org/kcc-asch/plans/new/", {"title": "", "yaml_text": bad, "change_note": "v1"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    errors = re.search(r'id="id_yaml_text-error">(.*?)</ul>', html, re.S)
    assert errors is not None
    assert re.findall(r"<li>(.*?)</li>", errors.group(1)) == [
        '<span class="nhsuk-u-visually-hidden">Error:</span> plan.yaml: title: Field required; '
        "fix: add this key",
        '<span class="nhsuk-u-visually-hidden">Error:</span> plan.yaml: titel: Extra inputs are '
        "not permitted; fix: remove this key or check its spelling",
    ]
    page = _text(response.content)
    assert "There is a problem Nothing was saved. Correct the 2 problems below" in page
    assert "titel: SSOT 2024/25" in unescape(html)  # the text is kept to correct
    assert PlanVersion.objects.count() == 0


def test_an_uploaded_name_reaches_the_download_header_only_in_safe_characters(
    people: dict[str, User],
) -> None:
    upload = SimpleUploadedFile('winter "plan"; v2.yaml', RISKS.encode())
    _client(people["editor"]).post(
        "/org/kcc-asch/plans/new/", {"upload": upload, "change_note": "v1"}
    )
    version = PlanVersion.objects.get()
    source = _client(people["looker"]).get(_url(version, "plan.yaml"))
    assert source["Content-Disposition"] == 'attachment; filename="winter__plan___v2.yaml"'


def test_a_non_utf8_upload_and_an_empty_form_are_refused(people: dict[str, User]) -> None:
    client = _client(people["editor"])
    upload = SimpleUploadedFile("plan.yaml", "titre: café".encode("latin-1"))
    response = client.post("/org/kcc-asch/plans/new/", {"upload": upload, "change_note": "v1"})
    assert response.status_code == 400
    assert "the file is not UTF-8 text; fix: save it as a UTF-8 .yaml file" in _text(
        response.content
    )
    empty = client.post("/org/kcc-asch/plans/new/", {"yaml_text": " ", "change_note": "v1"})
    assert "the plan is empty; fix: paste the plan or upload a file" in _text(empty.content)
    assert PlanVersion.objects.count() == 0


def test_editing_offers_the_current_text_and_saves_the_next_version(
    people: dict[str, User], kcc: Organisation
) -> None:
    first = _plan(people, kcc, SSOT)
    client = _client(people["editor"])
    edit_url = f"/org/kcc-asch/plans/{first.plan.pk}/edit/"
    form = client.get(edit_url)
    assert "Save version 2" in _text(form.content)
    assert "gap: [-124, -154, -186" in unescape(form.content.decode())
    changed = SSOT.replace("capacity: 21}", "capacity: 31}", 1)
    response = client.post(edit_url, {"yaml_text": changed, "change_note": "W120 +10 beds"})
    assert response.status_code == 302
    second = first.plan.latest_version()
    assert (second.number, second.change_note, second.uploaded_by) == (
        2,
        "W120 +10 beds",
        people["editor"],
    )
    latest_gap = client.get(f"/org/kcc-asch/plans/{first.plan.pk}/gap/")
    assert _row(latest_gap.content, "Residual")[2:] == [
        "+19", "+3", "+6", "+1", "+5", "+18", "+12", "+24", "+22"
    ]  # fmt: skip
    old_gap = client.get(_url(first, "gap/"))
    assert _row(old_gap.content, "Residual")[2:] == RESIDUAL
    assert "You are looking at version 1. The latest is version 2" in _text(old_gap.content)


def test_an_edit_without_a_note_keeps_the_text_and_saves_nothing(
    people: dict[str, User], kcc: Organisation
) -> None:
    first = _plan(people, kcc, SSOT)
    response = _client(people["editor"]).post(
        f"/org/kcc-asch/plans/{first.plan.pk}/edit/", {"yaml_text": RISKS, "change_note": ""}
    )
    assert response.status_code == 400
    assert "say what this version changes; fix: write a change note" in _text(response.content)
    assert first.plan.versions.count() == 1


# --- The pages' figures -------------------------------------------------------------------


def test_the_gap_page_shows_the_ssot_table_chart_and_rounding_note(
    people: dict[str, User], kcc: Organisation
) -> None:
    version = _plan(people, kcc, SSOT)
    response = _client(people["looker"]).get(_url(version, "gap/"))
    html = response.content
    months = ["Oct-24", "Nov-24", "Dec-24", "Jan-25", "Feb-25", "Mar-25", "Apr-25", "May-25",
              "Jun-25"]  # fmt: skip
    assert _row(html, "Row")[2:] == months
    assert _row(html, "Gap before mitigation")[2:] == [
        "-124", "-154", "-186", "-208", "-204", "-184", "-154", "-142", "-127"
    ]  # fmt: skip
    assert _row(html, "Cheadle") == [
        "MPFT", "acute 1:1", "0", "0", "13", "13", "13", "13", "13", "13", "0"
    ]  # fmt: skip
    assert _row(html, "Total mitigation")[2:] == [
        "133", "147", "182", "199", "199", "192", "156", "156", "139"
    ]  # fmt: skip
    assert _row(html, "Residual")[2:] == RESIDUAL
    assert (
        "Negative gap or residual is a deficit of beds. Acute-bed equivalents = capacity / unit "
        "ratio, kept unrounded in every sum" in _text(html)
    )
    chart = re.search(rb'<script id="gap-chart-data" type="application/json">(.*?)</script>', html)
    assert chart is not None
    assert b'"residual": [9.0, -7.0, -4.0, -9.0, -5.0, 8.0, 2.0, 14.0, 12.0]' in chart.group(1)
    assert b'id="gap-chart" role="img"' in html


def test_the_costs_page_adds_up_as_seed_001_prints(
    people: dict[str, User], kcc: Organisation
) -> None:
    version = _plan(people, kcc, COSTS)
    page = _client(people["looker"]).get(_url(version, "costs/")).content
    assert (
        _row(page, "Short Term Pathway Team - 15 qualified social workers (locum)")[1]
        == "GBP 310,800"
    )
    assert (
        _row(page, "Short Term Pathway Team - 3 Occupational Therapists (locum)")[1] == "GBP 77,700"
    )
    assert _row(page, "Total")[1:2] == ["GBP 540,286"]
    assert _row(page, "Winter Pressures funding 2020-21")[:3] == [
        "GBP 6,100,000", "GBP 1,400,000", "GBP 4,700,000"
    ]  # fmt: skip
    assert "Every computed figure matches the figure printed in the plan." in _text(page)


def test_the_risk_page_flags_overdue_reviews_and_maps_residual_risk(
    people: dict[str, User], kcc: Organisation
) -> None:
    version = _plan(people, kcc, RISKS)
    with time_machine.travel(datetime(2024, 9, 20, 12, 0, tzinfo=UTC), tick=False):
        page = _client(people["looker"]).get(_url(version, "risks/")).content
    workforce = _row(page, "UEC Workforce/Staffing")
    assert workforce[1:5] == ["25", "15", "10", "Extreme"]
    assert workforce[5] == "12 Sep 2024 Review overdue by 8 days"
    assert _row(page, "System Surge Capacity")[5] == "6 Oct 2024"  # not due yet
    assert _row(page, "Impact 5") == [
        "0 risks Moderate (5)", "0 risks High (10)", "1 risk Extreme (15)",
        "1 risk Extreme (20)", "0 risks Extreme (25)",
    ]  # fmt: skip
    assert _row(page, "Impact 3")[4] == "1 risk Extreme (15)"
    assert _row(page, "Impact 1")[0] == "0 risks Low (1)"
    assert "Ratings: low from 1, moderate from 4, high from 8, extreme from 15." in _text(page)
    assert "3 reviews overdue." in _text(page)  # 12, 12 and 9 September; not 6 October
    assert "Current unmet demand is 41 with 17 patients over 4 days." in _text(page)


def test_the_demand_page_shows_baseline_and_scenarios(
    people: dict[str, User], kcc: Organisation
) -> None:
    version = _plan(people, kcc, DEMAND)
    page = _client(people["looker"]).get(_url(version, "demand/")).content
    baseline = _row(page, "Baseline")
    peak = _row(page, "Christmas peak (+20%)")
    assert len(baseline) == 6 and baseline[0] == baseline[1]  # one year's demand spread evenly
    assert float(peak[2]) == pytest.approx(float(baseline[2]) * 1.2, abs=0.1)
    assert peak[0] == baseline[0]  # no multiplier in October


def test_uncertainty_runs_inline_and_shows_the_fan_chart_and_table(
    people: dict[str, User], kcc: Organisation
) -> None:
    version = _plan(people, kcc, MODEL)
    client = _client(people["looker"])
    response = client.post(_url(version, "uncertainty/"), {"replications": "500"})
    assert response.status_code == 302
    assert response["Location"] == _url(version, "uncertainty/") + "?replications=500"
    page = client.get(response["Location"]).content
    run = UncertaintyRun.objects.get()
    assert (run.status, run.replications, run.requested_by) == (
        RunStatus.DONE,
        500,
        people["looker"],
    )
    assert run.result is not None
    october = run.result["areas"][0]["months"][0]
    row = _row(page, "Oct-24")
    assert row[0] == "481"  # 420 open beds + 21 + 65 / 2.5 + 210 / 15 acute-bed equivalents
    assert row[2] == plain(october["occupancy"]["p50"])
    assert row[7] == f"{october['p_over_capacity'] * 100:.1f}%"
    assert b'<script id="fan-chart-data" type="application/json">' in page
    assert "Run of 500 replications (seed 20241001) finished" in _text(page)


def test_uncertainty_refuses_out_of_range_replications_and_printed_gaps(
    people: dict[str, User], kcc: Organisation
) -> None:
    model = _plan(people, kcc, MODEL)
    client = _client(people["looker"])
    refused = client.post(_url(model, "uncertainty/"), {"replications": "50"})
    assert refused.status_code == 400
    assert "Ensure this value is greater than or equal to 100." in _text(refused.content)
    assert UncertaintyRun.objects.count() == 0
    printed = create_plan(
        people["editor"], kcc, title="SSOT", text=SSOT, filename="", change_note="v1", now=NOW
    )
    page = _text(client.get(_url(printed, "uncertainty/")).content)
    assert "This plan cannot be simulated" in page
    assert "no demand model to simulate; fix: add 'demand'" in page
    assert "Run the model" not in page


def test_a_queued_run_is_polled_until_it_finishes(
    people: dict[str, User], kcc: Organisation
) -> None:
    version = _plan(people, kcc, MODEL)
    run = UncertaintyRun.objects.create(
        version=version, replications=300, seed=20241001, status=RunStatus.QUEUED,
        requested_by=people["editor"], requested_at=NOW,
    )  # fmt: skip
    client = _client(people["looker"])
    page = client.get(_url(version, "uncertainty/") + "?replications=300").content.decode()
    poll = f'hx-get="{_url(version, f"uncertainty/runs/{run.pk}/")}" hx-trigger="every 2s"'
    assert poll in page and "Queued:" in _text(page.encode())
    waiting = client.get(_url(version, f"uncertainty/runs/{run.pk}/"))
    assert "HX-Refresh" not in waiting and b"hx-trigger" in waiting.content
    UncertaintyRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, result=None)
    done = client.get(_url(version, f"uncertainty/runs/{run.pk}/"))
    assert done["HX-Refresh"] == "true" and b"hx-trigger" not in done.content


# --- The workbook ------------------------------------------------------------------------


def test_the_workbook_holds_the_gap_and_the_risks(
    people: dict[str, User], kcc: Organisation
) -> None:
    version = _plan(people, kcc, SSOT + "---\n" + RISKS + "---\n" + COSTS)
    response = _client(people["looker"]).get(_url(version, "plan.xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f'filename="kcc-asch-plan-{version.plan.pk}-v1.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Gap", "Costs", "Risks"]
    rows = {row[0]: row[3:] for row in book["Gap"].iter_rows(values_only=True) if row}
    assert list(rows["Residual"]) == [9, -7, -4, -9, -5, 8, 2, 14, 12]
    assert list(rows["Gap before mitigation"])[3] == -208
    costs = {row[1]: row[3] for row in book["Costs"].iter_rows(values_only=True) if row}
    assert costs["Short Term Pathway Team - 15 qualified social workers (locum)"] == 310800
    risks = [row for row in book["Risks"].iter_rows(values_only=True) if row]
    assert risks[1][:4] == ("UEC Workforce/Staffing", "Not printed (assumed UEC Board)", 25, 15)
