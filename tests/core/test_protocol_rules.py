"""The pure rules of timed protocols and report reminders (seed 000, sections 3.1 and 6.1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from surgewatch.core import protocols as rules
from surgewatch.core.loader import load_pack
from surgewatch.core.pack import Pack, Protocol
from surgewatch.core.report_reminders import monitored_cells, reminder_roles
from surgewatch.core.schedule import ReportState

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(scope="module")
def kent() -> Pack:
    return load_pack("kent-ascch")


@pytest.fixture(scope="module")
def dos(kent: Pack) -> Protocol:
    found = rules.find_protocol(kent, "nhs111-dos")
    assert found is not None
    return found


def uk(day: int, hour: int, minute: int = 0) -> datetime:
    """July 2025 UK wall-clock time (BST), as an aware datetime."""
    return datetime(2025, 7, day, hour, minute, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("when", "inside"),
    [
        (uk(7, 9), True),  # Monday 09:00 BST (08:00 UTC): the local clock decides
        (uk(7, 16, 59), True),
        (uk(7, 17), False),  # 'end' is not in hours
        (uk(7, 8, 59), False),
        (uk(12, 11), False),  # Saturday
    ],
)
def test_office_hours_are_local_weekday_hours(dos: Protocol, when: datetime, inside: bool) -> None:
    assert rules.in_office_hours(dos, when.astimezone(UTC), LONDON) is inside


def test_step_b_branches_and_the_other_steps_go_to_the_owner(dos: Protocol) -> None:
    a, b, c = dos.steps
    assert rules.step_role(dos, b, in_hours=True) == "icb-commissioning-lead"
    assert rules.step_role(dos, b, in_hours=False) == "nhs-director-on-call"
    assert rules.step_role(dos, a, in_hours=False) == dos.owner_role
    assert rules.step_role(dos, c, in_hours=True) == dos.owner_role


def test_a_round_opens_a_card_per_step_and_the_review_is_due_after_4_hours(
    dos: Protocol,
) -> None:
    now = uk(7, 11).astimezone(UTC)
    cards = rules.round_cards(dos, list(dos.steps), now, in_hours=True)
    assert [c.action_id for c in cards] == ["nhs111-dos-a", "nhs111-dos-b", "nhs111-dos-c"]
    assert [c.review_due_at for c in cards] == [None, None, now + timedelta(hours=4)]
    assert [c.is_review for c in cards] == [False, False, True]
    assert [s.id for s in rules.repeated_steps(dos)] == ["a", "b"]


def test_an_early_review_does_not_shorten_the_cycle_and_a_late_one_restarts_it(
    dos: Protocol,
) -> None:
    due = uk(7, 15)
    assert rules.next_review(dos, due - timedelta(hours=1), due) == due + timedelta(hours=4)
    late = due + timedelta(hours=1)
    assert rules.next_review(dos, late, due) == late + timedelta(hours=4)


def test_the_level_decides_whether_a_protocol_may_start(dos: Protocol) -> None:
    assert [rules.may_start_at(dos, lvl) for lvl in (None, 1, 2, 3, 4)] == [
        False, False, False, True, True,
    ]  # fmt: skip
    assert not rules.starts_automatically(dos, 2, 3)  # Kent's is manual
    automatic = dos.model_copy(update={"activation": "automatic"})
    assert rules.starts_automatically(automatic, 2, 3)
    assert rules.starts_automatically(automatic, None, 4)
    assert not rules.starts_automatically(automatic, 4, 3)  # a stand-down does not start it
    assert not rules.starts_automatically(automatic, 1, 2)


def test_late_reports_remind_the_reporters_and_missing_ones_the_roles_above(kent: Pack) -> None:
    staffing = kent.indicator("stp_staffing_pct")
    assert reminder_roles(kent, staffing, ReportState.LATE) == [
        "stp-team-manager", "discharge-coordinator",
    ]  # fmt: skip
    # stp-team-manager -> pasc-connect-ops-manager; discharge-coordinator -> stp-team-manager
    assert reminder_roles(kent, staffing, ReportState.MISSING) == [
        "pasc-connect-ops-manager", "stp-team-manager",
    ]  # fmt: skip
    assert reminder_roles(kent, staffing, ReportState.DUE) == []


def test_cells_the_plan_marks_not_applicable_owe_no_report(kent: Pack) -> None:
    cells = monitored_cells(kent)
    assert ("keah_daily_capacity", "county") in cells
    assert all(area in kent.indicator(ind).areas for ind, area in cells)
    not_monitored = [
        (ind.id, area)
        for ind in kent.indicators
        for area, rule in ind.areas.items()
        if rule == "not_monitored"
    ]
    assert not_monitored and not set(not_monitored) & set(cells)
