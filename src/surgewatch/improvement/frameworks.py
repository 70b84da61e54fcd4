"""Self-assessment frameworks as data: the High Impact Change Model and checklists like it.

A framework is a list of groups (the HICM's eight changes, or the sections of NHS
England's winter roles document), each with criteria rated on one scale: five
maturity levels with a text per level for every criterion (seed 003, '4. The
model'), or red, amber and green against a duty's text (seed 004). Files are
validated on load and every problem names the file, the path inside it and the fix
(DESIGN.md, 'Framework packs').
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from surgewatch.core.documents import COMMON_FIXES, DocumentError, Problem, parse_model
from surgewatch.core.pack import Slug, Strict

__all__ = [
    "BUNDLED_PACKAGE",
    "Criterion",
    "Framework",
    "FrameworkError",
    "Group",
    "LoadedFramework",
    "Scale",
    "bundled_framework_ids",
    "load_framework",
    "parse_framework",
]

BUNDLED_PACKAGE = "surgewatch.improvement.data"
# Named, not globbed: the data folder holds other improvement files too.
BUNDLED_FRAMEWORKS = ("hicm-2015", "nhse-winter-roles-2023-24")
FRAMEWORK_FIXES = {
    **COMMON_FIXES,
    "string_pattern_mismatch": "use lower-case letters, digits, '-' or '_'",
    "string_too_short": "write some text",
}
# Labels longer than this are cut at a word for tables, charts and spreadsheets.
LABEL_LENGTH = 80


class FrameworkError(DocumentError):
    """A framework file failed to load; ``problems`` lists every reason."""


class ScaleLevel(Strict):
    value: int = Field(ge=1, le=9)
    id: Slug
    name: str = Field(min_length=1)
    meaning: str = ""


class Scale(Strict):
    """``maturity``: every criterion has a text per level; ``rag``: one text, rated."""

    kind: Literal["maturity", "rag"]
    levels: list[ScaleLevel] = Field(min_length=2)

    @model_validator(mode="after")
    def _numbered_from_one(self) -> Scale:
        values = [level.value for level in self.levels]
        if values != list(range(1, len(values) + 1)):
            raise ValueError(
                f"levels: values are {values}; fix: number the levels 1, 2, 3 ... "
                "from least to most developed"
            )
        ids = [level.id for level in self.levels]
        if len(set(ids)) != len(ids):
            raise ValueError("levels: two levels share an id; fix: give each its own id")
        return self

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(level.value for level in self.levels)

    def level(self, value: int) -> ScaleLevel:
        return self.levels[value - 1]


class Owner(Strict):
    """Seed 004: who leads an intervention ('Lead' or 'Lead and support the delivery')."""

    kind: Slug
    role: Literal["leads", "leads and supports"]


class OrganisationKind(Strict):
    id: Slug
    name: str = Field(min_length=1)


class Criterion(Strict):
    id: Slug
    topic: str = ""
    text: str = ""
    levels: dict[Slug, str] = Field(default_factory=dict)
    owners: list[Owner] = Field(default_factory=list)

    @property
    def label(self) -> str:
        """A short name: the topic, else the duty's opening words, else the id."""
        if self.topic:
            return self.topic
        opening = self.text.strip().splitlines()[0] if self.text.strip() else self.id
        if len(opening) <= LABEL_LENGTH:
            return opening
        return opening[:LABEL_LENGTH].rsplit(" ", 1)[0] + "…"


class Group(Strict):
    id: Slug
    number: int = Field(ge=1)
    title: str = Field(min_length=1)
    description: str = ""
    organisation_kind: Slug | None = None
    criteria: list[Criterion] = Field(min_length=1)


class ActionPlanTemplate(Strict):
    """Seed 003, 'Action planning template': the four questions asked per change."""

    where_now: str = Field(min_length=1)
    what_to_do: str = Field(min_length=1)
    due_on: str = Field(min_length=1)
    success_measure: str = Field(min_length=1)


