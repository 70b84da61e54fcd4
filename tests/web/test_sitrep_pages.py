"""The SitRep page, its downloads and ``surgewatch sitrep``: scope, dates, formats.

Personas as in test_permissions: nobody signed in, someone from another
organisation (the acute trust's site manager), the platform viewer, the Swale
team manager and the DGS team manager. The clock is frozen at 12:00 BST on
Sunday 29 March 2026, the first day of British Summer Time.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from surgewatch.commands import sitrep as command
from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack
from surgewatch.web.reporting.services import submit_readings

MakeUser = Callable[..., User]
NOW = datetime(2026, 3, 29, 11, 0, tzinfo=UTC)  # 12:00 BST
SATURDAY_NINE = datetime(2026, 3, 28, 9, 0, tzinfo=UTC)  # 09:00 GMT
SUNDAY_NINE = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # 09:00 BST
PERSONAS = ("anonymous", "outsider", "viewer", "swale", "dgs")
READERS = frozenset({"viewer", "swale", "dgs"})
DOWNLOADS = ("sitrep-pdf", "sitrep-xlsx", "sitrep-csv")


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people(make_user: MakeUser, dgs: Area, swale: Area) -> dict[str, User | None]:
    install_pack("example-acute-trust", now=NOW)
    outsider = User.objects.create_user("site-manager", password="not-used")
    add_membership(outsider, organisation_by_slug("example-acute"), "site-manager")
    return {
        "anonymous": None,
        "outsider": outsider,
        "viewer": make_user("viewer", "viewer"),
        "swale": make_user("swale-manager", "stp-team-manager", swale),
        "dgs": make_user("dgs-manager", "stp-team-manager", dgs),
    }


@pytest.fixture
def readings(people: dict[str, User | None], dgs: Area) -> None:
    reporter = people["dgs"]
    assert reporter is not None
    for at, caseload in ((SATURDAY_NINE, 45), (SUNDAY_NINE, 62)):
        submit_readings(reporter, dgs, {"health_caseload": caseload}, at, now=at)


def client_for(people: dict[str, User | None], persona: str) -> Client:
    client = Client()
    user = people[persona]
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("name", ("sitrep", *DOWNLOADS))
@pytest.mark.parametrize("persona", PERSONAS)
def test_anyone_who_may_view_the_organisation_may_read_its_sitrep(
    name: str, persona: str, people: dict[str, User | None], readings: None
) -> None:
    response = client_for(people, persona).get(reverse(name, args=["kcc-asch"]))
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == (200 if persona in READERS else 403)


@pytest.mark.parametrize("name", ("sitrep", *DOWNLOADS))
def test_an_unknown_organisation_is_not_found(name: str, people: dict[str, User | None]) -> None:
    response = client_for(people, "viewer").get(reverse(name, args=["nowhere"]))
    assert response.status_code == 404


def test_the_page_shows_the_sitrep_a_labelled_date_field_and_downloads_for_that_date(
    people: dict[str, User | None], readings: None
) -> None:
    response = client_for(people, "dgs").get(reverse("sitrep", args=["kcc-asch"]))
    page = response.content.decode()
    assert '<label class="nhsuk-label" for="id_date">Date</label>' in page
    assert 'type="date" value="2026-03-29" max="2026-03-29"' in page
    assert "As at Sun 29 Mar 2026 12:00 BST" in page  # today: as at now
    assert "up 17 cases, worse; OPEL 2 to OPEL 3" in page
    assert "OPEL 3 · Red" in page
    assert f"{reverse('sitrep-pdf', args=['kcc-asch'])}?date=2026-03-29" in page


def test_the_page_for_a_past_date_shows_that_days_values(
    people: dict[str, User | None], readings: None
) -> None:
    url = reverse("sitrep", args=["kcc-asch"])
    page = client_for(people, "dgs").get(url, {"date": "2026-03-28"}).content.decode()
    assert "As at Sat 28 Mar 2026 10:30 GMT" in page
    assert "45 cases" in page and "62 cases" not in page
    assert "new since yesterday" in page


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2026-02-30", "&#x27;2026-02-30&#x27; is not a real date; fix: check the day and month"),
        ("29/03/2026", "&#x27;29/03/2026&#x27; is not a date; fix: write it as YYYY-MM-DD"),
        ("2026-03-30", "2026-03-30 is in the future (today is 2026-03-29 in UK time)"),
        ("20260329", "&#x27;20260329&#x27; is not a date; fix: write it as YYYY-MM-DD"),
        ("0001-01-01", "0001-01-01 is before 2000; fix: choose a later date"),
    ],
)
@pytest.mark.parametrize("name", ("sitrep", *DOWNLOADS))
def test_a_bad_date_is_refused_with_what_is_wrong(
    name: str, date: str, message: str, people: dict[str, User | None]
) -> None:
    response = client_for(people, "viewer").get(reverse(name, args=["kcc-asch"]), {"date": date})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_downloads_are_a_pdf_a_workbook_and_a_csv_named_for_the_day(
    people: dict[str, User | None], readings: None
) -> None:
    client = client_for(people, "viewer")
    query = {"date": "2026-03-29"}
    pdf = client.get(reverse("sitrep-pdf", args=["kcc-asch"]), query)
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="sitrep-kcc-asch-2026-03-29.pdf"'
    text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "Daily SitRep: Kent County Council" in text
    xlsx = client.get(reverse("sitrep-xlsx", args=["kcc-asch"]), query)
    sheet = load_workbook(io.BytesIO(xlsx.content))["SitRep"]
    assert (sheet["A4"].value, sheet["B4"].value) == (
        "As at (UK time)",
        datetime(2026, 3, 29, 12, 0),
    )
    body = client.get(reverse("sitrep-csv", args=["kcc-asch"]), query).content
    assert body.startswith("\N{BYTE ORDER MARK}".encode())
    assert "62" in _csv_value(body.decode("utf-8-sig"), "health_caseload", "dgs")


def _csv_value(text: str, indicator: str, area: str) -> list[str]:
    rows = [r for r in csv.reader(io.StringIO(text)) if r[:1] == ["indicators"]]
    return next(r for r in rows if r[2] == indicator and r[4] == area)


def test_without_weasyprint_the_pdf_says_why_and_the_other_formats_still_work(
    people: dict[str, User | None], readings: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # the import now fails
    client = client_for(people, "viewer")
    pdf = client.get(reverse("sitrep-pdf", args=["kcc-asch"]))
    assert pdf.status_code == 503
    assert "PDF output needs WeasyPrint" in pdf.content.decode()
    assert client.get(reverse("sitrep-xlsx", args=["kcc-asch"])).status_code == 200


# --- surgewatch sitrep ---------------------------------------------------------------------


def run(**options: object) -> int:
    defaults: dict[str, object] = {
        "organisation": "kcc-asch",
        "date": None,
        "format": "csv",
        "output": None,
    }
    return command.run(argparse.Namespace(**{**defaults, **options}))


def test_the_command_is_registered_with_its_options() -> None:
    parser = argparse.ArgumentParser()
    command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["sitrep", "--organisation", "kcc-asch", "--format", "xlsx"])
    assert (args.organisation, args.date, args.format, args.output) == (
        "kcc-asch",
        None,
        "xlsx",
        None,
    )
    assert args.handler is command.run


def test_the_command_writes_csv_to_standard_output(
    readings: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(date="2026-03-28") == 0
    row = _csv_value(capsys.readouterr().out, "health_caseload", "dgs")
    assert (row[5], row[7], row[8], row[14]) == ("45", "2", "Amber", "new since yesterday")


def test_the_command_writes_a_workbook_and_a_pdf_to_files(
    readings: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(format="xlsx", output=tmp_path / "today.xlsx") == 0
    sheet = load_workbook(tmp_path / "today.xlsx")["Indicators"]
    values = {(r[1].value, r[3].value): r[4].value for r in sheet.iter_rows(min_row=2)}
    assert values[("health_caseload", "dgs")] == 62
    monkeypatch.chdir(tmp_path)
    assert run(format="pdf") == 0
    pdf = PdfReader(tmp_path / "sitrep-kcc-asch-2026-03-29.pdf")
    assert "As at Sun 29 Mar 2026 12:00 BST" in " ".join(pdf.pages[0].extract_text().split())


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"organisation": "nowhere"}, "no organisation 'nowhere'; fix: use one of kcc-asch"),
        ({"date": "2026-02-30"}, "--date '2026-02-30' is not a real date; fix:"),
        ({"date": "yesterday"}, "--date 'yesterday' is not a date; fix: write it as YYYY-MM-DD"),
        ({"date": "2026-03-30"}, "--date 2026-03-30 is in the future (today is 2026-03-29"),
    ],
)
def test_the_command_says_what_is_wrong_and_exits_2(
    kcc: Organisation,
    options: dict[str, object],
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(**options) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""


def test_todays_sitrep_before_half_past_ten_is_as_at_now(
    readings: None, capsys: pytest.CaptureFixture[str]
) -> None:
    early = NOW.replace(hour=8, minute=20)  # 09:20 BST
    with time_machine.travel(early, tick=False):
        assert run() == 0
    about = [r for r in csv.reader(io.StringIO(capsys.readouterr().out)) if r[:1] == ["sitrep"]]
    assert ["sitrep", "As at (UK time)", "2026-03-29T09:20+01:00"] in about
    assert ["sitrep", "Changes since (UK time)", "2026-03-28T09:20+00:00"] in about
