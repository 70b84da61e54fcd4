"""Classification throughput against two peers measured in the same run.

    uv run python bench/bench_classify.py [--readings 10000000]

Peers: a per-reading Python loop using the scalar rule (run on a slice and
scaled, as a full loop would take minutes), and a plain numpy copy of the
value array, the memory-bandwidth floor. Targets (issue 2): at least 100x the
loop, within 5x of the copy. Each timing is the best of several repeats.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from surgewatch.core.bands import BandTable, classify_levels, compile_pack
from surgewatch.core.loader import load_pack

LOOP_SLICE = 200_000


def best_of(repeats: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def synthetic(table: BandTable, n: int, seed: int = 20261123) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    cells = rng.integers(0, len(table.cells), n).astype(np.int32)
    values = rng.uniform(0, 120, n)
    return cells, values


def python_loop(table: BandTable, cells: np.ndarray, values: np.ndarray) -> list[int | None]:
    lookup = table.cells
    return [lookup[c].level(v) for c, v in zip(cells.tolist(), values.tolist(), strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--readings", type=int, default=10_000_000)
    args = parser.parse_args()
    table = compile_pack(load_pack("kent-ascch"))
    cells, values = synthetic(table, args.readings)
    classify_levels(table, cells, values)  # warm the allocator
    numpy_s = best_of(5, lambda: classify_levels(table, cells, values))
    copy_s = best_of(5, values.copy)
    n_loop = min(LOOP_SLICE, args.readings)
    loop_s = best_of(2, lambda: python_loop(table, cells[:n_loop], values[:n_loop]))
    loop_scaled = loop_s * args.readings / n_loop
    print(f"readings: {args.readings:,} over {len(table.cells)} indicator-area cells (kent-ascch)")
    print(f"classify_levels (numpy): {numpy_s:.3f} s  ({args.readings / numpy_s / 1e6:.0f} M/s)")
    print(f"numpy copy (floor):      {copy_s:.3f} s")
    print(f"python loop (scaled from {n_loop:,}): {loop_scaled:.1f} s")
    print(f"ratio vs loop: {loop_scaled / numpy_s:.0f}x faster (target >= 100x)")
    print(f"ratio vs copy: {numpy_s / copy_s:.1f}x the copy time (target <= 5x)")


if __name__ == "__main__":
    main()
