"""Organisation-level escalation events with the actions that start and stand down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from surgewatch.core.actions import actions_at
from surgewatch.core.escalation import EscalationEvent, EscalationTracker
from surgewatch.core.pack import Pack

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _feed(pack: Pack, days: list[dict[tuple[str, str], int]]) -> list[EscalationEvent]:
    tracker, events = EscalationTracker(pack), []
    for n, readings in enumerate(days):
        for (indicator, area), level in readings.items():
            tracker, event = tracker.observe(indicator, area, T0 + n * DAY, level)
            if event:
                events.append(event)
    return events


# Kent suggests the highest level reached by at least two indicators (a local setting).
RED_DAY = {("referrals", "dgs"): 3, ("health_caseload", "dgs"): 3}
GREEN_DAY = {("referrals", "dgs"): 1, ("health_caseload", "dgs"): 1}


def test_escalation_starts_the_level_actions_at_once(kent: Pack) -> None:
    events = _feed(kent, [GREEN_DAY, RED_DAY])
    assert [(e.kind, e.from_level, e.to_level, e.at) for e in events] == [
        ("escalation", None, 1, T0),
        ("escalation", 1, 3, T0 + DAY),
    ]
    started = {ra.key for ra in events[1].started}
    assert started == {ra.key for ra in actions_at(kent, 3)}


def test_one_indicator_alone_does_not_move_the_organisation(kent: Pack) -> None:
    events = _feed(kent, [GREEN_DAY, {("referrals", "dgs"): 4}])
    assert [e.to_level for e in events] == [1]


def test_actions_stand_down_only_after_the_hold(kent: Pack) -> None:
    hold = timedelta(hours=kent.indicator("referrals").hold_hours)
    assert hold == timedelta(hours=48)
    events = _feed(kent, [RED_DAY, GREEN_DAY, GREEN_DAY, GREEN_DAY])
    down = [e for e in events if e.kind == "de-escalation"]
    assert [(e.from_level, e.to_level, e.at) for e in down] == [(3, 1, T0 + 3 * DAY)]
    assert {ra.key for ra in down[0].stood_down} == {ra.key for ra in actions_at(kent, 3)}


def test_time_passing_completes_the_hold(kent: Pack) -> None:
    tracker = EscalationTracker(kent)
    for (indicator, area), level in RED_DAY.items():
        tracker, _ = tracker.observe(indicator, area, T0, level)
    for (indicator, area), level in GREEN_DAY.items():
        tracker, _ = tracker.observe(indicator, area, T0 + DAY, level)
    tracker, early = tracker.advance(T0 + 2 * DAY)
    assert early is None and tracker.level == 3
    tracker, event = tracker.advance(T0 + 3 * DAY)
    assert event is not None and (event.kind, event.to_level) == ("de-escalation", 1)
