"""Backup and restore round-trip a loaded database (issue 8, 'Load and faults').

Rule under test: ``surgewatch backup`` then ``surgewatch restore`` gives back
every table with the same record count and the same content hash, on SQLite
(online backup API) and on PostgreSQL (pg_dump and pg_restore), the latter
when DATABASE_URL points at PostgreSQL. A refused restore changes nothing.
The database is committed to (transactional tests): pg_dump and a second
SQLite connection see only what is committed.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection

from surgewatch.cli import main
from surgewatch.web import backup as backups
from surgewatch.web.accounts.models import User
from surgewatch.web.demo.seed import seed_demo
from surgewatch.web.escalation.models import Declaration
from surgewatch.web.reporting.models import CurrentReading, Reading

NOW = datetime(2026, 1, 7, 15, 0, tzinfo=UTC)
DAYS = 3


@pytest.fixture
def loaded(transactional_db: None) -> backups.Digests:
    """Three days of demonstration history, committed; each table's count and hash."""
    if connection.vendor == "postgresql" and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed (Debian: apt-get install postgresql-client)")
    seed_demo(days=DAYS, seed=1, now=NOW)
    return backups.current_digests()


def _counts() -> tuple[int, int, int, int]:
    return (
        Reading.objects.count(),
        CurrentReading.objects.count(),
        Declaration.objects.count(),
        User.objects.count(),
    )


def _damage() -> None:
    """Lose and change records after the backup, as a bad deploy or a mistake would."""
    Reading.objects.filter(pk__in=Reading.objects.order_by("pk")[:5].values("pk")).update(value=-1)
    CurrentReading.objects.all().delete()
    User.objects.create_user(username="after-the-backup", password="not-used")


def test_a_restore_gives_back_every_table_with_the_same_counts_and_hashes(
    loaded: backups.Digests, tmp_path: Path
) -> None:
    counts = _counts()
    assert counts[0] > 50 and counts[1] > 0 and counts[3] > 10  # a loaded database
    assert loaded["reporting_reading"].rows == counts[0]

    made = backups.backup(tmp_path / "surgewatch.backup", now=NOW)
    assert made.engine == connection.vendor
    assert made.tables == loaded  # hashed from the backup's own snapshot
    assert backups.manifest_path(made.path).is_file()

    _damage()
    damaged = backups.current_digests()
    assert {n for n in loaded if damaged[n] != loaded[n]} >= {
        "reporting_reading",
        "reporting_currentreading",
        "accounts_user",
    }

    restored = backups.restore(made.path)
    assert restored.mismatches == ()
    assert restored.tables == loaded
    assert backups.current_digests() == loaded
    assert _counts() == counts
    assert not User.objects.filter(username="after-the-backup").exists()


def test_the_commands_back_up_and_restore_and_report(
    loaded: backups.Digests, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nightly.backup"
    assert main(["backup", str(path)]) == 0
    out = capsys.readouterr().out
    records = sum(d.rows for d in loaded.values())
    assert f"{len(loaded)} tables, {records:,} records" in out

    _damage()
    assert main(["restore", str(path)]) == 2  # no --yes: nothing touched
    assert "run again with --yes" in capsys.readouterr().err
    assert User.objects.filter(username="after-the-backup").exists()

    assert main(["restore", str(path), "--yes"]) == 0
    assert "every count and hash as in the manifest" in capsys.readouterr().out
    assert backups.current_digests() == loaded


def test_a_backup_never_overwrites_a_file(loaded: backups.Digests, tmp_path: Path) -> None:
    path = tmp_path / "taken.backup"
    path.write_bytes(b"someone else's file")
    with pytest.raises(backups.BackupError, match="already exists; fix: choose a new file name"):
        backups.backup(path, now=NOW)
    assert path.read_bytes() == b"someone else's file"


def test_a_file_that_is_not_a_backup_is_refused_and_changes_nothing(
    loaded: backups.Digests, tmp_path: Path
) -> None:
    made = backups.backup(tmp_path / "good.backup", now=NOW)
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"\x00\x01 not a database")
    shutil.copy(backups.manifest_path(made.path), backups.manifest_path(junk))
    with pytest.raises(backups.BackupError, match=r"is not a .* backup"):
        backups.restore(junk)
    with pytest.raises(backups.BackupError, match=r"manifest\.json is missing"):
        backups.restore(tmp_path / "good.backup.manifest.json")  # the manifest, not the backup
    backups.manifest_path(made.path).write_text("{not json")
    with pytest.raises(backups.BackupError, match="is not a backup manifest"):
        backups.restore(made.path)
    assert backups.current_digests() == loaded


def test_a_damaged_backup_is_refused_and_changes_nothing(
    loaded: backups.Digests, tmp_path: Path
) -> None:
    made = backups.backup(tmp_path / "cut.backup", now=NOW)
    content = made.path.read_bytes()
    made.path.write_bytes(content[: len(content) // 2])  # a copy cut short
    with pytest.raises(backups.BackupError):
        backups.restore(made.path)
    assert backups.current_digests() == loaded


def test_a_restore_names_the_tables_that_differ_from_the_manifest(
    loaded: backups.Digests, tmp_path: Path
) -> None:
    made = backups.backup(tmp_path / "edited.backup", now=NOW)
    manifest = backups.manifest_path(made.path)
    manifest.write_text(manifest.read_text().replace('"rows": ', '"rows": 1', 1))
    restored = backups.restore(made.path)
    assert len(restored.mismatches) == 1
    assert restored.tables == loaded  # the data came back; the manifest was what changed
