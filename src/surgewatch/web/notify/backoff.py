"""When to try a failed message again. Pure: no clock, no settings, no database.

Issue 4: exponential backoff, 1, 2, 4, 8 ... minutes, capped, so a receiver
that is down for an hour is not hammered, and one that blips is retried soon.
"""

from __future__ import annotations

from datetime import timedelta


def retry_delay(attempts_made: int, *, cap_minutes: int) -> timedelta:
    """The wait after the ``attempts_made``-th failed attempt: 2**(n-1) minutes, at most the cap."""
    if attempts_made < 1:
        raise ValueError("retry_delay counts from the first attempt (1)")
    # Capping the exponent first keeps the number small however many attempts there were.
    minutes = 2 ** min(attempts_made - 1, cap_minutes.bit_length())
    return timedelta(minutes=min(minutes, cap_minutes))
