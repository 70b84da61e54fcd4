"""Multi-step reactions (STYLE.md, after dispatch's flows): what a stored reading
or declaration sets going, once it is durable."""

from __future__ import annotations

from datetime import datetime

from surgewatch.web.actions.models import LevelChange, LevelChangeSource
from surgewatch.web.actions.protocols import start_automatic
from surgewatch.web.actions.services import refresh_level
from surgewatch.web.orgs.models import Organisation


def level_may_have_moved(
    organisation: Organisation, now: datetime, cause: str = LevelChangeSource.ENGINE
) -> LevelChange | None:
    change = refresh_level(organisation, now, cause=cause)
    if change is not None:
        start_automatic(change, now)
    return change
