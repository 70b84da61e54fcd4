"""Import fuzzing (issue 8, 'Bad input'): malformed CSV and Excel files get a clear
message naming the row and column where there is one, and leave the database
exactly as it was.

Rules under test: issue 3 (a file with any bad row is refused whole, row by
row) and issue 8 (wrong encodings, formulas, merged cells, 100,000 rows, wrong
units, duplicate rows, a byte order mark, an empty file, junk renamed .xlsx).
'Unchanged' is checked as the row count of every model, for named files and
for arbitrary bad files hypothesis makes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse, HttpResponseBase
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import Workbook

from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Area
from surgewatch.web.reporting import spreadsheets
from surgewatch.web.reporting.services import submit_readings

NOW = datetime(2026, 1, 5, 10, 15, tzinfo=UTC)
UPLOAD = reverse("import", args=["kcc-asch"])
HEADER = "area,indicator,value,observed_at"
AT = "2026-01-05T09:10:00+00:00"
GOOD = f"dgs,stp_staffing_pct,82,{AT}"

Counts = dict[str, int]


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def client(dgs_member: User, dgs: Area) -> Client:
    """A DGS team manager with a reading already stored, so 'unchanged' is not 'empty'."""
    submit_readings(dgs_member, dgs, {"referrals": 8}, datetime(2026, 1, 5, 8, tzinfo=UTC), now=NOW)
    logged_in = Client()
    logged_in.force_login(dgs_member)
    return logged_in


def counts() -> Counts:
    """Every model's row count: the database is unchanged when none of these moves."""
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def upload(client: Client, content: bytes, name: str) -> HttpResponseBase:
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})


def refused(client: Client, content: bytes, name: str = "readings.csv") -> str:
    """Upload, and check the file was refused (400) with nothing stored; the page's text."""
    before = counts()
    response = upload(client, content, name)
    assert response.status_code == 400
    assert counts() == before
    assert isinstance(response, HttpResponse)
    return " ".join(response.content.decode().split())


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return "\r\n".join(lines).encode(encoding)


def workbook(*rows: list[object], merge: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- encodings ----------------------------------------------------------------------------


def test_a_utf16_csv_says_to_save_as_utf8(client: Client) -> None:
    page = refused(client, csv_bytes(HEADER, GOOD, encoding="utf-16"))
    assert "The file is not UTF-8 text. It is UTF-16." in page
    assert "Fix: in Excel, choose Save As and &#x27;CSV UTF-8&#x27;." in page


def test_a_latin1_csv_names_the_row_with_the_first_odd_character(client: Client) -> None:
    content = csv_bytes(HEADER, GOOD, f"dgs,health_caseload,45,{AT}", "dgs,référrals,3,x", "")
    page = refused(client, content.decode().encode("latin-1"))
    assert "The file is not UTF-8 text. Row 4 has a character that is not UTF-8 (byte 0xE9)" in page


def test_a_byte_order_mark_is_read_and_a_bad_row_still_named(client: Client) -> None:
    content = b"\xef\xbb\xbf" + csv_bytes(HEADER, GOOD, f"dgs,referrals,lots,{AT}")
    assert "Row 3, value: &#x27;lots&#x27; is not a number" in refused(client, content)


def test_nul_bytes_in_a_csv_are_refused_by_row(client: Client) -> None:
    page = refused(client, csv_bytes(HEADER, GOOD, f"dg\x00s,referrals,3,{AT}"))
    assert "Row 3, area: unknown area" in page


# --- formulas, units, duplicates ----------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "column", "formula"),
    [
        ("dgs,stp_staffing_pct,=1+1," + AT, "value", "=1+1"),
        ('"=HYPERLINK(""http://example.com"",""dgs"")",stp_staffing_pct,82,' + AT, "area", None),
        ("dgs,=cmd|' /C calc'!A0,82," + AT, "indicator", None),
    ],
)
def test_a_formula_in_a_csv_cell_is_named_as_a_formula(
    client: Client, row: str, column: str, formula: str | None
) -> None:
    page = refused(client, csv_bytes(HEADER, GOOD, row))
    assert f"Row 3, {column}: is a formula" in page
    assert "fix: save the value the formula shows, not the formula" in page
    if formula:
        assert f"&#x27;{formula}&#x27;" in page


