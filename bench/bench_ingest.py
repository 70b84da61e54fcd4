"""Bulk ingest through the API against PostgreSQL COPY of the same rows, in the same run.

    uv run python bench/bench_ingest.py [--readings 20000] [--batch 500]

The API side is the real code path: Django's test client posts JSON batches
to /api/readings with a bearer token, through the middleware, the token
check, ninja's parsing and validation, scope checks, the engine, the insert
and the current-reading upkeep, one transaction per request. The peer is
``COPY ... FROM STDIN`` (psycopg) of the very rows the API stored, the
fastest way PostgreSQL takes rows in. Target (issue 3): the API at 30% or
more of COPY's throughput. For context it also times the same COPY committed
once per batch, the database's floor for one transaction per request. Each
timing is the best of several repeats.

Runs in a throwaway database (``surgewatch_bench`` beside the one in
DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test), created and
migrated at the start and dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/14"
BENCH_DATABASE = "surgewatch_bench"
REPEATS = 7
ORGANISATION = "kcc-asch"
ROLE = "stp-team-manager"  # organisation-wide, so every area it reports is in scope
COPY_COLUMNS = (
    "indicator",
    "area_id",
    "value",
    "observed_at",
    "kind",
    "submitted_by_id",
    "submitted_at",
    "reason",
    "framework_id",
    "level",
    "colour",
    "cell_status",
    "warnings",
)

Row = dict[str, Any]


def database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextmanager
def throwaway_database(base: str) -> Iterator[str]:
    """A fresh database beside ``base``'s, dropped afterwards whatever happens."""
    name = sql.Identifier(BENCH_DATABASE)
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
    try:
        yield database_url(base, BENCH_DATABASE)
    finally:
        close_django_connections()
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def close_django_connections() -> None:
    """Django holds connections to the bench database; DROP DATABASE needs them gone."""
    from django.conf import settings

    if settings.configured:
        from django.db import connections

        connections.close_all()


def start_django(url: str) -> None:
    """Test settings: no debug query log, fast password hashing; the database is ours.

    The task queue is production's: the level check each request queues runs in
    the worker, not in the request, so it is queued on Redis (127.0.0.1:6379)
    when Redis answers, else on SQLite in a temporary file, never run inline.
    """
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "surgewatch.web.settings.test")
    import django
    from django.conf import settings
    from django.core.management import call_command

    settings.HUEY = _queue_settings()
    django.setup()
    call_command("migrate", verbosity=0)


def _queue_settings() -> dict[str, Any]:
    import tempfile
    from pathlib import Path

    import redis

    from surgewatch.web.settings.base import huey_settings

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        config = huey_settings(REDIS_URL, Path("unused"))
    except redis.RedisError:
        config = huey_settings(None, Path(tempfile.mkdtemp()) / "huey.sqlite3")
    return {**config, "name": "surgewatch-bench"}


def queue_label() -> str:
    from django.conf import settings

    return str(settings.HUEY["huey_class"])


def flush_queue() -> None:
    from huey.contrib.djhuey import HUEY

    HUEY.flush()


def token_for_reporter() -> str:
    from surgewatch.web.accounts.models import User
    from surgewatch.web.api.services import issue_token
    from surgewatch.web.orgs.selectors import organisation_by_slug
    from surgewatch.web.orgs.services import add_membership, install_pack

    install_pack("kent-ascch")
    user = User.objects.create_user(username="bench-feed", password="not-used")
    add_membership(user, organisation_by_slug(ORGANISATION), ROLE)
    return issue_token(user, "bench")[1]


def reported_cells() -> list[tuple[str, str]]:
    """Every (indicator, area) the role reports that has a level or is recorded."""
    from surgewatch.core.bands import CellStatus
    from surgewatch.web.orgs.packs import pack_of, table_of
    from surgewatch.web.orgs.selectors import organisation_by_slug

    framework = organisation_by_slug(ORGANISATION).framework
    pack, table = pack_of(framework), table_of(framework)
    ours = {i.id for i in pack.indicators if ROLE in i.reported_by}
    return [
        (c.indicator.id, c.area)
        for c in table.cells
        if c.indicator.id in ours and c.status is not CellStatus.NOT_MONITORED
    ]


def synthetic(cells: list[tuple[str, str]], n: int, seed: int = 20261123) -> list[Row]:
    """Hourly reports of every cell, oldest first, ending an hour ago; values in range."""
    rng = random.Random(seed)
    hours = -(-n // len(cells))
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours)
    rows = [
        {
            "organisation": ORGANISATION,
            "area": area,
            "indicator": indicator,
            "value": round(rng.uniform(0, 100), 1),
            "observed_at": (first + timedelta(hours=h)).isoformat().replace("+00:00", "Z"),
        }
        for h in range(hours)
        for indicator, area in cells
    ]
    return rows[:n]


