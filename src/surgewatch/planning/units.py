"""Acute-bed equivalents (seed 002: 'D2A 2.4:1, VW - Acute 2.5:1, VW - Sub Acute 15:1')."""

from __future__ import annotations

import math
from typing import Literal

Rounding = Literal["none", "per_scheme"]

ROUNDING_NOTES: dict[str, str] = {
    "none": (
        "Acute-bed equivalents = capacity / unit ratio, kept unrounded in every sum; "
        "tables show fractions to one decimal place."
    ),
    "per_scheme": (
        "Acute-bed equivalents = capacity / unit ratio, rounded half up to whole beds for "
        "each scheme and month before summing (as seed 002 counts Cheadle 13 + Haywood 4)."
    ),
}


def acute_equivalent(capacity: float, ratio: float, rounding: Rounding = "none") -> float:
    """Capacity in a native unit as acute beds: 40 D2A beds at 2.4:1 are 16.67 (seed 002)."""
    value = capacity / ratio
    if rounding == "per_scheme":
        return float(math.floor(value + 0.5))
    return value
