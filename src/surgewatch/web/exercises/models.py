"""Exercise runs: a script and the timeline it produced, kept as the exercise log.

Issue 7, exercise mode: a run replays a script through a sandboxed copy of the
organisation's rules (:mod:`surgewatch.exercise`) and writes nothing but this
row. DESIGN.md 'Govern and rehearse' keeps an exercise log, so runs are records:
written once, never changed (``ImmutableRecord``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from surgewatch.web.decisions.models import ImmutableQuerySet, ImmutableRecord
from surgewatch.web.orgs.models import Organisation


class ScriptSource(models.TextChoices):
    EXAMPLE = "example", "A shipped example"
    UPLOAD = "upload", "An uploaded file"


class ExerciseRunQuerySet(ImmutableQuerySet["ExerciseRun"]):
    def latest_first(self) -> ExerciseRunQuerySet:
        return self.select_related("run_by").order_by("-run_at", "-pk")


class ExerciseRun(ImmutableRecord):
    """One run: who ran which script when, against which version of the rules, and the
    timeline (``result``: :meth:`surgewatch.exercise.events.ExerciseResult.as_json`)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="exercise_runs"
    )
    title = models.CharField(max_length=300)
    source = models.CharField(max_length=16, choices=ScriptSource.choices)
    filename = models.CharField(max_length=255, blank=True)
    script_text = models.TextField()
    pack_id = models.CharField(max_length=64)
    pack_version = models.CharField(max_length=64)
    illustrative = models.BooleanField()
    result = models.JSONField()
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exercise_runs"
    )
    run_at = models.DateTimeField()

    objects = ExerciseRunQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.title} ({self.run_at:%Y-%m-%d %H:%M})"
