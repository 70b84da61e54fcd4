"""Retention of patient-level records (issue 7, 'Security'): closed cases are deleted once
PATIENT_RECORD_RETENTION_DAYS have passed since they closed, by ``surgewatch purge`` and
the worker's daily task; open cases stay however old; every deletion is audited."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings
from huey.contrib.djhuey import HUEY

from surgewatch.cli import main
from surgewatch.web.accounts.models import User
from surgewatch.web.audit.models import AuditAction, AuditEntry
from surgewatch.web.orgs.models import Area
from surgewatch.web.washup import retention, tasks
from surgewatch.web.washup.demo import example_case, example_fields
from surgewatch.web.washup.models import WashupCase, WashupCaseRevision
from surgewatch.web.washup.services import update_case

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
CALLED: list[tuple[datetime, bool]] = []


def _closed(user: User, area: Area, reference: str, closed_days_ago: int) -> WashupCase:
    """Opened, then closed through the service: two revisions."""
    closed_at = NOW - timedelta(days=closed_days_ago)
    opened_at = closed_at - timedelta(days=20)
    case = example_case(user, area, opened_at, reference=reference)
    given = replace(
        example_fields(opened_at, reference),
        discharge_date=closed_at.date(),
        actual_outcome="home-with-support",
    )
    return update_case(user, case, given, closed_at)


@pytest.fixture
def cases(dgs_member: User, dgs: Area) -> dict[str, WashupCase]:
    return {
        "old-closed": _closed(dgs_member, dgs, "OLD-1", 400),
        "recent-closed": _closed(dgs_member, dgs, "NEW-1", 30),
        "old-open": example_case(dgs_member, dgs, NOW - timedelta(days=500), reference="OPEN-1"),
    }


def _washup(done: list[retention.Purged]) -> retention.Purged:
    """This app's result (other apps' purges run too: the placement timers' among them)."""
    (ours,) = [d for d in done if d.what == "wash-up cases"]
    return ours


def _left() -> set[str]:
    return set(WashupCase.objects.values_list("reference", flat=True))


def _revisions_left() -> dict[str, int]:
    found = WashupCaseRevision.objects.values_list("case__reference", flat=True)
    return {ref: list(found).count(ref) for ref in set(found)}


def test_a_purge_deletes_closed_cases_past_retention_only_and_audits_each(
    cases: dict[str, WashupCase],
) -> None:
    old = cases["old-closed"]
    purged = sorted(str(pk) for pk in old.revisions.values_list("pk", flat=True))
    done = _washup(retention.run_purges(NOW))
    assert (done.count, done.dry_run) == (1, False)
    assert _left() == {"NEW-1", "OPEN-1"}
    deleted = AuditEntry.objects.get(action=AuditAction.DELETED, model="washup.washupcase")
    assert deleted.object_id == str(old.pk)
    # Its revisions went with it, each on the log; the others' stay whole.
    gone = AuditEntry.objects.filter(action=AuditAction.DELETED, model="washup.washupcaserevision")
    assert len(purged) == 2
    assert sorted(gone.values_list("object_id", flat=True)) == purged
    assert _revisions_left() == {"NEW-1": 2, "OPEN-1": 1}


def test_a_dry_run_counts_and_deletes_nothing(cases: dict[str, WashupCase]) -> None:
    done = _washup(retention.run_purges(NOW, dry_run=True))
    assert (done.count, done.dry_run) == (1, True)
    assert _left() == {"OLD-1", "NEW-1", "OPEN-1"}
    assert _revisions_left() == {"OLD-1": 2, "NEW-1": 2, "OPEN-1": 1}


@override_settings(PATIENT_RECORD_RETENTION_DAYS=20)
def test_the_retention_period_is_a_setting(cases: dict[str, WashupCase]) -> None:
    retention.run_purges(NOW)
    assert _left() == {"OPEN-1"}


def test_a_case_closed_exactly_at_the_cutoff_is_kept(dgs_member: User, dgs: Area) -> None:
    _closed(dgs_member, dgs, "EDGE-1", 365)
    retention.run_purges(NOW)
    assert _left() == {"EDGE-1"}


def _recording_purge(cutoff: datetime, dry_run: bool) -> retention.Purged:
    CALLED.append((cutoff, dry_run))
    return retention.Purged("placement timers", 0, dry_run)


@override_settings(
    PATIENT_RECORD_PURGES=[
        "surgewatch.web.washup.retention.purge_closed_cases",
        f"{__name__}._recording_purge",
    ]
)
def test_another_app_plugs_its_purge_in_through_the_setting(db: None) -> None:
    CALLED.clear()
    done = retention.run_purges(NOW, dry_run=True)
    assert [d.what for d in done] == ["wash-up cases", "placement timers"]
    assert [(NOW - timedelta(days=365), True)] == CALLED


def test_the_command_reports_and_deletes(
    cases: dict[str, WashupCase], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["purge", "--dry-run"]) == 0
    assert "wash-up cases: would delete 1 closed more than 365 days ago" in capsys.readouterr().out
    # The real clock: OLD-1 closed 400 days before 1 June 2026 is long past retention today.
    assert main(["purge"]) == 0
    assert "wash-up cases: deleted" in capsys.readouterr().out
    assert "OLD-1" not in _left() and "OPEN-1" in _left()
    entry = AuditEntry.objects.get(action=AuditAction.DELETED, model="washup.washupcase")
    assert entry.actor == "command:purge"


def test_the_worker_purges_daily(cases: dict[str, WashupCase]) -> None:
    periodic = {t.__name__: t for t in HUEY._registry._periodic_tasks}
    task = periodic["purge_patient_records"]
    runs = [datetime(2026, 6, 1, h, m) for h in range(24) for m in (0, 30)]
    assert [r for r in runs if task().validate_datetime(r)] == [datetime(2026, 6, 1, 2, 30)]
    tasks.purge_patient_records.call_local()
    assert "OLD-1" not in _left() and {"NEW-1", "OPEN-1"} <= _left()