def test_a_formula_in_a_column_not_read_is_left_alone(client: Client) -> None:
    before = counts()
    content = csv_bytes(f"{HEADER},notes", f"{GOOD},=SUM(A1:A9)")
    response = upload(client, content, "notes.csv")
    assert response.status_code == 302  # staged for preview; no reading saved yet
    after = counts()
    assert after["reporting.ImportBatch"] == before["reporting.ImportBatch"] + 1
    assert after["reporting.Reading"] == before["reporting.Reading"]


@pytest.mark.parametrize(
    ("value", "number"),
    [("85%", "85"), ("12 beds", "12"), ("39.5 cases", "39.5"), ("1,200", None), ("£12", None)],
)
def test_a_value_with_a_unit_says_to_give_the_number_alone(
    client: Client, value: str, number: str | None
) -> None:
    page = refused(client, csv_bytes(HEADER, GOOD, f'dgs,health_caseload,"{value}",{AT}'))
    assert "Row 3, value:" in page
    if number:
        assert f"fix: give the number alone, {number}" in page
    else:
        assert "is not a number" in page


def test_duplicate_rows_name_the_row_they_repeat(client: Client) -> None:
    page = refused(client, csv_bytes(HEADER, GOOD, f"dgs,referrals,3,{AT}", GOOD))
    assert "Row 4, observed_at: repeats row 2 (same area, indicator and time)" in page


def test_a_time_beyond_the_calendar_in_utc_is_refused_not_a_crash(client: Client) -> None:
    content = csv_bytes(
        HEADER,
        GOOD,
        "dgs,referrals,3,0001-01-01T00:00:00+01:00",
        "dgs,referrals,4,9999-12-31T23:59:59-01:00",
    )
    page = refused(client, content)
    assert "Row 3, observed_at: is out of range in UTC; fix: check the year" in page
    assert "Row 4, observed_at: is out of range in UTC; fix: check the year" in page


# --- Excel ------------------------------------------------------------------------------


def test_merged_cells_leave_the_rows_below_empty_and_say_so(client: Client) -> None:
    content = workbook(
        ["area", "indicator", "value", "observed_at"],
        ["dgs", "stp_staffing_pct", 82, AT],
        [None, "health_caseload", 45, AT],
        merge="A2:A3",
    )
    page = refused(client, content, "merged.xlsx")
    assert "Row 3, area: is empty; fix: give a value" in page


def test_a_formula_in_an_excel_cell_without_a_saved_result_is_named(client: Client) -> None:
    content = workbook(
        ["area", "indicator", "value", "observed_at"], ["dgs", "referrals", "=1+1", AT]
    )
    page = refused(client, content, "formula.xlsx")
    assert "Row 2, value: is empty" in page  # openpyxl saves no result; Excel would


def test_junk_renamed_xlsx_is_not_a_workbook(client: Client) -> None:
    page = refused(client, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "readings.xlsx")
    assert "The file is not an Excel workbook that can be read." in page


def test_an_empty_file_says_so(client: Client) -> None:
    page = refused(client, b"")
    assert "The file is empty; choose a file with a header row and readings" in page


def test_a_header_alone_says_there_are_no_readings(client: Client) -> None:
    page = refused(client, b"\xef\xbb\xbf" + csv_bytes(HEADER, ",,,", ""))
    assert "The file has a header row but no readings below it." in page


# --- 100,000 rows: the limits (spreadsheets.MAX_ROWS readings, MAX_BYTES bytes) --------


def test_100k_rows_of_csv_over_the_size_limit_are_refused_by_size(client: Client) -> None:
    content = csv_bytes(HEADER, *[GOOD] * 100_000)
    assert len(content) > spreadsheets.MAX_BYTES
    page = refused(client, content)
    assert "the limit is 2 MB. Fix: split it into smaller files of at most 10,000 rows." in page


def test_100k_short_rows_under_the_size_limit_are_refused_by_count(client: Client) -> None:
    content = csv_bytes(HEADER, *["d,x,1,t"] * 100_000)
    assert len(content) < spreadsheets.MAX_BYTES
    page = refused(client, content)
    assert "The file has more than 10,000 readings, the limit." in page


