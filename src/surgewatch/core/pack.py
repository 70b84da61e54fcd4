"""Framework packs: a plan's escalation rules as validated data.

A pack is one YAML file. This module holds its schema (pydantic models); the
loader in :mod:`surgewatch.core.loader` turns validation failures into messages
that name the file, the path inside it and a fix. No rule of any plan is
written here: the models only say what shape a plan may take and which
combinations are contradictory (overlapping bands, unknown roles, ...).
"""

from __future__ import annotations

import itertools
import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

LEVELS: tuple[int, ...] = (1, 2, 3, 4)
Level = Annotated[int, Field(ge=1, le=4)]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]


def _clock_time(value: str) -> str:
    if not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", value):
        raise ValueError(f"'{value}' is not a time of day; fix: write HH:MM from 00:00 to 23:59")
    return value


ClockTime = Annotated[str, AfterValidator(_clock_time)]
EPSILON = 1e-9


class Strict(BaseModel):
    """Base for pack models: unknown keys are errors, values never mutate."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Direction(StrEnum):
    """Which way is good for an indicator (DESIGN.md, band semantics)."""

    LOWER_IS_BETTER = "lower_is_better"
    HIGHER_IS_BETTER = "higher_is_better"


class AreaStatus(StrEnum):
    """Why an area has no bands for an indicator."""

    NOT_MONITORED = "not_monitored"
    NO_THRESHOLDS = "no_thresholds"


class Area(Strict):
    id: Slug
    name: str


class Organisation(Strict):
    id: Slug
    name: str
    areas: list[Area] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_areas(self) -> Organisation:
        _require_unique([a.id for a in self.areas], "area")
        return self


class ValidRange(Strict):
    """Values outside this range are impossible for the unit and are refused."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> ValidRange:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}; fix: swap them")
        return self

    def contains(self, value: float) -> bool:
        above_min = self.min is None or value >= self.min
        return above_min and (self.max is None or value <= self.max)


BandRange = tuple[float, float]
AreaBands = dict[Level, BandRange]
AreaRule = AreaStatus | AreaBands


class Indicator(Strict):
    """One monitored measure with per-area trigger bands.

    ``areas`` maps each area to its printed bands (level -> [low, high], as
    the plan prints them), or to ``not_monitored`` (the plan says N/A), or to
    ``no_thresholds`` (recorded and charted, no level).
    """

    id: Slug
    name: str
    unit: str
    direction: Direction
    valid_range: ValidRange
    areas: dict[Slug, AreaRule] = Field(min_length=1)
    report_only: bool = False
    hold_hours: int = Field(default=0, ge=0, le=24 * 28)
    step: float = Field(default=1.0, gt=0)
    reported_by: list[Slug] = Field(default_factory=list)
    source: str = ""
    note: str = ""

    @model_validator(mode="after")
    def _bands_are_contiguous(self) -> Indicator:
        problems: list[str] = []
        for area, rule in self.areas.items():
            if isinstance(rule, dict):
                problems.extend(f"areas.{area}: {p}" for p in self._band_problems(rule))
        if self.report_only and any(isinstance(r, dict) for r in self.areas.values()):
            problems.append(
                "report_only indicators cannot have bands; fix: remove the bands or set "
                "report_only: false"
            )
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _band_problems(self, bands: AreaBands) -> list[str]:
        missing = [lvl for lvl in LEVELS if lvl not in bands]
        if missing:
            return [f"missing level {missing}; fix: give a [low, high] range for every level 1-4"]
        problems = [
            f"level {lvl} range {lo}-{hi} runs backwards; fix: write it as [{hi}, {lo}]"
            for lvl, (lo, hi) in bands.items()
            if lo > hi
        ]
        return problems or self._adjacency_problems(bands)

    def _adjacency_problems(self, bands: AreaBands) -> list[str]:
        order = LEVELS if self.direction is Direction.LOWER_IS_BETTER else LEVELS[::-1]
        problems = []
        for below, above in itertools.pairwise(order):
            (_, top), (bottom, _) = bands[below], bands[above]
            expected = top + self.step
            if bottom < expected - EPSILON:
                problems.append(
                    f"levels {below} and {above} overlap (level {below} ends at {_fmt(top)}, level "
                    f"{above} starts at {_fmt(bottom)}); fix: start level "
                    f"{above} at {_fmt(expected)}"
                )
            elif bottom > expected + EPSILON:
                problems.append(
                    f"gap between level {below} (ends {_fmt(top)}) and level {above} (starts "
                    f"{_fmt(bottom)}); fix: start level {above} at {_fmt(expected)}"
                )
        return problems


