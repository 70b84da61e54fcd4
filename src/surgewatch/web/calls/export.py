"""Call records as CSV: one block per section, as the SitRep's CSV is laid out.

Seed 000, section 5.1: the calls 'provide updates to relevant stakeholders',
so each record is exportable whole: the agenda as it stood, attendance, the
actions and every answer. Each block has its own header row and every row
starts with the section's name, so a spreadsheet filter on the first column
shows one section. Times are UK wall-clock in ISO 8601 with their UTC offset.
Free text that a spreadsheet would run as a formula is quoted, as the
decision log's export does.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from surgewatch.web.calls import agenda, selectors
from surgewatch.web.calls.models import Call, CallAction, CallActionAnswer
from surgewatch.web.decisions.export import FORMULA_STARTS
from surgewatch.web.orgs.models import Organisation

SECTION = "section"
Value = str | int | bool | datetime | None


@dataclass(frozen=True)
class Section:
    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]


def call_csv(call: Call) -> str:
    """One call: the record, the agenda's sections, attendance, actions and answers."""
    taken = agenda.read(call.agenda)
    actions = list(selectors.call_actions(call))
    answers = [a for action in actions for a in action.answers.all()]
    return render([
        _about(call),
        *_agenda_sections(taken),
        _attendance(call),
        _actions(actions),
        _answers(answers),
    ])  # fmt: skip


def calls_csv(organisation: Organisation) -> str:
    """Every call of the organisation with its actions and their answers."""
    calls = selectors.call_log(organisation).prefetch_related("attendees")
    actions = selectors.organisation_actions(organisation)
    answers = selectors.organisation_answers(organisation)
    return render([_calls(calls), _actions(actions), _answers(answers)])


def render(sections: Sequence[Section]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for n, section in enumerate(sections):
        if n:
            writer.writerow([])
        writer.writerow([SECTION, *section.header])
        writer.writerows([section.name, *(_cell(v) for v in row)] for row in section.rows)
    return out.getvalue()


def _about(call: Call) -> Section:
    rows: tuple[tuple[Value, ...], ...] = (
        ("Call record", call.pk),
        ("Call", call.call_name),
        ("Organisation", call.organisation.name),
        ("Held at", call.held_at),
        ("Chair", selectors.person_name(call.chair)),
        ("Acting level", call.level),
        ("Recorded by", call.recorded_by.get_username()),
        ("Recorded at", call.recorded_at),
        ("Notes", call.notes),
    )
    return Section("call", ("item", "value"), rows)


def _agenda_sections(taken: agenda.Agenda) -> list[Section]:
    return [_levels(taken), _indicators(taken), _changes(taken), _open(taken), _owed(taken)]


def _levels(taken: agenda.Agenda) -> Section:
    declared = taken.declared
    rows: tuple[tuple[Value, ...], ...] = (
        ("Agenda generated", None, taken.generated_at),
        ("Changes since", None, taken.since),
        ("Plan", None, f"{taken.pack_id} v{taken.version}"),
        ("Acting level", taken.acting_level, ""),
        ("Suggested level", taken.suggested_level, ""),
        ("Declared level", declared.level if declared else None, _declared(declared)),
        ("System aggregate", taken.system_aggregate, ""),
        ("System actions enacted at", taken.system_enacted, ""),
    )
    return Section("agenda", ("measure", "level", "detail"), rows)


def _declared(declared: agenda.Declared | None) -> str:
    if declared is None:
        return "not declared"
    return f"by {declared.by} at {_time(declared.at)}: {declared.reason}"


def _indicators(taken: agenda.Agenda) -> Section:
    rows = tuple((i.indicator, i.name, i.level) for i in taken.indicators)
    return Section("indicators", ("indicator", "name", "level"), rows)


def _changes(taken: agenda.Agenda) -> Section:
    rows = tuple((c.at, c.area, c.from_level, c.to_level, c.source) for c in taken.level_changes)
    return Section("level_changes", ("at", "area", "from_level", "to_level", "source"), rows)


def _open(taken: agenda.Agenda) -> Section:
    rows = tuple((a.card, a.role, a.text, a.level, a.next_due, a.overdue) for a in taken.actions)
    header = ("card", "role", "action", "level", "next_due", "overdue")
    return Section("open_actions", header, rows)


def _owed(taken: agenda.Agenda) -> Section:
    rows = tuple(
        (a.id, a.call, a.call_name, a.partner, a.text, a.owner, a.due_at, a.status)
        for a in taken.call_actions
    )
    header = ("action", "call", "call_name", "partner", "text", "owner", "due_at", "status")
    return Section("overdue_call_actions", header, rows)


def _attendance(call: Call) -> Section:
    rows = tuple((a.position, a.partner, a.person, a.present) for a in call.attendees.all())
    return Section("attendance", ("row", "partner", "person", "present"), rows)


def _actions(actions: Iterable[CallAction]) -> Section:
    rows = tuple(
        (
            a.call_id, a.pk, a.partner, a.text, selectors.person_name(a.owner),
            a.owner_role, a.due_at, a.get_status_display(), a.asked_at,
        )
        for a in actions
    )  # fmt: skip
    header = ("call", "action", "partner", "text", "owner", "owner_role", "due_at", "status")
    return Section("actions", (*header, "asked_at"), rows)


def _answers(answers: Iterable[CallActionAnswer]) -> Section:
    rows = tuple(
        (a.action.call_id, a.action_id, a.at, a.by.get_username(), a.done, a.note) for a in answers
    )
    return Section("answers", ("call", "action", "at", "by", "done", "note"), rows)


def _calls(calls: Iterable[Call]) -> Section:
    rows = tuple(
        (
            c.pk, c.call_id, c.call_name, c.held_at, c.level, selectors.person_name(c.chair),
            sum(a.present for a in c.attendees.all()), len(c.actions.all()),
            c.recorded_by.get_username(), c.recorded_at,
        )
        for c in calls
    )  # fmt: skip
    header = ("call", "kind", "name", "held_at", "level", "chair", "present", "actions")
    return Section("calls", (*header, "recorded_by", "recorded_at"), rows)


def _time(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="minutes")


def _cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return _time(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
