"""A line diff between two versions of a pack, grouped into hunks with context.

Each line says in words whether it was added, removed or kept (the page shows
the word and a sign, so colour is never the only cue).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

Kind = Literal["added", "removed", "same"]
CONTEXT_LINES = 3


@dataclass(frozen=True)
class DiffLine:
    kind: Kind
    old_number: int | None
    new_number: int | None
    text: str

    @property
    def sign(self) -> str:
        return {"added": "+", "removed": "-", "same": ""}[self.kind]


@dataclass(frozen=True)
class Diff:
    hunks: tuple[tuple[DiffLine, ...], ...]
    added: int
    removed: int

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed)


def line_diff(old: str, new: str, context: int = CONTEXT_LINES) -> Diff:
    """Lines of ``new`` against ``old``: changed stretches with ``context`` lines around."""
    a, b = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    hunks = tuple(
        tuple(line for op in group for line in _lines(op, a, b))
        for group in matcher.get_grouped_opcodes(context)
    )
    lines = [line for hunk in hunks for line in hunk]
    return Diff(
        hunks=hunks if any(line.kind != "same" for line in lines) else (),
        added=sum(1 for line in lines if line.kind == "added"),
        removed=sum(1 for line in lines if line.kind == "removed"),
    )


def _lines(op: tuple[str, int, int, int, int], a: list[str], b: list[str]) -> list[DiffLine]:
    tag, i1, i2, j1, j2 = op
    if tag == "equal":
        return [
            DiffLine("same", i + 1, j + 1, a[i])
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
        ]
    removed = [DiffLine("removed", i + 1, None, a[i]) for i in range(i1, i2)]
    added = [DiffLine("added", None, j + 1, b[j]) for j in range(j1, j2)]
    return removed + added
