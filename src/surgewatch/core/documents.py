"""Validated YAML documents (packs, plans): every problem at once, each with a fix.

Packs and planning files share this so an author sees the same kind of
message everywhere: ``file: path.in.file: what is wrong; fix: what to do``.
List entries are named by their ``id``, ``name`` or ``title`` where they have one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

ModelT = TypeVar("ModelT", bound=BaseModel)

COMMON_FIXES: Mapping[str, str] = {
    "missing": "add this key",
    "extra_forbidden": "remove this key or check its spelling",
    "int_parsing": "write a whole number",
    "float_parsing": "write a number",
    "greater_than": "use a larger value",
    "greater_than_equal": "use a value that is not negative",
    "less_than_equal": "use a smaller value",
    "enum": "use one of the values listed",
    "literal_error": "use one of the values listed",
    "too_short": "add at least one entry",
}
_WRAPPERS = ("function-", "union[", "tagged-union[")
# A model check's sub-path, as readable_path writes one: keys and indexes joined by dots, an
# index perhaps with its entry's name, which may hold spaces and brackets: ``rates.85+``,
# ``groups.0(Staffing proposals (section 1.1.4)).lines``.
_SEGMENT = r"[^\s.()':]+(?:\((?:[^()]|\([^()]*\))*\))?"
SUB_PATH = re.compile(rf"{_SEGMENT}(?:\.{_SEGMENT})*")
# What PyYAML's timestamp resolver takes for a date (YYYY-MM-DD, unquoted).
_DATE_SHAPED = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document: where it is and how to fix it."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.message}"


class DocumentError(ValueError):
    """A document failed to load; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def parse_model(
    model: type[ModelT],
    text: str,
    filename: str,
    error: type[DocumentError] = DocumentError,
    fixes: Mapping[str, str] = COMMON_FIXES,
) -> ModelT:
    """Validate YAML ``text`` as ``model``; raise ``error`` naming ``filename`` in every problem."""
    data = read_yaml(text, filename, error)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error(validation_problems(exc, filename, data, fixes)) from None


def read_yaml(
    text: str, filename: str, error: type[DocumentError] = DocumentError
) -> dict[str, Any]:
    """Parse YAML that must be a mapping at the top."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = _yaml_error_place(exc, text)
        raise error([Problem(filename, where, f"not valid YAML ({exc}); fix the syntax")]) from None
    except RecursionError:  # the parser recurses per level: thousands of '[' exhaust the stack
        message = "not valid YAML: nested thousands of levels deep; fix the brackets"
        raise error([Problem(filename, "", message)]) from None
    except ValueError as exc:  # PyYAML builds dates itself: 2024-13-01 fails in datetime
        message = f"not a real date ({exc}); fix: write a date that exists, as YYYY-MM-DD"
        raise error([Problem(filename, _impossible_date_place(text), message)]) from None
    if not isinstance(data, dict):
        raise error(
            [Problem(filename, "", "must be a YAML mapping of keys to values; fix the top level")]
        )
    return data


def _impossible_date_place(text: str) -> str:
    """Line and column of the first date-shaped value that is not a date."""
    for number, line in enumerate(text.splitlines(), start=1):
        for found in _DATE_SHAPED.finditer(line):
            try:
                date.fromisoformat(found.group(0))
            except ValueError:
                return f"line {number}, column {found.start() + 1}"
    return ""


def _yaml_error_place(exc: yaml.YAMLError, text: str) -> str:
    """Line and column: the parser's mark, or, for a character YAML refuses (a control
    character, say), the reader's position in the text."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return f"line {mark.line + 1}, column {mark.column + 1}"
    position = getattr(exc, "position", None)
    if not isinstance(position, int):
        return ""
    line = text.count("\n", 0, position) + 1
    column = position - text.rfind("\n", 0, position)  # 1-based; rfind is -1 on line 1
    return f"line {line}, column {column}"


def validation_problems(
    exc: ValidationError, filename: str, data: Any, fixes: Mapping[str, str] = COMMON_FIXES
) -> list[Problem]:
    """Every pydantic error as a :class:`Problem`, model-level checks split per line."""
    problems: list[Problem] = []
    for error in exc.errors():
        problems.extend(_from_error(error, filename, data, fixes))
    return problems


def _from_error(
    error: ErrorDetails, filename: str, data: Any, fixes: Mapping[str, str]
) -> list[Problem]:
    path = readable_path(error["loc"], data)
    if error["type"] == "value_error":
        message = error["msg"].removeprefix("Value error, ")
        return [_split_line(line, filename, path) for line in message.splitlines()]
    fix = fixes.get(error["type"], COMMON_FIXES.get(error["type"], "correct the value"))
    return [Problem(filename, path, f"{error['msg']}; fix: {fix}")]


def _split_line(line: str, filename: str, path: str) -> Problem:
    """Model checks write ``sub.path: message``; join the sub-path onto the error's path."""
    head, sep, rest = line.partition(": ")
    if not sep or not SUB_PATH.fullmatch(head):
        return Problem(filename, path, line)
    return Problem(filename, f"{path}.{head}" if path else head, rest)


def readable_path(loc: tuple[int | str, ...], data: Any) -> str:
    """Render a pydantic location, naming list entries: ``indicators.3(referrals)``."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, str) and key.startswith(_WRAPPERS):
            continue
        node = _child(node, key)
        parts.append(entry_label(key, node))
    return ".".join(parts)


def entry_label(key: int | str, node: Any) -> str:
    """``3(Cheadle)`` for the fourth entry when it has an id, name or title, else the key."""
    if isinstance(key, int) and isinstance(node, dict):
        name = node.get("id", node.get("name", node.get("title")))
        if name is not None:
            return f"{key}({name})"
    return str(key)


def _child(node: Any, key: int | str) -> Any:
    if isinstance(node, dict):
        return node.get(key, node.get(str(key)))
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        return node[key]
    return None
