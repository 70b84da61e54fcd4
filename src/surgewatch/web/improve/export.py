"""An assessment and its action plan as PDF (WeasyPrint, via the SitRep's renderer) and
as an Excel workbook (openpyxl): results per change, every criterion with its level
text and evidence, and the action planning template's rows (seed 003)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from surgewatch.improvement.frameworks import Framework, Group
from surgewatch.web.decisions.export import FORMULA_STARTS
from surgewatch.web.improve import selectors
from surgewatch.web.improve.models import Assessment, ImprovementAction
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.sitrep.pdf import html_to_pdf

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
Cell = str | int | float | None


@dataclass(frozen=True)
class Document:
    organisation: Organisation
    framework: Framework
    area: Area | None
    results: selectors.Results | None
    plan: list[tuple[Group, list[ImprovementAction]]]

    @classmethod
    def build(
        cls,
        organisation: Organisation,
        framework: Framework,
        assessment: Assessment | None,
        area: Area | None,
    ) -> Document:
        results = selectors.results_for(framework, assessment) if assessment else None
        return cls(
            organisation, framework, area, results, selectors.plan(organisation, framework, area)
        )

    @property
    def scope(self) -> str:
        return self.area.name if self.area else f"the whole of {self.organisation.name}"


def filename(document: Document, kind: str) -> str:
    number = f"-{document.results.assessment.number}" if document.results else ""
    area = f"-{document.area.slug}" if document.area else ""
    return f"{document.organisation.slug}-{document.framework.id}{area}{number}.{kind}"


def render(document: Document, kind: str) -> tuple[bytes, str]:
    """The document's bytes and content type; PDF raises PdfUnavailableError without Pango."""
    body = render_pdf(document) if kind == "pdf" else render_xlsx(document)
    return body, CONTENT_TYPES[kind]


def render_pdf(document: Document) -> bytes:
    html = render_to_string("improve/pdf.html", {"doc": document, "today": timezone.localdate()})
    return html_to_pdf(html)


def render_xlsx(document: Document) -> bytes:
    book = Workbook()
    if book.active is not None:
        book.remove(book.active)
    label = document.framework.group_label.capitalize()
    _sheet(book.create_sheet("Summary"), _summary_header(label), _summary_rows(document))
    _sheet(book.create_sheet("Ratings"), _rating_header(label), _rating_rows(document))
    _sheet(book.create_sheet("Action plan"), _plan_header(document), _plan_rows(document))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _summary_header(label: str) -> list[str]:
    return [label, "Title", "Rated", "Criteria", "Mean level", "Lowest level",
            "Previous mean", "Change", "Movement"]  # fmt: skip


def _summary_rows(document: Document) -> list[list[Cell]]:
    if document.results is None:
        return []
    return [
        [
            row.group.number,
            row.group.title,
            row.result.rated,
            row.result.total,
            _round(row.result.mean),
            row.result.lowest,
            _round(row.change.before),
            row.change.delta,
            str(row.change.movement),
        ]
        for row in document.results.groups
    ]


def _rating_header(label: str) -> list[str]:
    return [label, "Criterion", "Level", "Level name", "What this level looks like",
            "Evidence", "Previous level", "Movement"]  # fmt: skip


def _rating_rows(document: Document) -> list[list[Cell]]:
    if document.results is None:
        return []
    return [
        [
            row.group.number,
            rated.criterion.label,
            rated.level,
            rated.level_name,
            rated.level_text or rated.criterion.text,
            rated.evidence,
            rated.before,
            str(rated.movement),
        ]
        for row in document.results.groups
        for rated in row.criteria
    ]


def _plan_header(document: Document) -> list[str]:
    template = document.framework.action_plan
    return ["Action", document.framework.group_label.capitalize(), template.where_now,
            template.what_to_do, template.due_on, template.success_measure, "Owner",
            "Status"]  # fmt: skip


def _plan_rows(document: Document) -> list[list[Cell]]:
    return [
        [
            action.number,
            f"{group.number}. {group.title}",
            action.where_now,
            action.what_to_do,
            action.due_on.isoformat(),
            action.success_measure,
            _person(action),
            action.status,
        ]
        for group, actions in document.plan
        for action in actions
    ]


def _person(action: ImprovementAction) -> str:
    return action.owner.get_full_name() or action.owner.get_username()


def _round(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def _sheet(sheet: Worksheet, header: list[str], rows: list[list[Cell]]) -> None:
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = BOLD
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([_safe(value) for value in row])
    for number in range(1, len(header) + 1):
        sheet.column_dimensions[get_column_letter(number)].width = 18 if number < 3 else 40
        for (cell,) in sheet.iter_rows(min_col=number, max_col=number, min_row=2):
            cell.alignment = WRAP


def _safe(value: Cell) -> Cell:
    """Free text is never run as a formula by the spreadsheet."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
