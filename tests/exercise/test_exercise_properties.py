"""Properties of any run: deterministic, ordered, each miss once, holds as the live service."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surgewatch.core.acting import engine_level, held_cell_levels
from surgewatch.core.assess import Reading, classify
from surgewatch.core.loader import load_pack
from surgewatch.exercise.events import Kind
from surgewatch.exercise.runner import run_exercise
from surgewatch.exercise.script import (
    ExerciseScript,
    LoadedScript,
    Moment,
    ScriptDeclaration,
    ScriptDone,
    ScriptReading,
    check_script,
)

KENT = load_pack("kent-ascch")
START = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)  # a Monday in winter (UK time = UTC)
CELLS = (
    ("stp_staffing_pct", "west-kent", 100),
    ("referrals", "west-kent", 40),
    ("health_caseload", "west-kent", 150),
    ("keah_daily_capacity", "county", 8),
)
ACTIONS = ("dc-3-shrewd-morning", "dc-3-shrewd-afternoon", "keah-2-inform-referrer")


def _at(minutes: int) -> Moment:
    return Moment(offset=timedelta(minutes=minutes))


readings = st.lists(
    st.tuples(st.integers(0, 6 * 24 * 60), st.sampled_from(CELLS), st.floats(0, 1)),
    min_size=1,
    max_size=25,
)
declarations = st.lists(
    st.tuples(st.integers(0, 6 * 24 * 60), st.integers(1, 4)), max_size=3
)  # fmt: skip
dones = st.lists(
    st.tuples(st.integers(0, 6 * 24 * 60), st.sampled_from(ACTIONS)), max_size=8
)  # fmt: skip


@st.composite
def scripts(draw: st.DrawFn, with_declarations: bool = True) -> LoadedScript:
    entries = [
        ScriptReading(at=_at(m), indicator=ind, area=area, value=round(top * share))
        for m, (ind, area, top), share in draw(readings)
    ]
    declared = [
        ScriptDeclaration(at=_at(m), level=lvl) for m, lvl in draw(declarations)
    ] if with_declarations else []  # fmt: skip
    done = [ScriptDone(at=_at(m), action=a) for m, a in draw(dones)]
    script = ExerciseScript(
        title="property", pack="kent-ascch", start=Moment(stamp=START),
        until=_at(8 * 24 * 60), areas=["west-kent", "county"],
        readings=entries, declarations=declared, done=done,
    )  # fmt: skip
    return check_script(script, "property.yaml")


FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(scripts())
def test_a_run_is_deterministic(loaded: LoadedScript) -> None:
    assert run_exercise(loaded) == run_exercise(loaded)


@FAST
@given(scripts())
def test_events_are_in_time_order_within_the_run(loaded: LoadedScript) -> None:
    result = run_exercise(loaded)
    times = [e.at for e in result.events]
    assert times == sorted(times)
    assert all(result.starts_at <= t <= result.ends_at for t in times)


@FAST
@given(scripts())
def test_a_missed_deadline_is_reported_once_and_escalated_at_most_once(
    loaded: LoadedScript,
) -> None:
    result = run_exercise(loaded)
    for kind in (Kind.DEADLINE_MISSED, Kind.ESCALATED):
        seen = Counter((e.role, e.action, e.area, e.due_at) for e in result.of(kind))
        assert all(n == 1 for n in seen.values()), seen
    for missed in result.of(Kind.DEADLINE_MISSED):
        assert missed.at == missed.due_at  # reported at its due time, not later


@FAST
@given(scripts())
def test_every_escalation_follows_a_miss_by_the_packs_interval(loaded: LoadedScript) -> None:
    result = run_exercise(loaded)
    wait = timedelta(minutes=KENT.action_timers.escalate_after_minutes)
    missed = {(e.action, e.area, e.due_at) for e in result.of(Kind.DEADLINE_MISSED)}
    for escalated in result.of(Kind.ESCALATED):
        assert (escalated.action, escalated.area, escalated.due_at) in missed
        assert escalated.due_at is not None and escalated.at == escalated.due_at + wait


@FAST
@given(scripts(with_declarations=False))
def test_the_organisation_level_is_the_live_services_held_level(loaded: LoadedScript) -> None:
    """At every change, and a minute before it, the level is what the live service's
    ``held_cell_levels`` (seed 000, section 8 holds) gives from the readings so far."""
    result = run_exercise(loaded)
    history = _history(loaded)
    for change in (e for e in result.of(Kind.LEVEL) if e.area is None):
        assert _live_level(history, change.at) == change.level
        before = change.at - timedelta(minutes=1)
        if before >= result.starts_at:
            assert _live_level(history, before) != change.level


def _history(loaded: LoadedScript) -> list[tuple[datetime, tuple[str, str], int | None]]:
    start = loaded.script.starts_at
    rows = sorted(
        (r.at.resolve(start), n, r) for n, r in enumerate(loaded.script.readings)
    )  # fmt: skip
    found = []
    for at, _, r in rows:
        level = classify(KENT, [Reading(r.indicator, r.area, r.value, at)])[0].level
        found.append((at, (r.indicator, r.area), level))
    return found


def _live_level(
    history: list[tuple[datetime, tuple[str, str], int | None]], now: datetime
) -> int | None:
    cells: dict[tuple[str, str], list[tuple[datetime, int | None]]] = {}
    for at, cell, level in history:
        if at <= now and level is not None:
            cells.setdefault(cell, []).append((at, level))
    return engine_level(KENT, held_cell_levels(KENT, cells, now))


@FAST
@given(scripts())
def test_no_action_is_opened_twice_while_it_is_open(loaded: LoadedScript) -> None:
    result = run_exercise(loaded)
    open_now: set[tuple[str | None, str | None, str | None]] = set()
    for e in result.events:
        key = (e.role, e.action, e.area)
        if e.kind is Kind.ACTION_OPENED:
            assert key not in open_now
            open_now.add(key)
        elif e.kind is Kind.ACTION_STOOD_DOWN:
            open_now.discard(key)
