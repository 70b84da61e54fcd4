"""Plans in the web app (issue 5): plan files as immutable versions, who may change them,
and uncertainty runs inline or through the task queue.

Personas (STYLE.md): the Short-Term Pathway Service Manager, whom the Kent pack
marks ``declares_level`` (seed 000, section 8), edits plans; a director who
only looks, a DGS team manager, and a site manager of another organisation do
not; a superuser administers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from surgewatch.planning.loading import PlanError
from surgewatch.web.accounts.models import User
from surgewatch.web.decisions.models import ImmutableRecordError
from surgewatch.web.demo.personas import ensure_personas
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack
from surgewatch.web.plans import runs
from surgewatch.web.plans.demo import load_demo_plans
from surgewatch.web.plans.documents import parse_plan_file
from surgewatch.web.plans.models import Plan, PlanVersion, RunStatus, UncertaintyRun
from surgewatch.web.plans.permissions import can_edit_plans
from surgewatch.web.plans.services import add_version, create_plan

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "plans"
SSOT = (EXAMPLES / "ssot-2024-25-rsuh-medical.yaml").read_text()
RISKS = (EXAMPLES / "ssot-2024-25-risks.yaml").read_text()
COSTS = (EXAMPLES / "kent-winter-2020-21-costs.yaml").read_text()
DEMAND = (EXAMPLES / "kent-demand-illustrative.yaml").read_text()
MODEL = (EXAMPLES / "illustrative-rsuh-medical-demand.yaml").read_text()
NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 11, 9, 9, 30, tzinfo=UTC)


@pytest.fixture
def editor(kcc: Organisation) -> User:
    user = User.objects.create_user("service-manager", password="not-used")
    add_membership(user, kcc, "stp-service-manager")
    return user


@pytest.fixture
def outsider(db: None) -> User:
    install_pack("example-acute-trust")
    user = User.objects.create_user("site-manager", password="not-used")
    add_membership(user, organisation_by_slug("example-acute"), "site-manager")
    return user


def _new(user: User, org: Organisation, text: str = SSOT, **changes: str) -> PlanVersion:
    values = {"title": "", "text": text, "filename": "", "change_note": "First version"}
    return create_plan(user, org, **{**values, **changes}, now=NOW)


# --- The plan file: one or several parts, each checked by the planning core ---------


def test_a_file_may_hold_several_parts_separated_by_dashes() -> None:
    documents = parse_plan_file(SSOT + "\n---\n" + RISKS, "plan.yaml")
    assert documents.kinds == ("capacity", "risks")
    assert documents.capacity is not None and documents.capacity.months[0] == "2024-10"
    assert documents.risks is not None and len(documents.risks.risks) == 4
    assert documents.title == "SSOT 2024/25 RSUH medical beds (seed 002)"


@pytest.mark.parametrize(
    ("text", "kind"),
    [(SSOT, "capacity"), (COSTS, "costs"), (RISKS, "risks"), (DEMAND, "demand")],
)
def test_each_kind_of_planning_file_is_recognised(text: str, kind: str) -> None:
    assert parse_plan_file(text, "plan.yaml").kinds == (kind,)


def test_a_bad_file_names_the_document_the_path_and_the_fix() -> None:
    bad = SSOT.replace("unit: acute  # D2A beds", "unit: d2x  # D2A beds", 1)
    with pytest.raises(PlanError) as refused:
        parse_plan_file(RISKS + "\n---\n" + bad, "winter.yaml")
    [problem] = refused.value.problems
    assert problem.file == "winter.yaml (document 2)"
    assert problem.path == "schemes.6(Cheadle).unit"
    assert "unknown unit 'd2x'" in problem.message and "fix:" in problem.message


def test_every_problem_is_reported_at_once() -> None:
    unknown = "title: A note\nbody: nothing here\n"
    twice = SSOT + "\n---\n" + SSOT
    with pytest.raises(PlanError) as refused:
        parse_plan_file(unknown + "---\n" + twice, "plan.yaml")
    messages = [str(p) for p in refused.value.problems]
    assert messages == [
        "plan.yaml (document 1): cannot tell what kind of plan this is; fix: a document needs "
        "one of bed gap and schemes 'sites:', costs and funding 'groups:', risk register "
        "'risks:', demand forecast 'services:'",
        "plan.yaml (document 3): a second bed gap and schemes; fix: keep one bed gap and "
        "schemes per plan file",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "plan.yaml: the file is empty; fix: paste or upload a plan"),
        ("title: [unclosed\n", "plan.yaml: line 2, column 1: not valid YAML"),
        ("- a list\n", "plan.yaml: must be a YAML mapping of keys to values; fix the top level"),
    ],
)
def test_empty_broken_and_non_mapping_files_are_refused(text: str, expected: str) -> None:
    with pytest.raises(PlanError) as refused:
        parse_plan_file(text, "plan.yaml")
    assert str(refused.value.problems[0]).startswith(expected)


# --- Versions: stored once, never changed; an edit is the next number ----------------


def test_a_new_plan_stores_version_one_with_who_when_and_what(
    editor: User, kcc: Organisation
) -> None:
    version = _new(editor, kcc, SSOT + "---\n" + RISKS, filename="ssot.yaml")
    assert version.plan.title == "SSOT 2024/25 RSUH medical beds (seed 002)"  # the file's title
    assert (version.number, version.kinds, version.filename) == (1, "capacity,risks", "ssot.yaml")
    assert (version.uploaded_by, version.uploaded_at, version.change_note) == (
        editor,
        NOW,
        "First version",
    )
    assert version.yaml_text == SSOT + "---\n" + RISKS  # exactly as uploaded, comments and all
    assert len(version.sha256) == 64


def test_an_edit_is_a_new_version_and_the_old_one_is_kept(editor: User, kcc: Organisation) -> None:
    first = _new(editor, kcc, title="Winter plan")
    edited = SSOT.replace("capacity: 21}", "capacity: 25}", 1)
    second = add_version(
        editor, first.plan, text=edited, filename="", change_note="W120 to 25 beds", now=LATER
    )
    assert second.number == 2 and second.plan.latest_version() == second
    first.refresh_from_db()
    assert first.yaml_text == SSOT and first.number == 1
    assert list(first.plan.versions.order_by("number").values_list("change_note", flat=True)) == [
        "First version",
        "W120 to 25 beds",
    ]


def test_a_bad_file_is_refused_with_the_loaders_messages_and_nothing_is_saved(
    editor: User, kcc: Organisation
) -> None:
    first = _new(editor, kcc)
    bad = SSOT.replace("gap: [-124, -154,", "gap: [-124,", 1)
    with pytest.raises(ValidationError) as refused:
        add_version(editor, first.plan, text=bad, filename="", change_note="x", now=LATER)
    assert refused.value.message_dict["text"] == [
        "plan.yaml: sites.0(RSUH).divisions.0(Medicine).gap: 8 values for 9 months; "
        "fix: give one gap per month"
    ]
    with pytest.raises(ValidationError):
        _new(editor, kcc, bad)
    assert (Plan.objects.count(), PlanVersion.objects.count()) == (1, 1)


def test_a_version_needs_a_change_note_and_must_change_something(
    editor: User, kcc: Organisation
) -> None:
    first = _new(editor, kcc)
    with pytest.raises(ValidationError) as no_note:
        add_version(editor, first.plan, text=RISKS, filename="", change_note=" ", now=LATER)
    assert no_note.value.message_dict == {
        "change_note": ["say what this version changes; fix: write a change note"]
    }
    with pytest.raises(ValidationError) as same:
        add_version(editor, first.plan, text=SSOT, filename="", change_note="again", now=LATER)
    assert same.value.message_dict == {
        "text": ["this is the text of version 1; fix: change the plan"]
    }
    assert PlanVersion.objects.count() == 1


def test_versions_cannot_be_changed_or_deleted(editor: User, kcc: Organisation) -> None:
    version = _new(editor, kcc)
    version.yaml_text = RISKS
    with pytest.raises(ImmutableRecordError):
        version.save()
    with pytest.raises(ImmutableRecordError):
        version.delete()
    with pytest.raises(ImmutableRecordError):
        PlanVersion.objects.filter(pk=version.pk).update(change_note="rewritten")
    with pytest.raises(ImmutableRecordError):
        PlanVersion.objects.all().delete()
    assert PlanVersion.objects.get().yaml_text == SSOT


# --- Who may change plans -----------------------------------------------------------------


def test_only_declaring_roles_and_superusers_change_plans(
    editor: User, kcc: Organisation, viewer: User, dgs_member: User, outsider: User
) -> None:
    admin = User.objects.create_superuser("admin", password="not-used")
    assert [can_edit_plans(u, kcc) for u in (editor, admin, viewer, dgs_member, outsider)] == [
        True,
        True,
        False,
        False,
        False,
    ]
    for refused in (viewer, dgs_member, outsider):
        with pytest.raises(PermissionDenied):
            _new(refused, kcc)
    first = _new(admin, kcc)
    with pytest.raises(PermissionDenied):
        add_version(viewer, first.plan, text=RISKS, filename="", change_note="x", now=LATER)
    assert PlanVersion.objects.count() == 1


# --- Uncertainty runs ---------------------------------------------------------------------


@pytest.fixture
def model_version(editor: User, kcc: Organisation) -> PlanVersion:
    return _new(editor, kcc, MODEL)


def test_a_small_run_happens_inline_and_is_reused(editor: User, model_version: PlanVersion) -> None:
    plan = parse_plan_file(MODEL, "plan.yaml").capacity
    assert plan is not None and runs.runs_inline(plan, 1000)
    run = runs.request_run(editor, model_version, plan, 1000, NOW)
    assert run.status == RunStatus.DONE and run.seed == runs.SEED
    assert run.result is not None
    [area] = run.result["areas"]
    assert [m["month"] for m in area["months"]] == [
        "2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03"
    ]  # fmt: skip
    october = area["months"][0]
    p10, p50, p90 = (october["occupancy"][k] for k in ("p10", "p50", "p90"))
    # 160 a day x 1.88 days is about 300 in bed, plus 128 MFFD and 33.5 DTA.
    assert p10 < p50 < p90 and 440 < p50 < 480
    assert october["capacity"] == 420 + 21 + 65 / 2.5 + 210 / 15  # open beds + schemes
    assert run.finished_at is not None and run.seconds is not None and run.seconds < 2
    again = runs.request_run(editor, model_version, plan, 1000, LATER)
    assert again.pk == run.pk and UncertaintyRun.objects.count() == 1


def test_the_fixed_seed_makes_runs_reproducible(
    editor: User, kcc: Organisation, model_version: PlanVersion
) -> None:
    other = _new(editor, kcc, MODEL, title="A copy")
    plan = parse_plan_file(MODEL, "plan.yaml").capacity
    assert plan is not None
    first = runs.request_run(editor, model_version, plan, 200, NOW)
    second = runs.request_run(editor, other, plan, 200, NOW)
    assert first.pk != second.pk and first.result == second.result


@pytest.mark.parametrize("replications", [99, 5001, 0])
def test_replications_are_bounded(
    editor: User, model_version: PlanVersion, replications: int
) -> None:
    plan = parse_plan_file(MODEL, "plan.yaml").capacity
    assert plan is not None
    with pytest.raises(ValidationError) as refused:
        runs.request_run(editor, model_version, plan, replications, NOW)
    assert refused.value.message_dict["replications"] == [
        f"{replications} is out of range; fix: use a whole number from 100 to 5,000"
    ]
    assert UncertaintyRun.objects.count() == 0


def test_a_large_run_goes_to_the_worker_after_commit(
    editor: User,
    model_version: PlanVersion,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    monkeypatch.setattr(runs, "INLINE_LIMIT", 1000)
    plan = parse_plan_file(MODEL, "plan.yaml").capacity
    assert plan is not None and not runs.runs_inline(plan, 100)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        run = runs.request_run(editor, model_version, plan, 100, NOW)
    assert run.status == RunStatus.QUEUED and len(queued) == 1
    queued[0]()  # the commit: huey runs the task at once in tests
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.result is not None
    assert run.result["replications"] == 100


def test_a_run_is_claimed_once(editor: User, model_version: PlanVersion) -> None:
    run = UncertaintyRun.objects.create(
        version=model_version,
        replications=100,
        seed=runs.SEED,
        status=RunStatus.QUEUED,
        requested_by=editor,
        requested_at=NOW,
    )
    runs.execute_run(run.pk, NOW)
    run.refresh_from_db()
    stored = (run.status, run.result, run.finished_at)
    runs.execute_run(run.pk, LATER)  # a second worker, or a retried task
    run.refresh_from_db()
    assert (run.status, run.result, run.finished_at) == stored
    assert run.status == RunStatus.DONE


def test_a_printed_gap_cannot_be_simulated_and_says_what_to_add(
    editor: User, kcc: Organisation
) -> None:
    plan = parse_plan_file(SSOT, "plan.yaml").capacity
    assert plan is not None
    assert runs.uncertainty_blocker(plan) == (
        "sites.RSUH.divisions.Medicine: no demand model to simulate; fix: add 'demand' "
        "(arrivals_per_day, mean_los_days) and 'open_beds'"
    )
    version = _new(editor, kcc, SSOT)
    run = UncertaintyRun.objects.create(
        version=version, replications=100, seed=runs.SEED, status=RunStatus.QUEUED,
        requested_by=editor, requested_at=NOW,
    )  # fmt: skip
    runs.execute_run(run.pk, NOW)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "no demand model to simulate" in run.error


def test_the_demo_loads_the_ssot_plan_and_risks_for_the_acute_trust(db: None) -> None:
    frameworks = [install_pack(pack, now=NOW) for pack in ("kent-ascch", "example-acute-trust")]
    organisations = [organisation_by_slug(slug) for slug in ("kcc-asch", "example-acute")]
    users = ensure_personas({o.slug: o for o in organisations})
    load_demo_plans(organisations, users, NOW)
    assert len(frameworks) == 2 and not Plan.objects.filter(organisation=organisations[0])
    versions = PlanVersion.objects.filter(plan__organisation=organisations[1]).order_by("pk")
    assert [(v.plan.title, v.kinds, v.uploaded_by.username) for v in versions] == [
        (
            "SSOT 2024/25 surge plan: RSUH medical beds and risks (seed 002)",
            "capacity,risks",
            "director-on-call",
        ),
        (
            "Illustrative demand model on seed 002 assumptions (not real figures)",
            "capacity",
            "director-on-call",
        ),
        (
            "SSOT 2024/25 RSUH medicine: flow model plan (illustrative arrivals and beds)",
            "capacity",
            "director-on-call",
        ),
    ]
    assert versions[0].yaml_text == SSOT + "---\n" + RISKS


def test_the_admin_shows_versions_and_changes_nothing(editor: User, kcc: Organisation) -> None:
    version = _new(editor, kcc)
    client = Client()
    client.force_login(User.objects.create_superuser("admin", password="not-used"))
    listing = client.get("/admin/plans/planversion/")
    assert listing.status_code == 200 and version.plan.title in listing.content.decode()
    page = client.get(f"/admin/plans/planversion/{version.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.post(f"/admin/plans/planversion/{version.pk}/delete/").status_code == 403
    assert client.get("/admin/plans/planversion/add/").status_code == 403
    assert PlanVersion.objects.get().yaml_text == SSOT
