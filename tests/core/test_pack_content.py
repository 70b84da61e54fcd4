"""Facts about the bundled packs, and how broken packs are reported.

The Kent facts are read from seed 000 (KCC ASCH Operational Pressures
Escalation Plan v1.8): section 5.2, section 6.1 (NHS 111 DoS protocol),
section 8 (table 'Role / Response') and Appendix 3 (de-escalation actions).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from surgewatch.core.loader import PackError, load_pack, parse_pack, resolve_pack_path
from surgewatch.core.pack import LEVELS, Action, AreaStatus, Direction, Pack

KENT_ROLE_IDS = {
    "director-asc",
    "assistant-director",
    "pasc-connect-ops-manager",
    "stp-service-manager",
    "stp-team-manager",
    "discharge-coordinator",
    "arranging-support-team",
    "inhouse-registered-manager",
    "keah-locality-organiser",
    "community-team-manager",
    "head-of-keah",
    "access-to-resources-manager",
    "commissioning-manager",
    "icb-commissioning-lead",
    "nhs-director-on-call",
}

# The eight rows of the section 8 'Role / Response' table.
SECTION_8_ROLES = {
    "inhouse-registered-manager",
    "keah-locality-organiser",
    "discharge-coordinator",
    "stp-team-manager",
    "pasc-connect-ops-manager",
    "community-team-manager",
    "assistant-director",
    "director-asc",
}

# Appendix 3 of seed 000: 27 rows; ticks per column OPEL 1..4.
APPENDIX_3_ROWS = 27
APPENDIX_3_TICKS = {1: 1, 2: 10, 3: 14, 4: 2}


@pytest.fixture(scope="module")
def kent() -> Pack:
    return load_pack("kent-ascch")


@pytest.fixture(scope="module")
def acute() -> Pack:
    return load_pack("example-acute-trust")


def _actions(pack: Pack, role: str, level: int) -> list[Action]:
    return pack.actions[role][level].actions


# --- Kent ASCH pack: roles -------------------------------------------------


def test_kent_has_exactly_the_agreed_role_ids(kent: Pack) -> None:
    assert set(kent.role_ids) == KENT_ROLE_IDS
    assert len(kent.role_ids) == len(KENT_ROLE_IDS)


def test_kent_external_roles_are_the_nhs_contacts(kent: Pack) -> None:
    external = {r.id for r in kent.roles if r.external}
    assert external == {"icb-commissioning-lead", "nhs-director-on-call"}


def test_kent_internal_escalation_lines_end_at_the_director(kent: Pack) -> None:
    by_id = {r.id: r for r in kent.roles}
    assert by_id["director-asc"].escalates_to is None
    for role in kent.roles:
        if role.external:
            continue
        seen: list[str] = []
        current: str | None = role.id
        while current is not None:
            assert current not in seen, f"escalation loop from {role.id}: {seen}"
            seen.append(current)
            current = by_id[current].escalates_to
        assert seen[-1] == "director-asc", role.id


def test_kent_named_escalation_chains(kent: Pack) -> None:
    by_id = {r.id: r.escalates_to for r in kent.roles}
    assert by_id["discharge-coordinator"] == "stp-team-manager"
    assert by_id["stp-team-manager"] == "pasc-connect-ops-manager"
    assert by_id["pasc-connect-ops-manager"] == "assistant-director"
    assert by_id["assistant-director"] == "director-asc"
    assert by_id["keah-locality-organiser"] == "head-of-keah"
    assert by_id["head-of-keah"] == "assistant-director"


# --- Kent ASCH pack: section 8 actions ------------------------------------


def test_kent_actions_cover_exactly_the_section_8_roles(kent: Pack) -> None:
    assert set(kent.actions) == SECTION_8_ROLES


@pytest.mark.parametrize("role", sorted(SECTION_8_ROLES))
def test_kent_section_8_role_has_levels_1_to_4(kent: Pack, role: str) -> None:
    assert sorted(kent.actions[role]) == list(LEVELS)


def test_kent_opel_one_is_business_as_usual_for_every_role(kent: Pack) -> None:
    for role in SECTION_8_ROLES:
        entry = kent.actions[role][1]
        assert entry.business_as_usual, role
        assert entry.actions == [], role


def test_kent_opel_two_business_as_usual_roles(kent: Pack) -> None:
    bau = {role for role in SECTION_8_ROLES if kent.actions[role][2].business_as_usual}
    assert bau == {"inhouse-registered-manager", "director-asc"}


def test_kent_continue_levels_as_printed(kent: Pack) -> None:
    expected = {
        "inhouse-registered-manager": {3: [], 4: [3]},
        "keah-locality-organiser": {3: [2], 4: [3]},
        "discharge-coordinator": {3: [2], 4: [2, 3]},
        "stp-team-manager": {3: [], 4: [2, 3]},
        "pasc-connect-ops-manager": {3: [2], 4: [2, 3]},
        "community-team-manager": {3: [], 4: [2, 3]},
        "assistant-director": {3: [], 4: [2, 3]},
        "director-asc": {3: [], 4: [3]},
    }
    actual = {
        role: {lvl: kent.actions[role][lvl].continue_levels for lvl in (3, 4)}
        for role in SECTION_8_ROLES
    }
    assert actual == expected


def test_kent_action_counts_per_role_and_level(kent: Pack) -> None:
    counts = {role: [len(_actions(kent, role, lvl)) for lvl in LEVELS] for role in SECTION_8_ROLES}
    assert counts == {
        "inhouse-registered-manager": [0, 0, 4, 0],
        "keah-locality-organiser": [0, 2, 0, 0],
        "discharge-coordinator": [0, 4, 5, 1],
        "stp-team-manager": [0, 3, 2, 1],
        "pasc-connect-ops-manager": [0, 4, 1, 1],
        "community-team-manager": [0, 2, 3, 1],
        "assistant-director": [0, 1, 2, 1],
        "director-asc": [0, 0, 2, 0],
    }


def test_kent_action_ids_are_unique(kent: Pack) -> None:
    ids = [a.id for levels in kent.actions.values() for e in levels.values() for a in e.actions]
    assert len(ids) == 40
    assert len(set(ids)) == len(ids)


def test_keah_organiser_informs_referrer_within_two_hours(kent: Pack) -> None:
    level_2 = _actions(kent, "keah-locality-organiser", 2)
    timed = [a for a in level_2 if a.due_within_hours is not None]
    assert [a.due_within_hours for a in timed] == [2]
    assert "inform the referrer within 2 hours of receipt" in timed[0].text


def test_discharge_coordinator_shrewd_updates_split_by_deadline(kent: Pack) -> None:
    level_3 = _actions(kent, "discharge-coordinator", 3)
    shrewd = [a for a in level_3 if "Shrewd" in a.text]
    assert [a.due_by for a in shrewd] == ["10:30", "15:30"]


def test_only_the_keah_and_shrewd_actions_carry_deadlines(kent: Pack) -> None:
    timed = {
        a.id
        for levels in kent.actions.values()
        for e in levels.values()
        for a in e.actions
        if a.due_by is not None or a.due_within_hours is not None
    }
    assert timed == {"keah-2-inform-referrer", "dc-3-shrewd-morning", "dc-3-shrewd-afternoon"}


def test_pdf_typo_seelk_is_corrected(kent: Pack) -> None:
    texts = [a.text for a in _actions(kent, "pasc-connect-ops-manager", 3)]
    assert "Seek approval for purchasing from off-framework providers" in texts
    assert not any("Seelk" in t for t in texts)


def test_director_opel_four_continues_opel_three(kent: Pack) -> None:
    entry = kent.actions["director-asc"][4]
    assert entry.continue_levels == [3]
    assert entry.actions == []
    assert not entry.business_as_usual


# --- Kent ASCH pack: protocol, group, checklist ---------------------------


def test_nhs111_dos_protocol(kent: Pack) -> None:
    (dos,) = kent.protocols
    assert dos.id == "nhs111-dos"
    assert dos.owner_role == "pasc-connect-ops-manager"
    assert dos.activation == "manual"
    assert dos.from_level == 3
    assert dos.review_every_hours == 4
    assert [s.id for s in dos.steps] == ["a", "b", "c"]
    step_a, step_b, step_c = dos.steps
    assert "01233 363020" in step_a.text
    assert step_b.branch is not None
    assert step_b.branch.in_hours_role == "icb-commissioning-lead"
    assert step_b.branch.out_of_hours_role == "nhs-director-on-call"
    assert step_c.repeat_steps == ["a", "b"]
    assert dos.office_hours is not None
    assert dos.office_hours.days == ["mon", "tue", "wed", "thu", "fri"]
    assert (dos.office_hours.start, dos.office_hours.end) == ("09:00", "17:00")


def test_kcc_operational_pressures_escalation_group(kent: Pack) -> None:
    (group,) = kent.groups
    assert group.id == "kcc-ope-group"
    assert group.chair_role == "director-asc"
    assert set(group.member_roles) == {
        "assistant-director",
        "stp-service-manager",
        "head-of-keah",
        "access-to-resources-manager",
        "commissioning-manager",
    }
    assert group.purpose


def test_deescalation_checklist_matches_appendix_3(kent: Pack) -> None:
    items = kent.deescalation_checklist
    assert len(items) == APPENDIX_3_ROWS
    ticks = Counter(level for item in items for level in item.levels)
    assert dict(ticks) == APPENDIX_3_TICKS
    assert all(len(item.levels) == 1 for item in items)
    # Rows are in the plan's order: levels never go down the table.
    order = [item.levels[0] for item in items]
    assert order == sorted(order)
    assert items[0].text == "Business as usual"
    assert items[-1].text == "Implement Service Business Continuity Plans as appropriate."


def test_kent_opel_two_checklist_keeps_the_shrewd_deadline(kent: Pack) -> None:
    level_2 = [i.text for i in kent.deescalation_checklist if i.levels == [2]]
    assert "Ensure Shrewd is updated daily before 10.30" in level_2


# --- Illustrative acute trust pack ----------------------------------------


def test_acute_pack_is_labelled_illustrative(acute: Pack) -> None:
    assert acute.illustrative
    assert "NOT national OPEL thresholds" in acute.illustrative_note
    assert acute.scoring is not None
    assert acute.scoring.illustrative
    text = resolve_pack_path("example-acute-trust").read_text(encoding="utf-8")
    header = text.split("\nid:", 1)[0]
    assert "INVENTED FOR" in header
    assert "NOT national OPEL thresholds" in header


def test_acute_scoring_weights_cover_every_indicator(acute: Pack) -> None:
    assert acute.scoring is not None
    assert set(acute.scoring.weights) == {i.id for i in acute.indicators}
    assert acute.scoring.cutoffs == (15.0, 40.0, 70.0)
    assert acute.scoring.level_points == {1: 0, 2: 1, 3: 2, 4: 3}


def test_acute_organisation_and_aggregation(acute: Pack) -> None:
    assert acute.organisation.id == "example-acute"
    assert acute.area_ids == ["site-a", "site-b"]
    assert acute.suggested_level.rule == "highest"
    assert acute.aggregation is not None
    assert acute.aggregation.method == "weighted_mean_score"
    assert set(acute.aggregation.member_weights) == set(acute.area_ids)


def test_acute_indicators_have_directions_and_holds(acute: Pack) -> None:
    assert len(acute.indicators) == 6
    assert acute.indicator("ed_4h_performance_pct").direction is Direction.HIGHER_IS_BETTER
    for ind_id in ("ambulance_handover_over_60min", "g_and_a_bed_occupancy_pct", "nctr_patients"):
        assert acute.indicator(ind_id).direction is Direction.LOWER_IS_BETTER
    assert all(i.hold_hours > 0 for i in acute.indicators)
    occupancy = acute.indicator("g_and_a_bed_occupancy_pct")
    assert occupancy.step == pytest.approx(0.1)
    assert (occupancy.valid_range.min, occupancy.valid_range.max) == (0, 100)
    critical = acute.indicator("critical_care_occupancy_pct")
    assert critical.areas["site-b"] is AreaStatus.NOT_MONITORED


def test_acute_roles_and_actions(acute: Pack) -> None:
    assert set(acute.role_ids) == {"site-manager", "director-on-call", "bed-manager"}
    assert "viewer" not in acute.role_ids
    for role, levels in acute.actions.items():
        assert sorted(levels) == list(LEVELS), role
    inherited = [e.continue_levels for levels in acute.actions.values() for e in levels.values()]
    assert any(inherited)


def test_acute_schedule(acute: Pack) -> None:
    for level in LEVELS:
        windows = {w.name: w.due for w in acute.schedule.levels[level]}
        assert windows["First assessment"] == "10:00"
        has_afternoon = windows.get("Afternoon update") == "14:00"
        assert has_afternoon == (level >= 3), level


# --- Broken packs are rejected with a usable message ----------------------

Mutation = Callable[[dict[str, Any]], None]


def _kent_data() -> dict[str, Any]:
    text = resolve_pack_path("kent-ascch").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _health_caseload(data: dict[str, Any]) -> dict[str, Any]:
    (indicator,) = [i for i in data["indicators"] if i["id"] == "health_caseload"]
    assert isinstance(indicator, dict)
    return indicator


def _overlapping_bands(data: dict[str, Any]) -> None:
    bands = {1: [0, 39], 2: [39, 59], 3: [60, 99], 4: [100, 200]}
    _health_caseload(data)["areas"]["dgs"] = bands


def _gapped_bands(data: dict[str, Any]) -> None:
    bands = {1: [0, 39], 2: [41, 59], 3: [60, 99], 4: [100, 200]}
    _health_caseload(data)["areas"]["dgs"] = bands


def _unknown_area(data: dict[str, Any]) -> None:
    _health_caseload(data)["areas"]["medway"] = {1: [0, 9], 2: [10, 19], 3: [20, 29], 4: [30, 39]}


def _missing_band_level(data: dict[str, Any]) -> None:
    _health_caseload(data)["areas"]["swale"] = {1: [0, 39], 2: [40, 49], 3: [50, 69]}


def _missing_action_level(data: dict[str, Any]) -> None:
    del data["actions"]["assistant-director"][4]


def _bad_time(data: dict[str, Any]) -> None:
    data["schedule"]["levels"][1][0]["due"] = "25:00"


def _unknown_role_in_actions(data: dict[str, Any]) -> None:
    data["actions"]["deputy-director"] = {lvl: {"business_as_usual": True} for lvl in LEVELS}


BROKEN_PACKS: list[tuple[str, Mutation, str, str]] = [
    # (case, mutation, path fragment, message fragment)
    ("overlap", _overlapping_bands, "health_caseload).areas.dgs", "levels 1 and 2 overlap"),
    ("gap", _gapped_bands, "health_caseload).areas.dgs", "gap between level 1"),
    ("unknown-area", _unknown_area, "areas.medway", "unknown area 'medway'"),
    ("missing-level", _missing_band_level, "health_caseload).areas.swale", "missing level [4]"),
    ("missing-action-level", _missing_action_level, "actions.assistant-director", "level [4]"),
    ("bad-time", _bad_time, "schedule.levels.1.0(First assessment).due", "is not a time of day"),
    ("unknown-role", _unknown_role_in_actions, "actions.deputy-director", "unknown role"),
]


@pytest.mark.parametrize(
    ("mutate", "path_fragment", "message_fragment"),
    [pytest.param(m, p, msg, id=case) for case, m, p, msg in BROKEN_PACKS],
)
def test_broken_pack_is_rejected_naming_file_path_and_fix(
    mutate: Mutation, path_fragment: str, message_fragment: str
) -> None:
    data = _kent_data()
    mutate(data)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    with pytest.raises(PackError) as caught:
        parse_pack(text, "x.yaml")
    matching = [str(p) for p in caught.value.problems if path_fragment in p.path]
    assert matching, [str(p) for p in caught.value.problems]
    message = matching[0]
    assert message.startswith("x.yaml: ")
    assert path_fragment in message
    assert message_fragment in message
    assert "fix" in message


def test_gap_message_names_the_expected_start() -> None:
    data = _kent_data()
    _gapped_bands(data)
    with pytest.raises(PackError) as caught:
        parse_pack(yaml.safe_dump(data, allow_unicode=True), "x.yaml")
    assert any("fix: start level 2 at 40" in str(p) for p in caught.value.problems)


def test_unknown_role_message_lists_known_roles() -> None:
    data = _kent_data()
    _unknown_role_in_actions(data)
    with pytest.raises(PackError) as caught:
        parse_pack(yaml.safe_dump(data, allow_unicode=True), "x.yaml")
    (problem,) = [p for p in caught.value.problems if "unknown role" in p.message]
    assert "stp-team-manager" in problem.message


def test_unmodified_kent_round_trip_loads() -> None:
    data = _kent_data()
    pack = parse_pack(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "x.yaml")
    assert pack.id == "kent-ascch"