class Framework(Strict):
    id: Slug
    name: str = Field(min_length=1)
    short_name: str = Field(min_length=1)
    edition: str = Field(min_length=1)
    publisher: str = ""
    source: str = ""
    group_label: str = "change"
    scale: Scale
    action_plan: ActionPlanTemplate
    organisation_kinds: list[OrganisationKind] = Field(default_factory=list)
    groups: list[Group] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Framework:
        problems = [*self._unique_ids(), *self._criteria_fit_scale(), *self._kinds_known()]
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _unique_ids(self) -> list[str]:
        problems = []
        for what, seen in (
            ("group id", [g.id for g in self.groups]),
            ("group number", [str(g.number) for g in self.groups]),
            ("criterion id", [c.id for _, c in self.all_criteria()]),
        ):
            twice = sorted({s for s in seen if seen.count(s) > 1})
            if twice:
                problems.append(
                    f"groups: {what} {', '.join(twice)} used twice; fix: make it unique"
                )
        return problems

    def _criteria_fit_scale(self) -> list[str]:
        problems = []
        for index, group in enumerate(self.groups):
            for number, criterion in enumerate(group.criteria):
                where = f"groups.{index}({group.id}).criteria.{number}({criterion.id})"
                problems += [f"{where}.{p}" for p in self._fits(criterion)]
        return problems

    def _fits(self, criterion: Criterion) -> list[str]:
        """Problems as ``key: message; fix: ...`` relative to the criterion."""
        if self.scale.kind == "rag":
            problems = [] if criterion.text.strip() else ["text: empty; fix: write the duty"]
            if criterion.levels:
                problems.append("levels: a red/amber/green item has no level texts; fix: remove")
            return problems
        wanted = [level.id for level in self.scale.levels]
        missing = [w for w in wanted if not criterion.levels.get(w, "").strip()]
        unknown = sorted(set(criterion.levels) - set(wanted))
        problems = []
        if missing:
            problems.append(f"levels: no text for {', '.join(missing)}; fix: add the text")
        if unknown:
            known = ", ".join(wanted)
            problems.append(f"levels: unknown level {', '.join(unknown)}; fix: use {known}")
        return problems

    def _kinds_known(self) -> list[str]:
        known = {k.id for k in self.organisation_kinds}
        problems = []
        for index, group in enumerate(self.groups):
            where = f"groups.{index}({group.id})"
            if group.organisation_kind and group.organisation_kind not in known:
                problems.append(f"{where}.organisation_kind: {_unknown_kind(known)}")
            for number, criterion in enumerate(group.criteria):
                for owner in criterion.owners:
                    if owner.kind not in known:
                        here = f"{where}.criteria.{number}({criterion.id}).owners"
                        problems.append(f"{here}: '{owner.kind}' {_unknown_kind(known)}")
        return problems

    def all_criteria(self) -> list[tuple[Group, Criterion]]:
        return [(g, c) for g in self.groups for c in g.criteria]

    def criterion(self, criterion_id: str) -> tuple[Group, Criterion]:
        for group, criterion in self.all_criteria():
            if criterion.id == criterion_id:
                return group, criterion
        raise KeyError(criterion_id)

    def group(self, group_id: str) -> Group:
        for group in self.groups:
            if group.id == group_id:
                return group
        raise KeyError(group_id)

    def kind_name(self, kind: str) -> str:
        return next((k.name for k in self.organisation_kinds if k.id == kind), kind)


def _unknown_kind(known: set[str]) -> str:
    return f"is not an organisation kind; fix: use one of {', '.join(sorted(known)) or 'none'}"


@dataclass(frozen=True)
class LoadedFramework:
    """A framework with the exact text it came from, so a record can name its version."""

    framework: Framework
    sha256: str


def parse_framework(text: str, filename: str) -> Framework:
    """Validate YAML text as a framework; raise :class:`FrameworkError` listing every problem."""
    return parse_model(Framework, text, filename, FrameworkError, FRAMEWORK_FIXES)


def load_framework(source: str | Path) -> LoadedFramework:
    """Load a framework by bundled id (``hicm-2015``) or by file path."""
    path = _resolve(source)
    text = path.read_text(encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return LoadedFramework(parse_framework(text, str(path)), digest)


def bundled_framework_ids() -> list[str]:
    """Ids of the frameworks shipped inside the package, in the order pages list them."""
    return list(BUNDLED_FRAMEWORKS)


def _resolve(source: str | Path) -> Path:
    candidate = Path(source)
    if candidate.suffix in {".yaml", ".yml"} or candidate.exists():
        if not candidate.is_file():
            raise FrameworkError([Problem(str(source), "", "no such file; fix: check the path")])
        return candidate
    bundled = resources.files(BUNDLED_PACKAGE) / f"{source}.yaml"
    if str(source) not in BUNDLED_FRAMEWORKS or not bundled.is_file():
        known = ", ".join(bundled_framework_ids())
        message = f"no such framework; fix: use one of {known}"
        raise FrameworkError([Problem(str(source), "", message)])
    return Path(str(bundled))
