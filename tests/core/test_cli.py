"""The ``surgewatch`` command line: framework and assess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from surgewatch.cli import main

EXAMPLE = Path(__file__).parents[2] / "examples" / "readings" / "kent-monday.csv"


def _csv(tmp_path: Path, body: str) -> str:
    path = tmp_path / "readings.csv"
    path.write_text("indicator,area,value\n" + body)
    return str(path)


def test_assess_json_has_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", "--framework", "kent-ascch", str(EXAMPLE), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["framework"] == "kent-ascch"
    first = out["results"][0]
    assert {k: first[k] for k in ("indicator", "area", "value", "level", "colour", "warnings")} == {
        "indicator": "stp_staffing_pct",
        "area": "dgs",
        "value": 82.0,
        "level": 1,
        "colour": "green",
        "warnings": [],
    }
    swale = [r for r in out["results"] if (r["indicator"], r["area"]) == ("referrals", "swale")]
    assert swale[0]["level"] is None
    # Indicators at 4: health (swale), social (east-kent); at >= 3: + staffing, referrals, keah.
    assert out["organisation"] == {
        "suggested_level": 4,
        "score": None,
        "score_level": None,
        "indicator_levels": {
            "stp_staffing_pct": 3,
            "health_caseload": 4,
            "social_caseload": 4,
            "referrals": 3,
            "keah_daily_capacity": 3,
            "d2a_p1_weekly_availability": 2,
        },
    }


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("bogus,dgs,3\n", "row 3, column 'indicator': unknown indicator 'bogus'"),
        ("referrals,medway,3\n", "row 3, column 'area': unknown area 'medway'"),
        ("referrals,dgs,3\nreferrals,dgs,many\n", "row 4, column 'value': 'many' is not a number"),
        ("stp_staffing_pct,dgs,140\n", "row 3, column 'value': 140 is impossible"),
        (
            "keah_daily_capacity,dgs,3\n",
            "row 3, column 'area': 'keah_daily_capacity' is not reported",
        ),
    ],
)
def test_a_bad_row_refuses_the_whole_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: str, message: str
) -> None:
    code = main(["assess", "--framework", "kent-ascch", _csv(tmp_path, "referrals,dgs,4\n" + rows)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert message in captured.err


def test_missing_column_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.csv"
    path.write_text("indicator,area\nreferrals,dgs\n")
    assert main(["assess", "--framework", "kent-ascch", str(path)]) == 2
    assert "row 1, column 'value': column is missing from the header" in capsys.readouterr().err


def test_table_output_shows_levels_and_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", "--framework", "kent-ascch", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "OPEL 4 black" in out
    assert "Suggested organisation level: 4" in out


def test_illustrative_pack_says_so_in_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from surgewatch.core.loader import load_pack

    ind = load_pack("example-acute-trust").indicators[0]
    area = next(iter(ind.areas))
    path = _csv(tmp_path, f"{ind.id},{area},1\n")
    assert main(["assess", "--framework", "example-acute-trust", path, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["illustrative"] is True
    assert main(["assess", "--framework", "example-acute-trust", path]) == 0
    assert "ILLUSTRATIVE" in capsys.readouterr().out


def test_framework_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["framework", "list"]) == 0
    listing = capsys.readouterr().out
    assert "kent-ascch\tv1.8" in listing
    assert "example-acute-trust" in listing and "[illustrative]" in listing
    assert main(["framework", "show", "kent-ascch"]) == 0
    assert "100-200" in capsys.readouterr().out


def test_validate_reports_problems_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: Bad Id\nname: x\n")
    assert main(["framework", "validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: id:" in err
    assert f"{bad}: organisation: Field required; fix: add this key" in err


def test_validate_accepts_the_bundled_pack(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["framework", "validate", "kent-ascch"]) == 0
    assert "valid pack 'kent-ascch' v1.8 with 11 indicators" in capsys.readouterr().out
