"""Writes for governance: propose and approve pack revisions, approve plan versions,
record plan tests (issue 7, 'Plan governance').

The rule every write here keeps (DESIGN.md, 'Govern and rehearse'; seed 000,
Appendix 5 names who reviewed or approved each version): a draft changes
nothing live; the person who approves a change is not the person who proposed
it, and holds a role the pack marks ``declares_level`` in that organisation (or
administers the platform). Refusals are ``ValidationError`` naming the field,
or ``PermissionDenied``; either way nothing is saved.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from surgewatch.core.loader import PackError, parse_pack
from surgewatch.core.pack import Pack
from surgewatch.web.accounts.models import User
from surgewatch.web.governance.models import (
    DocumentVersion,
    ExerciseEntry,
    PackRevision,
    PlanApproval,
    SignOffMeeting,
    Status,
)
from surgewatch.web.governance.permissions import require_govern
from surgewatch.web.orgs.models import Framework, Organisation
from surgewatch.web.orgs.services import put_in_force
from surgewatch.web.plans.models import PlanVersion

PASTED = "pasted pack"  # how a problem names a pack that came from the text area


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- pack revisions ----------------------------------------------------------------------


def propose_revision(
    user: User, organisation: Organisation, *, text: str, filename: str, summary: str, now: datetime
) -> PackRevision:
    """Store a pack as a draft revision; the organisation keeps running its framework.

    The pack is checked by the pack loader (every problem, named by path) and must
    be the organisation's own pack under a version not yet used for other content.
    """
    require_govern(user, organisation)
    if not summary.strip():
        raise ValidationError({"summary": "say what this version changes; fix: write a summary"})
    pack = _parsed(text, filename)
    where = filename or PASTED
    _check_belongs(pack, organisation, where)
    with transaction.atomic():
        _check_version_free(pack, sha256(text), organisation, where)
        return PackRevision.objects.create(
            organisation=organisation,
            pack_id=pack.id,
            version=pack.version,
            name=pack.name,
            yaml_text=text,
            sha256=sha256(text),
            filename=filename[-255:],
            summary=summary.strip(),
            proposed_by=user,
            proposed_at=now,
        )


def _parsed(text: str, filename: str) -> Pack:
    try:
        return parse_pack(text, filename or PASTED)
    except PackError as refused:
        raise ValidationError({"text": [str(p) for p in refused.problems]}) from None


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def _check_belongs(pack: Pack, organisation: Organisation, where: str) -> None:
    live = organisation.framework
    if pack.id != live.pack_id:
        raise _refuse(
            "text",
            f"{where}: id: the pack is '{pack.id}', but {organisation.name} runs '{live.pack_id}'; "
            f"fix: propose a version of '{live.pack_id}'",
        )
    if pack.organisation.id != organisation.slug:
        raise _refuse(
            "text",
            f"{where}: organisation.id: '{pack.organisation.id}' is not this organisation; "
            f"fix: keep it as '{organisation.slug}'",
        )


def _check_version_free(pack: Pack, digest: str, organisation: Organisation, where: str) -> None:
    """A version names one text for good: stored levels name the version that made them.

    The same id and version with other content is refused with the fix (raise the
    version); this is also what a database installed before a pack file was edited
    in place meets (the bundled Kent pack changed under version 1.8).
    """
    installed = Framework.objects.filter(pack_id=pack.id, version=pack.version).first()
    if installed is not None and installed.sha256 != digest:
        raise _refuse(
            "text",
            f"{where}: version: {pack.id} version {pack.version} is already installed here (since "
            f"{installed.loaded_at:%d %B %Y}) with different content; fix: raise 'version:' "
            f"in the file above {pack.version} (for example to {_next(pack.version)}) and "
            "propose it again",
        )
    if installed is not None and installed.pk == organisation.framework_id:
        raise _refuse(
            "text",
            f"{where}: version: this is version {pack.version} exactly as it runs now; "
            "fix: change the pack and raise its version",
        )
    draft = PackRevision.objects.drafts().filter(pack_id=pack.id, version=pack.version).first()
    if draft is not None:
        raise _refuse(
            "text",
            f"{where}: version: a draft of version {pack.version} is already proposed by "
            f"{draft.proposed_by}; fix: have it approved, or raise the version",
        )


def _next(version: str) -> str:
    """'1.8' -> '1.9': a suggestion for the message, not a rule."""
    head, _, last = version.rpartition(".")
    if not last.isdigit():
        return f"{version}.1"
    return f"{head}.{int(last) + 1}" if head else str(int(last) + 1)


def approve_revision(user: User, revision: PackRevision, *, now: datetime) -> PackRevision:
    """Approve a draft and put it in force: install it as a Framework (or reuse the
    identical installed one) and switch the organisation to it."""
    with transaction.atomic():
        locked = PackRevision.objects.select_for_update().get(pk=revision.pk)
        organisation = Organisation.objects.select_for_update().get(pk=locked.organisation_id)
        require_govern(user, organisation)
        _check_approvable(user, locked)
        framework = _install(locked, now)
        locked.status = Status.APPROVED
        locked.approved_by, locked.approved_at, locked.framework = user, now, framework
        locked.save(update_fields=["status", "approved_by", "approved_at", "framework"])
        put_in_force(framework)
    return locked


def _check_approvable(user: User, revision: PackRevision) -> None:
    if revision.status != Status.DRAFT:
        raise ValidationError(
            {"revision": f"version {revision.version} was approved already; nothing to do"}
        )
    if revision.proposed_by_id == user.pk:
        raise PermissionDenied(
            f"{user} proposed version {revision.version}; someone else must approve it"
        )


def _install(revision: PackRevision, now: datetime) -> Framework:
    """The Framework row for the revision; refused if the version was meanwhile installed
    (from a file, by an administrator) with other content."""
    framework, created = Framework.objects.get_or_create(
        pack_id=revision.pack_id,
        version=revision.version,
        defaults={
            "name": revision.name,
            "yaml_text": revision.yaml_text,
            "sha256": revision.sha256,
            "loaded_at": now,
        },
    )
    if not created and framework.sha256 != revision.sha256:
        raise _refuse(
            "revision",
            f"{revision.pack_id} version {revision.version} was installed from a file with "
            "different content since this was proposed; fix: propose it again under a higher "
            "version",
        )
    return framework


# --- plan versions -----------------------------------------------------------------------


def approve_plan_version(
    user: User, version: PlanVersion, *, summary: str, now: datetime
) -> PlanApproval:
    """Record a plan version as approved, by someone other than whoever uploaded it."""
    organisation = version.plan.organisation
    require_govern(user, organisation)
    if version.uploaded_by_id == user.pk:
        raise PermissionDenied(
            f"{user} uploaded version {version.number}; someone else must approve it"
        )
    if not summary.strip():
        raise ValidationError({"summary": "say what is approved; fix: write a summary"})
    if PlanApproval.objects.filter(plan_version=version).exists():
        raise ValidationError(
            {"version": f"version {version.number} was approved already; nothing to do"}
        )
    return PlanApproval.objects.create(
        plan_version=version, summary=summary.strip(), approved_by=user, approved_at=now
    )


# --- the exercise log ----------------------------------------------------------------------


def record_exercise(
    user: User,
    organisation: Organisation,
    *,
    held_on: date,
    kind: str,
    title: str,
    scenario: str,
    what_happened: str,
    lessons: str,
    plan_changes: str,
    pack_revision: PackRevision | None = None,
    document_version: DocumentVersion | None = None,
    now: datetime,
) -> ExerciseEntry:
    """Add a plan test to the organisation's log (seed 000, Appendix 5)."""
    require_govern(user, organisation)
    for linked in (pack_revision, document_version):
        if linked is not None and linked.organisation_id != organisation.pk:
            raise ValidationError({"link": "that revision belongs to another organisation"})
    return ExerciseEntry.objects.create(
        organisation=organisation,
        held_on=held_on,
        kind=kind,
        title=title.strip(),
        scenario=scenario.strip(),
        what_happened=what_happened.strip(),
        lessons=lessons.strip(),
        plan_changes=plan_changes.strip(),
        pack_revision=pack_revision,
        document_version=document_version,
        recorded_by=user,
        recorded_at=now,
    )


