"""Predicted OPEL levels: the run's indicators through the live escalation rules.

Each feed in the scenario's ``escalation`` block turns a daily model measure
(x ``scale``) into readings of one pack indicator in one area. They are
banded by the same compiled band table the live service uses
(:func:`surgewatch.core.bands.classify_levels`, DESIGN.md band semantics;
seed 000, section 4.3 for Kent's bands) and
the organisation's level comes from the pack's own rule
(:func:`surgewatch.core.assess.organisation_result`; for Kent the highest
level reached by at least two indicators, a local setting in the pack) over
each indicator's level *after its de-escalation hold*, as the live service
holds it (:func:`surgewatch.core.acting.held_cell_levels`; seed 000, section
8: 'each indicator will be maintained at a lower level ... before the step
down'). The run gives one reading a day, so a held level is the highest of the
readings still inside the hold window, counting the one in force when the
window opened. No declaration is modelled: a person may declare higher.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from surgewatch.core.assess import organisation_result
from surgewatch.core.bands import NO_LEVEL, classify_levels, compile_pack
from surgewatch.core.pack import Pack
from surgewatch.planning.flow.run import FlowResult
from surgewatch.planning.flow.scenario import Escalation, IndicatorFeed

LevelArray = NDArray[np.uint8]


@dataclass(frozen=True)
class OpelForecast:
    """Levels by (replication, day) for the organisation and for each fed indicator."""

    pack_id: str
    pack_version: str
    illustrative: bool
    feeds: tuple[IndicatorFeed, ...]
    indicator_levels: LevelArray  # (feed, replication, day); 0 where no level; before hold
    organisation: LevelArray  # (replication, day) from the held levels; 0 where none

    def share_at_level(self) -> NDArray[np.float64]:
        """Share of replications at each level 1-4, by day: shape (4, days)."""
        return np.stack([(self.organisation == lvl).mean(axis=0) for lvl in (1, 2, 3, 4)])

    def percentiles(self) -> NDArray[np.float64]:
        """P10, P50, P90 of the organisation's level across replications, by day."""
        levels = self.organisation.astype(np.float64)
        return np.asarray(np.percentile(levels, (10, 50, 90), axis=0, method="lower"))


def feed_values(result: FlowResult, feed: IndicatorFeed) -> NDArray[np.float64]:
    """The feed's readings by (replication, day): the model measure times ``scale``."""
    if feed.service is None:
        values = result.ward[feed.measure]
    else:
        values = result.services[feed.measure][:, result.service_names.index(feed.service)]
    return np.asarray(values * feed.scale, dtype=np.float64)


def predict_opel(result: FlowResult, pack: Pack, escalation: Escalation) -> OpelForecast:
    """Band every feed and derive the organisation's suggested level each replication-day."""
    table = compile_pack(pack)
    feeds = escalation.indicators
    levels = np.stack(
        [
            classify_levels(
                table,
                np.full(result.ward["occupancy"].shape, table.index[(f.indicator, f.area)]),
                feed_values(result, f),
            )
            for f in feeds
        ]
    )
    keys = [(f.indicator, f.area) for f in feeds]
    suggest = _suggester(pack, tuple(keys))
    hold_days = [held_days(pack.indicator(f.indicator).hold_hours) for f in feeds]
    held = np.stack([hold_levels(lv, days) for lv, days in zip(levels, hold_days, strict=True)])
    flat = held.reshape(len(feeds), -1).T
    organisation = np.fromiter((suggest(tuple(row)) for row in flat.tolist()), dtype=np.uint8)
    return OpelForecast(
        pack.id,
        pack.version,
        pack.illustrative,
        feeds,
        levels,
        organisation.reshape(result.ward["occupancy"].shape),
    )


def held_days(hold_hours: int) -> int:
    """Daily readings a held level looks across: today's, those inside the hold, and the
    one in force when the hold window opened (as ``core.hysteresis`` prunes its window)."""
    return math.ceil(hold_hours / 24) + 1


def hold_levels(levels: LevelArray, days: int) -> LevelArray:
    """Each day's level held over the last ``days`` daily readings (the last axis is days).

    A falling level stands down only once every reading in the window is lower; a rising
    one stands at once. Levels of 0 (no level) never win while a real level is in reach.
    """
    held = levels.copy()
    for back in range(1, min(days, levels.shape[-1])):
        np.maximum(held[..., back:], levels[..., :-back], out=held[..., back:])
    return held


def _suggester(pack: Pack, keys: tuple[tuple[str, str], ...]) -> Callable[[tuple[int, ...]], int]:
    """The pack's organisation rule, memoised: a run has few distinct level combinations."""

    @cache
    def suggest(row: tuple[int, ...]) -> int:
        standing = {key: lvl for key, lvl in zip(keys, row, strict=True) if lvl != NO_LEVEL}
        level = organisation_result(pack, standing).suggested_level
        return NO_LEVEL if level is None else level

    return suggest
