"""Status board response time as history grows, against the same board at a small history.

    uv run python bench/bench_board.py [--small | --large] [--database-url URL] [--keep]

On PostgreSQL (the server ``--database-url`` names; default: DATABASE_URL, else
postgres://postgres@127.0.0.1:5432/test): creates ``surgewatch_bench_board``,
migrates it, seeds the demonstration data (90 days, seed 1) and tops history
up with older generated readings to 100,000 rows. That database is the peer.
It is then cloned to ``surgewatch_bench_board_grown``, whose history grows to
10,000,000 rows (``--small``: 1,000,000). The board reads CurrentReading,
never history (issue 3), so the target is that the grown board takes no more
than 1.5x the 100,000-reading one.

Generated rows are valid reports: every monitored cell of both packs, values
through the cell's bands (``surgewatch.web.demo.walk``), levels from the
engine (``classify_levels``), observed every five minutes going back from
the start of the demonstration history, so CurrentReading keeps pointing at
the latest rows. They are written with COPY; foreign-key triggers are skipped
while loading, as pg_restore does, since every generated key exists. VACUUM
ANALYZE follows each load.

Timing: the board (Django test client, signed in as the demo superuser) is
requested in alternating blocks against the two databases, so load from
other processes on a shared machine falls on both alike; each figure is the
median of 30 requests after warm-ups. Both databases are dropped at the end
unless --keep (the grown one takes about 3 GB).

Runtime on the 2-core development machine: --small under a minute, the full
run about five minutes (the 9.9-million-row COPY with its index upkeep
takes four).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import numpy.typing as npt
import psycopg

# The engine and the value walk are Django-free; Django modules load after setup_django().
from surgewatch.core import assess as engine
from surgewatch.core.bands import BandTable, Cell, CellStatus, classify_levels, colour_of
from surgewatch.core.pack import Pack
from surgewatch.web.demo.walk import FLOOR, TOP, values_for

if TYPE_CHECKING:
    from django.test import Client

BENCH_DB = "surgewatch_bench_board"
GROWN_DB = f"{BENCH_DB}_grown"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"
BASE_ROWS = 100_000
SIZES = {"small": 1_000_000, "large": 10_000_000}
CHUNK = 500_000
SPACING = np.timedelta64(5, "m")  # generated history: one reading per cell every five minutes
WARM_UPS, ROUNDS, BLOCK = 10, 6, 5  # 6 rounds x 5 timed requests = 30 per database
TARGET = 1.5
COLUMNS = (
    "indicator, area_id, value, observed_at, kind, submitted_by_id, submitted_at, reason, "
    "framework_id, level, colour, cell_status, warnings"
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--small", action="store_true", help="grow to 1,000,000 readings")
    size.add_argument("--large", action="store_true", help="grow to 10,000,000 (default)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_URL)
    parser.add_argument("--keep", action="store_true", help="keep both databases afterwards")
    args = parser.parse_args()
    grown = SIZES["small" if args.small else "large"]
    started = time.perf_counter()
    base_url = fresh_database(args.database_url, BENCH_DB)
    setup_django(base_url)
    filler = seed_base()
    load(filler, base_url, BASE_ROWS)
    grown_url = clone_database(args.database_url, BENCH_DB, GROWN_DB)
    load(filler, grown_url, grown)
    base_s, grown_s = time_boards(BENCH_DB, GROWN_DB)
    report(base_s, grown_s, grown)
    print(f"whole run: {time.perf_counter() - started:.0f} s")
    if not args.keep:
        drop_databases(args.database_url, BENCH_DB, GROWN_DB)


def report(base_s: float, grown_s: float, grown: int) -> None:
    print(f"board at {BASE_ROWS:,} readings: median {base_s * 1000:.1f} ms")
    print(f"board at {grown:,} readings: median {grown_s * 1000:.1f} ms")
    ratio = grown_s / base_s
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(f"ratio: {ratio:.2f}x the {BASE_ROWS:,}-reading board ({verdict} target <= {TARGET}x)")


def _with_name(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def fresh_database(url: str, name: str) -> str:
    """Drop and create database ``name`` on the server ``url`` names; return its URL."""
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"{url}: the board benchmark needs PostgreSQL; fix: --database-url postgres://...")
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    return _with_name(url, name)


def clone_database(url: str, source: str, name: str) -> str:
    """A file-level copy of ``source`` (no session may be connected to it meanwhile)."""
    from django.db import connections

    connections.close_all()
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        for attempt in range(10):
            try:
                admin.execute(f"CREATE DATABASE {name} TEMPLATE {source}")
                break
            except psycopg.errors.ObjectInUse:  # an autovacuum worker still on the source
                time.sleep(1 + attempt)
        else:
            sys.exit(f"{source} stayed in use by another session; fix: rerun the benchmark")
    return _with_name(url, name)


def drop_databases(url: str, *names: str) -> None:
    from django.db import connections

    connections.close_all()
    with psycopg.connect(url, autocommit=True) as admin:
        for name in names:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def setup_django(url: str) -> None:
    # Test settings: fast password hashing, 'testserver' allowed, no WhiteNoise.
    os.environ["DJANGO_SETTINGS_MODULE"] = "surgewatch.web.settings.test"
    os.environ["DATABASE_URL"] = url
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


@dataclass
class Filler:
    """Generated older history: per monitored cell, the constant parts of its COPY rows."""

    cells: list[CellRows]
    oldest: np.datetime64  # the demonstration history starts here
    written: int = 0  # generated rows so far, so each load continues further back


@dataclass(frozen=True)
class CellRows:
    cell: Cell
    table: BandTable  # its organisation's compiled bands
    number: int  # the cell's index in that table
    prefix: str  # indicator, area_id
    reporter: str  # submitted_by_id
    suffixes: tuple[str, ...]  # by level 0-4: framework_id .. warnings


def seed_base() -> Filler:
    from django.utils import timezone

    from surgewatch.web.demo.seed import seed_demo
    from surgewatch.web.reporting.models import Reading

    now = timezone.now()
    seed_demo(days=90, seed=1, now=now)
    first = Reading.objects.order_by("observed_at").values_list("observed_at", flat=True)[0]
    oldest = np.datetime64(first.replace(tzinfo=None), "s")
    return Filler(_cell_rows(), oldest)


def _cell_rows() -> list[CellRows]:
    from surgewatch.web.demo.personas import reporters
    from surgewatch.web.orgs.models import Organisation
    from surgewatch.web.orgs.packs import pack_of, table_of

    rows = []
    for org in Organisation.objects.select_related("framework").order_by("slug"):
        pack, table = pack_of(org.framework), table_of(org.framework)
        areas = dict(org.areas.values_list("slug", "pk"))
        users = _user_ids()
        cast = reporters(org.slug, table, {i.id: i.reported_by for i in pack.indicators})
        for number, cell in enumerate(table.cells):
            if cell.status is CellStatus.NOT_MONITORED:
                continue
            key = (cell.indicator.id, cell.area)
            prefix = f"{key[0]}\t{areas[cell.area]}\t"
            suffixes = _suffixes(pack, key, org.framework_id)
            rows.append(CellRows(cell, table, number, prefix, str(users[cast[key][0]]), suffixes))
    return rows


def _user_ids() -> dict[str, int]:
    from surgewatch.web.accounts.models import User

    return dict(User.objects.values_list("username", "pk"))


def _suffixes(pack: Pack, key: tuple[str, str], framework_id: int) -> tuple[str, ...]:
    """Row endings by level (0 = no level): the engine's colour, cell status and warnings."""
    sample = engine.assess(pack, [engine.Reading(*key, 0.0)]).results[0]
    status = sample.status.value
    # Generated values stay inside the printed bands, so only unbanded cells warn.
    warnings = json.dumps(list(sample.warnings) if sample.level is None else [])
    endings = []
    for level in range(5):
        shown = str(level) if level else "\\N"
        colour = colour_of(pack, level or None)
        endings.append(f"\t\t{framework_id}\t{shown}\t{colour}\t{status}\t{warnings}\n")
    return tuple(endings)


