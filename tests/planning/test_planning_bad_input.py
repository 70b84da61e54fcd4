"""Bad plans fail with problems naming the file, the path inside it and a fix."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from surgewatch.planning.loading import PlanError
from surgewatch.planning.plan import load_plan


def _write(tmp_path: Path, ssot_plan_path: Path, edit: object) -> Path:
    data = yaml.safe_load(ssot_plan_path.read_text())
    edit(data)  # type: ignore[operator]
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    return [str(p) for p in caught.value.problems]


def test_unknown_unit_names_scheme_and_fix(tmp_path: Path, ssot_plan_path: Path) -> None:
    path = _write(tmp_path, ssot_plan_path, lambda d: d["schemes"][6].update(unit="bungalow"))
    [problem] = _problems(path)
    assert problem.startswith(f"{path}: schemes.6(Cheadle).unit: unknown unit 'bungalow'")
    assert "fix: use one of acute, d2a, virtual_ward_acute, virtual_ward_subacute" in problem


def test_month_list_mismatch(tmp_path: Path, ssot_plan_path: Path) -> None:
    path = _write(tmp_path, ssot_plan_path, lambda d: d["months"].pop())
    problems = _problems(path)
    assert (
        f"{path}: sites.0(RSUH).divisions.0(Medicine).gap: 9 values for 8 months" in (problems[0])
    )
    assert any(
        "schemes.8(Virtual Ward (Acute)).capacity: 9 values for 8 months" in p for p in problems
    )


def test_negative_capacity(tmp_path: Path, ssot_plan_path: Path) -> None:
    path = _write(tmp_path, ssot_plan_path, lambda d: d["schemes"][0].update(capacity=-21))
    [problem] = _problems(path)
    assert problem == (
        f"{path}: schemes.0(W120).capacity: negative value; fix: capacities and beds are >= 0"
    )


def test_bad_month_and_missing_key(tmp_path: Path, ssot_plan_path: Path) -> None:
    def edit(d: dict[str, object]) -> None:
        d["months"][0] = "2024-13"  # type: ignore[index]
        del d["title"]

    problems = _problems(_write(tmp_path, ssot_plan_path, edit))
    assert any(p.endswith("title: Field required; fix: add this key") for p in problems)
    assert any("months.0:" in p and "YYYY-MM" in p for p in problems)


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    assert "no such file" in _problems(tmp_path / "nope.yaml")[0]
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: [unclosed\n")
    assert "not valid YAML" in _problems(bad)[0]
