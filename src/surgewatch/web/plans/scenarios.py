"""Stored patient-flow scenarios (issue 6): load them with their plan, and store new versions.

A scenario file refers to other files by relative path: ``plan:`` to the plan
it builds on and ``extends:`` to a base scenario (``surgewatch.planning.flow.loading``).
Stored, those references are records chosen on the form: a stored plan
version (its capacity part) and a stored base scenario version. The flow
loader reads files, so loading writes the chosen plan beside the scenario in a
temporary folder and points ``plan:`` at it; the base is merged in as the
loader would (each top-level key given replaces the base's) and the merged
scenario is stored, so a run never depends on what happens to the base later.
A file with any problem is refused with the loader's messages (file, path,
fix) and nothing is saved.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from surgewatch.core.documents import read_yaml
from surgewatch.planning.flow.loading import LoadedScenario, parse_scenario
from surgewatch.planning.loading import PlanError, Problem
from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.plans.models import PlanVersion, Scenario, ScenarioVersion
from surgewatch.web.plans.permissions import require_edit_plans

TYPED_FILENAME = "scenario.yaml"
PLAN_FILENAME = "plan.yaml"


@dataclass(frozen=True)
class ScenarioFile:
    """What was sent: the text, its name, and the records its references resolve to."""

    text: str
    filename: str
    plan_version: PlanVersion | None
    base: ScenarioVersion | None
    change_note: str


def load_version(version: ScenarioVersion) -> LoadedScenario:
    """A stored version, loaded again by the flow core (it was checked when stored)."""
    data = yaml.safe_load(version.resolved_yaml)
    return _load(data, version.filename or TYPED_FILENAME, version.plan_version)


def capacity_text(plan_version: PlanVersion) -> str:
    """The capacity document of a stored plan file (which may hold several documents)."""
    documents = [d for d in yaml.safe_load_all(plan_version.yaml_text) if isinstance(d, dict)]
    capacity = next(d for d in documents if "sites" in d)
    return yaml.safe_dump(capacity, sort_keys=False, allow_unicode=True)


def _load(data: dict[str, Any], filename: str, plan_version: PlanVersion | None) -> LoadedScenario:
    """Parse ``data`` with its ``plan:`` pointing at ``plan_version``, in a temporary folder."""
    data = dict(data)
    with tempfile.TemporaryDirectory(prefix="surgewatch-scenario-") as folder:
        if plan_version is not None and "plan" in data:
            (Path(folder) / PLAN_FILENAME).write_text(capacity_text(plan_version), "utf-8")
            data["plan"] = PLAN_FILENAME
        try:
            return parse_scenario(data, Path(folder) / Path(filename).name)
        except PlanError as exc:
            raise PlanError([_shown(p, folder) for p in exc.problems]) from None


def _shown(problem: Problem, folder: str) -> Problem:
    """The problem as the user sees the file: without the temporary folder's name."""

    def strip(text: str) -> str:
        return text.replace(folder + "/", "").replace(folder, "")

    return Problem(strip(problem.file), problem.path, strip(problem.message))


def resolve(sent: ScenarioFile) -> tuple[dict[str, Any], LoadedScenario]:
    """The scenario with its base merged in, loaded; ValidationError naming every problem."""
    filename = sent.filename or TYPED_FILENAME
    errors: dict[str, list[str]] = {}
    if not sent.change_note.strip():
        errors["change_note"] = ["say what this version changes; fix: write a change note"]
    try:
        data = _merged(read_yaml(sent.text, filename, PlanError), filename, sent)
        loaded = _load(data, filename, plan_for(sent))
    except PlanError as exc:
        errors["text"] = [str(p) for p in exc.problems]
    except _FieldError as exc:
        errors.setdefault(exc.field, []).append(exc.message)
    if errors:
        raise ValidationError(errors)
    return data, loaded


class _FieldError(Exception):
    """A reference the form's choices must settle (the plan or the base scenario)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _merged(data: dict[str, Any], filename: str, sent: ScenarioFile) -> dict[str, Any]:
    """The base's keys, replaced by each top-level key this file gives (as the loader does)."""
    extends = data.pop("extends", None)
    if extends is not None and sent.base is None:
        raise _FieldError(
            "base",
            f"{filename}: extends: names '{extends}'; fix: choose the stored scenario it "
            "builds on under 'Builds on scenario'",
        )
    if extends is not None and sent.base is not None:
        data = {**yaml.safe_load(sent.base.resolved_yaml), **data}
    if "plan" in data and plan_for(sent) is None:
        raise _FieldError(
            "plan_version",
            f"{filename}: plan: names '{data['plan']}'; fix: choose the stored plan this "
            "scenario builds on",
        )
    return data


def plan_for(sent: ScenarioFile) -> PlanVersion | None:
    """The plan a version records: the one chosen, else its base's."""
    if sent.plan_version is None and sent.base is not None:
        return sent.base.plan_version
    return sent.plan_version


def create_scenario(
    user: User, organisation: Organisation, *, title: str, sent: ScenarioFile, now: datetime
) -> ScenarioVersion:
    """Store a new scenario and its version 1; ``title`` defaults to the file's own title."""
    require_edit_plans(user, organisation)
    _check_scope(organisation, sent)
    data, loaded = resolve(sent)
    with transaction.atomic():
        scenario = Scenario.objects.create(
            organisation=organisation,
            title=title.strip() or loaded.scenario.title,
            created_by=user,
            created_at=now,
        )
        return _store(scenario, 1, user, sent, data, now)


def add_scenario_version(
    user: User, scenario: Scenario, *, sent: ScenarioFile, now: datetime
) -> ScenarioVersion:
    """Store ``sent`` as the scenario's next version, unless it repeats the latest one."""
    require_edit_plans(user, scenario.organisation)
    _check_scope(scenario.organisation, sent)
    data, _ = resolve(sent)
    with transaction.atomic():
        # Locking the scenario row serialises two editors, so numbers never collide.
        locked = Scenario.objects.select_for_update().get(pk=scenario.pk)
        latest = locked.latest_version()
        same_refs = (latest.plan_version_id, latest.base_id) == (
            getattr(plan_for(sent), "pk", None),
            getattr(sent.base, "pk", None),
        )
        if latest.sha256 == _sha256(sent.text) and same_refs:
            raise ValidationError(
                {"text": f"this is version {latest.number}; fix: change the scenario"}
            )
        return _store(locked, latest.number + 1, user, sent, data, now)


def _check_scope(organisation: Organisation, sent: ScenarioFile) -> None:
    """References stay inside the organisation (the form offers only its own)."""
    plan = sent.plan_version
    base = sent.base
    if plan is not None and plan.plan.organisation_id != organisation.pk:
        raise ValidationError({"plan_version": "not a plan of this organisation"})
    if base is not None and base.scenario.organisation_id != organisation.pk:
        raise ValidationError({"base": "not a scenario of this organisation"})


def _store(
    scenario: Scenario,
    number: int,
    user: User,
    sent: ScenarioFile,
    data: dict[str, Any],
    now: datetime,
) -> ScenarioVersion:
    version = ScenarioVersion(
        scenario=scenario,
        number=number,
        yaml_text=sent.text,
        resolved_yaml=yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
        sha256=_sha256(sent.text),
        filename=sent.filename[-255:],
        plan_version=plan_for(sent),
        base=sent.base,
        change_note=sent.change_note.strip(),
        uploaded_by=user,
        uploaded_at=now,
    )
    version.save()
    return version


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
