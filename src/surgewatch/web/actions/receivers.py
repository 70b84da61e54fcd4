"""Readings and declarations set the level check going once their transaction commits.

At most one check per organisation per transaction: an import of many rows
sends the signal once per group of rows, and one check sees them all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from surgewatch.web.actions.models import LevelChangeSource
from surgewatch.web.escalation.models import Declaration
from surgewatch.web.reporting.signals import readings_stored


@receiver(readings_stored)
def _readings_stored(sender: Any, organisation_ids: set[int], **kwargs: Any) -> None:
    for organisation_id in organisation_ids:
        _once_on_commit(organisation_id, LevelChangeSource.ENGINE)


@receiver(post_save, sender=Declaration)
def _declared(sender: Any, instance: Declaration, created: bool, **kwargs: Any) -> None:
    if created:
        _once_on_commit(instance.organisation_id, LevelChangeSource.DECLARATION)


def _once_on_commit(organisation_id: int, cause: str) -> None:
    key = ("surgewatch-level-check", organisation_id, cause)
    pending = [entry[1] for entry in connection.run_on_commit]
    if any(getattr(func, "key", None) == key for func in pending):
        return
    # robust: with the queue down (Redis lost) the write has committed; a raise here would
    # answer 500 for stored data. The worker's tick checks every organisation each minute.
    transaction.on_commit(_enqueue(organisation_id, cause, key), robust=True)


def _enqueue(organisation_id: int, cause: str, key: tuple[str, int, str]) -> Callable[[], None]:
    def enqueue() -> None:
        from surgewatch.web.actions.tasks import refresh_organisation

        refresh_organisation(organisation_id, cause)

    enqueue.key = key  # type: ignore[attr-defined]
    return enqueue
