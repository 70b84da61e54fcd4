"""The exercise scripts shipped in ``examples/exercises/`` that fit an organisation's pack."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

FOLDER = Path(__file__).resolve().parents[4] / "examples" / "exercises"


@dataclass(frozen=True)
class Example:
    filename: str
    title: str

    def text(self) -> str:
        return (FOLDER / self.filename).read_text(encoding="utf-8")


def examples_for(pack_id: str) -> list[Example]:
    """Shipped scripts written for ``pack_id``, by file name (none if the folder is absent,
    as in an installed package without the repository's examples)."""
    if not FOLDER.is_dir():
        return []
    found = []
    for path in sorted(FOLDER.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("pack") == pack_id:
            found.append(Example(path.name, str(data.get("title") or path.name)))
    return found
