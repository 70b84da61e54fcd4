"""Read planning files (YAML) into validated models, reporting every problem at once.

Each problem names the file, the path inside it and a fix, in the same style as
framework packs (both use :mod:`surgewatch.core.documents`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from surgewatch.core.documents import COMMON_FIXES, DocumentError, Problem, parse_model

__all__ = ["PlanError", "Problem", "load_model", "parse_plan_model"]

ModelT = TypeVar("ModelT", bound=BaseModel)

PLAN_FIXES = {
    **COMMON_FIXES,
    "string_pattern_mismatch": "write months as YYYY-MM, e.g. 2024-10",
    "decimal_parsing": "write an amount such as 310800 or 28.50",
    "date_from_datetime_parsing": "write dates as YYYY-MM-DD",
}


class PlanError(DocumentError):
    """A planning file failed to load or run; ``problems`` lists every reason."""


def load_model(model: type[ModelT], source: str | Path) -> ModelT:
    """Read ``source`` and validate it as ``model``; raise :class:`PlanError` on any problem."""
    path = Path(source)
    if not path.is_file():
        raise PlanError([Problem(str(source), "", "no such file; fix: check the path")])
    return parse_plan_model(model, path.read_text(encoding="utf-8"), str(path))


def parse_plan_model(model: type[ModelT], text: str, filename: str) -> ModelT:
    """Validate YAML ``text`` as ``model``, naming ``filename`` in every problem."""
    return parse_model(model, text, filename, PlanError, PLAN_FIXES)
