"""The SitRep's download formats, shared by the web views and the command (issue 4)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from surgewatch.web.sitrep.csv_file import render_csv
from surgewatch.web.sitrep.pdf import render_pdf
from surgewatch.web.sitrep.records import SitRep
from surgewatch.web.sitrep.xlsx import render_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Format:
    extension: str
    content_type: str
    render: Callable[[SitRep], bytes]


def _csv_bytes(sitrep: SitRep) -> bytes:
    # With a byte-order mark, Excel opens the file as UTF-8 rather than guessing.
    return render_csv(sitrep).encode("utf-8-sig")


FORMATS = {
    "pdf": Format("pdf", "application/pdf", render_pdf),
    "xlsx": Format("xlsx", XLSX, render_xlsx),
    "csv": Format("csv", "text/csv; charset=utf-8", _csv_bytes),
}


def filename(organisation_slug: str, day: date, extension: str) -> str:
    return f"sitrep-{organisation_slug}-{day.isoformat()}.{extension}"
