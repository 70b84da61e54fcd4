"""Signals other apps listen to, so reporting never imports what reacts to it."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that stored readings, with ``organisation_ids``
# (a set of primary keys). Receivers defer work to commit: the actions app
# re-computes the acting level once the readings are durable.
readings_stored = Signal()
