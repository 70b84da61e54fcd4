"""Plan governance (issue 7): pack revisions are drafts until someone else with a
declaring role approves them; only the approved version runs; diffs; plan version
approval; the version mismatch of an edited pack under an unchanged version.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from surgewatch.core.loader import resolve_pack_path
from surgewatch.web.accounts.models import User
from surgewatch.web.governance import selectors
from surgewatch.web.governance.diff import line_diff
from surgewatch.web.governance.models import PackRevision, PlanApproval, Status
from surgewatch.web.governance.services import (
    approve_plan_version,
    approve_revision,
    propose_revision,
    sha256,
)
from surgewatch.web.orgs.models import Area, Framework, Organisation
from surgewatch.web.plans.models import PlanVersion
from surgewatch.web.plans.services import create_plan
from surgewatch.web.reporting.services import submit_readings

NOW = datetime(2026, 1, 5, 11, 0, tzinfo=UTC)
KENT = resolve_pack_path("kent-ascch").read_text(encoding="utf-8")
OLD_BANDS = "dgs: &staffing {1: [70, 100], 2: [50, 69], 3: [30, 49], 4: [0, 29]}"
NEW_BANDS = "dgs: &staffing {1: [80, 100], 2: [50, 79], 3: [30, 49], 4: [0, 29]}"
PLAN_YAML = (
    Path(__file__).resolve().parents[2] / "examples" / "plans" / "ssot-2024-25-rsuh-medical.yaml"
).read_text(encoding="utf-8")
MakeUser = Callable[..., User]


def kent_version(version: str, *, bands: str = NEW_BANDS) -> str:
    """The bundled Kent pack under another version, green staffing raised to 80%."""
    assert 'version: "1.8"' in KENT and OLD_BANDS in KENT
    return KENT.replace('version: "1.8"', f'version: "{version}"').replace(OLD_BANDS, bands)


@pytest.fixture
def manager(make_user: MakeUser) -> User:
    return make_user("service-manager", "stp-service-manager")


@pytest.fixture
def deputy(make_user: MakeUser) -> User:
    """A second holder of the declaring role (seed 000, section 8: the service manager)."""
    return make_user("deputy-manager", "stp-service-manager")


@pytest.fixture
def director(make_user: MakeUser) -> User:
    """Director of Adult Social Care: in Kent's pack, declares nothing."""
    return make_user("asc-director", "director-asc")


def _propose(
    user: User, kcc: Organisation, text: str, summary: str = "Raise green"
) -> PackRevision:
    return propose_revision(user, kcc, text=text, filename="", summary=summary, now=NOW)


# --- proposing -------------------------------------------------------------------------


def test_a_proposal_is_a_draft_and_changes_nothing_live(
    kcc: Organisation, manager: User, dgs_member: User, dgs: Area
) -> None:
    live = kcc.framework_id
    frameworks = Framework.objects.count()
    revision = _propose(manager, kcc, kent_version("1.9"))
    kcc.refresh_from_db()
    assert (revision.status, revision.version, revision.framework) == (Status.DRAFT, "1.9", None)
    assert kcc.framework_id == live
    assert Framework.objects.count() == frameworks
    # A reading of 75% is green under the live 1.8 bands, though the draft would make it amber.
    reading = submit_readings(dgs_member, dgs, {"stp_staffing_pct": 75}, NOW, now=NOW)[0]
    assert (reading.level, reading.framework_id) == (1, live)


def test_a_bad_pack_is_refused_with_the_loaders_path_named_problems(
    kcc: Organisation, manager: User
) -> None:
    broken = kent_version("1.9").replace("direction: higher_is_better", "direction: upwards", 1)
    with pytest.raises(ValidationError) as refused:
        propose_revision(manager, kcc, text=broken, filename="kent.yaml", summary="x", now=NOW)
    problems = refused.value.message_dict["text"]
    assert any(
        p.startswith("kent.yaml: indicators.0(stp_staffing_pct).direction") for p in problems
    )
    assert PackRevision.objects.count() == 0


def test_only_a_declaring_role_or_a_superuser_proposes(
    kcc: Organisation, director: User, make_user: MakeUser
) -> None:
    for person in (director, make_user("looker", "viewer")):
        with pytest.raises(PermissionDenied):
            _propose(person, kcc, kent_version("1.9"))
    admin = User.objects.create_superuser("admin", password="not-used")
    assert _propose(admin, kcc, kent_version("1.9")).proposed_by == admin


def test_another_organisations_pack_is_refused(kcc: Organisation, manager: User) -> None:
    acute = resolve_pack_path("example-acute-trust").read_text(encoding="utf-8")
    with pytest.raises(ValidationError) as refused:
        _propose(manager, kcc, acute)
    assert "runs 'kent-ascch'" in refused.value.message_dict["text"][0]


