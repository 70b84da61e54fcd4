"""Governance pages (issue 7): propose, review the diff, approve; plan approvals; the
version history and sign-off schedule; the exercise log. Scope checked on the server."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from surgewatch.core.loader import resolve_pack_path
from surgewatch.web.accounts.models import User
from surgewatch.web.governance import services
from surgewatch.web.governance.demo import load_demo_governance
from surgewatch.web.governance.history import load_history_file
from surgewatch.web.governance.models import (
    ExerciseEntry,
    PackRevision,
    PlanApproval,
    SignOffMeeting,
    Status,
)
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.plans.models import PlanVersion
from surgewatch.web.plans.services import add_version, create_plan

NOW = datetime(2026, 1, 5, 11, 0, tzinfo=UTC)
KENT = resolve_pack_path("kent-ascch").read_text(encoding="utf-8")
PLAN_YAML = (
    Path(__file__).resolve().parents[2] / "examples" / "plans" / "ssot-2024-25-rsuh-medical.yaml"
).read_text(encoding="utf-8")
SIGN_OFF = (
    Path(__file__).resolve().parents[2] / "examples" / "governance" / "ssot-2024-25-sign-off.yaml"
)
MakeUser = Callable[..., User]


def kent_version(version: str) -> str:
    """The bundled Kent pack under another version, green staffing raised to 80%."""
    old = "dgs: &staffing {1: [70, 100], 2: [50, 69], 3: [30, 49], 4: [0, 29]}"
    new = "dgs: &staffing {1: [80, 100], 2: [50, 79], 3: [30, 49], 4: [0, 29]}"
    return KENT.replace('version: "1.8"', f'version: "{version}"').replace(old, new)


@pytest.fixture
def manager(make_user: MakeUser) -> User:
    return make_user("service-manager", "stp-service-manager")


@pytest.fixture
def deputy(make_user: MakeUser) -> User:
    return make_user("deputy-manager", "stp-service-manager")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response: object) -> str:
    """The page's words without tags or repeated white space, to assert what a reader sees."""
    html = response.content.decode()  # type: ignore[attr-defined]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_governance_page_lists_versions_history_and_sign_off(
    kcc: Organisation, viewer: User
) -> None:
    load_demo_governance([kcc], NOW)
    response = _client(viewer).get(reverse("governance", args=["kcc-asch"]))
    assert response.status_code == 200
    text = _text(response)
    assert "1.8 Live installed from a pack file" in text
    assert "Propose a new version" not in text  # the director declares nothing in Kent
    assert "Kent ASCH Operational Pressures Escalation Plan: version control" in text
    assert "1.6 5 Jan 2024 Approved Amended roles and responsibilities" in text
    assert "2 plan tests recorded." in text


def test_the_organisation_page_links_to_governance(kcc: Organisation, viewer: User) -> None:
    response = _client(viewer).get(reverse("organisation", args=["kcc-asch"]))
    assert reverse("governance", args=["kcc-asch"]) in response.content.decode()


def test_propose_review_and_approve_by_another_declarer(
    kcc: Organisation, manager: User, deputy: User
) -> None:
    url = reverse("governance-propose", args=["kcc-asch"])
    form = _client(manager).get(url)
    assert 'version: "1.8"' in unescape(form.content.decode())  # starts from the live text
    sent = {"yaml_text": kent_version("1.9"), "summary": "Green staffing from 80%"}
    response = _client(manager).post(url, sent)
    revision = PackRevision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("governance-diff", args=["kcc-asch"]) + (
        f"?to=r{revision.pk}"
    )

    review = _client(manager).get(response["Location"])
    text = _text(review)
    assert "2 added, 2 removed" in text
    assert '- Removed 10 version: "1.8"' in text and '+ Added 10 version: "1.9"' in text
    assert "You proposed this version, so someone else" in text
    assert "Approve version 1.9" not in text

    review = _client(deputy).get(response["Location"])
    assert "Approve version 1.9 and put it in force" in _text(review)
    approve = reverse("governance-approve", args=["kcc-asch"])
    done = _client(deputy).post(approve, {"revision": revision.pk})
    assert done.status_code == 302
    kcc.refresh_from_db()
    assert (kcc.framework.version, PackRevision.objects.get().status) == ("1.9", Status.APPROVED)
    page = _text(_client(deputy).get(reverse("governance", args=["kcc-asch"])))
    assert "1.9 Live approved in the app Green staffing from 80%" in page
    assert "1.8 Superseded" in page


