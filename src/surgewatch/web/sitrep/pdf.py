"""The SitRep as a PDF: its HTML rendered by WeasyPrint (issue 4).

WeasyPrint is imported only here and only when a PDF is asked for, so a
machine without its system libraries (Pango) still serves the page, the XLSX
and the CSV, and says clearly why the PDF is missing.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import timezone

from surgewatch.web.sitrep.records import SitRep

PDF_TEMPLATE = "sitrep/pdf.html"


class PdfUnavailableError(RuntimeError):
    """WeasyPrint or the libraries it needs are not installed on this machine."""


def sitrep_html(sitrep: SitRep) -> str:
    """The print HTML, with times in the pack's zone whatever the request's zone."""
    with timezone.override(ZoneInfo(sitrep.timezone)):
        return render_to_string(PDF_TEMPLATE, {"sitrep": sitrep})


def render_pdf(sitrep: SitRep) -> bytes:
    """The SitRep as PDF bytes; raises PdfUnavailableError if WeasyPrint cannot run here."""
    return html_to_pdf(sitrep_html(sitrep))


def html_to_pdf(html: str) -> bytes:
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]
    except (ImportError, OSError) as missing:  # OSError: Pango or its fonts are absent
        raise PdfUnavailableError(
            f"PDF output needs WeasyPrint and its system libraries ({missing}); "
            "fix: install WeasyPrint with Pango (see weasyprint.org, 'Installation'), "
            "or download the SitRep as XLSX or CSV"
        ) from missing
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
