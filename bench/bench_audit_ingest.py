"""What the audit log costs the bulk ingest path: the API with and without it, same run.

    uv run python bench/bench_audit_ingest.py [--readings 20000] [--batch 500] [--rounds 6]

The peer is the same process posting the same batches with the audit log's
recording switched off (``surgewatch.web.audit.bulk._suppressed``), in
alternating rounds, so load from anything else on the machine falls on both
sides alike. Each side's best round is compared. Uses ``bench_ingest.py``'s
throwaway PostgreSQL database, token and synthetic feed. Target (issue 8): a
modest fall, the log at 90% or more of the throughput without it.
"""

from __future__ import annotations

import argparse
import os

import bench_ingest as ingest  # type: ignore[import-not-found]  # beside this script


def rounds(token: str, batches: list[str], count: int) -> dict[str, list[float]]:
    from surgewatch.web.audit import bulk

    times: dict[str, list[float]] = {"without": [], "with": []}
    for _ in range(count):
        for side in ("without", "with"):
            ingest.empty_reading_tables()
            ingest.flush_queue()
            reset = bulk._suppressed.set(side == "without")
            try:
                times[side].append(ingest.post_all(token, batches))
            finally:
                bulk._suppressed.reset(reset)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--readings", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500, help="readings per request")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL") or ingest.DEFAULT_URL
    with ingest.throwaway_database(base) as url:
        ingest.start_django(url)
        token = ingest.token_for_reporter()
        rows = ingest.synthetic(ingest.reported_cells(), args.readings)
        times = rounds(token, ingest.bodies(rows, args.batch), args.rounds)
        ingest.flush_queue()
        ingest.close_django_connections()
    for side, taken in times.items():
        best = min(taken)
        print(f"{side} the audit log: {best:.3f} s ({args.readings / best:,.0f} readings/s)")
    ratio = min(times["without"]) / min(times["with"])
    print(f"ratio: with the log at {ratio:.0%} of the throughput without (target >= 90%)")


if __name__ == "__main__":
    main()
