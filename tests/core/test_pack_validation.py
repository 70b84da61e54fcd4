"""Cross-references the schema checks beyond single fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from surgewatch.core.loader import PackError, parse_pack, resolve_pack_path

Edit = Callable[[dict[str, Any]], None]


def _kent() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(resolve_pack_path("kent-ascch").read_text())
    return data


def _problems(edit: Edit) -> list[str]:
    data = _kent()
    edit(data)
    with pytest.raises(PackError) as caught:
        parse_pack(yaml.safe_dump(data), "kent-edited.yaml")
    return [str(p) for p in caught.value.problems]


def _duplicate_action(data: dict[str, Any]) -> None:
    actions = data["actions"]["stp-team-manager"][2]["actions"]
    actions.append(dict(actions[0]))


def _loop(data: dict[str, Any]) -> None:
    for role in data["roles"]:
        if role["id"] == "director-asc":
            role["escalates_to"] = "discharge-coordinator"


def _bad_repeat(data: dict[str, Any]) -> None:
    data["protocols"][0]["steps"][-1]["repeat_steps"] = ["a", "z"]


def _overlap(data: dict[str, Any]) -> None:
    data["indicators"][3]["areas"]["swale"][2] = [39, 49]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_duplicate_action, "kent-edited.yaml: actions.stp-team-manager.2: action id"),
        (_loop, "goes round in a loop (director-asc -> discharge-coordinator"),
        (_bad_repeat, "protocols.0(nhs111-dos).steps.c.repeat_steps: unknown step 'z'"),
        (
            _overlap,
            "indicators.3(health_caseload).areas.swale: levels 1 and 2 overlap (level 1 ends at "
            "39, level 2 starts at 39); fix: start level 2 at 40",
        ),
    ],
)
def test_cross_reference_problems_name_the_place_and_the_fix(edit: Edit, expected: str) -> None:
    problems = _problems(edit)
    assert any(expected in p for p in problems), problems
    assert all("fix:" in p for p in problems)


def test_every_problem_is_reported_at_once() -> None:
    def two_faults(data: dict[str, Any]) -> None:
        _loop(data)
        _bad_repeat(data)

    assert len(_problems(two_faults)) >= 2


def _role(data: dict[str, Any], role_id: str) -> dict[str, Any]:
    role: dict[str, Any] = next(r for r in data["roles"] if r["id"] == role_id)
    return role


def test_a_role_scope_other_than_organisation_or_area_is_refused() -> None:
    def county(data: dict[str, Any]) -> None:
        _role(data, "keah-locality-organiser")["scope"] = "county"

    assert _problems(county) == [
        "kent-edited.yaml: roles.8(keah-locality-organiser).scope: Input should be "
        "'organisation' or 'area'; fix: use one of the values listed"
    ]


def test_a_role_that_declares_the_organisations_level_cannot_be_area_scoped() -> None:
    def declaring_area(data: dict[str, Any]) -> None:
        _role(data, "stp-service-manager")["scope"] = "area"

    problems = _problems(declaring_area)
    assert any(
        "role 'stp-service-manager' declares the organisation's level but has scope: area; "
        "fix: set scope: organisation" in p
        for p in problems
    ), problems


def test_roles_without_a_scope_act_for_the_organisation() -> None:
    from surgewatch.core.loader import load_pack
    from surgewatch.core.pack import RoleScope

    pack = load_pack(resolve_pack_path("example-acute-trust"))
    assert pack.roles_scoped(RoleScope.AREA) == frozenset()
    assert pack.roles_scoped(RoleScope.ORGANISATION) == frozenset(pack.role_ids)
