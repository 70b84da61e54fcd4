"""Writes for plans: a new plan, a new version, an uncertainty run. Each is one transaction.

A plan file is validated by the planning core before anything is stored; any
problem refuses the whole file with the loader's messages (file, path, fix)
and saves nothing. Versions are never changed: an edit is the next number.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from surgewatch.planning.loading import PlanError
from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.plans.documents import PlanDocuments, parse_plan_file
from surgewatch.web.plans.models import Plan, PlanVersion
from surgewatch.web.plans.permissions import require_edit_plans

# The name problems carry when the text was typed rather than uploaded.
TYPED_FILENAME = "plan.yaml"


def create_plan(
    user: User,
    organisation: Organisation,
    *,
    title: str,
    text: str,
    filename: str,
    change_note: str,
    now: datetime,
) -> PlanVersion:
    """Store a new plan and its version 1; ``title`` defaults to the file's own title."""
    require_edit_plans(user, organisation)
    documents = _checked(text, filename, change_note)
    with transaction.atomic():
        plan = Plan.objects.create(
            organisation=organisation,
            title=title.strip() or documents.title,
            created_by=user,
            created_at=now,
        )
        return _store(plan, 1, user, text, filename, documents, change_note, now)


def add_version(
    user: User, plan: Plan, *, text: str, filename: str, change_note: str, now: datetime
) -> PlanVersion:
    """Store ``text`` as the plan's next version, unless it repeats the latest one."""
    require_edit_plans(user, plan.organisation)
    documents = _checked(text, filename, change_note)
    with transaction.atomic():
        # Locking the plan row serialises two editors, so numbers never collide.
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        latest = locked.latest_version()
        if latest.sha256 == _sha256(text):
            raise ValidationError(
                {"text": f"this is the text of version {latest.number}; fix: change the plan"}
            )
        return _store(locked, latest.number + 1, user, text, filename, documents, change_note, now)


def _checked(text: str, filename: str, change_note: str) -> PlanDocuments:
    """The parsed file, or a ValidationError naming every problem with the text and note."""
    errors: dict[str, list[str]] = {}
    documents = None
    try:
        documents = parse_plan_file(text, filename or TYPED_FILENAME)
    except PlanError as exc:
        errors["text"] = [str(problem) for problem in exc.problems]
    if not change_note.strip():
        errors["change_note"] = ["say what this version changes; fix: write a change note"]
    if errors:
        raise ValidationError(errors)
    assert documents is not None
    return documents


def _store(
    plan: Plan,
    number: int,
    user: User,
    text: str,
    filename: str,
    documents: PlanDocuments,
    change_note: str,
    now: datetime,
) -> PlanVersion:
    version = PlanVersion(
        plan=plan,
        number=number,
        yaml_text=text,
        sha256=_sha256(text),
        filename=filename,
        kinds=",".join(documents.kinds),
        change_note=change_note.strip(),
        uploaded_by=user,
        uploaded_at=now,
    )
    version.save()
    return version


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