def test_100k_rows_of_excel_are_refused_by_count(client: Client) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["area", "indicator", "value", "observed_at"])
    for _ in range(100_000):
        sheet.append(["dgs", "referrals", 3, AT])
    buffer = io.BytesIO()
    book.save(buffer)
    page = refused(client, buffer.getvalue(), "big.xlsx")
    assert "The file has more than 10,000 readings, the limit." in page


# --- arbitrary bad files (hypothesis) -----------------------------------------------------


# A cell that is never a valid reading in its column, so any file with one is refused.
def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


bad_cells = {
    # Control characters stripped as a workbook must (see _excel_safe), it is still not an area.
    "area": st.text(min_size=1, max_size=12).filter(lambda t: _excel_safe(t).strip() != "dgs"),
    "indicator": st.sampled_from(["", "=SUM(A1:A9)", "stp staffing", "referrals\x00x", "ü"]),
    "value": st.one_of(
        st.sampled_from(["85%", "12 beds", "=1+1", "NaN", "inf", "-1", "1e309", ""]),
        st.text(alphabet="0123456789.,%- ", min_size=1, max_size=8).filter(
            lambda t: not _is_number(t)
        ),
    ),
    "observed_at": st.sampled_from(
        [
            "",
            "yesterday",
            "2026-01-05T09:10:00",
            "2026-13-01T00:00:00Z",
            "2027-01-05T09:10:00Z",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-14:00",
        ]
    ),
}
good_cells = {"area": "dgs", "indicator": "referrals", "value": "3", "observed_at": AT}


@st.composite
def bad_csv(draw: st.DrawFn) -> bytes:
    """A file with some good rows and at least one bad cell, in an encoding and layout drawn."""
    rows = []
    for n in range(draw(st.integers(1, 6))):
        column = draw(st.sampled_from(list(bad_cells)))
        row = {**good_cells, "observed_at": f"2026-01-05T0{n}:00:00+00:00"}
        row[column] = draw(bad_cells[column])
        rows.append(row)
    order = draw(st.permutations(list(good_cells)))
    text = "\r\n".join([",".join(order)] + [",".join(_quoted(r[c]) for c in order) for r in rows])
    prefix = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "latin-1", "cp1252"]))
    return prefix + text.encode(encoding, errors="replace")


@st.composite
def bad_xlsx(draw: st.DrawFn) -> bytes:
    """The same bad rows as a workbook, with a merged block drawn in now and then."""
    rows: list[list[object]] = [list(good_cells)]
    for n in range(draw(st.integers(1, 4))):
        column = draw(st.sampled_from(list(bad_cells)))
        row = {**good_cells, "observed_at": f"2026-01-05T0{n}:00:00+00:00"}
        row[column] = draw(bad_cells[column])
        rows.append([_excel_safe(v) for v in row.values()])
    merge = draw(st.sampled_from([None, "A2:A3", "C2:D2"])) if len(rows) > 2 else None
    return workbook(*rows, merge=merge)


def _excel_safe(cell: str) -> str:
    """openpyxl refuses control characters in a cell; Excel could not have saved them."""
    return "".join(c for c in cell if c >= " ")


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


arbitrary_bytes = st.binary(max_size=4096)
junk_files = st.one_of(
    st.tuples(bad_csv(), st.just("readings.csv")),
    st.tuples(bad_xlsx(), st.just("readings.xlsx")),
    st.tuples(arbitrary_bytes, st.sampled_from(["readings.csv", "readings.xlsx", "r.xls", "r"])),
    st.tuples(st.binary(max_size=512).map(lambda b: b"PK\x03\x04" + b), st.just("readings.xlsx")),
)


# Every refusal says where: a row and column, or what is wrong with the file as a whole.
CLEAR_REFUSAL = re.compile(
    r"Row \d+, (organisation|area|indicator|value|observed_at): \S"
    r"|The file (is|has|must|cannot)|The first sheet|Row 1 (is missing|names)|A \.\w+ file"
)


def test_arbitrary_bad_files_are_refused_and_change_nothing(client: Client) -> None:
    before = counts()

    @given(junk_files)
    @hypothesis_settings(
        max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def check(file: tuple[bytes, str]) -> None:
        content, name = file
        response = upload(client, content, name)
        assert response.status_code == 400, (name, content[:200])
        assert isinstance(response, HttpResponse)
        page = response.content.decode()
        assert "There is a problem" in page
        assert CLEAR_REFUSAL.search(page), page[:2000]
        assert counts() == before

    check()
