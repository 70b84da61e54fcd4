"""Backup and restore of the whole database, with a manifest that proves the round trip.

Issue 8: a backup restored must give back the same records, table by table.
SQLite is copied with its online backup API (a consistent copy while the app
runs); PostgreSQL with ``pg_dump --format=custom`` and ``pg_restore``, which
must be on the PATH (the ``postgresql-client`` package) at the server's
major version or later. Beside every backup ``PATH`` goes ``PATH.manifest.json``:
each table's row count and a SHA-256 of its rows, taken from the same snapshot
as the backup (the copy itself for SQLite; an exported snapshot shared with
``pg_dump`` for PostgreSQL). A restore checks the result against it.

A restore replaces every record in the database. Stop the web server and the
worker first; restore into the same Surgewatch version (same migrations).
Refusals (:class:`BackupError`) are raised before anything is touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from django.db import connection

MANIFEST_SUFFIX = ".manifest.json"
FORMAT = "surgewatch-backup/1"
# The first bytes of each kind of file, so a wrong file is refused before anything is touched.
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
SERVER_CURSOR_ROWS = 5000


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and how to fix it."""


class _Cursor(Protocol):
    """What the table listing needs of a DB-API cursor, SQLite's or psycopg's."""

    def execute(self, query: str, /) -> Any: ...

    def fetchall(self) -> list[Any]: ...


@dataclass(frozen=True)
class TableDigest:
    rows: int
    sha256: str


Digests = dict[str, TableDigest]


@dataclass(frozen=True)
class Outcome:
    """What a backup or restore did: where, which engine, and each table's count and hash."""

    path: Path
    engine: str
    tables: Digests
    mismatches: tuple[str, ...] = ()

    @property
    def records(self) -> int:
        return sum(t.rows for t in self.tables.values())


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


# --- backup -------------------------------------------------------------------------------


def backup(path: Path, *, now: datetime) -> Outcome:
    """Write a backup of the configured database to ``path`` and its manifest beside it."""
    if path.exists() or manifest_path(path).exists():
        raise BackupError(f"{path} already exists; fix: choose a new file name")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a folder; fix: create it first")
    engine = _engine()
    tables = _backup_sqlite(path) if engine == "sqlite" else _backup_postgresql(path)
    _write_manifest(path, engine, tables, now)
    return Outcome(path, engine, tables)


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def _backup_sqlite(path: Path) -> Digests:
    """The online backup API copies a consistent snapshot even while the app writes."""
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
        # The copy takes the source's WAL mode; one self-contained file is easier to keep.
        target.execute("PRAGMA journal_mode=DELETE")
        return table_digests(target.cursor(), _sqlite_tables(target.cursor()))
    finally:
        target.close()


def _backup_postgresql(path: Path) -> Digests:
    """``pg_dump`` and the hashes read one exported snapshot, so they describe the same data."""
    pg_dump = _tool("pg_dump")
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        with raw.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
            _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", "--file", str(path)])
            tables = _postgresql_tables(cursor)
        return table_digests_postgresql(raw, tables)
    finally:
        raw.close()


def _write_manifest(path: Path, engine: str, tables: Digests, now: datetime) -> None:
    manifest = {
        "format": FORMAT,
        "engine": engine,
        "created_at": now.isoformat(),
        "tables": {name: {"rows": d.rows, "sha256": d.sha256} for name, d in tables.items()},
    }
    manifest_path(path).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


# --- restore ------------------------------------------------------------------------------


def restore(path: Path) -> Outcome:
    """Replace the configured database's contents with the backup at ``path``, then check it.

    ``mismatches`` names every table whose count or hash differs from the manifest.
    """
    engine = _engine()
    expected = _read_manifest(path, engine)
    _check_kind(path, engine)
    if engine == "sqlite":
        _restore_sqlite(path)
    else:
        _restore_postgresql(path)
    found = current_digests()
    return Outcome(path, engine, found, _mismatches(expected, found))


def _read_manifest(path: Path, engine: str) -> Digests:
    if not path.is_file():
        raise BackupError(f"{path} is not a file; fix: give the path 'surgewatch backup' wrote")
    where = manifest_path(path)
    try:
        manifest = json.loads(where.read_text())
        tables = {
            n: TableDigest(int(t["rows"]), str(t["sha256"])) for n, t in manifest["tables"].items()
        }
        made_by = manifest["engine"]
    except FileNotFoundError:
        raise BackupError(f"{where} is missing; fix: keep the manifest beside the backup") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BackupError(f"{where} is not a backup manifest ({exc!r})") from None
    if made_by != engine:
        raise BackupError(
            f"{path} is a {made_by} backup and this database is {engine}; "
            "fix: restore into the same kind of database"
        )
    return tables


