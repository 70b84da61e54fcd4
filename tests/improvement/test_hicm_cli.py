"""``surgewatch selfassess``: list, validate and score from the command line (issue 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from surgewatch import cli


def _csv(tmp_path: Path, name: str, rows: str) -> Path:
    path = tmp_path / name
    path.write_text("criterion,level\n" + rows, encoding="utf-8")
    return path


def test_list_names_both_frameworks(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["selfassess", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:3] for line in lines] == [
        ["hicm-2015", "2015", "8 groups, 26 criteria"],
        ["nhse-winter-roles-2023-24", "2023/24", "9 groups, 69 criteria"],
    ]


def test_score_prints_maturity_and_movement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    now = _csv(tmp_path, "now.csv", "elective-admissions,2\nemergency-admissions,3\n")
    before = _csv(tmp_path, "before.csv", "elective-admissions,1\n")
    assert cli.main(["selfassess", "score", "hicm-2015", str(now), "--previous", str(before)]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert rows[1] == ["1. Early discharge planning", "2/2", "2.5", "2", "1.0", "better"]
    assert rows[2][1:4] == ["0/5", "-", "-"]


def test_bad_ratings_name_the_file_and_change_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ratings = _csv(tmp_path, "bad.csv", "bottlenecks,6\n")
    assert cli.main(["selfassess", "score", "hicm-2015", str(ratings)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"{ratings}: bottlenecks: level 6 is not on the scale; fix: use 1 to 5\n"
    words = _csv(tmp_path, "words.csv", "bottlenecks,mature\n")
    assert cli.main(["selfassess", "score", "hicm-2015", str(words)]) == 2
    assert "line 2: level 'mature' is not a whole number" in capsys.readouterr().err


def test_validate_reports_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: Bad Id\n", encoding="utf-8")
    assert cli.main(["selfassess", "validate", str(broken)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert f"{broken}: id: String should match pattern" in err[0]
    assert any(line.startswith(f"{broken}: groups: Field required") for line in err)
    assert cli.main(["selfassess", "validate", "hicm-2015"]) == 0
    assert "valid framework 'hicm-2015' with 8 groups and 26 criteria" in capsys.readouterr().out