def test_self_approval_by_post_is_refused(kcc: Organisation, manager: User) -> None:
    sent = {"yaml_text": kent_version("1.9"), "summary": "Green from 80%"}
    _client(manager).post(reverse("governance-propose", args=["kcc-asch"]), sent)
    revision = PackRevision.objects.get()
    response = _client(manager).post(
        reverse("governance-approve", args=["kcc-asch"]), {"revision": revision.pk}
    )
    assert response.status_code == 403
    kcc.refresh_from_db()
    assert (kcc.framework.version, PackRevision.objects.get().status) == ("1.8", Status.DRAFT)


def test_an_upload_is_checked_and_problems_shown_beside_it(
    kcc: Organisation, manager: User
) -> None:
    broken = kent_version("1.9").replace("direction: higher_is_better", "direction: up", 1)
    upload = SimpleUploadedFile("kent-1.9.yaml", broken.encode())
    response = _client(manager).post(
        reverse("governance-propose", args=["kcc-asch"]), {"upload": upload, "summary": "x"}
    )
    assert response.status_code == 400
    text = _text(response)
    assert "Nothing was saved" in text
    assert "kent-1.9.yaml: indicators.0(stp_staffing_pct).direction" in text
    assert PackRevision.objects.count() == 0


def test_the_edited_pack_under_its_old_version_is_refused_with_the_fix(
    kcc: Organisation, manager: User
) -> None:
    response = _client(manager).post(
        reverse("governance-propose", args=["kcc-asch"]),
        {"yaml_text": kent_version("1.8"), "summary": "Green from 80%"},
    )
    assert response.status_code == 400
    assert "already installed here" in _text(response)
    assert "fix: raise 'version:'" in _text(response)
    assert PackRevision.objects.count() == 0


def test_without_a_declaring_role_the_forms_are_refused(kcc: Organisation, viewer: User) -> None:
    client = _client(viewer)
    assert client.get(reverse("governance-propose", args=["kcc-asch"])).status_code == 403
    sent = {"yaml_text": kent_version("1.9"), "summary": "x"}
    assert client.post(reverse("governance-propose", args=["kcc-asch"]), sent).status_code == 403
    assert client.get(reverse("exercise-log-new", args=["kcc-asch"])).status_code == 403
    assert PackRevision.objects.count() == 0


def test_any_two_versions_compare(kcc: Organisation, manager: User, deputy: User) -> None:
    _client(manager).post(
        reverse("governance-propose", args=["kcc-asch"]),
        {"yaml_text": kent_version("1.9"), "summary": "Green from 80%"},
    )
    revision = PackRevision.objects.get()
    url = reverse("governance-diff", args=["kcc-asch"])
    # Reversed: from the draft to the live version, the band line goes back.
    text = _text(_client(deputy).get(f"{url}?from=r{revision.pk}&to=f{kcc.framework_id}"))
    assert "Version 1.8 against version 1.9" in text
    assert '- Removed 10 version: "1.9"' in text
    same = _text(_client(deputy).get(f"{url}?from=f{kcc.framework_id}&to=f{kcc.framework_id}"))
    assert "None: the two texts are the same" in same
    # No choice: the newest draft against the live version.
    assert "Version 1.9 against version 1.8" in _text(_client(deputy).get(url))


def test_a_plan_version_is_approved_on_the_page(
    kcc: Organisation, manager: User, deputy: User
) -> None:
    version = create_plan(
        manager, kcc, title="Winter", text=PLAN_YAML, filename="", change_note="First", now=NOW
    )
    page = _text(_client(manager).get(reverse("governance", args=["kcc-asch"])))
    assert "You uploaded it: someone else approves it." in page
    url = reverse("governance-plan-approve", args=["kcc-asch"])
    refused = _client(manager).post(url, {"version": version.pk, "summary": "UEC Board"})
    assert refused.status_code == 403
    empty = _client(deputy).post(url, {"version": version.pk, "summary": ""})
    assert empty.status_code == 302 and PlanApproval.objects.count() == 0
    _client(deputy).post(url, {"version": version.pk, "summary": "UEC Board 26.09.24"})
    approval = PlanApproval.objects.get()
    assert (approval.plan_version, approval.approved_by) == (version, deputy)
    page = _text(_client(manager).get(reverse("governance", args=["kcc-asch"])))
    assert "Approved by deputy-manager" in page and "UEC Board 26.09.24" in page


