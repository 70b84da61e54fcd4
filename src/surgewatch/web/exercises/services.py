"""Run an exercise and keep it on the exercise log: the only write exercise mode makes.

The run itself is :func:`surgewatch.exercise.runner.run_exercise`, in memory on the
organisation's live pack: it reads the pack and who chose which channels, and
writes no reading, level change, card, deadline or message (issue 7).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError

from surgewatch.exercise.runner import run_exercise
from surgewatch.exercise.script import ScriptError, parse_for_pack
from surgewatch.web.accounts.models import User
from surgewatch.web.exercises.models import ExerciseRun
from surgewatch.web.exercises.permissions import require_run
from surgewatch.web.exercises.selectors import role_channels
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.packs import pack_of

# Kept small enough to run within the request: 728 readings of a simulated winter run
# in about 0.3 s, so 3,000 entries stay under two seconds.
MAX_ENTRIES = 3000


@dataclass(frozen=True)
class Script:
    text: str
    filename: str
    source: str


def run_script(
    user: User, organisation: Organisation, script: Script, now: datetime
) -> ExerciseRun:
    """Check, run and record; a bad script raises ValidationError naming every problem."""
    require_run(user, organisation)
    pack = pack_of(organisation.framework)
    try:
        loaded = parse_for_pack(script.text, script.filename or "script.yaml", pack)
    except ScriptError as exc:
        raise ValidationError({"script": [str(p) for p in exc.problems]}) from None
    s = loaded.script
    if len(s.readings) + len(s.declarations) + len(s.done) > MAX_ENTRIES:
        fix = f"split it into scripts of at most {MAX_ENTRIES} entries"
        raise ValidationError({"script": [f"has too many entries to run here; fix: {fix}"]})
    result = run_exercise(loaded, role_channels(organisation, pack))
    return ExerciseRun.objects.create(
        organisation=organisation,
        title=s.title[:300],
        source=script.source,
        filename=script.filename,
        script_text=script.text,
        pack_id=pack.id,
        pack_version=pack.version,
        illustrative=result.illustrative,
        result=result.as_json(),
        run_by=user,
        run_at=now,
    )