def test_an_empty_summary_is_refused(kcc: Organisation, manager: User) -> None:
    with pytest.raises(ValidationError) as refused:
        _propose(manager, kcc, kent_version("1.9"), summary="  ")
    assert "summary" in refused.value.message_dict


# --- the version mismatch ------------------------------------------------------------------


def test_same_version_with_different_content_is_refused_with_the_fix(
    kcc: Organisation, manager: User
) -> None:
    """What a database installed before the Kent pack was edited under 1.8 meets."""
    with pytest.raises(ValidationError) as refused:
        _propose(manager, kcc, kent_version("1.8"))
    message = refused.value.message_dict["text"][0]
    assert message.startswith("pasted pack: version: kent-ascch version 1.8 is already installed")
    assert "with different content; fix: raise 'version:'" in message
    assert "(for example to 1.9)" in message
    assert PackRevision.objects.count() == 0


def test_the_live_text_again_is_refused_as_nothing_to_change(
    kcc: Organisation, manager: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        _propose(manager, kcc, kcc.framework.yaml_text)
    assert "exactly as it runs now" in refused.value.message_dict["text"][0]


def test_a_second_draft_of_one_version_is_refused(
    kcc: Organisation, manager: User, deputy: User
) -> None:
    _propose(manager, kcc, kent_version("1.9"))
    with pytest.raises(ValidationError) as refused:
        _propose(deputy, kcc, kent_version("1.9", bands=OLD_BANDS))
    assert "already proposed by service-manager" in refused.value.message_dict["text"][0]


def test_the_database_holds_one_draft_per_version(kcc: Organisation, manager: User) -> None:
    first = _propose(manager, kcc, kent_version("1.9"))
    with pytest.raises(IntegrityError), transaction.atomic():
        PackRevision.objects.create(
            organisation=kcc, pack_id="kent-ascch", version="1.9", name="x", yaml_text="x",
            sha256="x", summary="x", proposed_by=manager, proposed_at=NOW,
        )  # fmt: skip
    assert PackRevision.objects.get() == first


# --- approving -------------------------------------------------------------------------


def test_approval_by_someone_else_puts_the_version_in_force(
    kcc: Organisation, manager: User, deputy: User, dgs_member: User, dgs: Area
) -> None:
    revision = _propose(manager, kcc, kent_version("1.9"))
    later = NOW + timedelta(hours=2)
    approved = approve_revision(deputy, revision, now=later)
    kcc.refresh_from_db()
    assert (approved.status, approved.approved_by, approved.approved_at) == (
        Status.APPROVED,
        deputy,
        later,
    )
    assert kcc.framework == approved.framework
    assert (kcc.framework.version, kcc.framework.sha256) == ("1.9", sha256(kent_version("1.9")))
    # 75% is now amber: the approved rules produce the level.
    reading = submit_readings(dgs_member, dgs, {"stp_staffing_pct": 75}, later, now=later)[0]
    assert (reading.level, reading.framework_id) == (2, kcc.framework_id)


def test_self_approval_is_refused_and_changes_nothing(kcc: Organisation, manager: User) -> None:
    revision = _propose(manager, kcc, kent_version("1.9"))
    live = kcc.framework_id
    with pytest.raises(PermissionDenied, match="someone else must approve"):
        approve_revision(manager, revision, now=NOW)
    revision.refresh_from_db()
    kcc.refresh_from_db()
    assert (revision.status, kcc.framework_id) == (Status.DRAFT, live)


def test_a_superuser_cannot_approve_their_own_proposal(kcc: Organisation) -> None:
    admin = User.objects.create_superuser("admin", password="not-used")
    revision = _propose(admin, kcc, kent_version("1.9"))
    with pytest.raises(PermissionDenied):
        approve_revision(admin, revision, now=NOW)


def test_the_database_refuses_self_approval_too(kcc: Organisation, manager: User) -> None:
    revision = _propose(manager, kcc, kent_version("1.9"))
    revision.status, revision.approved_by, revision.approved_at = Status.APPROVED, manager, NOW
    revision.framework = kcc.framework
    with pytest.raises(IntegrityError), transaction.atomic():
        revision.save()


def test_an_approver_without_a_declaring_role_is_refused(
    kcc: Organisation, manager: User, director: User
) -> None:
    revision = _propose(manager, kcc, kent_version("1.9"))
    with pytest.raises(PermissionDenied):
        approve_revision(director, revision, now=NOW)
    admin = User.objects.create_superuser("admin", password="not-used")
    assert approve_revision(admin, revision, now=NOW).approved_by == admin


def test_approving_twice_is_refused(kcc: Organisation, manager: User, deputy: User) -> None:
    revision = _propose(manager, kcc, kent_version("1.9"))
    approve_revision(deputy, revision, now=NOW)
    admin = User.objects.create_superuser("admin", password="not-used")
    with pytest.raises(ValidationError, match="approved already"):
        approve_revision(admin, revision, now=NOW)


def test_a_version_installed_from_a_file_meanwhile_blocks_approval(
    kcc: Organisation, manager: User, deputy: User
) -> None:
    revision = _propose(manager, kcc, kent_version("1.9"))
    other = kent_version("1.9", bands=OLD_BANDS)
    Framework.objects.create(
        pack_id="kent-ascch", version="1.9", name="x", yaml_text=other, sha256=sha256(other),
        loaded_at=NOW,
    )  # fmt: skip
    live = kcc.framework_id
    with pytest.raises(ValidationError, match="propose it again under a higher version"):
        approve_revision(deputy, revision, now=NOW)
    kcc.refresh_from_db()
    revision.refresh_from_db()
    assert (kcc.framework_id, revision.status) == (live, Status.DRAFT)


def test_rolling_back_approves_the_earlier_framework_again(
    kcc: Organisation, manager: User, deputy: User
) -> None:
    original = kcc.framework
    approve_revision(deputy, _propose(manager, kcc, kent_version("1.9")), now=NOW)
    kcc.refresh_from_db()
    back = _propose(manager, kcc, original.yaml_text, summary="Back to 1.8")
    approve_revision(deputy, back, now=NOW + timedelta(hours=1))
    kcc.refresh_from_db()
    assert kcc.framework == original
    assert Framework.objects.filter(pack_id="kent-ascch").count() == 2


# --- the version list and the diff --------------------------------------------------------


def test_versions_list_drafts_then_installed_with_their_approval(
    kcc: Organisation, manager: User, deputy: User
) -> None:
    approve_revision(deputy, _propose(manager, kcc, kent_version("1.9")), now=NOW)
    draft = _propose(manager, kcc, kent_version("1.10", bands=OLD_BANDS), summary="Undo")
    kcc.refresh_from_db()
    listed = [(v.version, v.status, v.revision) for v in selectors.pack_versions(kcc)]
    approved = PackRevision.objects.get(version="1.9")
    assert listed == [
        ("1.10", "draft", draft),
        ("1.9", "live", approved),
        ("1.8", "superseded", None),
    ]


def test_the_diff_marks_added_and_removed_lines_with_their_numbers() -> None:
    old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"
    new = "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk\n"
    diff = line_diff(old, new, context=1)
    assert (diff.added, diff.removed) == (2, 1)
    assert [[(x.kind, x.old_number, x.new_number, x.text) for x in h] for h in diff.hunks] == [
        [
            ("same", 3, 3, "c"),
            ("removed", 4, None, "d"),
            ("added", None, 4, "D"),
            ("same", 5, 5, "e"),
        ],
        [("same", 10, 10, "j"), ("added", None, 11, "k")],
    ]


def test_the_diff_of_identical_texts_is_empty() -> None:
    diff = line_diff(KENT, KENT)
    assert (diff.identical, diff.hunks, diff.added, diff.removed) == (True, (), 0, 0)


def test_the_diff_of_a_kent_revision_is_the_band_line_and_the_version() -> None:
    diff = line_diff(KENT, kent_version("1.9"))
    changed = [(x.kind, x.text) for h in diff.hunks for x in h if x.kind != "same"]
    assert changed == [
        ("removed", 'version: "1.8"'),
        ("added", 'version: "1.9"'),
        ("removed", "      " + OLD_BANDS),
        ("added", "      " + NEW_BANDS),
    ]


# --- plan versions -------------------------------------------------------------------------


def _plan(user: User, kcc: Organisation) -> PlanVersion:
    return create_plan(
        user, kcc, title="Winter", text=PLAN_YAML, filename="", change_note="First", now=NOW
    )


def test_a_plan_version_is_approved_by_someone_other_than_its_uploader(
    kcc: Organisation, manager: User, deputy: User
) -> None:
    version = _plan(manager, kcc)
    with pytest.raises(PermissionDenied):
        approve_plan_version(manager, version, summary="UEC Board", now=NOW)
    approval = approve_plan_version(deputy, version, summary="UEC Board", now=NOW)
    assert (approval.approved_by, approval.summary) == (deputy, "UEC Board")
    rows = selectors.plan_versions(kcc)
    assert [(r.version.number, r.status) for r in rows[0].versions] == [(1, "Approved")]
    with pytest.raises(ValidationError, match="approved already"):
        approve_plan_version(deputy, version, summary="Again", now=NOW)
    assert PlanApproval.objects.count() == 1


def test_a_plan_version_without_approval_is_a_draft(
    kcc: Organisation, manager: User, director: User
) -> None:
    version = _plan(manager, kcc)
    with pytest.raises(PermissionDenied):
        approve_plan_version(director, version, summary="x", now=NOW)
    rows = selectors.plan_versions(kcc)
    assert [(r.version.number, r.status) for r in rows[0].versions] == [(1, "Draft")]
