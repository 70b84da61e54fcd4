"""The shipped example: MTW's OPEL 4 of 24 July 2024 (seed 000, Appendix 5), replayed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from surgewatch.exercise.events import Event, ExerciseResult, Kind
from surgewatch.exercise.runner import run_exercise
from surgewatch.exercise.script import load_script

EXAMPLE = Path(__file__).parents[2] / "examples" / "exercises" / "mtw-opel4-2024-07-24.yaml"


def bst(day: int, hour: int, minute: int = 0) -> datetime:
    """July 2024 wall-clock time in the UK (BST, UTC+1), as UTC."""
    return datetime(2024, 7, day, hour - 1, minute, tzinfo=UTC)


@pytest.fixture(scope="module")
def result() -> ExerciseResult:
    return run_exercise(load_script(EXAMPLE))


def _levels(result: ExerciseResult, area: str | None) -> list[tuple[datetime, int | None]]:
    return [(e.at, e.level) for e in result.of(Kind.LEVEL) if e.area == area]


def test_the_example_says_it_is_an_illustrative_reconstruction(result: ExerciseResult) -> None:
    text = EXAMPLE.read_text()
    assert "ILLUSTRATIVE RECONSTRUCTION" in text
    assert "seed gives no indicator values" in text
    assert result.illustrative is True


def test_kcc_escalates_to_opel_4_on_the_24th_and_steps_down_only_after_the_hold(
    result: ExerciseResult,
) -> None:
    # 22nd OPEL 2, 23rd OPEL 3, 24th 09:30 OPEL 4; the OPEL 4 readings were last seen
    # on the 24th and the first lower ones came on the 25th at 09:30, so the 48-hour
    # hold keeps OPEL 4 until the 27th at 09:30; then 3, then 2 (the declared floor).
    assert _levels(result, None) == [
        (bst(22, 9, 30), 2),
        (bst(23, 9, 30), 3),
        (bst(24, 9, 30), 4),
        (bst(27, 9, 30), 3),
        (bst(28, 9, 30), 2),
    ]
    assert _levels(result, "west-kent")[2] == (bst(24, 9, 30), 4)


def test_the_declaration_of_opel_2_on_the_26th_does_not_cut_the_hold_short(
    result: ExerciseResult,
) -> None:
    declared = [(e.at, e.level) for e in result.of(Kind.DECLARATION)]
    assert declared == [(bst(24, 10, 15), 4), (bst(26, 11), 2)]
    org = dict(_levels(result, None))
    assert bst(26, 11) not in org  # still OPEL 4 after the declaration of OPEL 2


def test_the_extraordinary_panel_is_on_the_timeline(result: ExerciseResult) -> None:
    done = [e for e in result.of(Kind.ACTION_DONE) if e.action == "ctm-3-panel-frequency"]
    assert [(e.at, e.area, e.role) for e in done] == [
        (bst(24, 14), "west-kent", "community-team-manager")
    ]
    assert "fifteen potential discharges" in done[0].text


def test_the_missed_afternoon_update_is_reported_once_escalated_then_done_late(
    result: ExerciseResult,
) -> None:
    def of(kind: Kind) -> list[Event]:
        return [
            e
            for e in result.of(kind)
            if e.action == "dc-3-shrewd-afternoon"
            and e.area == "west-kent"
            and e.due_at == bst(25, 15, 30)
        ]

    assert [e.at for e in of(Kind.DEADLINE_MISSED)] == [bst(25, 15, 30)]
    assert [e.at for e in of(Kind.ESCALATED)] == [bst(25, 16, 30)]
    assert [e.at for e in of(Kind.DEADLINE_MET)] == [bst(25, 17)]
    told = [
        (e.role, e.at)
        for e in result.of(Kind.NOTIFICATION)
        if e.text.startswith("Escalated") and e.at == bst(25, 16, 30) and e.area == "west-kent"
    ]
    assert told == [("stp-team-manager", bst(25, 16, 30))]


def test_opel_4_tells_the_roles_the_pack_names(result: ExerciseResult) -> None:
    told = {
        e.role
        for e in result.of(Kind.NOTIFICATION)
        if e.at == bst(24, 9, 30) and "is now at OPEL 4" in e.text
    }
    assert told == {
        "director-asc",
        "assistant-director",
        "pasc-connect-ops-manager",
        "stp-service-manager",
        "stp-team-manager",
    }


def test_the_json_says_nothing_was_sent(result: ExerciseResult) -> None:
    data = result.as_json()
    assert data["sent"] is False
    assert data["framework"] == "kent-ascch"
    assert len(data["events"]) == len(result.events)
    assert data["summary"]["level"] == len(result.of(Kind.LEVEL))