def bodies(rows: list[Row], batch: int) -> list[str]:
    """Serialised up front: a feed's own JSON encoding is not the server's work."""
    return [json.dumps({"readings": rows[i : i + batch]}) for i in range(0, len(rows), batch)]


def empty_reading_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE reporting_currentreading, reporting_reading CASCADE")


def post_all(token: str, batches: list[str]) -> float:
    from django.test import Client

    client = Client(headers={"Authorization": f"Bearer {token}"})
    start = time.perf_counter()
    for body in batches:
        response = client.post("/api/readings", body, content_type="application/json")
        if response.status_code != 201:
            raise SystemExit(f"API refused a batch: {response.status_code} {response.content!r}")
    return time.perf_counter() - start


def stored_rows() -> list[tuple[Any, ...]]:
    from django.db import connection

    columns = ", ".join(c if c != "warnings" else "warnings::text" for c in COPY_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM reporting_reading ORDER BY id")
        return list(cursor.fetchall())


def check_stored(rows: list[tuple[Any, ...]], n: int, n_cells: int) -> None:
    """Every reading stored; the cells reported in the last hour stand at that hour."""
    from django.db.models import Max

    from surgewatch.web.reporting.models import CurrentReading, Reading

    latest = Reading.objects.aggregate(at=Max("observed_at"))["at"]
    standing = CurrentReading.objects.filter(reading__observed_at=latest).count()
    if (len(rows), standing) != (n, (n - 1) % n_cells + 1):
        raise SystemExit(f"stored {len(rows)} of {n}; {standing} cells stand at the last hour")


def copy_all(url: str, rows: list[tuple[Any, ...]], chunk: int) -> float:
    """COPY the rows, committing every ``chunk`` rows (all at once when chunk >= len(rows))."""
    statement = sql.SQL("COPY reporting_reading ({}) FROM STDIN").format(
        sql.SQL(", ").join(sql.Identifier(c) for c in COPY_COLUMNS)
    )
    with psycopg.connect(url) as conn:
        start = time.perf_counter()
        for first in range(0, len(rows), chunk):
            with conn.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows[first : first + chunk]:
                    copy.write_row(row)
            conn.commit()
        return time.perf_counter() - start


def measure(url: str, n: int, batch: int) -> tuple[float, float, float, int]:
    """Best times of the API, one COPY, and COPY committed per batch, the runs
    interleaved so load on the machine falls on all alike.

    The third is context, not the target's peer: the database's own floor for
    one transaction per request, before any checking, scope or engine work.
    """
    token = token_for_reporter()
    cells = reported_cells()
    batches = bodies(synthetic(cells, n), batch)
    post_all(token, batches[:1])  # warm caches: pack parse, band table, connections
    api_times, copy_times, chunked_times = [], [], []
    for _ in range(REPEATS):
        empty_reading_tables()
        api_times.append(post_all(token, batches))
        rows = stored_rows()
        check_stored(rows, n, len(cells))
        empty_reading_tables()
        copy_times.append(copy_all(url, rows, len(rows)))
        empty_reading_tables()
        chunked_times.append(copy_all(url, rows, batch))
    return min(api_times), min(copy_times), min(chunked_times), len(cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--readings", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500, help="readings per request")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL") or DEFAULT_URL
    with throwaway_database(base) as url:
        start_django(url)
        try:
            api_s, copy_s, chunked_s, n_cells = measure(url, args.readings, args.batch)
        finally:
            flush_queue()
    n, requests = args.readings, -(-args.readings // args.batch)
    print(f"readings: {n:,} over {n_cells} cells ({ORGANISATION}), {requests} x {args.batch}")
    print(f"task queue: {queue_label()} (each request queues one level check for the worker)")
    print(f"API POST /api/readings: {api_s:.3f} s  ({n / api_s:,.0f} readings/s)")
    print(f"PostgreSQL COPY:        {copy_s:.3f} s  ({n / copy_s:,.0f} readings/s)")
    print(f"ratio: API at {copy_s / api_s:.0%} of COPY throughput (target >= 30%)")
    print(
        f"context: COPY committed every {args.batch} rows: {chunked_s:.3f} s "
        f"({n / chunked_s:,.0f} readings/s, {copy_s / chunked_s:.0%} of one COPY)"
    )


if __name__ == "__main__":
    main()
