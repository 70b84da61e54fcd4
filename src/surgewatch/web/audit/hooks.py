"""Tasks act as 'system:<task name>', set by huey's hooks rather than in each task."""

from __future__ import annotations

from typing import Any

from huey.api import Task

from surgewatch.web.audit import context

_RESET = "_audit_reset"


def before_task(task: Task) -> None:
    setattr(task, _RESET, context.begin(context.NamedActor(f"system:{task.name}")))


def after_task(task: Task, value: Any, exception: BaseException | None) -> None:
    reset = task.__dict__.pop(_RESET, None)
    if reset is not None:
        context.end(reset)


def install() -> None:
    from huey.contrib.djhuey import HUEY

    HUEY.pre_execute(name="audit-actor")(before_task)
    HUEY.post_execute(name="audit-actor")(after_task)
