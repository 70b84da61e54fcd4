"""Load framework packs from YAML and report every problem at once.

Each problem names the file, the path inside it and a fix, so whoever edits a
pack can correct all of it in one pass rather than one error per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from surgewatch.core.pack import Pack

BUNDLED_PACKAGE = "surgewatch.packs"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a pack: where it is and how to fix it."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.message}"


class PackError(ValueError):
    """A pack failed to load; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


_FIXES = {
    "missing": "add this key",
    "extra_forbidden": "remove this key or check its spelling",
    "string_pattern_mismatch": "use lower-case letters, digits, '-' or '_'",
    "int_parsing": "write a whole number",
    "float_parsing": "write a number",
    "enum": "use one of the values listed",
    "literal_error": "use one of the values listed",
    "too_short": "add at least one entry",
}


def load_pack(source: str | Path) -> Pack:
    """Load a pack by bundled id (``kent-ascch``) or by file path."""
    path = resolve_pack_path(source)
    return parse_pack(path.read_text(encoding="utf-8"), str(path))


def parse_pack(text: str, filename: str) -> Pack:
    """Validate YAML text as a pack; raise :class:`PackError` listing every problem."""
    data = _read_yaml(text, filename)
    try:
        return Pack.model_validate(data)
    except ValidationError as exc:
        raise PackError(_problems(exc, filename, data)) from None


def bundled_pack_ids() -> list[str]:
    """Ids of the packs shipped inside the package."""
    folder = resources.files(BUNDLED_PACKAGE)
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def resolve_pack_path(source: str | Path) -> Path:
    """Turn a bundled id or a path into a readable file path."""
    candidate = Path(source)
    if candidate.suffix in {".yaml", ".yml"} or candidate.exists():
        if not candidate.is_file():
            raise PackError([Problem(str(source), "", "no such file; fix: check the path")])
        return candidate
    bundled = resources.files(BUNDLED_PACKAGE) / f"{source}.yaml"
    if not bundled.is_file():
        known = ", ".join(bundled_pack_ids())
        raise PackError([Problem(str(source), "", f"no such pack; fix: use one of {known}")])
    return Path(str(bundled))


def _read_yaml(text: str, filename: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise PackError(
            [Problem(filename, where, f"not valid YAML ({exc}); fix the syntax")]
        ) from None
    if not isinstance(data, dict):
        raise PackError(
            [Problem(filename, "", "a pack must be a YAML mapping; fix: start with 'id:'")]
        )
    return data


def _problems(exc: ValidationError, filename: str, data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for error in exc.errors():
        problems.extend(_from_error(error, filename, data))
    return problems


def _from_error(error: ErrorDetails, filename: str, data: dict[str, Any]) -> list[Problem]:
    path = _readable_path(error["loc"], data)
    if error["type"] == "value_error":
        return _split_model_message(error["msg"].removeprefix("Value error, "), filename, path)
    fix = _FIXES.get(error["type"], "correct the value")
    return [Problem(filename, path, f"{error['msg']}; fix: {fix}")]


def _split_model_message(message: str, filename: str, path: str) -> list[Problem]:
    """Model-level checks report several problems, one per line, each maybe with its own path."""
    problems = []
    for line in message.splitlines():
        head, sep, rest = line.partition(": ")
        nested = sep and " " not in head and ("." in head or head.isidentifier())
        sub = f"{path}.{head}" if path and nested else (head if nested else path)
        problems.append(Problem(filename, sub, rest if nested else line))
    return problems


def _readable_path(loc: tuple[int | str, ...], data: Any) -> str:
    """Render a pydantic location, naming list entries by their ``id`` where they have one."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, str) and key.startswith(("function-", "union[")):
            continue
        node = _child(node, key)
        label = str(key)
        if isinstance(key, int) and isinstance(node, dict) and "id" in node:
            label = f"{key}({node['id']})"
        parts.append(label)
    return ".".join(parts)


def _child(node: Any, key: int | str) -> Any:
    if isinstance(node, dict):
        return node.get(key, node.get(str(key)) if not isinstance(key, str) else None)
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        return node[key]
    return None