def test_an_exercise_is_recorded_and_listed(kcc: Organisation, manager: User) -> None:
    load_demo_governance([kcc], NOW)
    sent = {
        "held_on": "2026-01-04",
        "kind": "exercise",
        "title": "Winter table-top",
        "scenario": "Two care homes close in Swale",
        "what_happened": "Group convened within the hour",
        "lessons": "Out-of-hours contacts were stale",
        "plan_changes": "Contacts to be checked monthly",
        "pack_revision": "",
        "document_version": "",
    }
    response = _client(manager).post(reverse("exercise-log-new", args=["kcc-asch"]), sent)
    assert response.status_code == 302
    entry = ExerciseEntry.objects.get(title="Winter table-top")
    assert (entry.recorded_by, entry.kind, entry.lessons) == (
        manager,
        "exercise",
        "Out-of-hours contacts were stale",
    )
    log = _text(_client(manager).get(reverse("exercise-log", args=["kcc-asch"])))
    assert log.index("Winter table-top") < log.index("Exercise Aegis") < log.index("Maidstone")
    assert "Carried by Kent ASCH Operational Pressures Escalation Plan, version 1.7" in log


def test_a_bad_exercise_is_refused_beside_its_fields(kcc: Organisation, manager: User) -> None:
    sent = {"held_on": "31/31/2024", "kind": "drill", "title": "", "scenario": "", "lessons": ""}
    response = _client(manager).post(reverse("exercise-log-new", args=["kcc-asch"]), sent)
    assert response.status_code == 400
    text = _text(response)
    assert "Date: write the date as YYYY-MM-DD" in text
    assert "Correct the 5 problems" in text
    assert "Lessons identified: this is empty; fix: fill it in" in text
    assert ExerciseEntry.objects.count() == 0


def test_another_organisations_governance_is_refused(
    kcc: Organisation, manager: User, tmp_path: Path
) -> None:
    from surgewatch.web.orgs.services import install_pack

    install_pack("example-acute-trust", now=NOW)
    client = _client(manager)
    for name in ("governance", "governance-diff", "exercise-log", "governance-propose"):
        assert client.get(reverse(name, args=["example-acute"])).status_code == 403


def test_a_sign_off_outcome_is_recorded_once_with_who_and_when(
    kcc: Organisation, manager: User, deputy: User
) -> None:
    load_history_file(SIGN_OFF, kcc, now=NOW)
    board = SignOffMeeting.objects.get(organisation=kcc, meeting="UEC Board")
    url = reverse("governance-sign-off", args=["kcc-asch"])
    done = _client(manager).post(url, {"meeting": board.pk, "outcome": "Approved"})
    assert done.status_code == 302
    board.refresh_from_db()
    assert (board.outcome, board.outcome_recorded_by) == ("Approved", manager)
    _client(deputy).post(url, {"meeting": board.pk, "outcome": "Rejected"})
    board.refresh_from_db()
    assert board.outcome == "Approved"  # the meeting is no longer offered, nothing changed
    page = _text(_client(deputy).get(reverse("governance", args=["kcc-asch"])))
    assert "UEC Board September 2024 26 Sep 2024 Approved recorded by service-manager" in page


def test_a_tbc_meeting_needs_the_date_it_was_held(kcc: Organisation, manager: User) -> None:
    load_history_file(SIGN_OFF, kcc, now=NOW)
    eprr = SignOffMeeting.objects.get(organisation=kcc, meeting="EPRR scenario testing")
    url = reverse("governance-sign-off", args=["kcc-asch"])
    client = _client(manager)
    client.post(url, {"meeting": eprr.pk, "outcome": "Tested"})
    eprr.refresh_from_db()
    assert (eprr.outcome, eprr.meeting_date) == ("", None)
    client.post(url, {"meeting": eprr.pk, "outcome": "Tested", "meeting_date": "2024-10-22"})
    eprr.refresh_from_db()
    assert (eprr.outcome, eprr.meeting_date) == ("Tested", date(2024, 10, 22))


