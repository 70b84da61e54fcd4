"""Planning results as rich tables for the terminal (the CLI's ``--format table``)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.table import Table

from surgewatch.planning.months import label

if TYPE_CHECKING:
    from surgewatch.planning.costs import CostReport
    from surgewatch.planning.demand import DemandForecast
    from surgewatch.planning.gap import GapResult
    from surgewatch.planning.risks import RegisterReport
    from surgewatch.planning.uncertainty import UncertaintyResult


def signed(value: float) -> str:
    """``+9`` / ``-7`` / ``+16.7``: whole numbers without decimals, others to one place."""
    return f"{value:+.0f}" if float(value).is_integer() else f"{value:+.1f}"


def plain(value: float) -> str:
    """``21`` / ``16.7``: whole numbers without decimals, others to one place."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def gap_table(result: GapResult) -> list[Any]:
    """Seed 002's layout: gap, each scheme, total mitigation, residual, by month."""
    table = Table(title=result.title)
    for heading in ("", "Provider", "Unit", *map(label, result.months)):
        table.add_column(
            heading, justify="left" if heading in ("", "Provider", "Unit") else "right"
        )
    table.add_row("Gap before mitigation", "", "", *map(signed, result.gap), end_section=True)
    for s in result.schemes:
        table.add_row(
            s.name, s.provider, f"{s.unit} {plain(s.ratio)}:1", *map(plain, s.acute_equivalent)
        )
    table.add_section()
    table.add_row("Total mitigation", "", "acute", *map(plain, result.mitigation))
    table.add_row("Residual", "", "acute", *map(signed, result.residual))
    notes = "Negative gap or residual is a deficit of beds. " + result.rounding_note
    return [table, notes]


def gbp(value: Decimal, currency: str = "GBP") -> str:
    """``GBP 310,800`` (pence shown only when there are any)."""
    whole = value == value.to_integral_value()
    return f"{currency} {value:,.0f}" if whole else f"{currency} {value:,.2f}"


def costs_table(result: CostReport) -> list[Any]:
    """Lines with their basis, group totals, then the funding ledger."""
    lines = Table(title=result.title)
    for heading in ("Proposal", "Basis", "Amount", "Funding source"):
        lines.add_column(heading, justify="right" if heading == "Amount" else "left")
    for group in result.groups:
        for x in (x for x in result.lines if x.group == group.name):
            lines.add_row(x.name, x.basis, gbp(x.amount, result.currency), x.funding_source or "-")
        lines.add_row(
            f"Total: {group.name}", "", gbp(group.total, result.currency), "", end_section=True
        )
    lines.add_row("All proposals", "", gbp(result.total, result.currency), "")
    funding = Table(title="Funding")
    for heading in ("Source", "Amount", "Committed", "Available", "Allocated", "Remaining"):
        funding.add_column(heading, justify="left" if heading == "Source" else "right")
    for f in result.funding:
        funding.add_row(
            f.name,
            *(
                gbp(v, result.currency)
                for v in (f.amount, f.committed, f.available, f.allocated, f.remaining)
            ),
        )
    notes = [f"Not yet funded: {gbp(result.unfunded, result.currency)}"]
    notes += [f"MISMATCH with printed figure: {m}" for m in result.mismatches]
    if not result.mismatches:
        notes.append("Every printed figure reproduces exactly.")
    return [lines, funding, *notes]


def uncertainty_table(result: UncertaintyResult) -> list[Any]:
    """One table per area: occupancy and residual percentiles and over-capacity odds."""
    out: list[Any] = []
    for area in result.areas:
        table = Table(title=f"{result.title}: {area.name}")
        for heading in (
            "Month",
            "Capacity",
            "Occupancy P10/P50/P90",
            "Residual P10/P50/P90",
            "P(day over capacity)",
            "Expected days over",
        ):
            table.add_column(heading, justify="left" if heading == "Month" else "right")
        for m in area.months:
            table.add_row(
                label(m.month),
                plain(m.capacity),
                " / ".join(f"{v:.0f}" for v in m.occupancy),
                " / ".join(f"{v:+.1f}" for v in m.residual),
                f"{m.p_over_capacity:.1%}",
                f"{m.expected_days_over:.1f}",
            )
        out += [
            table,
            f"Expected days over capacity in the plan period: {area.expected_days_over:.1f}",
        ]
    out.append(
        f"{result.replications} replications, master seed {result.seed}. Capacity = open beds + "
        "schemes in acute-bed equivalents; occupancy includes MFFD, DTA and IPC beds; residual "
        "uses each replication's mean census / target occupancy (negative is a deficit)."
    )
    return out


def risks_table(result: RegisterReport) -> list[Any]:
    """The register with ratings and overdue reviews, then the 5x5 residual heat map."""
    table = Table(title=f"{result.title} (as at {result.today.isoformat()})")
    for heading in ("Risk", "Owner", "Inherent", "Residual", "Target", "Rating", "Review due"):
        table.add_column(heading)
    for r in result.risks:
        due = r.review_date.isoformat() + (f" OVERDUE {r.overdue_days}d" if r.overdue_days else "")
        table.add_row(
            r.title, r.owner, str(r.inherent), str(r.residual), str(r.target), r.rating, due
        )
    heat = Table(title="Residual heat map (count of risks)")
    heat.add_column("Impact \\ Likelihood")
    for likelihood in range(1, 6):
        heat.add_column(str(likelihood), justify="right")
    for impact in range(5, 0, -1):
        heat.add_row(str(impact), *(str(n or ".") for n in result.heat_map[impact - 1]))
    return [table, heat]


def demand_table(result: DemandForecast) -> list[Any]:
    """Per service, baseline and scenario demand by month."""
    out: list[Any] = []
    for s in result.services:
        table = Table(title=f"{result.title}: {s.name}")
        table.add_column("Scenario")
        for m in result.months:
            table.add_column(label(m), justify="right")
        table.add_row("Baseline (trend continued)", *(f"{v:.0f}" for v in s.baseline))
        for name, values in s.scenarios.items():
            table.add_row(name, *(f"{v:.0f}" for v in values))
        out.append(table)
    return out
