"""Invalid framework packs never crash the loader (issue 8, 'Bad input').

Rule under test (DESIGN.md 'Framework packs'): packs are validated on load
with errors that name the file, the path inside it and the fix. Hypothesis
mutates the shipped packs (deletes keys, swaps in values of the wrong type,
pushes numbers out of range, moves list entries) and writes garbage YAML; the
loader either returns a pack the engine can compile or raises PackError, and
every problem names the file and where in it.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surgewatch.core.bands import compile_pack
from surgewatch.core.loader import PackError, parse_pack, resolve_pack_path

FILENAME = "mutated-pack.yaml"
Path = tuple[str | int, ...]
# Values of the wrong type or out of range for whatever key they land on.
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([-1, 0, 5, 101, -1e9, 1e308, 10**30, math.inf, -math.inf, math.nan]),
    st.sampled_from(["", " ", "x" * 300, "Ünïcode", "10:61", "25:00", "[", "null", "1e5"]),
    st.lists(st.integers(-5, 5), max_size=3),
    st.dictionaries(st.sampled_from(["id", "x", "1"]), st.integers(0, 3), max_size=2),
)


def _shipped(pack_id: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(resolve_pack_path(pack_id).read_text())
    return data


PACKS = {pack_id: _shipped(pack_id) for pack_id in ("kent-ascch", "example-acute-trust")}


def paths(node: Any, prefix: Path = ()) -> list[Path]:
    """Every key and list index in the document, parents before children."""
    found: list[Path] = []
    children = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for key, child in children:
        found.append((*prefix, key))
        found.extend(paths(child, (*prefix, key)))
    return found


def _parent(document: Any, path: Path) -> Any:
    for key in path[:-1]:
        document = document[key]
    return document


@st.composite
def mutated(draw: st.DrawFn, document: dict[str, Any]) -> dict[str, Any]:
    """One to three edits at random places: delete, replace with an odd value, or duplicate."""
    data = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 3))):
        every = paths(data)
        if not every:
            break
        where = draw(st.sampled_from(every))
        parent, key = _parent(data, where), where[-1]
        value = parent[key]
        edit = draw(st.sampled_from(["delete", "replace", "duplicate", "swap-type"]))
        if edit == "delete":
            del parent[key]
        elif edit == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(value))
        elif edit == "swap-type":
            parent[key] = [value] if isinstance(value, str) else str(value)
        else:
            parent[key] = draw(ODD_VALUES)
    return data


def assert_loads_or_names_the_path(text: str) -> None:
    """The loader's only failure is PackError, each problem naming the file and a place."""
    try:
        pack = parse_pack(text, FILENAME)
    except PackError as refused:
        assert refused.problems
        for problem in refused.problems:
            assert problem.file == FILENAME
            whole_file = "top level" in problem.message or "nested" in problem.message
            assert problem.path or whole_file, str(problem)
            assert problem.message.strip()
        return
    compile_pack(pack)  # a pack that loads is one the engine can use


@pytest.mark.parametrize("pack_id", sorted(PACKS))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_packs_load_or_name_every_problem(pack_id: str, data: st.DataObject) -> None:
    document = data.draw(mutated(PACKS[pack_id]))
    assert_loads_or_names_the_path(yaml.safe_dump(document, allow_unicode=True))


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300))
def test_garbage_text_is_refused_with_where(text: str) -> None:
    assert_loads_or_names_the_path(text)


@settings(max_examples=100, deadline=None)
@given(
    cut=st.integers(0, 4000),
    junk=st.sampled_from(["\t", ": :", "- [", "{", "&a *a", "!!python/object:os.system", "\x00"]),
)
def test_damaged_yaml_is_refused_with_the_line(cut: int, junk: str) -> None:
    """A pack cut short or with junk spliced in, as a bad edit or copy would leave it."""
    text = resolve_pack_path("kent-ascch").read_text()
    assert_loads_or_names_the_path(text[:cut] + junk + text[cut:])


def test_yaml_that_is_not_a_mapping_is_refused_at_the_top_level() -> None:
    with pytest.raises(PackError) as refused:
        parse_pack("- just\n- a list\n", FILENAME)
    [problem] = refused.value.problems
    assert str(problem) == (
        "mutated-pack.yaml: must be a YAML mapping of keys to values; fix the top level"
    )


def test_deeply_nested_yaml_is_refused_not_a_recursion_crash() -> None:
    with pytest.raises(PackError, match="nested thousands of levels deep; fix the brackets"):
        parse_pack("organisation: " + "[" * 5000 + "]" * 5000, FILENAME)