def test_recording_an_outcome_takes_a_declaring_role(kcc: Organisation, viewer: User) -> None:
    load_history_file(SIGN_OFF, kcc, now=NOW)
    board = SignOffMeeting.objects.get(organisation=kcc, meeting="UEC Board")
    url = reverse("governance-sign-off", args=["kcc-asch"])
    assert _client(viewer).post(url, {"meeting": board.pk, "outcome": "x"}).status_code == 403
    board.refresh_from_db()
    assert board.outcome == ""


# --- approval status on the plan pages, and packs in force without an approval -------------

APPROVED_AT = "Mon 05 Jan 2026 11:00 GMT"  # NOW in UK time, as the pages print it


def _two_versions(kcc: Organisation, manager: User) -> tuple[PlanVersion, PlanVersion]:
    """A plan with versions 1 and 2, both uploaded by ``manager``."""
    first = create_plan(
        manager, kcc, title="Winter", text=PLAN_YAML, filename="",
        change_note="First", now=NOW,
    )  # fmt: skip
    second = add_version(
        manager, first.plan, text=PLAN_YAML + "\n# beds re-counted\n", filename="",
        change_note="Beds re-counted", now=NOW,
    )  # fmt: skip
    return first, second


def test_the_plan_page_shows_each_versions_approval(
    kcc: Organisation, manager: User, deputy: User, viewer: User
) -> None:
    first, _ = _two_versions(kcc, manager)
    services.approve_plan_version(deputy, first, summary="UEC Board", now=NOW)
    plan = first.plan
    latest = _client(viewer).get(reverse("plan", args=["kcc-asch", plan.pk]))
    text = _text(latest)
    # The version shown (2, the latest) is a draft; the table gives each version's status.
    assert "Approval Draft no approval recorded" in text
    assert "Beds re-counted Draft no approval recorded" in text
    assert f"First Approved by deputy-manager on {APPROVED_AT}" in text
    governance = reverse("governance", args=["kcc-asch"]) + "#plans"
    assert f'href="{governance}"' in latest.content.decode()
    earlier = _text(_client(viewer).get(reverse("plan-version", args=["kcc-asch", plan.pk, 1])))
    assert f"Approval Approved by deputy-manager on {APPROVED_AT}" in earlier


def test_the_plans_list_shows_the_latest_versions_approval(
    kcc: Organisation, manager: User, deputy: User, viewer: User
) -> None:
    first, second = _two_versions(kcc, manager)
    url = reverse("plans", args=["kcc-asch"])
    services.approve_plan_version(deputy, first, summary="UEC Board", now=NOW)
    # Version 1's approval is not the latest version's: the list still says draft.
    assert "Version 2 Draft no approval recorded" in _text(_client(viewer).get(url))
    services.approve_plan_version(deputy, second, summary="UEC Board", now=NOW)
    text = _text(_client(viewer).get(url))
    assert f"Version 2 Approved by deputy-manager on {APPROVED_AT}" in text
    assert "Draft" not in text


def test_a_pack_installed_from_a_file_says_no_approval_is_recorded(
    kcc: Organisation, manager: User, deputy: User, viewer: User
) -> None:
    url = reverse("governance", args=["kcc-asch"])
    text = _text(_client(viewer).get(url))
    assert "In force without an approval recorded here" in text
    assert "Version 1.8 of Kent" in text and "No approval of it is recorded in the app" in text
    assert "No approval recorded installed from a pack file, outside the app" in text
    revision = services.propose_revision(
        manager, kcc, text=kent_version("1.9"), filename="", summary="Green from 80%", now=NOW
    )
    services.approve_revision(deputy, revision, now=NOW)
    text = _text(_client(viewer).get(url))
    # 1.9 was approved here, so no warning; 1.8 keeps saying it never was.
    assert "In force without an approval recorded here" not in text
    assert "1.8 Superseded installed from a pack file" in text
    assert "No approval recorded installed from a pack file" in text