class SuggestedLevelRule(Strict):
    """How the organisation's suggested level is derived from indicator levels.

    ``highest``: the worst indicator level. ``at_least``: the highest level
    that at least ``count`` indicators have reached.
    """

    rule: Literal["highest", "at_least"]
    count: int = Field(default=1, ge=1)
    note: str = ""


class Scoring(Strict):
    """NHS-style weighted score normalised to 0-100 (seed 000, Table 1).

    ``level_points`` gives each indicator level its points; the score is the
    weighted sum over the weighted maximum, times 100. ``cutoffs`` are the
    upper bounds (inclusive) of OPEL 1, 2 and 3.
    """

    weights: dict[Slug, float]
    level_points: dict[Level, float] = Field(
        default_factory=lambda: {1: 0.0, 2: 1.0, 3: 2.0, 4: 3.0}
    )
    cutoffs: tuple[float, float, float] = (15.0, 40.0, 70.0)
    illustrative: bool = False

    @model_validator(mode="after")
    def _sane(self) -> Scoring:
        lo, mid, hi = self.cutoffs
        if not 0 <= lo < mid < hi <= 100:
            raise ValueError("cutoffs must rise within 0-100; fix: e.g. [15, 40, 70]")
        if any(w <= 0 for w in self.weights.values()):
            raise ValueError("weights must be positive; fix: remove the indicator instead")
        if sorted(self.level_points) != list(LEVELS):
            raise ValueError("level_points needs levels 1-4; fix: e.g. {1: 0, 2: 1, 3: 2, 4: 3}")
        return self


class Aggregation(Strict):
    """How a system's level is built from its members' (seed 000, Appendix 4)."""

    method: Literal["weighted_mean_level", "weighted_mean_score", "highest"]
    member_weights: dict[Slug, float] = Field(default_factory=dict)
    enact_member_level_from: Level = 3
    note: str = ""


class RoleScope(StrEnum):
    """Where a role's actions open (seed 000, sections 7 and 8: actions are 'triggered by
    the OPEL status of Kent County Council, the Area or region').

    ``organisation``: one card for the organisation, at the organisation's level.
    ``area``: one card per area, at that area's own level (or the declared level,
    when higher), for the people holding the role in that area.
    """

    ORGANISATION = "organisation"
    AREA = "area"


class Role(Strict):
    """A role of the plan. ``declares_level`` marks who may declare the organisation's level;
    ``scope`` says whether its actions open once for the organisation or once per area.

    ``sees_patient_records`` marks the roles that may open patient-level records (wash-up
    cases, placements, Care Act reviews) in the areas they hold the role for (issue 7,
    'Security'); everyone else, administrators included, sees only counts."""

    id: Slug
    name: str
    escalates_to: Slug | None = None
    external: bool = False
    declares_level: bool = False
    scope: RoleScope = RoleScope.ORGANISATION
    sees_patient_records: bool = False

    @model_validator(mode="after")
    def _declares_for_the_organisation(self) -> Role:
        if self.declares_level and self.scope is RoleScope.AREA:
            raise ValueError(
                f"role '{self.id}' declares the organisation's level but has scope: area; "
                "fix: set scope: organisation, or remove declares_level"
            )
        return self


class Action(Strict):
    id: Slug
    text: str
    due_within_hours: float | None = Field(default=None, gt=0)
    due_by: ClockTime | None = None


class RoleLevelActions(Strict):
    """What one role does at one level; ``continue_levels`` inherits lower levels."""

    business_as_usual: bool = False
    continue_levels: list[Level] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)


class ReportingWindow(Strict):
    name: str
    opens: ClockTime | None = None
    due: ClockTime


class Schedule(Strict):
    """When indicators are due, per level, in the pack's local time zone."""

    timezone: str = "Europe/London"
    grace_minutes: int = Field(default=30, ge=0, le=24 * 60)
    levels: dict[Level, list[ReportingWindow]]

    @model_validator(mode="after")
    def _every_level(self) -> Schedule:
        missing = [lvl for lvl in LEVELS if lvl not in self.levels]
        if missing:
            raise ValueError(f"missing level {missing}; fix: give the reporting windows per level")
        for level, windows in self.levels.items():
            for w in windows:
                if w.opens is not None and w.opens >= w.due:
                    raise ValueError(
                        f"level {level} window '{w.name}' opens at {w.opens}, not before it is "
                        f"due at {w.due}; fix: make opens earlier than due"
                    )
        return self


