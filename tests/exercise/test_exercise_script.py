"""The script schema, its errors, the runner's unit rules, the CLI and the simulation input."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from surgewatch.cli import main
from surgewatch.exercise.events import Kind
from surgewatch.exercise.runner import run_exercise
from surgewatch.exercise.script import ScriptError, parse_script
from surgewatch.exercise.simulation import script_from_simulation

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "exercises" / "mtw-opel4-2024-07-24.yaml"
HEAD = "title: t\npack: kent-ascch\nstart: {start}\nareas: [west-kent]\n"


def _script(body: str, start: str = "2025-01-06T08:00") -> str:
    return HEAD.format(start=start) + body


def _problems(text: str) -> list[str]:
    with pytest.raises(ScriptError) as caught:
        parse_script(text, "drill.yaml")
    return [str(p) for p in caught.value.problems]


def test_every_problem_names_the_file_the_path_and_a_fix() -> None:
    text = _script(
        "readings:\n"
        "  - {at: +1h, area: west-kent, indicator: referal, value: 3}\n"
        "  - {at: +2h, area: dgs, indicator: referrals, value: 3}\n"
        "  - {at: +3h, area: west-kent, indicator: stp_staffing_pct, value: 140}\n"
        "done:\n  - {at: +4h, action: call-the-king}\n"
    )
    problems = _problems(text)
    assert problems[0].startswith("drill.yaml: readings.0.indicator: unknown indicator 'referal'")
    assert problems[1].startswith("drill.yaml: readings.1.area: unknown area for 'referrals'")
    assert "fix: use one of west-kent" in problems[1]
    assert problems[2] == (
        "drill.yaml: readings.2.value: 140 is impossible for 'stp_staffing_pct' (%); "
        "valid values are 0 to 100"
    )
    assert problems[3].startswith("drill.yaml: done.0.action: unknown action 'call-the-king'")
    assert len(problems) == 4


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("+2x", "readings.0.at: '+2x' is not an offset; fix: write e.g. '+2h'"),
        ("yesterday", "readings.0.at: 'yesterday' is neither an offset nor a time"),
        ("2025-01-05T09:00", "readings.0.at: is before the start; fix: move it after start"),
    ],
)
def test_a_bad_time_is_named(at: str, message: str) -> None:
    text = _script(
        f"readings:\n  - {{at: '{at}', area: west-kent, indicator: referrals, value: 3}}\n"
    )
    assert any(message in p for p in _problems(text))


def test_a_script_where_nothing_happens_is_refused() -> None:
    assert _problems(_script("")) == [
        "drill.yaml: readings: nothing happens; fix: add readings or declarations"
    ]


@pytest.mark.parametrize(
    ("start", "utc_hour"), [("2025-01-06T09:30", 9), ("2024-07-22T09:30", 8)]
)  # fmt: skip
def test_a_time_without_an_offset_is_uk_wall_clock(start: str, utc_hour: int) -> None:
    text = _script("declarations:\n  - {at: +0m, level: 3}\n", start=start)
    loaded = parse_script(text, "drill.yaml")
    assert loaded.script.starts_at.hour == utc_hour
    assert loaded.script.starts_at.minute == 30


def test_a_one_off_deadline_done_in_time_is_met_and_never_missed() -> None:
    # KEaH's 'inform the referrer within 2 hours' (seed 000, section 8) opens at OPEL 2.
    text = _script(
        "readings:\n"
        "  - {at: +1h, area: west-kent, indicator: referrals, value: 12}\n"
        "  - {at: +1h, area: west-kent, indicator: health_caseload, value: 45}\n"
        "done:\n  - {at: +2h, action: keah-2-inform-referrer, area: west-kent}\n"
    )
    result = run_exercise(parse_script(text, "drill.yaml"))
    inform = [e for e in result.events if e.action == "keah-2-inform-referrer"]
    assert [(e.kind, e.at.hour) for e in inform] == [
        (Kind.ACTION_OPENED, 9),
        (Kind.DEADLINE_MET, 10),
        (Kind.ACTION_DONE, 10),
    ]
    assert inform[0].due_at == datetime(2025, 1, 6, 11, 0, tzinfo=UTC)


def test_an_undone_deadline_reminds_the_role_then_the_role_above_with_chosen_channels() -> None:
    text = _script(
        "until: +12h\nreadings:\n"
        "  - {at: +1h, area: west-kent, indicator: referrals, value: 12}\n"
        "  - {at: +1h, area: west-kent, indicator: health_caseload, value: 45}\n"
    )
    channels = {"head-of-keah": ("sms", "teams")}
    result = run_exercise(parse_script(text, "drill.yaml"), channels)
    missed = [e for e in result.of(Kind.DEADLINE_MISSED) if e.action == "keah-2-inform-referrer"]
    assert [e.at.hour for e in missed] == [11]
    chased = [
        (e.role, e.channel, e.at.hour)
        for e in result.of(Kind.NOTIFICATION)
        if e.text.startswith(("Overdue", "Escalated")) and "start date" in e.text
    ]
    # The role at the deadline (default: email), the pack's role above an hour later.
    assert chased == [
        ("keah-locality-organiser", "email", 11),
        ("head-of-keah", "sms", 12),
        ("head-of-keah", "teams", 12),
    ]


def test_marking_done_an_action_not_in_force_is_a_note_not_an_error() -> None:
    text = _script(
        "readings:\n  - {at: +1h, area: west-kent, indicator: referrals, value: 3}\n"
        "done:\n  - {at: +2h, action: dc-3-shrewd-morning}\n"
    )
    notes = run_exercise(parse_script(text, "drill.yaml")).of(Kind.NOTE)
    assert [n.action for n in notes] == ["dc-3-shrewd-morning"]


def test_cli_json_runs_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["exercise", str(EXAMPLE), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["framework"] == "kent-ascch"
    assert data["sent"] is False
    levels = [e["level"] for e in data["events"] if e["kind"] == "level" and e["area"] is None]
    assert levels == [2, 3, 4, 3, 2]


def test_cli_table_names_what_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["exercise", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "nothing was stored and no message was sent" in out
    assert "ILLUSTRATIVE" in out


def test_cli_refuses_a_bad_script_with_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        _script("readings:\n  - {at: +1h, area: swale, indicator: referrals, value: 3}\n")
    )
    assert main(["exercise", str(bad)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "readings.0.area: unknown area for 'referrals' 'swale'" in captured.err


def test_cli_wants_a_script_or_a_simulation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["exercise"]) == 2
    assert "give SCRIPT.yaml or --from-simulation" in capsys.readouterr().err


def _short_scenario(tmp_path: Path) -> Path:
    """The base scenario cut to three weeks, its plan path made absolute."""
    text = (ROOT / "examples" / "scenarios" / "ssot-base.yaml").read_text()
    plan = ROOT / "examples" / "plans" / "ssot-2024-25-rsuh-medical-flow.yaml"
    text = text.replace("plan: ../plans/ssot-2024-25-rsuh-medical-flow.yaml", f"plan: {plan}")
    text = text.replace(
        "warm_up_days: 42", "warm_up_days: 14\nperiod: {start: 2024-12-02, days: 21}"
    )
    path = tmp_path / "short.yaml"
    path.write_text(text)
    return path


def test_a_simulation_becomes_daily_readings_at_the_census_hour(tmp_path: Path) -> None:
    loaded = script_from_simulation(_short_scenario(tmp_path), seed=3)
    feeds = 4  # the scenario's escalation block
    assert len(loaded.script.readings) == 21 * feeds
    first = loaded.script.readings[0].at.resolve(loaded.script.starts_at)
    assert first == datetime(2024, 12, 2, 10, 0, tzinfo=UTC)  # census_hour 10, GMT
    again = script_from_simulation(_short_scenario(tmp_path), seed=3)
    assert run_exercise(again) == run_exercise(loaded)


def test_cli_from_simulation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(_short_scenario(tmp_path))
    assert main(["exercise", "--from-simulation", path, "--seed", "3", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["reading"] == 21 * 4
    assert data["illustrative"] is True


def test_daily_deadlines_keep_uk_wall_clock_across_the_october_change() -> None:
    # Seed 000, Appendix 3: SHREWD by 10:30 every day at OPEL 3; 27 October 2024 the
    # clocks go back, so 10:30 is 09:30 UTC before it and 10:30 UTC after.
    text = _script(
        "until: +3d\nreadings:\n"
        "  - {at: +1h, area: west-kent, indicator: referrals, value: 17}\n"
        "  - {at: +1h, area: west-kent, indicator: health_caseload, value: 75}\n",
        start="2024-10-26T08:00",
    )
    result = run_exercise(parse_script(text, "drill.yaml"))
    missed = [
        e.due_at for e in result.of(Kind.DEADLINE_MISSED) if e.action == "dc-3-shrewd-morning"
    ]
    assert missed == [
        datetime(2024, 10, 26, 9, 30, tzinfo=UTC),
        datetime(2024, 10, 27, 10, 30, tzinfo=UTC),
        datetime(2024, 10, 28, 10, 30, tzinfo=UTC),
    ]
