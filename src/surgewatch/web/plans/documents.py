"""Read a stored plan file: one or more YAML documents, each a kind the planning core knows.

A plan often holds several parts (seed 002 prints the bed gap and the risk
register in one surge plan), so a plan file may hold several YAML documents
separated by ``---``: a capacity plan (``sites:``, the gap and schemes), costs
and funding (``groups:``), a risk register (``risks:``) and a demand forecast
(``services:``), each at most once. Each document is validated by the planning
core's own model, so the problems read exactly as ``surgewatch plan`` prints
them: file, path inside it, and the fix. No Django here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from surgewatch.core.documents import validation_problems
from surgewatch.planning.costs import CostPlan
from surgewatch.planning.demand import DemandPlan
from surgewatch.planning.loading import PLAN_FIXES, PlanError, Problem
from surgewatch.planning.plan import Plan
from surgewatch.planning.risks import Register

# Kind, the top-level key that marks it, and the core model that validates it.
# The order decides a document carrying several marker keys; its model then
# names the stray keys ('remove this key or check its spelling').
KINDS: tuple[tuple[str, str, type[BaseModel]], ...] = (
    ("capacity", "sites", Plan),
    ("costs", "groups", CostPlan),
    ("risks", "risks", Register),
    ("demand", "services", DemandPlan),
)
KIND_NAMES = {
    "capacity": "bed gap and schemes",
    "costs": "costs and funding",
    "risks": "risk register",
    "demand": "demand forecast",
}
_MARKERS = ", ".join(f"{KIND_NAMES[kind]} '{key}:'" for kind, key, _ in KINDS)


@dataclass(frozen=True)
class PlanDocuments:
    """The validated parts of one plan file; ``None`` where the file has no such part."""

    capacity: Plan | None = None
    costs: CostPlan | None = None
    risks: Register | None = None
    demand: DemandPlan | None = None

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds this file holds, in the order of :data:`KINDS`."""
        return tuple(kind for kind, _, _ in KINDS if getattr(self, kind) is not None)

    @property
    def title(self) -> str:
        """The first part's own title (every kind has one)."""
        first = getattr(self, self.kinds[0])
        return str(first.title)


def parse_plan_file(text: str, filename: str) -> PlanDocuments:
    """Validate every document of ``text``; raise :class:`PlanError` listing every problem."""
    documents = _read_documents(text, filename)
    problems: list[Problem] = []
    parts: dict[str, BaseModel] = {}
    for number, data in enumerate(documents, start=1):
        where = filename if len(documents) == 1 else f"{filename} (document {number})"
        kind, model, found = _validate(data, where)
        problems.extend(found)
        if kind is not None and kind in parts:
            problems.append(_twice(where, kind))
        elif kind is not None and model is not None:
            parts[kind] = model
    if problems:
        raise PlanError(problems)
    return PlanDocuments(**parts)  # type: ignore[arg-type]


def _read_documents(text: str, filename: str) -> list[Any]:
    try:
        documents = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise PlanError(
            [Problem(filename, where, f"not valid YAML ({exc}); fix the syntax")]
        ) from None
    if not documents:
        raise PlanError([Problem(filename, "", "the file is empty; fix: paste or upload a plan")])
    return documents


Validated = tuple[str | None, BaseModel | None, list[Problem]]


def _validate(data: Any, where: str) -> Validated:
    """The document's kind, its model (when valid) and its problems."""
    if not isinstance(data, dict):
        fix = "must be a YAML mapping of keys to values; fix the top level"
        return None, None, [Problem(where, "", fix)]
    kind = next((kind for kind, key, _ in KINDS if key in data), None)
    if kind is None:
        message = f"cannot tell what kind of plan this is; fix: a document needs one of {_MARKERS}"
        return None, None, [Problem(where, "", message)]
    try:
        return kind, _model_of(kind).model_validate(data), []
    except ValidationError as exc:
        return kind, None, validation_problems(exc, where, data, PLAN_FIXES)


def _twice(where: str, kind: str) -> Problem:
    message = f"a second {KIND_NAMES[kind]}; fix: keep one {KIND_NAMES[kind]} per plan file"
    return Problem(where, "", message)


def _model_of(kind: str) -> type[BaseModel]:
    return next(model for name, _, model in KINDS if name == kind)