def load(filler: Filler, url: str, total: int) -> None:
    """Top the database at ``url`` up to ``total`` readings, then VACUUM ANALYZE it."""
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM reporting_reading").fetchone()
    missing = total - (row[0] if row else 0)
    started = time.perf_counter()
    copy_rows(filler, url, missing)
    vacuum_analyze(url)
    took = time.perf_counter() - started
    print(f"loaded {missing:,} readings (total {total:,}) in {took:.0f} s", flush=True)


def copy_rows(filler: Filler, url: str, count: int) -> None:
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # skip FK triggers (see docstring)
        cur.execute("SET synchronous_commit = off")
        with cur.copy(f"COPY reporting_reading ({COLUMNS}) FROM STDIN") as copy:
            for chunk in _chunks(filler, count):
                copy.write(chunk)


def _chunks(filler: Filler, count: int) -> Iterator[str]:
    rng = np.random.default_rng(20261123 + filler.written)
    for start in range(0, count, CHUNK):
        yield _chunk_text(filler, min(CHUNK, count - start), rng)


def _chunk_text(filler: Filler, n: int, rng: np.random.Generator) -> str:
    """``n`` rows as COPY text, spread over the cells, each cell's rows further back in time."""
    cells = filler.cells
    serial = filler.written + np.arange(n)
    which = serial % len(cells)
    steps = serial // len(cells) + 1
    filler.written += n
    observed = filler.oldest - steps * SPACING
    values = np.empty(n)
    levels = np.empty(n, dtype=np.uint8)
    pressure = rng.uniform(FLOOR, TOP, n)
    for c, rows in enumerate(cells):
        mask = which == c
        values[mask] = values_for(rows.cell, pressure[mask])
        numbers = np.full(int(mask.sum()), rows.number, dtype=np.int32)
        levels[mask] = classify_levels(rows.table, numbers, values[mask])
    return _format(cells, which, values, levels, observed)


