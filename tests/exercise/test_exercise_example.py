"""The shipped example: MTW's OPEL 4 of 24 July 2024 (seed 000, Appendix 5), replayed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
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


def test_the_dos_protocol_runs_from_opel_3_on_the_23rd_until_the_review_after_opel_2(
    result: ExerciseResult,
) -> None:
    # KCC reaches OPEL 3 on the 23rd at 09:30 (Kent's protocol starts from OPEL 3);
    # reviews every 4 hours find pressure remaining until KCC is back at OPEL 2 on the
    # 28th at 09:30, exactly 30 reviews (120 hours) later, which stops the run.
    started = result.of(Kind.PROTOCOL_STARTED)
    assert [(e.at, e.level) for e in started] == [(bst(23, 9, 30), 3)]
    reviews = result.of(Kind.PROTOCOL_REVIEW)
    assert len(reviews) == 30
    assert all(b.at - a.at == timedelta(hours=4) for a, b in pairwise(reviews))
    assert "eased" in reviews[-1].text and all("remains" in e.text for e in reviews[:-1])
    assert [e.at for e in result.of(Kind.PROTOCOL_STOPPED)] == [bst(28, 9, 30)]
    # Tuesday 09:30 is in office hours; the 21:30 review is not.
    b_roles = {e.at: e.role for e in result.of(Kind.PROTOCOL_STEP) if e.action == "nhs111-dos-b"}
    assert b_roles[bst(23, 9, 30)] == "icb-commissioning-lead"
    assert b_roles[bst(23, 21, 30)] == "nhs-director-on-call"


def test_the_afternoon_shrewd_update_the_script_leaves_out_is_late_then_missing(
    result: ExerciseResult,
) -> None:
    # On the 24th at OPEL 4 only referrals are re-reported in the afternoon (15:00), so
    # West Kent's other four indicators miss the 14:00-15:30 window.
    def late_on_24th(kind: Kind) -> set[str | None]:
        return {
            e.indicator
            for e in result.of(kind)
            if e.area == "west-kent" and e.due_at == bst(24, 15, 30)
        }

    expected = {"stp_staffing_pct", "health_caseload", "social_caseload",
                "d2a_p1_weekly_availability"}  # fmt: skip
    assert late_on_24th(Kind.REPORT_LATE) == expected
    assert late_on_24th(Kind.REPORT_MISSING) == expected
    # The morning reports at 09:30 met the 10:00 and 10:30 deadlines.
    assert not [e for e in result.of(Kind.REPORT_LATE) if e.due_at == bst(24, 10)]
