"""Framework files are validated on load: every problem names the file, the path and a fix."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from surgewatch.improvement.frameworks import (
    FrameworkError,
    load_framework,
    parse_framework,
)

HICM = load_framework("hicm-2015")


def _hicm_data() -> dict[str, object]:
    return HICM.framework.model_dump(mode="json")


def _messages(text: str) -> list[str]:
    with pytest.raises(FrameworkError) as caught:
        parse_framework(text, "mine.yaml")
    return [str(p) for p in caught.value.problems]


def test_a_missing_level_text_names_the_change_criterion_and_level() -> None:
    data = _hicm_data()
    del data["groups"][1]["criteria"][2]["levels"]["mature"]  # type: ignore[index]
    assert _messages(yaml.safe_dump(data)) == [
        "mine.yaml: groups.1(systems-to-monitor-patient-flow).criteria.2(bottlenecks).levels: "
        "no text for mature; fix: add the text"
    ]


def test_an_unknown_level_and_a_repeated_id_are_both_reported() -> None:
    data = _hicm_data()
    criteria = data["groups"][0]["criteria"]  # type: ignore[index]
    criteria[0]["levels"]["superb"] = "Better than exemplary"
    criteria[1]["id"] = criteria[0]["id"]
    problems = _messages(yaml.safe_dump(data))
    assert (
        "mine.yaml: groups: criterion id elective-admissions used twice; fix: make it unique"
        in (problems)
    )
    assert any(
        "criteria.0(elective-admissions).levels: unknown level superb; fix: use "
        "not-yet-established, plans-in-place" in p
        for p in problems
    )


def test_a_scale_must_be_numbered_from_one() -> None:
    data = _hicm_data()
    data["scale"]["levels"][0]["value"] = 0  # type: ignore[index]
    problems = _messages(yaml.safe_dump(data))
    assert any(
        p.startswith("mine.yaml: scale.levels.0(not-yet-established).value") for p in problems
    )


def test_a_red_amber_green_item_needs_its_text_and_a_known_owner() -> None:
    data = load_framework("nhse-winter-roles-2023-24").framework.model_dump(mode="json")
    first = data["groups"][0]["criteria"][0]
    first["text"] = " "
    first["owners"] = [{"kind": "hospice", "role": "leads"}]
    problems = _messages(yaml.safe_dump(data))
    where = "mine.yaml: groups.0(high-impact-interventions).criteria.0(hii-1-sdec)"
    assert f"{where}.text: empty; fix: write the duty" in problems
    assert any(
        p.startswith(f"{where}.owners: 'hospice' is not an organisation kind") for p in problems
    )


def test_unknown_keys_and_bad_yaml_are_refused_with_the_place() -> None:
    assert _messages("id: x\nnmae: y\n")[0].startswith("mine.yaml: ")
    assert any("nmae: Extra inputs are not permitted" in p for p in _messages("id: x\nnmae: y\n"))
    assert _messages("groups: [\n")[0].startswith("mine.yaml: line ")


def test_an_unknown_id_or_path_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(FrameworkError, match="no such framework; fix: use one of hicm-2015"):
        load_framework("hicm-2020")
    with pytest.raises(FrameworkError, match="no such file; fix: check the path"):
        load_framework(tmp_path / "missing.yaml")


def test_a_file_loads_with_the_digest_of_its_exact_text(tmp_path: Path) -> None:
    copy = tmp_path / "copy.yaml"
    copy.write_text(yaml.safe_dump(_hicm_data()), encoding="utf-8")
    loaded = load_framework(copy)
    assert loaded.framework == HICM.framework
    assert loaded.sha256 != HICM.sha256  # same model, different text: a different version
    assert len(loaded.sha256) == 64
