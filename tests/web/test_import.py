"""Bulk import of readings from CSV and Excel, with a preview before anything is saved.

Rules under test: issue 3 (an import with any bad row is rejected whole, with
a row-by-row error list; a preview shows each level before the import),
DESIGN.md 'Security and records' (every reading attributable; a person
reports only what their role reports) and STYLE.md (store UTC; Excel times
are UK wall-clock time, both clock changes tested).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse, HttpResponseBase
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Area, Membership
from surgewatch.web.reporting import imports, spreadsheets
from surgewatch.web.reporting.models import CurrentReading, ImportBatch, ImportStatus, Reading
from surgewatch.web.reporting.services import submit_readings

MakeUser = Callable[..., User]

# Monday 5 January 2026, 10:15 in London (GMT, so UK time is UTC).
NOW = datetime(2026, 1, 5, 10, 15, tzinfo=UTC)
UPLOAD = reverse("import", args=["kcc-asch"])
HEADER = "area,indicator,value,observed_at"
AT_0910 = "2026-01-05T09:10:00+00:00"


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response: HttpResponseBase) -> str:
    assert isinstance(response, HttpResponse)  # a page, not a stream
    return " ".join(response.content.decode().split())


def _csv(*lines: str) -> bytes:
    return "\r\n".join(lines).encode()


def _upload(client: Client, content: bytes, name: str = "readings.csv") -> HttpResponseBase:
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})


def _workbook(*rows: list[object], formats: dict[str, str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for cell, number_format in (formats or {}).items():
        sheet[cell].number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _staged(client: Client, content: bytes, name: str = "readings.csv") -> ImportBatch:
    response = _upload(client, content, name)
    assert response.status_code == 302, _text(response)
    batch = ImportBatch.objects.get()
    assert response["Location"] == _preview_url(batch)
    return batch


def _preview_url(batch: ImportBatch) -> str:
    return reverse("import-preview", args=["kcc-asch", batch.token])


def _refused(response: HttpResponseBase) -> str:
    """The page of a refused file: 400, nothing staged, nothing saved."""
    assert response.status_code == 400
    assert (ImportBatch.objects.count(), Reading.objects.count()) == (0, 0)
    return _text(response)


# --- the happy paths ------------------------------------------------------------------


def test_a_csv_is_previewed_with_levels_then_imported(dgs_member: User, dgs: Area) -> None:
    client = _client(dgs_member)
    batch = _staged(
        client,
        _csv(
            HEADER,
            "dgs,stp_staffing_pct,64,2026-01-05T08:00:00+00:00",
            f"dgs,stp_staffing_pct,82,{AT_0910}",
            f"dgs,health_caseload,45,{AT_0910}",
            f"dgs,referrals,16,{AT_0910}",
        ),
    )
    assert (batch.status, batch.uploaded_by, batch.filename) == (
        "staged",
        dgs_member,
        "readings.csv",
    )
    assert Reading.objects.count() == 0  # staged, not saved

    page = _text(client.get(_preview_url(batch)))
    # seed 000, section 4.3 (DGS): staffing 82% is OPEL 1, caseload 45 OPEL 2, referrals 16 OPEL 3.
    assert "OPEL 1 · Green" in page
    assert "OPEL 2 · Amber" in page
    assert "OPEL 3 · Red" in page
    assert "Import 4 readings" in page
    assert "The readings in readings.csv and the level each would get" in page

    response = client.post(_preview_url(batch), {"action": "import"})
    assert response.status_code == 302
    assert response["Location"] == reverse("organisation", args=["kcc-asch"])
    saved = {(r.indicator, r.value, r.level) for r in Reading.objects.all()}
    assert saved == {
        ("stp_staffing_pct", 64.0, 2),
        ("stp_staffing_pct", 82.0, 1),
        ("health_caseload", 45.0, 2),
        ("referrals", 16.0, 3),
    }
    assert set(Reading.objects.values_list("submitted_by", "submitted_at", "kind").distinct()) == {
        (dgs_member.pk, NOW, "report")
    }
    staffing = CurrentReading.objects.get(area=dgs, indicator="stp_staffing_pct")
    assert (staffing.reading.value, staffing.reading.observed_at) == (
        82.0,
        datetime(2026, 1, 5, 9, 10, tzinfo=UTC),
    )
    assert staffing.previous is not None and staffing.previous.value == 64.0
    assert CurrentReading.objects.count() == 3
    batch.refresh_from_db()
    assert (batch.status, batch.committed_at) == ("committed", NOW)


def test_an_excel_file_reads_numbers_and_uk_times(dgs_member: User) -> None:
    client = _client(dgs_member)
    content = _workbook(
        ["Area", "Indicator", "Value", "Observed_at"],  # header case does not matter
        ["dgs", "stp_staffing_pct", 45, datetime(2026, 1, 5, 9, 30)],  # GMT
        ["dgs", "health_caseload", 39.5, datetime(2025, 7, 7, 9, 30)],  # BST
        ["dgs", "social_caseload", 0.44, "2026-01-05T09:30:00+00:00"],  # typed 44%
        formats={"C4": "0%"},
    )
    batch = _staged(client, content, "monday.xlsx")
    assert batch.rows == [
        {
            "row": 2,
            "area": "dgs",
            "indicator": "stp_staffing_pct",
            "value": 45.0,
            "observed_at": "2026-01-05T09:30:00+00:00",
        },
        {
            "row": 3,
            "area": "dgs",
            "indicator": "health_caseload",
            "value": 39.5,
            "observed_at": "2025-07-07T08:30:00+00:00",
        },
        {
            "row": 4,
            "area": "dgs",
            "indicator": "social_caseload",
            "value": 44.0,
            "observed_at": "2026-01-05T09:30:00+00:00",
        },
    ]
    assert "OPEL 3 · Red" in _text(client.get(_preview_url(batch)))  # staffing 45%
    assert client.post(_preview_url(batch), {"action": "import"}).status_code == 302
    assert Reading.objects.get(indicator="health_caseload").observed_at == datetime(
        2025, 7, 7, 8, 30, tzinfo=UTC
    )


def test_a_csv_saved_by_excel_with_a_byte_order_mark_is_read(dgs_member: User) -> None:
    content = b"\xef\xbb\xbf" + _csv(HEADER, f"dgs,stp_staffing_pct,82,{AT_0910}") + b"\r\n"
    batch = _staged(_client(dgs_member), content)
    assert [r["value"] for r in batch.rows] == [82.0]


def test_the_upload_page_labels_the_field_and_lists_what_may_be_imported(
    dgs_member: User,
) -> None:
    response = _client(dgs_member).get(UPLOAD)
    page = _text(response)
    assert response.status_code == 200
    assert (
        '<label class="nhsuk-label nhsuk-label--s" for="id_file">File of readings</label>' in page
    )
    assert 'aria-describedby="id_file-hint"' in page
    assert "Row 1 names the columns: area, indicator, value and observed_at" in page
    assert "Dartford, Gravesham and Swanley (<code>dgs</code>)" in page
    assert "<code>referrals</code>" in page
    # Assessment beds are the Arranging Support Team's, not this role's.
    assert "assessment_bed_availability" not in page


def test_someone_who_reports_nothing_cannot_import(viewer: User) -> None:
    assert _client(viewer).get(UPLOAD).status_code == 403


# --- every bad row, by row, and nothing saved -----------------------------------------


def test_one_bad_file_lists_every_bad_row_and_saves_nothing(dgs_member: User, dgs: Area) -> None:
    submit_readings(dgs_member, dgs, {"referrals": 8}, NOW - timedelta(hours=2), now=NOW)
    before = Reading.objects.count()
    response = _upload(
        _client(dgs_member),
        _csv(
            HEADER,
            f"dgs,stp_staffing_pct,82,{AT_0910}",
            f"dgs,stp_staffing_pct,130,{AT_0910}",
            f"dgs,health_caseload,45,{AT_0910}",
            f"dgs,social_caseload,lots,{AT_0910}",
            f"narnia,referrals,3,{AT_0910}",
            "dgs,referrals,3,2026-01-05T09:10:00",
            "dgs,social_caseload,3,2026-01-06T09:00:00+00:00",
            f"dgs,bed_nights,3,{AT_0910}",
            "dgs,health_caseload,3,",
        ),
    )
    assert response.status_code == 400
    assert (ImportBatch.objects.count(), Reading.objects.count()) == (0, before)
    page = _text(response)
    assert "There is a problem" in page
    assert "The file has 7 problems in 7 rows, listed below. Nothing was imported" in page
    assert "Problems in readings.csv, by row" in page
    for expected in (
        "Row 3, value: 130 is impossible for &#x27;stp_staffing_pct&#x27; (%); "
        "valid values are 0 to 100",
        "Row 5, value: &#x27;lots&#x27; is not a number",
        "Row 6, area: unknown area &#x27;narnia&#x27;",
        "Row 7, observed_at: &#x27;2026-01-05T09:10:00&#x27; has no UTC offset",
        "Row 8, observed_at: 2026-01-06 09:00 GMT is in the future; fix: check the time",
        "Row 9, indicator: unknown indicator &#x27;bed_nights&#x27;",
        "Row 10, observed_at: is empty; fix: give the time",
    ):
        assert expected in page
    assert "Row 2," not in page
    assert "Row 4," not in page


def test_a_row_outside_the_users_areas_is_refused(dgs_member: User) -> None:
    page = _refused(
        _upload(
            _client(dgs_member),
            _csv(
                HEADER, f"dgs,stp_staffing_pct,82,{AT_0910}", f"swale,stp_staffing_pct,74,{AT_0910}"
            ),
        )
    )
    assert (
        "Row 3, area: you do not report &#x27;stp_staffing_pct&#x27; for Swale; "
        "fix: leave the row out" in page
    )


def test_a_cell_the_plan_marks_na_is_refused(swale_member: User) -> None:
    page = _refused(_upload(_client(swale_member), _csv(HEADER, f"swale,referrals,3,{AT_0910}")))
    assert "Row 2, indicator: not monitored in swale (N/A in the plan); fix: leave it out" in page


def test_two_rows_for_one_cell_at_one_moment_are_refused(dgs_member: User) -> None:
    page = _refused(
        _upload(
            _client(dgs_member),
            _csv(
                HEADER,
                f"dgs,stp_staffing_pct,82,{AT_0910}",
                f"dgs,health_caseload,45,{AT_0910}",
                "dgs,stp_staffing_pct,80,2026-01-05T10:10:00+01:00",  # the same instant
            ),
        )
    )
    assert "Row 4, observed_at: repeats row 2 (same area, indicator and time)" in page


def test_another_organisation_named_in_the_file_is_refused(dgs_member: User) -> None:
    content = _csv(
        "organisation,area,indicator,value,observed_at",
        f"kcc-asch,dgs,stp_staffing_pct,82,{AT_0910}",
        f"example-trust,dgs,health_caseload,45,{AT_0910}",
    )
    page = _refused(_upload(_client(dgs_member), content))
    assert "Row 3, organisation: &#x27;example-trust&#x27; is not this organisation" in page


def test_blank_rows_are_skipped_but_keep_the_spreadsheets_numbering(dgs_member: User) -> None:
    content = _csv(HEADER, f"dgs,stp_staffing_pct,82,{AT_0910}", ",,,", "", f"dgs,x,1,{AT_0910}")
    page = _refused(_upload(_client(dgs_member), content))
    assert "Row 5, indicator: unknown indicator &#x27;x&#x27;" in page
    assert "1 problem in 1 row" in page


def test_excel_times_the_clock_change_skips_or_repeats_are_refused(dgs_member: User) -> None:
    content = _workbook(
        ["area", "indicator", "value", "observed_at"],
        ["dgs", "stp_staffing_pct", 82, datetime(2025, 10, 26, 1, 30)],  # clocks go back
        ["dgs", "health_caseload", 45, datetime(2025, 3, 30, 1, 30)],  # clocks go forward
        ["dgs", "referrals", 8, datetime(2026, 1, 5)],
        formats={"D4": "yyyy-mm-dd"},
    )
    page = _refused(_upload(_client(dgs_member), content, "clocks.xlsx"))
    assert "Row 2, observed_at: 01:30 on 26 Oct 2025 happens twice in UK time" in page
    assert "e.g. 2025-10-26T01:30:00+01:00 for the first (BST)" in page
    assert "Row 3, observed_at: 01:30 on 30 Mar 2025 does not exist in UK time" in page
    assert "Row 4, observed_at: 05 Jan 2026 has no time of day" in page


# --- files that are not readable at all -----------------------------------------------


def test_a_header_without_the_columns_names_the_missing_ones(dgs_member: User) -> None:
    content = _csv("area,indicator,amount,when", f"dgs,stp_staffing_pct,82,{AT_0910}")
    page = _refused(_upload(_client(dgs_member), content))
    assert (
        "Row 1 is missing the columns value, observed_at. Row 1 must name the columns "
        "area, indicator, value, observed_at (organisation is optional); "
        "this file&#x27;s row 1 has area, indicator, amount, when." in page
    )
    assert 'id="id_file-error"' in page


def test_a_file_separated_by_semicolons_says_to_use_commas(dgs_member: User) -> None:
    content = _csv("area;indicator;value;observed_at", f"dgs;stp_staffing_pct;82;{AT_0910}")
    page = _refused(_upload(_client(dgs_member), content))
    assert "Fix: separate the columns with commas" in page


def _zip_of_text() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("readings.xlsx", bytes(range(256)) * 8, "The file is not an Excel workbook"),
        ("readings.xlsx", _zip_of_text(), "The file is not an Excel workbook"),
        ("readings.csv", b"\xff\xfe\x00garbage", "The file is not UTF-8 text."),
        ("readings.xls", b"old", "A .xls file cannot be read."),
        ("readings.pdf", b"%PDF", "must be a CSV file (.csv) or an Excel workbook (.xlsx)"),
        ("readings.csv", HEADER.encode(), "The file has a header row but no readings below it."),
    ],
)
def test_an_unreadable_file_gets_a_clear_message(
    dgs_member: User, name: str, content: bytes, message: str
) -> None:
    assert message in _refused(_upload(_client(dgs_member), content, name))


def test_no_file_chosen_is_a_clear_message(dgs_member: User) -> None:
    page = _refused(_client(dgs_member).post(UPLOAD, {}))
    assert "Choose a CSV or Excel file to import" in page


def test_a_file_over_the_size_limit_is_refused(dgs_member: User) -> None:
    content = b"x" * (spreadsheets.MAX_BYTES + 1)
    page = _refused(_upload(_client(dgs_member), content))
    assert "The file is 2.0 MB; the limit is 2 MB." in page


def test_a_file_over_the_row_limit_is_refused(
    dgs_member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 2)
    rows = [f"dgs,stp_staffing_pct,8{n},2026-01-05T0{n}:00:00+00:00" for n in range(3)]
    page = _refused(_upload(_client(dgs_member), _csv(HEADER, *rows)))
    assert "The file has more than 2 readings, the limit." in page


# --- committing: once, by the uploader, within a day, re-checked ----------------------


@pytest.fixture
def staged(dgs_member: User) -> ImportBatch:
    content = _csv(HEADER, f"dgs,stp_staffing_pct,82,{AT_0910}", f"dgs,referrals,8,{AT_0910}")
    return _staged(_client(dgs_member), content)


def test_a_second_import_of_the_same_batch_saves_nothing(
    dgs_member: User, staged: ImportBatch
) -> None:
    client = _client(dgs_member)
    assert client.post(_preview_url(staged), {"action": "import"}).status_code == 302
    second = client.post(_preview_url(staged), {"action": "import"})
    assert second.status_code == 409
    assert "These readings were already imported on Mon 05 Jan 2026 10:15 GMT." in _text(second)
    assert Reading.objects.count() == 2


def test_someone_else_cannot_see_or_import_a_batch(swale_member: User, staged: ImportBatch) -> None:
    client = _client(swale_member)
    assert client.get(_preview_url(staged)).status_code == 404
    assert client.post(_preview_url(staged), {"action": "import"}).status_code == 404
    with pytest.raises(PermissionDenied):
        imports.commit(staged, swale_member, NOW)
    staged.refresh_from_db()
    assert (staged.status, Reading.objects.count()) == ("staged", 0)


def test_a_batch_older_than_a_day_cannot_be_imported(dgs_member: User, staged: ImportBatch) -> None:
    with time_machine.travel(NOW + timedelta(hours=24, minutes=1), tick=False):
        client = _client(dgs_member)
        assert "Import 2 readings" not in _text(client.get(_preview_url(staged)))
        response = client.post(_preview_url(staged), {"action": "import"})
    assert response.status_code == 409
    assert "more than 24 hours ago, so it can no longer be imported" in _text(response)
    staged.refresh_from_db()
    assert (staged.status, Reading.objects.count()) == ("staged", 0)


def test_cancel_discards_the_batch(dgs_member: User, staged: ImportBatch) -> None:
    client = _client(dgs_member)
    response = client.post(_preview_url(staged), {"action": "cancel"})
    assert (response.status_code, response["Location"]) == (302, UPLOAD)
    again = client.post(_preview_url(staged), {"action": "import"})
    assert again.status_code == 409
    assert "This import was cancelled." in _text(again)
    staged.refresh_from_db()
    assert (staged.status, Reading.objects.count()) == (ImportStatus.DISCARDED, 0)


def test_the_commit_checks_every_row_again(dgs_member: User, staged: ImportBatch) -> None:
    # The manager moved teams after the preview: the rows are no longer theirs to report.
    Membership.objects.filter(user=dgs_member).delete()
    Membership.objects.create(user=dgs_member, organisation=staged.organisation, role="viewer")
    response = _client(dgs_member).post(_preview_url(staged), {"action": "import"})
    assert response.status_code == 400
    page = _text(response)
    assert "Nothing was imported: some rows no longer pass the checks" in page
    assert "Row 2, area: you do not report &#x27;stp_staffing_pct&#x27;" in page
    assert "Row 3, area: you do not report &#x27;referrals&#x27;" in page
    staged.refresh_from_db()
    assert (staged.status, Reading.objects.count()) == ("staged", 0)


def test_a_refusal_midway_through_the_commit_saves_nothing(
    dgs_member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _client(dgs_member)
    batch = _staged(
        client,
        _csv(
            HEADER,
            "dgs,stp_staffing_pct,64,2026-01-05T08:00:00+00:00",
            f"dgs,stp_staffing_pct,82,{AT_0910}",
        ),
    )
    calls: list[datetime] = []

    def refuse_the_second(
        user: User, area: Area, values: Mapping[str, float], at: datetime, *, now: datetime
    ) -> list[Reading]:
        calls.append(at)
        if len(calls) == 2:
            raise ValidationError({"observed_at": ["changed under our feet"]})
        return submit_readings(user, area, values, at, now=now)

    monkeypatch.setattr(imports, "submit_readings", refuse_the_second)
    response = client.post(_preview_url(batch), {"action": "import"})
    assert response.status_code == 409
    assert "Nothing was imported: changed under our feet" in _text(response)
    assert len(calls) == 2  # the first group was written, then rolled back with the second
    batch.refresh_from_db()
    assert (batch.status, batch.committed_at, Reading.objects.count()) == ("staged", None, 0)
    assert CurrentReading.objects.count() == 0


def test_a_file_imported_before_is_pointed_out(dgs_member: User, staged: ImportBatch) -> None:
    client = _client(dgs_member)
    client.post(_preview_url(staged), {"action": "import"})
    content = _csv(HEADER, f"dgs,stp_staffing_pct,82,{AT_0910}", f"dgs,referrals,8,{AT_0910}")
    client.post(UPLOAD, {"file": SimpleUploadedFile("again.csv", content)})
    second = ImportBatch.objects.get(status="staged")
    page = _text(client.get(_preview_url(second)))
    assert "This file was imported before" in page
    assert "imported by dgs-manager on Mon 05 Jan 2026 10:15 GMT" in page
