"""Load a governance history file (version table, sign-off schedule, plan tests) into an
organisation (``surgewatch governance load-history``, and the demo).

Loading is idempotent: a row already stored with the same content is left alone,
so a file can be loaded again after lines are added. A row stored with other
content is a problem; problems are collected for the whole file, and a file with
any refuses whole (nothing is saved).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db import transaction

from surgewatch.core.documents import Problem
from surgewatch.exercise.history import (
    ExerciseRow,
    GovernanceHistory,
    HistoryError,
    SignOffRow,
    VersionRow,
    parse_history,
)
from surgewatch.web.governance.models import DocumentVersion, ExerciseEntry, SignOffMeeting
from surgewatch.web.orgs.models import Organisation


@dataclass(frozen=True)
class LoadSummary:
    added: int
    unchanged: int


@dataclass
class _Load:
    organisation: Organisation
    history: GovernanceHistory
    filename: str
    now: datetime
    added: int = 0
    unchanged: int = 0

    def __post_init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.filename, path, message))

    @property
    def source(self) -> str:
        return self.history.source or self.filename


def load_history_file(path: Path, organisation: Organisation, *, now: datetime) -> LoadSummary:
    """Parse and load ``path``; raises :class:`HistoryError` listing every problem."""
    history = parse_history(path.read_text(encoding="utf-8"), str(path))
    return load_history(organisation, history, str(path), now=now)


def load_history(
    organisation: Organisation, history: GovernanceHistory, filename: str, *, now: datetime
) -> LoadSummary:
    load = _Load(organisation, history, filename, now)
    with transaction.atomic():
        for i, row in enumerate(history.versions):
            _version(load, i, row)
        for i, meeting in enumerate(history.sign_off):
            _sign_off(load, i, meeting)
        for i, test in enumerate(history.exercises):
            _exercise(load, i, test)
        if load.problems:
            transaction.set_rollback(True)
    if load.problems:
        raise HistoryError(load.problems)
    return LoadSummary(load.added, load.unchanged)


def _version(load: _Load, i: int, row: VersionRow) -> None:
    wanted = {
        "revised_on": row.date,
        "status": row.status.value,
        "summary": row.summary,
        "reviewed_by": row.reviewed_by.strip(),
    }
    key = {"organisation": load.organisation, "document": load.history.document.strip()}
    stored = DocumentVersion.objects.filter(**key, version=row.version).first()
    if stored is None:
        DocumentVersion.objects.create(
            **key, version=row.version, source=load.source, loaded_at=load.now, **wanted
        )
        load.added += 1
    elif _same(stored, wanted):
        load.unchanged += 1
    else:
        load.problem(
            f"versions.{i}({row.version})",
            "this version is already loaded with different content; fix: a version is "
            "kept as it was recorded, so give the change a new version number",
        )


def _sign_off(load: _Load, i: int, row: SignOffRow) -> None:
    wanted = {
        "meeting": row.meeting,
        "anticipated_month": row.anticipated_month,
        "meeting_date": row.date,
    }
    key = {"organisation": load.organisation, "document": load.history.document.strip()}
    stored = SignOffMeeting.objects.filter(**key, position=i + 1).first()
    if stored is None:
        SignOffMeeting.objects.create(
            **key, position=i + 1, outcome=row.outcome.strip(), source=load.source, **wanted
        )
        load.added += 1
    elif _same(stored, wanted) and (not row.outcome or stored.outcome == row.outcome.strip()):
        load.unchanged += 1
    else:
        load.problem(
            f"sign_off.{i}({row.meeting})",
            f"meeting {i + 1} of the schedule is already loaded as '{stored.meeting}' "
            f"({stored.anticipated}) with other details; fix: add new meetings at the end, "
            "and record outcomes on the governance page",
        )


def _exercise(load: _Load, i: int, row: ExerciseRow) -> None:
    linked = _linked_version(load, i, row)
    wanted = {
        "kind": row.kind.value,
        "scenario": row.scenario,
        "what_happened": row.what_happened.strip(),
        "lessons": row.lessons,
        "plan_changes": row.plan_changes.strip(),
        "document_version": linked,
    }
    key = {"organisation": load.organisation, "held_on": row.date, "title": row.title}
    stored = ExerciseEntry.objects.filter(**key).first()
    if stored is None:
        ExerciseEntry.objects.create(**key, recorded_at=load.now, source=load.source, **wanted)
        load.added += 1
    elif _same(stored, wanted):
        load.unchanged += 1
    else:
        load.problem(
            f"exercises.{i}({row.title})",
            "this test is already in the log with different content; fix: the log keeps "
            "entries as recorded, so record a further entry with its own title",
        )


def _linked_version(load: _Load, i: int, row: ExerciseRow) -> DocumentVersion | None:
    if not row.plan_version:
        return None
    found = DocumentVersion.objects.filter(
        organisation=load.organisation,
        document=load.history.document.strip(),
        version=row.plan_version,
    ).first()
    if found is None:
        load.problem(
            f"exercises.{i}({row.title}).plan_version",
            f"no version '{row.plan_version}' of '{load.history.document}' is loaded for "
            f"{load.organisation.slug}; fix: load the version table first, or check the "
            "document name and the version",
        )
    return found


def _same(stored: object, wanted: Mapping[str, object]) -> bool:
    return all(getattr(stored, name) == value for name, value in wanted.items())
