"""A compressed reporting day as a list of planned calls (issue 8). No Django, no clock.

The morning window (09:30-10:00, when every organisation sends its first
assessment) takes the first 40% of the run; later rounds (the afternoon
update at OPEL 3, a late correction) are spread over the rest. Board viewers
refresh throughout, a declaration comes every few (compressed) minutes, and
``/healthz`` is called at a steady rate as the trivial peer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from surgewatch.reliability.client import Call, Planned

# The acute pack's indicators with a plausible range each; site-b has no critical care.
INDICATORS: dict[str, tuple[float, float]] = {
    "ed_4h_performance_pct": (60, 90),
    "ambulance_handover_over_60min": (0, 4),
    "g_and_a_bed_occupancy_pct": (88, 97),
    "nctr_patients": (10, 60),
    "dta_over_12h": (0, 5),
    "critical_care_occupancy_pct": (70, 93),
}
SITES = {"site-a": tuple(INDICATORS), "site-b": tuple(INDICATORS)[:-1]}
ROUND_WINDOWS = ((0.0, 0.4), (0.5, 0.75), (0.8, 0.95))


@dataclass(frozen=True)
class Day:
    seconds: float = 120.0
    rounds: int = 2
    declare_every: float = 8.0
    board_every: float = 4.0
    health_per_second: float = 2.0


@dataclass(frozen=True)
class Feeds:
    """Who posts: organisation slugs with their tokens, viewer sessions."""

    tokens: dict[str, str]
    sessions: Sequence[str]


def plan_day(day: Day, feeds: Feeds, *, run_id: str, start: datetime, seed: int) -> list[Planned]:
    """Every call of the day, each with the second it starts at."""
    rng = np.random.default_rng(seed)
    planned = _readings(day, feeds, run_id, start, rng)
    planned += _declarations(day, feeds, run_id, rng)
    planned += _boards(day, feeds)
    planned += _health(day)
    return sorted(planned, key=lambda p: p.at)


def _readings(
    day: Day, feeds: Feeds, run_id: str, start: datetime, rng: np.random.Generator
) -> list[Planned]:
    out = []
    for round_no, (first, last) in enumerate(ROUND_WINDOWS[: day.rounds]):
        # Observed a little before the run began, one minute apart per round: unique per cell.
        observed = (start - timedelta(minutes=10 - round_no)).isoformat()
        for slug, token in feeds.tokens.items():
            for area, indicators in SITES.items():
                at = float(rng.uniform(first, last)) * day.seconds
                rows = [_row(slug, area, i, observed, rng) for i in indicators]
                call = _post("readings", "/api/readings", {"readings": rows}, token)
                key = f"{run_id}-r{round_no}-{slug}-{area}"
                out.append(Planned(at, replace(call, key=key)))
    return out


def _row(
    slug: str, area: str, indicator: str, observed: str, rng: np.random.Generator
) -> dict[str, Any]:
    low, high = INDICATORS[indicator]
    value = round(float(rng.uniform(low, high)), 1)
    if indicator in ("ambulance_handover_over_60min", "dta_over_12h", "nctr_patients"):
        value = float(round(value))  # counts are whole numbers
    return {
        "organisation": slug,
        "area": area,
        "indicator": indicator,
        "value": value,
        "observed_at": observed,
    }


def _declarations(day: Day, feeds: Feeds, run_id: str, rng: np.random.Generator) -> list[Planned]:
    slugs = sorted(feeds.tokens)
    out, n, at = [], 0, day.declare_every / 2
    while at < day.seconds:
        slug = slugs[int(rng.integers(len(slugs)))]
        body = {"level": int(rng.integers(1, 5)), "reason": f"load suite declaration {n}"}
        call = _post(
            "declaration", f"/api/organisations/{slug}/declarations", body, feeds.tokens[slug]
        )
        out.append(Planned(at, replace(call, key=f"{run_id}-d{n}")))
        n, at = n + 1, at + day.declare_every
    return out


def _boards(day: Day, feeds: Feeds) -> list[Planned]:
    out = []
    for v, session in enumerate(feeds.sessions):
        headers = {"Cookie": f"sessionid={session}", "X-Forwarded-Proto": "https"}
        # Staggered, so the viewers do not all refresh in the same instant.
        at = day.board_every * v / max(1, len(feeds.sessions))
        while at < day.seconds:
            out.append(Planned(at, Call("board", "GET", "/", headers=headers)))
            at += day.board_every
    return out


def _health(day: Day) -> list[Planned]:
    step = 1 / day.health_per_second
    count = int(day.seconds * day.health_per_second)
    headers = {"X-Forwarded-Proto": "https"}
    return [
        Planned(i * step, Call("healthz", "GET", "/healthz", headers=headers)) for i in range(count)
    ]


def _post(kind: str, path: str, body: dict[str, Any], token: str) -> Call:
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "X-Forwarded-Proto": "https",  # prod settings redirect plain http; the proxy says https
    }
    return Call(kind, "POST", path, json.dumps(body).encode(), headers)