def _format(
    cells: list[CellRows],
    which: npt.NDArray[np.int64],
    values: npt.NDArray[np.float64],
    levels: npt.NDArray[np.uint8],
    observed: npt.NDArray[np.datetime64],
) -> str:
    seen = np.datetime_as_string(observed, unit="s").tolist()
    sent = np.datetime_as_string(observed + np.timedelta64(3, "m"), unit="s").tolist()
    prefixes = [c.prefix for c in cells]
    users = [c.reporter for c in cells]
    endings = [c.suffixes for c in cells]
    return "".join(
        f"{prefixes[c]}{v}\t{o}+00\treport\t{users[c]}\t{s}+00{endings[c][lv]}"
        for c, v, o, s, lv in zip(
            which.tolist(), values.tolist(), seen, sent, levels.tolist(), strict=True
        )
    )


def vacuum_analyze(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def time_boards(*databases: str) -> list[float]:
    """Median seconds per board request on each database, timed in alternating blocks."""
    clients = {name: _signed_in(name) for name in databases}
    for name in databases:
        _requests(name, clients[name], WARM_UPS)
    times: dict[str, list[float]] = {name: [] for name in databases}
    gc.collect()  # garbage left by the loads would otherwise be collected mid-timing
    for _ in range(ROUNDS):
        for name in databases:
            times[name] += _requests(name, clients[name], BLOCK + 1)[1:]  # first one reconnects
    return [statistics.median(times[name]) for name in databases]


def _use(name: str) -> None:
    """Point Django's connection at database ``name``; it reconnects on the next query."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def _signed_in(name: str) -> Client:
    from django.test import Client

    from surgewatch.web.accounts.models import User

    _use(name)
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    return client


def _requests(name: str, client: Client, count: int) -> list[float]:
    """Seconds for each of ``count`` board requests; every response must be a 200."""
    from django.urls import reverse

    _use(name)
    url = reverse("board")
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            sys.exit(f"board on {name} answered {response.status_code}")
    return times


if __name__ == "__main__":
    main()