def _check_kind(path: Path, engine: str) -> None:
    magic = SQLITE_MAGIC if engine == "sqlite" else PG_DUMP_MAGIC
    with path.open("rb") as file:
        if file.read(len(magic)) != magic:
            raise BackupError(f"{path} is not a {engine} backup (its first bytes are wrong)")


def _restore_sqlite(path: Path) -> None:
    """Copy the backup over the live database in one step; SQLite locks it meanwhile."""
    connection.close()
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        source.execute("PRAGMA quick_check")  # a damaged copy fails here, before any write
        source.backup(connection.connection)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} cannot be read as a database ({exc})") from None
    finally:
        source.close()


def _restore_postgresql(path: Path) -> None:
    """One transaction: a failed restore leaves the database as it was."""
    pg_restore = _tool("pg_restore")
    connection.close()  # no session of ours holds a lock or a plan on the old tables
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            str(connection.settings_dict["NAME"]),
            str(path),
        ]
    )


def _mismatches(expected: Digests, found: Digests) -> tuple[str, ...]:
    names = sorted(set(expected) | set(found))
    return tuple(n for n in names if expected.get(n) != found.get(n))


# --- what a database holds ----------------------------------------------------------------


def current_digests() -> Digests:
    """Each table's row count and content hash in the configured database, as of now."""
    if connection.vendor == "sqlite":
        return _sqlite_digests()
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        with raw.cursor() as cursor:
            tables = _postgresql_tables(cursor)
        return table_digests_postgresql(raw, tables)
    finally:
        raw.close()


def _sqlite_digests() -> Digests:
    """Through a plain connection of our own: Django's turns timestamps into datetimes, and a
    backup file is read without that, so both sides must see the stored text alike."""
    name = str(connection.settings_dict["NAME"])
    plain = sqlite3.connect(name, uri=name.startswith("file:"))
    try:
        return table_digests(plain.cursor(), _sqlite_tables(plain.cursor()))
    finally:
        plain.close()


def _sqlite_tables(cursor: _Cursor) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [name for (name,) in cursor.fetchall()]


def _postgresql_tables(cursor: _Cursor) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    return [name for (name,) in cursor.fetchall()]


def table_digests(cursor: Any, tables: Iterable[str]) -> Digests:
    """Count and hash each table's rows through one DB-API cursor (SQLite streams them)."""
    found = {}
    for table in tables:
        cursor.execute(_ordered_select(cursor, table))
        found[table] = _digest(cursor)
    return found


def table_digests_postgresql(raw: Any, tables: Iterable[str]) -> Digests:
    """Through server-side cursors, so a table of ten million readings is never all in memory."""
    found = {}
    for table in tables:
        with raw.cursor() as plain:
            query = _ordered_select(plain, table)
        with raw.cursor(name="surgewatch_digest") as cursor:
            cursor.itersize = SERVER_CURSOR_ROWS
            cursor.execute(query)
            found[table] = _digest(cursor)
    return found


def _ordered_select(cursor: Any, table: str) -> str:
    """Every column, ordered by all of them, so the same rows always hash the same."""
    quoted = '"' + table.replace('"', '""') + '"'
    cursor.execute(f"SELECT * FROM {quoted} WHERE 1 = 0")
    columns = len(cursor.description)
    order = ", ".join(str(n) for n in range(1, columns + 1))
    cursor.fetchall()
    return f"SELECT * FROM {quoted} ORDER BY {order}"


def _digest(rows: Iterator[Any] | Any) -> TableDigest:
    digest, count = hashlib.sha256(), 0
    for row in rows:
        digest.update(repr(tuple(row)).encode())
        digest.update(b"\n")
        count += 1
    return TableDigest(count, digest.hexdigest())


# --- running the PostgreSQL tools ---------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not on the PATH; fix: install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client) at the server's version or later"
        )
    return found


def _run(command: list[str]) -> None:
    """Connection details go through libpq's environment, never the command line (ps shows it)."""
    result = subprocess.run(command, env=_libpq_env(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} failed ({result.returncode}): {result.stderr.strip()}")


def _libpq_env() -> dict[str, str]:
    settings = connection.settings_dict
    env = dict(os.environ)
    for key, variable in (
        ("NAME", "PGDATABASE"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
    ):
        if settings.get(key):
            env[variable] = str(settings[key])
    return env
