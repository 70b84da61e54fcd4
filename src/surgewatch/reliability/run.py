"""``python -m surgewatch.reliability.run``: the load and fault suite, start to finish (issue 8).

Starts a private PostgreSQL cluster and Redis, gunicorn with production
settings and ``surgewatch worker``, and the SMTP and webhook receivers; makes
the cast; drives a compressed reporting day while it kill -9s the app server,
restarts PostgreSQL, kill -9s Redis and makes both receivers refuse; waits
for the worker to catch up; then prints the latency figures and the counts.
Exits 1 when any count is wrong. Loopback only; everything it starts, it stops.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from surgewatch.reliability import processes
from surgewatch.reliability.client import Call, HttpTransport, Ledger, Planned, drive, figures
from surgewatch.reliability.receivers import Receivers
from surgewatch.reliability.workload import Day, Feeds, plan_day

KINDS = ("readings", "declaration", "board", "healthz")
PORTS = {"postgres": 5442, "redis": 6390, "app": 8390, "smtp": 8391, "webhook": 8392}


@dataclass
class Stack:
    pg: processes.PrivatePostgres
    redis: processes.Child
    app: processes.Child
    worker: processes.Child
    receivers: Receivers


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/reliability", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--seconds", type=float, default=120, help="length of the compressed day")
    parser.add_argument("--organisations", type=int, default=200)
    parser.add_argument("--viewers", type=int, default=10, help="signed-in board viewers")
    parser.add_argument("--rounds", type=int, default=2, choices=(1, 2, 3), help="reports per site")
    parser.add_argument(
        "--threads", type=int, default=8, help="client threads (concurrent requests)"
    )
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--app-workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--catch-up", type=float, default=300, help="seconds to wait for the worker"
    )
    parser.add_argument("--no-faults", action="store_true", help="load only: measure the figures")
    parser.add_argument(
        "--folder", type=Path, default=Path(f"/tmp/surgewatch-reliability-{os.getuid()}")
    )
    return parser.parse_args(argv)


def environment(pg_url: str) -> dict[str, str]:
    """Production settings on loopback; short backoff cap so retries fit in the run."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "surgewatch.web.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DATABASE_URL": pg_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "REDIS_URL": f"redis://127.0.0.1:{PORTS['redis']}/0",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(PORTS["smtp"]),
        "EMAIL_TIMEOUT": "5",
        "NOTIFY_WEBHOOK_TIMEOUT_SECONDS": "5",
        "NOTIFY_BACKOFF_CAP_MINUTES": "1",
        "SITE_URL": f"http://127.0.0.1:{PORTS['app']}",
    }


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    args.folder.mkdir(parents=True, exist_ok=True)
    for old in args.folder.glob("*.log"):  # each run's logs are its own
        old.unlink()
    pg = processes.PrivatePostgres(args.folder / "pg", PORTS["postgres"])
    stack = None
    try:
        pg.start()
        pg.fresh_database()
        env = environment(pg.url)
        os.environ.update(env)  # this process sets up and checks through the same settings
        stack = _start(args, pg, env)
        return _run(args, stack)
    finally:
        _stop(stack, pg)


def _start(args: argparse.Namespace, pg: processes.PrivatePostgres, env: dict[str, str]) -> Stack:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    logs = args.folder
    redis = processes.redis(PORTS["redis"], logs / "redis.log")
    redis.start()
    processes.wait_for_port(PORTS["redis"])
    receivers = Receivers(PORTS["smtp"], PORTS["webhook"])
    receivers.start()
    app = processes.gunicorn(PORTS["app"], args.app_workers, env, logs / "gunicorn.log")
    worker = processes.worker(env, logs / "worker.log")
    return Stack(pg, redis, app, worker, receivers)


def _run(args: argparse.Namespace, stack: Stack) -> int:
    from django.db import connections

    from surgewatch.reliability.fixtures import make_cast

    start = datetime.now(UTC).replace(microsecond=0)
    made = time.monotonic()
    cast = make_cast(
        args.organisations, args.viewers, f"http://127.0.0.1:{PORTS['webhook']}/hook", start
    )
    took = time.monotonic() - made
    print(f"cast: {args.organisations} organisations, {args.viewers} viewers in {took:.1f} s")
    connections.close_all()
    stack.app.start()
    stack.worker.start()
    processes.wait_for_port(PORTS["app"])
    _warm_up(HttpTransport("127.0.0.1", PORTS["app"]), (cast.sessions or [""])[0])
    day = Day(seconds=args.seconds, rounds=args.rounds)
    feeds = Feeds({f.organisation: f.token for f in cast.feeds}, cast.sessions)
    plan = plan_day(day, feeds, run_id=secrets.token_hex(4), start=start, seed=20261203)
    ledger = Ledger()
    print(
        f"load: {len(plan)} planned calls over {day.seconds:.0f} s, {args.threads} client threads"
    )
    took, faults = asyncio.run(_load(args, stack, plan, ledger))
    load = os.getloadavg()
    caught_up = _catch_up(stack, args.catch_up)
    return _report(ledger, took, faults, load, caught_up, stack)


def _warm_up(transport: HttpTransport, session: str) -> None:
    """Until each gunicorn worker has loaded the app, the first requests measure imports."""
    headers = {"X-Forwarded-Proto": "https", "Cookie": f"sessionid={session}"}
    for _ in range(20):
        transport(Call("warm-up", "GET", "/", headers=headers))


