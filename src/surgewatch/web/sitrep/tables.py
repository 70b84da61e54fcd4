"""The SitRep's sections as plain tables, shared by the XLSX and CSV outputs.

One table per section (issue 4): the SitRep itself, levels, indicators, open
actions, level changes, decisions and meetings. Levels are numbers and
colours are words; ``Row.level`` and ``Row.fill`` tell a spreadsheet which
cells to fill with the level's colour as well. Times stay aware datetimes
here; each format writes them in UK time its own way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from surgewatch.web.sitrep.records import ActionRow, IndicatorRow, MeetingRow, SitRep
from surgewatch.web.sitrep.words import colour_word, status_words

Value = str | int | float | datetime | None


@dataclass(frozen=True)
class Row:
    values: tuple[Value, ...]
    level: int | None = None
    fill: tuple[int, ...] = ()  # 0-based columns to fill with the level's colour


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    header: tuple[str, ...]
    rows: tuple[Row, ...]
    widths: tuple[int, ...]


def sitrep_tables(sitrep: SitRep) -> tuple[Table, ...]:
    return tuple(build(sitrep) for build in SECTIONS)


def _about(sitrep: SitRep) -> Table:
    rows: list[tuple[Value, ...]] = [
        ("Organisation", sitrep.organisation),
        ("Plan", f"{sitrep.pack_name}, version {sitrep.pack_version}"),
        ("As at (UK time)", sitrep.at),
        ("Changes since (UK time)", sitrep.since),
        ("Time zone", sitrep.timezone),
        ("Open actions", len(sitrep.actions)),
        ("Overdue actions", len(sitrep.overdue_actions)),
        ("Decisions since yesterday", len(sitrep.decisions)),
    ]
    if sitrep.illustrative_note:
        rows.append(("Illustrative", sitrep.illustrative_note))
    return Table("sitrep", "SitRep", ("Item", "Value"), tuple(Row(r) for r in rows), (28, 80))


LEVEL_FILL = (1, 2)


def _levels(sitrep: SitRep) -> Table:
    levels, s = sitrep.levels, sitrep.levels.system
    before = f"a day earlier: OPEL {levels.suggested_before}" if levels.suggested_before else ""
    rows = [_declared(sitrep), _level(sitrep, "Suggested level", levels.suggested, None, before)]
    if levels.score is not None:
        rows.append(_level(sitrep, "OPEL score", levels.score_level, levels.score, "of 100"))
    rows.append(_level(sitrep, "Acting level (actions in force)", levels.acting, None, ""))
    if s is not None:
        rows.append(_level(sitrep, "System aggregate", s.aggregate, s.score, s.method))
        enacted = ", ".join(s.driven_by)
        rows.append(_level(sitrep, "System actions enacted at", s.enacted, None, enacted))
    for m in levels.members:
        rows.append(_level(sitrep, f"Area: {m.area}", m.level, m.score, "as a member"))
    header = ("Measure", "Level", "Colour", "Score", "Detail", "When (UK time)")
    return Table("levels", "Levels", header, tuple(rows), (34, 8, 10, 8, 60, 17))


def _level(
    sitrep: SitRep,
    measure: str,
    level: int | None,
    score: float | None,
    detail: str,
    when: datetime | None = None,
) -> Row:
    colour = colour_word(sitrep.colour(level)) or None
    shown = round(score, 1) if score is not None else None  # as the PDF shows it
    return Row((measure, level, colour, shown, detail, when), level, LEVEL_FILL)


def _declared(sitrep: SitRep) -> Row:
    declared = sitrep.levels.declared
    if declared is None:
        return _level(sitrep, "Declared level", None, None, "not declared")
    detail = f"declared by {declared.declared_by}"
    if declared.reason:
        detail += f"; reason: {declared.reason}"
    return _level(sitrep, "Declared level", declared.level, None, detail, declared.declared_at)


INDICATOR_HEADER = (
    "Indicator",
    "Indicator id",
    "Area",
    "Area id",
    "Value",
    "Unit",
    "Level",
    "Colour",
    "Status",
    "Observed (UK time)",
    "Value a day earlier",
    "Level a day earlier",
    "Change",
    "Change since yesterday",
    "Better or worse",
)
INDICATOR_WIDTHS = (48, 24, 30, 10, 8, 8, 7, 8, 22, 18, 10, 10, 8, 40, 10)


def _indicators(sitrep: SitRep) -> Table:
    rows = tuple(_indicator(r) for r in sitrep.indicators)
    return Table("indicators", "Indicators", INDICATOR_HEADER, rows, INDICATOR_WIDTHS)


def _indicator(r: IndicatorRow) -> Row:
    values = (
        *(r.indicator, r.indicator_id, r.area, r.area_id, r.value, r.unit, r.level),
        *(colour_word(r.colour) or None, status_words(r.status) or None, r.observed_at),
        *(r.value_before, r.level_before, r.change.delta, r.change.words, r.change.verdict or None),
    )
    return Row(values, r.level, (6, 7))


ACTION_HEADER = ("Overdue", "Due (UK time)", "Role", "Action", "Level", "Status", "Assigned to")


def _actions(sitrep: SitRep) -> Table:
    rows = tuple(_action(a) for a in sitrep.actions)
    widths = (9, 17, 36, 70, 6, 13, 20, 17)
    return Table("actions", "Actions", (*ACTION_HEADER, "Opened (UK time)"), rows, widths)


def _action(a: ActionRow) -> Row:
    overdue = "Overdue" if a.overdue else "No"
    return Row((overdue, a.due_at, a.role, a.text, a.level, a.status, a.assignee, a.opened_at))


def _level_changes(sitrep: SitRep) -> Table:
    header = ("When (UK time)", "From level", "To level", "Because")
    rows = tuple(
        Row((c.at, c.from_level, c.to_level, c.source), c.to_level, (2,))
        for c in sitrep.level_changes
    )
    return Table("level_changes", "Level changes", header, rows, (17, 10, 10, 40))


DECISION_HEADER = (
    "Number",
    "Decided (UK time)",
    "Decision",
    "Risk",
    "Decided by",
    "Review by (UK time)",
    "Corrects decision",
)


def _decisions(sitrep: SitRep) -> Table:
    rows = tuple(
        Row((d.number, d.decided_at, d.decision, d.risk, d.decided_by, d.review_at, d.corrects))
        for d in sitrep.decisions
    )
    return Table("decisions", "Decisions", DECISION_HEADER, rows, (8, 17, 60, 50, 30, 17, 10))


def _meetings(sitrep: SitRep) -> Table:
    header = ("Convened (UK time)", "Group", "Chair", "Position", "Level agreed")
    rows = tuple(_meeting(m) for m in sitrep.meetings)
    widths = (17, 40, 30, 50, 10, 60)
    return Table("meetings", "Meetings", (*header, "Actions agreed"), rows, widths)


def _meeting(m: MeetingRow) -> Row:
    agreed = "; ".join(m.agreed_actions)
    values = (m.convened_at, m.group, m.chair, m.position, m.agreed_level, agreed)
    return Row(values, m.agreed_level, (4,))


SECTIONS: tuple[Callable[[SitRep], Table], ...] = (
    _about,
    _levels,
    _indicators,
    _actions,
    _level_changes,
    _decisions,
    _meetings,
)
