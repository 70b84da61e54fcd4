"""Reads for the governance pages: every version of an organisation's pack (installed
and proposed), plan versions with their approval, history and the exercise log."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef

from surgewatch.web.accounts.models import User
from surgewatch.web.governance.models import (
    DocumentVersion,
    PackRevision,
    PlanApproval,
    SignOffMeeting,
    Status,
)
from surgewatch.web.orgs.models import Framework, Organisation
from surgewatch.web.plans.models import Plan, PlanVersion


@dataclass(frozen=True)
class PackVersion:
    """A version of the pack as the governance page lists it.

    ``key`` names it in the diff's address: ``f<id>`` an installed framework,
    ``r<id>`` a draft revision (not installed, so never live).
    """

    key: str
    version: str
    name: str
    text: str
    status: str  # draft | live | superseded
    revision: PackRevision | None
    framework: Framework | None

    @property
    def status_words(self) -> str:
        approved = "approved in the app" if self.revision else "installed from a pack file"
        return {
            "draft": "Draft: not in force",
            "live": f"Live ({approved})",
            "superseded": f"Superseded ({approved})",
        }[self.status]

    @property
    def label(self) -> str:
        return f"Version {self.version}: {self.status_words}"

    @property
    def when(self) -> datetime | None:
        if self.revision is not None:
            return self.revision.proposed_at
        return self.framework.loaded_at if self.framework else None


def pack_versions(organisation: Organisation) -> list[PackVersion]:
    """Drafts first (newest first), then installed versions, the newest first."""
    revisions = list(PackRevision.objects.of(organisation).order_by("-proposed_at", "-pk"))
    # The latest approval of each framework says who approved it (a roll-back approves again).
    approved = {r.framework_id: r for r in reversed(revisions) if r.status == Status.APPROVED}
    drafts = [_draft(r) for r in revisions if r.status == Status.DRAFT]
    frameworks = Framework.objects.filter(pack_id=organisation.framework.pack_id)
    installed = [
        PackVersion(
            key=f"f{f.pk}",
            version=f.version,
            name=f.name,
            text=f.yaml_text,
            status="live" if f.pk == organisation.framework_id else "superseded",
            revision=approved.get(f.pk),
            framework=f,
        )
        for f in frameworks.order_by("-loaded_at", "-pk")
    ]
    return drafts + installed


def _draft(revision: PackRevision) -> PackVersion:
    return PackVersion(
        key=f"r{revision.pk}",
        version=revision.version,
        name=revision.name,
        text=revision.yaml_text,
        status="draft",
        revision=revision,
        framework=None,
    )


def find_version(versions: list[PackVersion], key: str | None) -> PackVersion | None:
    return next((v for v in versions if v.key == key), None)


def live_version(versions: list[PackVersion]) -> PackVersion:
    return next(v for v in versions if v.status == "live")


@dataclass(frozen=True)
class PlanVersionRow:
    version: PlanVersion
    approval: PlanApproval | None

    @property
    def status(self) -> str:
        return "Approved" if self.approval else "Draft"


@dataclass(frozen=True)
class PlanRows:
    plan: Plan
    versions: list[PlanVersionRow]


def approvals_of(versions: Iterable[PlanVersion]) -> dict[int, PlanApproval]:
    """The approval of each of ``versions`` that has one, by the version's id."""
    wanted = [v.pk for v in versions]
    approvals = PlanApproval.objects.filter(plan_version__in=wanted).select_related("approved_by")
    return {a.plan_version_id: a for a in approvals}


def version_rows(versions: Iterable[PlanVersion]) -> list[PlanVersionRow]:
    """``versions`` in their order, each with its approval (none: a draft), for the plan page."""
    listed = list(versions)
    approvals = approvals_of(listed)
    return [PlanVersionRow(v, approvals.get(v.pk)) for v in listed]


def latest_version_rows(plans: Sequence[Plan]) -> dict[int, PlanVersionRow]:
    """Each plan's latest version with its approval, by plan id, for the plans list."""
    latest: dict[int, PlanVersion] = {}
    versions = PlanVersion.objects.filter(plan__in=[p.pk for p in plans]).order_by("number")
    for version in versions.only("pk", "plan_id", "number"):
        latest[version.plan_id] = version  # ascending, so the highest number stays
    approvals = approvals_of(latest.values())
    return {plan_id: PlanVersionRow(v, approvals.get(v.pk)) for plan_id, v in latest.items()}


def plan_versions(organisation: Organisation) -> list[PlanRows]:
    """Each plan of the organisation with its versions (newest first) and approvals."""
    versions = (
        PlanVersion.objects.filter(plan__organisation=organisation)
        .select_related("plan", "uploaded_by")
        .order_by("plan__title", "plan_id", "-number")
    )
    approvals = {
        a.plan_version_id: a
        for a in PlanApproval.objects.filter(
            plan_version__plan__organisation=organisation
        ).select_related("approved_by")
    }
    rows: dict[int, PlanRows] = {}
    for version in versions:
        entry = rows.setdefault(version.plan_id, PlanRows(version.plan, []))
        entry.versions.append(PlanVersionRow(version, approvals.get(version.pk)))
    return list(rows.values())


def document_versions(organisation: Organisation) -> dict[str, list[DocumentVersion]]:
    """Each document's version table, newest first (versions compared as numbers)."""
    tables: dict[str, list[DocumentVersion]] = {}
    for row in DocumentVersion.objects.filter(organisation=organisation):
        tables.setdefault(row.document, []).append(row)
    for rows in tables.values():
        rows.sort(key=lambda r: (r.revised_on, _version_key(r.version)), reverse=True)
    return dict(sorted(tables.items()))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


def sign_off_schedules(organisation: Organisation) -> dict[str, list[SignOffMeeting]]:
    tables: dict[str, list[SignOffMeeting]] = {}
    meetings = SignOffMeeting.objects.filter(organisation=organisation).select_related(
        "outcome_recorded_by"
    )
    for meeting in meetings.order_by("document", "position"):
        tables.setdefault(meeting.document, []).append(meeting)
    return tables


def in_force_without_approval() -> list[Organisation]:
    """Organisations running a pack version no one approved in the app: installed from a
    pack file by a command (``install_pack``), so the app records no approval of it."""
    approved = PackRevision.objects.filter(
        status=Status.APPROVED, organisation=OuterRef("pk"), framework=OuterRef("framework")
    )
    running = Organisation.objects.filter(~Exists(approved)).select_related("framework")
    return list(running.order_by("slug"))


def may_approve(user: User, revision_or_author: PackRevision | User) -> bool:
    """Whether ``user`` is not the author (the other rules are the page's ``can_govern``)."""
    author = (
        revision_or_author.proposed_by
        if isinstance(revision_or_author, PackRevision)
        else revision_or_author
    )
    return author.pk != user.pk