# --- the sign-off schedule -------------------------------------------------------------------


def record_sign_off_outcome(
    user: User,
    meeting: SignOffMeeting,
    *,
    outcome: str,
    meeting_date: date | None,
    now: datetime,
) -> SignOffMeeting:
    """Record what a sign-off meeting decided (seed 002, 'Proposed Governance & Sign-off').

    Recorded once, with who and when: a later change is a matter for the next meeting's
    own outcome, not an edit. A meeting still 'TBC' needs the date it was held.
    """
    require_govern(user, meeting.organisation)
    if not outcome.strip():
        raise _refuse("outcome", "say what the meeting decided; fix: write the outcome")
    with transaction.atomic():
        locked = SignOffMeeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.outcome:
            raise _refuse(
                "meeting",
                f"the outcome of {locked.meeting} ({locked.anticipated}) was recorded already; "
                "fix: record the change at the next meeting in the schedule",
            )
        held = meeting_date or locked.meeting_date
        if held is None:
            raise _refuse("meeting_date", "the meeting's date was 'TBC'; fix: give the date held")
        locked.outcome, locked.meeting_date = outcome.strip(), held
        locked.outcome_recorded_by, locked.outcome_recorded_at = user, now
        locked.save(
            update_fields=["outcome", "meeting_date", "outcome_recorded_by", "outcome_recorded_at"]
        )
    return locked