async def _load(
    args: argparse.Namespace, stack: Stack, plan: list[Planned], ledger: Ledger
) -> tuple[float, list[str]]:
    transport = HttpTransport("127.0.0.1", PORTS["app"])
    faults: list[str] = []
    schedule = asyncio.create_task(_faults(args, stack, faults)) if not args.no_faults else None
    took = await drive(
        plan,
        transport,
        ledger,
        threads=args.threads,
        time_limit=args.seconds,
        max_requests=args.max_requests,
    )
    if schedule is not None:
        await schedule
    return took, faults


async def _faults(args: argparse.Namespace, stack: Stack, log: list[str]) -> None:
    """Each fault at its share of the run, while the load goes on."""
    began = time.monotonic()
    steps: list[tuple[float, str, Callable[[], None]]] = [
        (0.15, "kill -9 gunicorn, restart after 2 s", lambda: _bounce(stack.app, PORTS["app"], 2)),
        (0.30, "restart PostgreSQL (immediate mode)", stack.pg.restart),
        (0.50, "kill -9 Redis, restart after 8 s", lambda: _bounce(stack.redis, PORTS["redis"], 8)),
        (
            0.65,
            "SMTP and webhook receivers refuse for 20% of the run",
            stack.receivers.tally.failing.set,
        ),
        (0.85, "receivers accept again", stack.receivers.tally.failing.clear),
    ]
    for share, name, act in steps:
        await asyncio.sleep(max(0.0, began + share * args.seconds - time.monotonic()))
        at = time.monotonic() - began
        await asyncio.to_thread(act)
        log.append(f"{at:6.1f} s  {name} (took {time.monotonic() - began - at:.1f} s)")


def _bounce(child: processes.Child, port: int, down: float) -> None:
    child.kill9()
    time.sleep(down)
    child.start()
    processes.wait_for_port(port)


def _catch_up(stack: Stack, seconds: float) -> float | None:
    """Seconds until nothing is waiting and every level is current; None if it never got there."""
    from django.db import connections
    from django.utils import timezone

    from surgewatch.reliability.checks import Counts, levels_and_cards
    from surgewatch.web.notify.models import PENDING, Message

    began = time.monotonic()
    while time.monotonic() - began < seconds:
        connections.close_all()  # PostgreSQL was restarted under this process's feet
        if stack.worker.process is not None and stack.worker.process.poll() is not None:
            print(f"the worker exited with {stack.worker.process.returncode}; restarting it")
            stack.worker.start()
        counts = Counts()
        levels_and_cards(timezone.now(), counts)
        waiting = Message.objects.filter(status__in=PENDING).count()
        if waiting == 0 and counts.figures["organisations whose recorded level is behind"] == 0:
            return time.monotonic() - began
        time.sleep(5)
    return None


def _report(
    ledger: Ledger,
    took: float,
    faults: list[str],
    load: tuple[float, float, float],
    caught_up: float | None,
    stack: Stack,
) -> int:
    from django.utils import timezone

    from surgewatch.reliability import checks

    print("\nfaults:\n  " + "\n  ".join(faults or ["none (--no-faults)"]))
    averages = " ".join(f"{x:.2f}" for x in load)
    print(f"\nfigures over {took:.1f} s (load average {averages}, {os.cpu_count()} cores):")
    for kind in KINDS:
        print("  " + figures(ledger, kind, took).line())
    for kind in KINDS:
        print(f"  {kind} answers: {_answers(ledger, kind)}")
    print(
        f"  write retries {ledger.retries}, idempotent replays {ledger.replayed}, "
        f"refused {len(ledger.refused)}, given up {len(ledger.given_up)}"
    )
    for call, status, body in list(ledger.refused.values())[:5]:
        print(f"  refused {call.kind} {call.path}: {status} {body[:200]!r}")
    print(
        f"  worker caught up after the load in {caught_up:.0f} s"
        if caught_up is not None
        else "  worker did NOT catch up"
    )
    counts = checks.Counts()
    checks.readings_stored(ledger, counts)
    checks.declarations_stored(ledger, counts)
    checks.levels_and_cards(timezone.now(), counts)
    checks.notifications(counts, stack.receivers.tally.received)
    counts.figures["receiver refusals (while failing)"] = stack.receivers.tally.refused
    print("\ncounts:")
    for name, value in counts.figures.items():
        print(f"  {name:<50} {value:>7}")
    for problem in counts.problems:
        print(f"PROBLEM: {problem}")
    print(
        "\nresult: "
        + (
            "every count as it should be"
            if not counts.problems
            else f"{len(counts.problems)} problem(s)"
        )
    )
    return 1 if counts.problems or caught_up is None else 0


def _answers(ledger: Ledger, kind: str) -> str:
    """Each status and how often it came, 'none' where the connection failed first."""
    found = sorted((s, n) for (k, s), n in ledger.statuses.items() if k == kind)
    return ", ".join(f"{s or 'none'} x{n}" for s, n in found) or "-"


def _stop(stack: Stack | None, pg: processes.PrivatePostgres) -> None:
    if stack is not None:
        for child in (stack.app, stack.worker, stack.redis):
            child.stop()
        stack.receivers.stop()
    if "django" in sys.modules:  # this process held connections to the cluster
        from django.db import connections

        connections.close_all()
    with contextlib.suppress(subprocess.CalledProcessError):  # it was not running
        pg.stop()


if __name__ == "__main__":
    sys.exit(main())
