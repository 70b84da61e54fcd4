"""Exercise mode replays the pack's timed protocols and its reporting deadlines.

Kent's NHS 111 DoS protocol (seed 000, section 6.1): from OPEL 3, steps (a)-(c),
step (b) to the ICB commissioning lead in hours or the NHS Director on Call out of
hours (Mon-Fri 09:00-17:00, a local setting), reviewed every 4 hours while pressure
remains. Reporting: the first assessment by 10:00 every day (section 3.1), with 30
minutes' grace in the pack.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from surgewatch.cli import main
from surgewatch.exercise.events import Event, ExerciseResult, Kind
from surgewatch.exercise.runner import run_exercise
from surgewatch.exercise.script import (
    ExerciseScript,
    Moment,
    ScriptDeclaration,
    ScriptReading,
    check_script,
)

EXAMPLE = Path(__file__).parents[2] / "examples" / "exercises" / "mtw-opel4-2024-07-24.yaml"
MONDAY = datetime(2025, 1, 6, tzinfo=UTC)  # winter: UK time is UTC
DOS = "nhs111-dos"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """``day`` days after Monday 6 January 2025, at UK (= UTC) wall-clock time."""
    return MONDAY + timedelta(days=day, hours=hour, minutes=minute)


def run(
    start: datetime,
    until: datetime,
    declarations: Sequence[tuple[datetime, int]] = (),
    readings: Sequence[tuple[datetime, float]] = (),
) -> ExerciseResult:
    script = ExerciseScript(
        title="test", pack="kent-ascch", start=Moment(stamp=start), until=Moment(stamp=until),
        areas=["county"],
        declarations=[ScriptDeclaration(at=Moment(stamp=t), level=lvl) for t, lvl in declarations],
        readings=[
            ScriptReading(at=Moment(stamp=t), area="county", indicator="keah_daily_capacity",
                          value=v)
            for t, v in readings
        ],
    )  # fmt: skip
    return run_exercise(check_script(script, "test.yaml"))


def of(result: ExerciseResult, kind: Kind) -> list[Event]:
    return [e for e in result.of(kind) if e.action is None or e.action.startswith(DOS)]


def step_b(result: ExerciseResult) -> list[tuple[datetime, str | None]]:
    return [(e.at, e.role) for e in of(result, Kind.PROTOCOL_STEP) if e.action == f"{DOS}-b"]


# --- the protocol ---------------------------------------------------------------------------


def test_the_protocol_starts_at_opel_3_not_before() -> None:
    result = run(at(0, 8), at(0, 13), [(at(0, 9), 2), (at(0, 11), 3)])
    started = of(result, Kind.PROTOCOL_STARTED)
    assert [(e.at, e.level, e.action) for e in started] == [(at(0, 11), 3, DOS)]
    first_round = [e.action for e in of(result, Kind.PROTOCOL_STEP) if e.at == at(0, 11)]
    assert first_round == [f"{DOS}-a", f"{DOS}-b", f"{DOS}-c"]
    review = next(e for e in of(result, Kind.PROTOCOL_STEP) if e.action == f"{DOS}-c")
    assert review.due_at == at(0, 15)  # review_every_hours: 4


def test_reviews_come_every_4_hours_while_pressure_remains_then_it_stops() -> None:
    # OPEL 3 from Monday 10:00; back to OPEL 1 at 19:00: the 14:00 and 18:00 reviews
    # find pressure remaining and repeat (a) and (b); the 22:00 one stops the run.
    result = run(at(0, 8), at(1, 8), [(at(0, 10), 3), (at(0, 19), 1)])
    reviews = of(result, Kind.PROTOCOL_REVIEW)
    assert [e.at for e in reviews] == [at(0, 14), at(0, 18), at(0, 22)]
    assert ["remains" in e.text for e in reviews] == [True, True, False]
    repeated = [(e.at, e.action) for e in of(result, Kind.PROTOCOL_STEP) if e.at > at(0, 10)]
    assert repeated == [
        (at(0, 14), f"{DOS}-a"), (at(0, 14), f"{DOS}-b"),
        (at(0, 18), f"{DOS}-a"), (at(0, 18), f"{DOS}-b"),
    ]  # fmt: skip
    assert [e.at for e in of(result, Kind.PROTOCOL_STOPPED)] == [at(0, 22)]
    assert "3 round(s)" in of(result, Kind.PROTOCOL_STOPPED)[0].text


def test_step_b_goes_in_hours_to_the_icb_lead_and_out_of_hours_to_the_director_on_call() -> None:
    # Monday 10:00 and 14:00 are in office hours; 18:00 and 22:00 are not.
    result = run(at(0, 8), at(1, 1), [(at(0, 10), 3)])
    assert step_b(result) == [
        (at(0, 10), "icb-commissioning-lead"),
        (at(0, 14), "icb-commissioning-lead"),
        (at(0, 18), "nhs-director-on-call"),
        (at(0, 22), "nhs-director-on-call"),
    ]


def test_a_weekend_start_is_out_of_hours() -> None:
    saturday = at(5, 11)
    result = run(saturday - timedelta(hours=1), saturday + timedelta(hours=1), [(saturday, 4)])
    assert step_b(result) == [(saturday, "nhs-director-on-call")]
    assert "out of hours" in of(result, Kind.PROTOCOL_STARTED)[0].text


def test_the_protocol_starts_again_when_pressure_returns() -> None:
    result = run(at(0, 8), at(1, 12), [(at(0, 10), 3), (at(0, 12), 1), (at(1, 9), 3)])
    assert [e.at for e in of(result, Kind.PROTOCOL_STARTED)] == [at(0, 10), at(1, 9)]
    assert [e.at for e in of(result, Kind.PROTOCOL_STOPPED)] == [at(0, 14)]


# --- reporting deadlines --------------------------------------------------------------------


def reports(result: ExerciseResult, kind: Kind) -> list[Event]:
    return [e for e in result.of(kind) if e.area == "county"]


def test_a_missing_10_oclock_report_is_late_then_missing_each_once() -> None:
    # Monday's report is in at 09:00; Tuesday's never comes (OPEL 1: one window a day).
    result = run(at(0, 8), at(1, 20), readings=[(at(0, 9), 6)])
    late, missing = reports(result, Kind.REPORT_LATE), reports(result, Kind.REPORT_MISSING)
    assert [(e.at, e.due_at, e.indicator) for e in late] == [
        (at(1, 10), at(1, 10), "keah_daily_capacity")
    ]
    assert [(e.at, e.due_at) for e in missing] == [(at(1, 10, 30), at(1, 10))]
    told = [(e.at, e.role, e.area) for e in result.of(Kind.NOTIFICATION)]
    # Late: the reporter in the area; missing: the role it escalates to (the live worker's).
    assert (at(1, 10), "keah-locality-organiser", "county") in told
    assert (at(1, 10, 30), "head-of-keah", None) in told


def test_a_report_within_the_grace_is_late_but_never_missing() -> None:
    result = run(at(0, 8), at(0, 20), readings=[(at(0, 10, 15), 6)])
    assert [e.at for e in reports(result, Kind.REPORT_LATE)] == [at(0, 10)]
    assert reports(result, Kind.REPORT_MISSING) == []


def test_a_report_at_the_deadline_is_on_time() -> None:
    result = run(at(0, 8), at(0, 20), readings=[(at(0, 10), 6)])
    assert reports(result, Kind.REPORT_LATE) == []
    assert reports(result, Kind.REPORT_MISSING) == []


def test_the_reports_due_are_listed_when_their_window_opens() -> None:
    result = run(at(0, 8), at(1, 9), readings=[(at(0, 9), 6)])
    due = reports(result, Kind.REPORT_DUE)
    # At the start (the window opened at midnight, before it) and at Tuesday's midnight.
    assert [(e.at, e.due_at) for e in due] == [(at(0, 8), at(0, 10)), (at(1, 0), at(1, 10))]
    assert "Kent Enablement at Home (KEaH) daily capacity" in due[0].detail


def test_opel_3_adds_the_afternoon_window() -> None:
    # OPEL 3 declared at 09:00 with a reading then: 10:00 and 10:30 are met by it; the
    # 14:00-15:30 SHREWD update is not, so it is late at 15:30 and missing at 16:00.
    result = run(at(0, 8), at(0, 20), [(at(0, 9), 3)], readings=[(at(0, 9), 1)])
    late = reports(result, Kind.REPORT_LATE)
    assert [(e.at, e.due_at) for e in late] == [(at(0, 15, 30), at(0, 15, 30))]
    assert "Afternoon SHREWD update" in late[0].text
    assert [e.at for e in reports(result, Kind.REPORT_MISSING)] == [at(0, 16)]


def test_cells_the_script_never_reports_are_not_judged() -> None:
    result = run(at(0, 8), at(2, 8), [(at(0, 9), 2)])
    for kind in (Kind.REPORT_DUE, Kind.REPORT_LATE, Kind.REPORT_MISSING):
        assert result.of(kind) == []


def test_the_cli_lists_protocols_and_reports(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["exercise", str(EXAMPLE), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    kinds = {e["kind"] for e in data["events"]}
    assert {"protocol-started", "protocol-review", "report-late", "report-missing"} <= kinds
    assert data["summary"]["protocol-started"] == 1
    late = next(e for e in data["events"] if e["kind"] == "report-late")
    assert late["indicator"] and late["due_at"]
    assert main(["exercise", str(EXAMPLE)]) == 0
    table = capsys.readouterr().out
    assert "protocol-started" in table and "report-missing" in table