class Branch(Strict):
    """Who a protocol step goes to in and out of hours."""

    in_hours_role: Slug
    out_of_hours_role: Slug


class ProtocolStep(Strict):
    id: Slug
    text: str
    branch: Branch | None = None
    repeat_steps: list[Slug] = Field(default_factory=list)


class OfficeHours(Strict):
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]]
    start: ClockTime
    end: ClockTime


class Protocol(Strict):
    id: Slug
    name: str
    owner_role: Slug
    activation: Literal["manual", "automatic"] = "manual"
    from_level: Level = 3
    steps: list[ProtocolStep] = Field(min_length=1)
    review_every_hours: float | None = Field(default=None, gt=0)
    office_hours: OfficeHours | None = None
    source: str = ""


class Group(Strict):
    id: Slug
    name: str
    chair_role: Slug
    member_roles: list[Slug]
    purpose: str = ""


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WORKING_DAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")


class SystemCall(Strict):
    """A recurring multi-agency call (seed 000, section 5.1) and when it is held per level.

    ``times`` are local wall-clock times per level on the ``days`` given; the
    plan says frequency rises and falls with pressure, so more times at OPEL 3-4.
    """

    id: Slug
    name: str
    purpose: str = ""
    attended_by: list[Slug] = Field(default_factory=list)
    days: list[Weekday] = Field(default_factory=lambda: list(WORKING_DAYS))
    times: dict[Level, list[ClockTime]]

    @model_validator(mode="after")
    def _every_level(self) -> SystemCall:
        missing = [lvl for lvl in LEVELS if lvl not in self.times]
        if missing:
            raise ValueError(
                f"missing level {missing}; fix: give the call times per level ([] for none)"
            )
        return self


class ChecklistItem(Strict):
    text: str
    levels: list[Level] = Field(min_length=1)


class ActionTimers(Strict):
    """When a missed action deadline is chased: a reminder to the role at the
    deadline, then escalation to the role's ``escalates_to`` this long after it."""

    escalate_after_minutes: int = Field(default=60, ge=0, le=7 * 24 * 60)


