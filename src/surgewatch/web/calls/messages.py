"""What the calls app tells action owners, through the notifications app.

Seed 000, section 5.1: the calls agree local actions; each owner hears of
theirs when the call is recorded and is asked at the due time whether it is
done. Event keys name the stored action, so a rerun never tells anyone twice.
"""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse

from surgewatch.web.actions.messages import local_text
from surgewatch.web.calls.models import CallAction
from surgewatch.web.notify.services import notify_user


def action_assigned(action: CallAction, now: datetime) -> None:
    call = action.call
    body = (
        f"At the {call.call_name} on {local_text(call.held_at)} you took this action "
        f"for {action.partner}, due {local_text(action.due_at)}:\n\n{action.text}"
    )
    _tell(action, f"Action for you from the {call.call_name}: {action.text}", body, "assigned", now)


def ask_if_done(action: CallAction, now: datetime) -> None:
    call = action.call
    body = (
        f"Your action from the {call.call_name} on {local_text(call.held_at)} was due "
        f"{local_text(action.due_at)}:\n\n{action.text}\n\nAnswer done or not done, with a note."
    )
    _tell(action, f"Is it done? {action.text}", body, "asked", now)


def _tell(action: CallAction, subject: str, body: str, event: str, now: datetime) -> None:
    notify_user(
        action.owner,
        organisation=action.call.organisation,
        role=action.owner_role,
        subject=subject,
        body=body,
        link=reverse("call-action-answer", args=[action.pk]),
        event_key=f"call-action:{action.pk}:{event}",
        now=now,
    )
