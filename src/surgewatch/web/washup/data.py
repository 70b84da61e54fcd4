"""The wash-up data file (outcomes, blockers, attributions), loaded once per process."""

from __future__ import annotations

from functools import cache

from surgewatch.improvement.washup import WashupData, load_washup


@cache
def washup_data() -> WashupData:
    return load_washup()


def outcome_choices() -> list[tuple[str, str]]:
    return [(o.id, o.name) for o in washup_data().outcomes if not o.retired]


def blocker_choices() -> list[tuple[str, str]]:
    return [(b.id, b.name) for b in washup_data().blockers if not b.retired]


def attribution_choices() -> list[tuple[str, str]]:
    return [(a.id, a.name) for a in washup_data().attributions]


def names() -> dict[str, str]:
    """Every id's display name (outcomes, blockers, attributions), for templates."""
    data = washup_data()
    found = {o.id: o.name for o in data.outcomes}
    found.update({b.id: b.name for b in data.blockers})
    found.update({a.id: a.name for a in data.attributions})
    return {**found, "total": "Total"}
