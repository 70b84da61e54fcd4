"""Actions per role and level, with 'continue with level N actions' (seed 000, section 8)."""

from __future__ import annotations

from surgewatch.core.actions import actions_for, checklist_for, transition
from surgewatch.core.pack import Pack


def _ids(pack: Pack, role: str, level: int) -> list[str]:
    return [ra.action.id for ra in actions_for(pack, role, level)]


def test_inheritance_is_transitive(kent: Pack) -> None:
    """KEaH organisers: level 3 continues 2, level 4 continues 3, so level 4 carries level 2."""
    level2 = _ids(kent, "keah-locality-organiser", 2)
    assert level2
    assert _ids(kent, "keah-locality-organiser", 3) == level2
    assert _ids(kent, "keah-locality-organiser", 4) == level2


def test_inherited_actions_keep_the_level_that_defines_them(kent: Pack) -> None:
    levels = {ra.level for ra in actions_for(kent, "discharge-coordinator", 4)}
    assert levels == {2, 3, 4}


def test_business_as_usual_has_no_actions(kent: Pack) -> None:
    assert actions_for(kent, "director-asc", 1) == []
    assert actions_for(kent, "unknown-role", 3) == []


def test_escalating_starts_new_actions_and_inherited_ones_keep_running(kent: Pack) -> None:
    up = transition(kent, 2, 3)
    started = {ra.key for ra in up.started}
    stood_down = {ra.key for ra in up.stood_down}
    keah = {ra.key for ra in actions_for(kent, "keah-locality-organiser", 2)}
    assert keah.isdisjoint(started) and keah.isdisjoint(stood_down)
    assert {
        ("director-asc", ra.action.id) for ra in actions_for(kent, "director-asc", 3)
    } <= started


def test_de_escalating_stands_down_what_escalating_started(kent: Pack) -> None:
    up, down = transition(kent, 2, 4), transition(kent, 4, 2)
    assert {ra.key for ra in up.started} == {ra.key for ra in down.stood_down}
    assert {ra.key for ra in up.stood_down} == {ra.key for ra in down.started}


def test_first_escalation_starts_everything_at_that_level(kent: Pack) -> None:
    first = transition(kent, None, 3)
    assert first.stood_down == ()
    assert len(first.started) == sum(len(actions_for(kent, r, 3)) for r in kent.actions)


def test_checklist_per_level_comes_from_appendix_3(kent: Pack) -> None:
    assert checklist_for(kent, 1) == ["Business as usual"]
    assert "Implement Service Business Continuity Plans as appropriate." in checklist_for(kent, 4)