class Pack(Strict):
    """A whole framework pack: one organisation's escalation plan as data."""

    id: Slug
    name: str
    version: str
    source: str
    illustrative: bool = False
    illustrative_note: str = ""
    colours: dict[Level, str] = Field(
        default_factory=lambda: {1: "green", 2: "amber", 3: "red", 4: "black"}
    )
    organisation: Organisation
    indicators: list[Indicator] = Field(min_length=1)
    suggested_level: SuggestedLevelRule
    scoring: Scoring | None = None
    aggregation: Aggregation | None = None
    roles: list[Role] = Field(default_factory=list)
    actions: dict[Slug, dict[Level, RoleLevelActions]] = Field(default_factory=dict)
    schedule: Schedule
    protocols: list[Protocol] = Field(default_factory=list)
    groups: list[Group] = Field(default_factory=list)
    deescalation_checklist: list[ChecklistItem] = Field(default_factory=list)
    # Roles told when the organisation's acting level reaches each level.
    level_change_notify: dict[Level, list[Slug]] = Field(default_factory=dict)
    calls: list[SystemCall] = Field(default_factory=list)
    action_timers: ActionTimers = Field(default_factory=ActionTimers)

    @model_validator(mode="after")
    def _references_resolve(self) -> Pack:
        problems = [
            *self._colour_problems(),
            *self._area_problems(),
            *self._role_problems(),
            *self._action_problems(),
            *self._scoring_problems(),
        ]
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def area_ids(self) -> list[str]:
        return [a.id for a in self.organisation.areas]

    @property
    def role_ids(self) -> list[str]:
        return [r.id for r in self.roles]

    def roles_scoped(self, scope: RoleScope) -> frozenset[str]:
        """Ids of the roles whose actions open with ``scope``."""
        return frozenset(r.id for r in self.roles if r.scope is scope)

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def _colour_problems(self) -> list[str]:
        missing = [lvl for lvl in LEVELS if lvl not in self.colours]
        return (
            [f"colours: missing level {missing}; fix: name a colour per level"] if missing else []
        )

    def _area_problems(self) -> list[str]:
        problems = []
        try:
            _require_unique([i.id for i in self.indicators], "indicator")
        except ValueError as exc:
            problems.append(f"indicators: {exc}")
        known = set(self.area_ids)
        for n, ind in enumerate(self.indicators):
            for area in ind.areas:
                if area not in known:
                    problems.append(
                        _unknown(
                            f"{_at('indicators', n, ind.id)}.areas.{area}", "area", area, known
                        )
                    )
        return problems

    def _role_problems(self) -> list[str]:
        known = set(self.role_ids)
        refs = self._role_references()
        return [_unknown(path, "role", role, known) for path, role in refs if role not in known]

    def _role_references(self) -> list[tuple[str, str]]:
        refs = [(f"actions.{role}", role) for role in self.actions]
        refs += [
            (f"roles.{r.id}.escalates_to", r.escalates_to) for r in self.roles if r.escalates_to
        ]
        for n, ind in enumerate(self.indicators):
            refs += [(f"{_at('indicators', n, ind.id)}.reported_by", r) for r in ind.reported_by]
        for n, p in enumerate(self.protocols):
            where = _at("protocols", n, p.id)
            refs.append((f"{where}.owner_role", p.owner_role))
            for step in p.steps:
                if step.branch:
                    branch = step.branch
                    refs.append((f"{where}.steps.{step.id}.branch", branch.in_hours_role))
                    refs.append((f"{where}.steps.{step.id}.branch", branch.out_of_hours_role))
        for n, call in enumerate(self.calls):
            refs += [(f"{_at('calls', n, call.id)}.attended_by", r) for r in call.attended_by]
        for level, roles in self.level_change_notify.items():
            refs += [(f"level_change_notify.{level}", role) for role in roles]
        for n, g in enumerate(self.groups):
            refs += [(_at("groups", n, g.id), role) for role in [g.chair_role, *g.member_roles]]
        return refs

    def _action_problems(self) -> list[str]:
        problems = [*self._duplicate_action_ids(), *self._escalation_loops(), *self._step_refs()]
        for role, levels in self.actions.items():
            if role not in self.role_ids:
                continue
            missing = [lvl for lvl in LEVELS if lvl not in levels]
            if missing:
                problems.append(
                    f"actions.{role}: missing level {missing}; fix: add the level, with "
                    "business_as_usual: true if nothing changes"
                )
            for level, entry in levels.items():
                for inherited in entry.continue_levels:
                    if inherited >= level:
                        problems.append(
                            f"actions.{role}.{level}.continue_levels: level {inherited} is not "
                            f"below {level}; fix: a level can only continue lower levels' actions"
                        )
        return problems

    def _duplicate_action_ids(self) -> list[str]:
        seen: dict[str, str] = {}
        problems = []
        for role, levels in self.actions.items():
            for level, entry in levels.items():
                for action in entry.actions:
                    where = f"actions.{role}.{level}"
                    if action.id in seen:
                        problems.append(
                            f"{where}: action id '{action.id}' is already used at {seen[action.id]}"
                            "; fix: give each action its own id"
                        )
                    seen.setdefault(action.id, where)
        return problems

    def _escalation_loops(self) -> list[str]:
        boss = {r.id: r.escalates_to for r in self.roles}
        problems = []
        for role in boss:
            chain, current = [role], boss[role]
            while current is not None and current not in chain and current in boss:
                chain.append(current)
                current = boss[current]
            if current == role:
                problems.append(
                    f"roles.{role}.escalates_to: goes round in a loop ({' -> '.join(chain)} -> "
                    f"{role}); fix: end the chain at a role with no escalates_to"
                )
        return problems

    def _step_refs(self) -> list[str]:
        problems = []
        for n, protocol in enumerate(self.protocols):
            ids = {s.id for s in protocol.steps}
            for step in protocol.steps:
                where = f"{_at('protocols', n, protocol.id)}.steps.{step.id}.repeat_steps"
                problems += [
                    _unknown(where, "step", r, ids) for r in step.repeat_steps if r not in ids
                ]
        return problems

    def _scoring_problems(self) -> list[str]:
        if self.scoring is None:
            return []
        known = {i.id for i in self.indicators}
        return [
            _unknown(f"scoring.weights.{ind}", "indicator", ind, known)
            for ind in self.scoring.weights
            if ind not in known
        ]


def _require_unique(ids: list[str], kind: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"{kind} id '{item}' is used twice; fix: give each {kind} its own id")
        seen.add(item)


def _unknown(path: str, kind: str, value: str, known: set[str]) -> str:
    choices = ", ".join(sorted(known)) or "none defined"
    return f"{path}: unknown {kind} '{value}'; fix: use one of {choices}"


def _at(collection: str, index: int, item_id: str) -> str:
    """A list entry's path as the loader renders it: ``indicators.3(referrals)``."""
    return f"{collection}.{index}({item_id})"


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
