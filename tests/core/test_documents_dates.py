"""An impossible date in any YAML document is a located problem, not a traceback."""

from __future__ import annotations

import pytest

from surgewatch.core.documents import DocumentError, read_yaml


def test_an_impossible_date_names_its_line_and_the_fix() -> None:
    text = "name: risks\nreview:\n  due: 2024-13-01\n"
    with pytest.raises(DocumentError) as raised:
        read_yaml(text, "risks.yaml")
    (problem,) = raised.value.problems
    assert (problem.file, problem.path) == ("risks.yaml", "line 3, column 8")
    assert "YYYY-MM-DD" in problem.message


def test_real_dates_still_read_as_dates() -> None:
    assert str(read_yaml("due: 2024-12-01\n", "ok.yaml")["due"]) == "2024-12-01"
