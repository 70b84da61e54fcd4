"""The plan as one workbook for the board: the gap sheet from the planning core, then costs,
risks and demand sheets from the same figures the pages show."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

from openpyxl import Workbook, load_workbook

from surgewatch.planning.costs import CostReport
from surgewatch.planning.demand import DemandForecast
from surgewatch.planning.export import write_gap_xlsx
from surgewatch.planning.months import label
from surgewatch.planning.risks import RegisterReport
from surgewatch.web.plans import selectors
from surgewatch.web.plans.documents import PlanDocuments


def plan_workbook(documents: PlanDocuments, today: dt.date) -> bytes:
    """Every part of the plan file as a sheet; Gap is ``surgewatch plan gap --format xlsx``."""
    book = _gap_book(documents)
    if costs := selectors.cost_figures(documents):
        _costs_sheet(book, costs)
    if risks := selectors.risk_figures(documents, today):
        _risks_sheet(book, risks)
    if demand := selectors.demand_figures(documents):
        _demand_sheet(book, demand)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _gap_book(documents: PlanDocuments) -> Workbook:
    gap = selectors.gap_figures(documents)
    if gap is None:
        book = Workbook()
        book.remove(book.worksheets[0])
        return book
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "gap.xlsx"
        write_gap_xlsx(gap, path)
        return load_workbook(path)


def _costs_sheet(book: Workbook, result: CostReport) -> None:
    sheet = book.create_sheet("Costs")
    sheet.append(["Group", "Proposal", "Basis", f"Amount ({result.currency})", "Funding source"])
    for line in result.lines:
        sheet.append([line.group, line.name, line.basis, line.amount, line.funding_source or ""])
    sheet.append(["Total", "", "", result.total, ""])
    sheet.append([])
    sheet.append(["Funding source", "Amount", "Committed", "Available", "Allocated", "Remaining"])
    for f in result.funding:
        sheet.append([f.name, f.amount, f.committed, f.available, f.allocated, f.remaining])


def _risks_sheet(book: Workbook, result: RegisterReport) -> None:
    sheet = book.create_sheet("Risks")
    sheet.append(
        [
            "Risk",
            "Owner",
            "Inherent",
            "Residual",
            "Target",
            "Rating",
            "Review date",
            f"Days overdue at {result.today.isoformat()}",
        ]
    )
    for r in result.risks:
        sheet.append(
            [
                r.title,
                r.owner,
                r.inherent,
                r.residual,
                r.target,
                r.rating,
                r.review_date,
                r.overdue_days,
            ]
        )
    sheet.append([])
    sheet.append(["Residual heat map: risks by impact (rows) and likelihood (columns)"])
    sheet.append(["Impact \\ likelihood", 1, 2, 3, 4, 5])
    for impact in range(5, 0, -1):
        sheet.append([impact, *result.heat_map[impact - 1]])


def _demand_sheet(book: Workbook, result: DemandForecast) -> None:
    sheet = book.create_sheet("Demand")
    sheet.append(["Service", "Scenario", *map(label, result.months)])
    for service in result.services:
        sheet.append([service.name, "Baseline", *service.baseline])
        for name, values in service.scenarios.items():
            sheet.append([service.name, name, *values])
