"""The decision and dynamic risk assessment log: what an entry keeps, and that it keeps it.

Rules under test: seed 000, Appendix 4 (record every decision with its risk and
how the risk was identified and measured) and DESIGN.md 'Security and records'
(never overwritten; a correction is a new record that points at the old).
Times are explicit UTC; January is GMT, so UK wall-clock equals UTC there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from surgewatch.web.accounts.models import User
from surgewatch.web.decisions.models import (
    REVIEW_DUE_SOON,
    Decision,
    ImmutableRecordError,
    ReviewState,
)
from surgewatch.web.decisions.permissions import can_record
from surgewatch.web.decisions.selectors import (
    decision_log,
    decisions_since,
    describe_person,
    latest_version,
)
from surgewatch.web.decisions.services import record_decision
from surgewatch.web.escalation.selectors import organisation_status
from surgewatch.web.escalation.services import declare_level
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack
from surgewatch.web.reporting.services import submit_readings

MakeUser = Callable[..., User]
EIGHT = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
NINE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
TEN = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
NOON = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def _decide(user: User, organisation: Organisation, **changes: Any) -> Decision:
    values: dict[str, Any] = {
        "decision": "Open 5 extra D2A P1 slots in Dartford by redeploying KEaH staff",
        "risk": "Patients medically fit for discharge wait in acute beds",
        "identified_by": "DGS health caseload at 65 and staffing at 45% on the board",
        "measured_by": "Both indicators at OPEL 3; caseload rising for three days",
        "decided_by": "Sam Patel (Short-Term Pathway Service Manager)",
        "decided_at": NINE,
        "review_at": NINE + timedelta(hours=4),
        "now": TEN,
    }
    return record_decision(user, organisation, **{**values, **changes})


@pytest.fixture
def pressured(dgs_member: User, dgs: Area) -> None:
    """DGS staffing 45% and health caseload 65: both OPEL 3, so Kent suggests OPEL 3."""
    submit_readings(
        dgs_member, dgs, {"stp_staffing_pct": 45, "health_caseload": 65}, EIGHT, now=EIGHT
    )


@pytest.fixture
def manager(make_user: MakeUser) -> User:
    return make_user("service-manager", "stp-service-manager")


# --- the snapshot: captured, not typed -------------------------------------------------


def test_an_entry_keeps_the_level_and_indicators_standing_when_recorded(
    pressured: None, dgs_member: User, kcc: Organisation
) -> None:
    entry = _decide(dgs_member, kcc)
    snap = entry.snapshot
    assert entry.snapshot_level == 3
    assert (snap["standing_level"], snap["suggested_level"], snap["declared"]) == (3, 3, None)
    assert snap["framework"] == {"pack_id": "kent-ascch", "version": kcc.framework.version}
    assert snap["captured_at"] == "2026-01-05T10:00:00+00:00"
    assert snap["indicator_levels"] == {"stp_staffing_pct": 3, "health_caseload": 3}
    assert snap["cells"] == [
        {
            "indicator": "stp_staffing_pct",
            "indicator_name": "Staffing of Short-term Pathway Team",
            "area": "dgs",
            "area_name": kcc.areas.get(slug="dgs").name,
            "value": 45.0,
            "level": 3,
            "colour": "red",
            "observed_at": "2026-01-05T08:00:00+00:00",
        },
        {
            "indicator": "health_caseload",
            "indicator_name": "KCC Health Caseload",
            "area": "dgs",
            "area_name": kcc.areas.get(slug="dgs").name,
            "value": 65.0,
            "level": 3,
            "colour": "red",
            "observed_at": "2026-01-05T08:00:00+00:00",
        },
    ]
    assert (entry.framework, entry.recorded_by, entry.recorded_at) == (
        kcc.framework,
        dgs_member,
        TEN,
    )


def test_the_snapshot_does_not_move_when_readings_change_later(
    pressured: None, dgs_member: User, dgs: Area, kcc: Organisation
) -> None:
    before = _decide(dgs_member, kcc)
    submit_readings(
        dgs_member, dgs, {"stp_staffing_pct": 80, "health_caseload": 20}, NOON, now=NOON
    )
    after = _decide(dgs_member, kcc, decided_at=NOON, review_at=NOON + timedelta(hours=4), now=NOON)
    before.refresh_from_db()
    assert (before.snapshot_level, before.snapshot["suggested_level"]) == (3, 3)
    assert [c["value"] for c in before.snapshot["cells"]] == [45.0, 65.0]
    assert (after.snapshot_level, after.snapshot["suggested_level"]) == (1, 1)
    assert [c["value"] for c in after.snapshot["cells"]] == [80.0, 20.0]


def test_a_declared_level_stands_over_the_suggestion_with_who_and_when(
    pressured: None, dgs_member: User, manager: User, kcc: Organisation
) -> None:
    declare_level(manager, kcc, 4, "Two providers closed to admissions", now=NINE)
    entry = _decide(dgs_member, kcc)
    assert entry.snapshot_level == 4
    assert entry.snapshot["suggested_level"] == 3
    assert entry.snapshot["declared"] == {
        "level": 4,
        "by": "service-manager",
        "at": "2026-01-05T09:00:00+00:00",
        "reason": "Two providers closed to admissions",
    }


def test_with_no_readings_the_entry_has_no_level(dgs_member: User, kcc: Organisation) -> None:
    entry = _decide(dgs_member, kcc)
    assert (entry.snapshot_level, entry.snapshot["cells"], entry.snapshot["indicator_levels"]) == (
        None,
        [],
        {},
    )


def test_a_scored_pack_keeps_its_score(kcc: Organisation) -> None:
    install_pack("example-acute-trust")
    trust = organisation_by_slug("example-acute")
    site_manager = User.objects.create_user("site-manager", password="x")
    add_membership(site_manager, trust, "site-manager")
    site_a = trust.areas.get(slug="site-a")
    submit_readings(site_manager, site_a, {"ed_4h_performance_pct": 55}, EIGHT, now=EIGHT)
    standing = organisation_status(trust).result
    entry = _decide(site_manager, trust)
    assert standing.score is not None
    assert (entry.snapshot["score"], entry.snapshot["score_level"]) == (
        standing.score,
        standing.score_level,
    )
    assert entry.snapshot["framework"]["pack_id"] == "example-acute-trust"


# --- never updated, never deleted ------------------------------------------------------


def test_saving_an_existing_entry_is_refused(dgs_member: User, kcc: Organisation) -> None:
    entry = _decide(dgs_member, kcc)
    entry.decision = "Something else"
    with pytest.raises(ImmutableRecordError, match="cannot be changed"):
        entry.save()
    assert Decision.objects.get(pk=entry.pk).decision.startswith("Open 5 extra D2A")


def test_bulk_updates_and_deletes_are_refused(dgs_member: User, kcc: Organisation) -> None:
    entry = _decide(dgs_member, kcc)
    with pytest.raises(ImmutableRecordError):
        Decision.objects.filter(pk=entry.pk).update(decision="rewritten")
    with pytest.raises(ImmutableRecordError):
        Decision.objects.filter(pk=entry.pk).delete()
    with pytest.raises(ImmutableRecordError):
        entry.delete()
    assert Decision.objects.get(pk=entry.pk).decision.startswith("Open 5 extra D2A")


def test_a_copy_carrying_an_existing_id_does_not_overwrite_it(
    dgs_member: User, kcc: Organisation
) -> None:
    entry = _decide(dgs_member, kcc)
    copy = Decision.objects.get(pk=entry.pk)
    copy._state.adding = True
    copy.decision = "rewritten"
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    assert Decision.objects.get(pk=entry.pk).decision.startswith("Open 5 extra D2A")


def test_the_database_refuses_a_review_before_the_decision(
    dgs_member: User, kcc: Organisation
) -> None:
    entry = _decide(dgs_member, kcc)
    bad = Decision(
        organisation=kcc,
        decision="x",
        risk="x",
        identified_by="x",
        measured_by="x",
        decided_by="x",
        decided_at=NINE,
        review_at=EIGHT,
        recorded_by=dgs_member,
        recorded_at=TEN,
        framework=kcc.framework,
        snapshot=entry.snapshot,
    )
    # bulk_create skips every check in Python: the constraint is the last line.
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.bulk_create([bad])


# --- corrections -----------------------------------------------------------------------


def test_a_correction_is_a_new_entry_and_the_original_is_untouched(
    pressured: None, dgs_member: User, dgs: Area, kcc: Organisation
) -> None:
    original = _decide(dgs_member, kcc)
    kept = Decision.objects.filter(pk=original.pk).values().get()
    submit_readings(
        dgs_member, dgs, {"stp_staffing_pct": 80, "health_caseload": 20}, NOON, now=NOON
    )
    correction = _decide(
        dgs_member,
        kcc,
        review_at=NINE + timedelta(hours=2),
        now=NOON,
        corrects=original,
        correction_reason="Review is at 11:00, not 13:00",
    )
    assert Decision.objects.filter(pk=original.pk).values().get() == kept
    assert (correction.corrects, correction.correction_reason) == (
        original,
        "Review is at 11:00, not 13:00",
    )
    assert Decision.objects.get(pk=original.pk).corrected_by == correction
    assert correction.review_at == NINE + timedelta(hours=2)
    # It corrects the record of a decision made at OPEL 3: the situation then stays.
    assert (correction.snapshot, correction.snapshot_level) == (original.snapshot, 3)
    assert (correction.recorded_at, correction.recorded_by) == (NOON, dgs_member)
    assert latest_version(original) == correction


def test_an_entry_is_corrected_once_then_its_correction_is(
    dgs_member: User, kcc: Organisation
) -> None:
    original = _decide(dgs_member, kcc)
    first = _decide(dgs_member, kcc, decided_by="Jo", corrects=original, correction_reason="name")
    with pytest.raises(ValidationError) as caught:
        _decide(dgs_member, kcc, decided_by="Al", corrects=original, correction_reason="name")
    assert caught.value.message_dict == {
        "corrects": [
            f"decision {original.pk} was already corrected by decision {first.pk}; "
            f"fix: correct decision {first.pk}, the latest version"
        ]
    }
    second = _decide(dgs_member, kcc, decided_by="Al", corrects=first, correction_reason="name")
    assert latest_version(original) == second
    assert Decision.objects.count() == 3


def test_a_correction_needs_a_reason_and_a_change(dgs_member: User, kcc: Organisation) -> None:
    original = _decide(dgs_member, kcc)
    with pytest.raises(ValidationError) as caught:
        _decide(dgs_member, kcc, decided_by="Jo", corrects=original, correction_reason="  ")
    assert caught.value.message_dict == {
        "correction_reason": [
            "the correction has no reason; fix: say what was wrong with the original"
        ]
    }
    with pytest.raises(ValidationError) as caught:
        _decide(dgs_member, kcc, corrects=original, correction_reason="typo")
    assert caught.value.message_dict == {
        NON_FIELD_ERRORS: ["the correction changes nothing; fix: change what was wrong"]
    }
    assert Decision.objects.count() == 1


def test_another_organisations_entry_cannot_be_corrected_here(
    dgs_member: User, kcc: Organisation
) -> None:
    install_pack("example-acute-trust")
    trust = organisation_by_slug("example-acute")
    theirs = _decide(User.objects.create_superuser("admin", password="x"), trust)
    with pytest.raises(ValidationError) as caught:
        _decide(dgs_member, kcc, decided_by="Jo", corrects=theirs, correction_reason="x")
    assert caught.value.message_dict == {"corrects": [f"no entry {theirs.pk} in kcc-asch"]}


# --- validation: what is wrong and where, and nothing saved ----------------------------


def test_every_problem_is_named_beside_its_field_and_nothing_is_saved(
    dgs_member: User, kcc: Organisation
) -> None:
    with pytest.raises(ValidationError) as caught:
        _decide(
            dgs_member,
            kcc,
            decision="  ",
            risk="",
            decided_by="x" * 301,
            review_at=EIGHT,
        )
    assert caught.value.message_dict == {
        "decision": ["the decision is empty; fix: say what was decided"],
        "risk": ["the risk is empty; fix: say which risk the decision mitigates"],
        "decided_by": ["301 characters is too long; fix: shorten it to 300 or fewer"],
        "review_at": [
            "the review time (Mon 05 Jan 2026 08:00 GMT) is not after the decision "
            "(Mon 05 Jan 2026 09:00 GMT); fix: set a review time later than the decision"
        ],
    }
    assert Decision.objects.count() == 0


def test_a_review_at_the_moment_of_the_decision_is_refused(
    dgs_member: User, kcc: Organisation
) -> None:
    with pytest.raises(ValidationError) as caught:
        _decide(dgs_member, kcc, review_at=NINE)
    assert list(caught.value.message_dict) == ["review_at"]


def test_a_decision_in_the_future_is_refused_but_a_fast_clock_is_not(
    dgs_member: User, kcc: Organisation
) -> None:
    summer = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    with pytest.raises(ValidationError) as caught:
        _decide(
            dgs_member,
            kcc,
            decided_at=summer + timedelta(hours=1),
            review_at=summer + timedelta(hours=5),
            now=summer,
        )
    # Shown in UK time: 10:00 UTC is 11:00 BST.
    assert caught.value.message_dict == {
        "decided_at": [
            "the decision time (Wed 01 Jul 2026 11:00 BST) is in the future; "
            "fix: give when it happened"
        ]
    }
    fast = _decide(dgs_member, kcc, decided_at=NINE + timedelta(minutes=4), now=NINE)
    assert fast.decided_at == NINE + timedelta(minutes=4)


# --- who may record --------------------------------------------------------------------


@pytest.fixture
def personas(make_user: MakeUser, dgs: Area) -> dict[str, User]:
    install_pack("example-acute-trust")
    outsider = User.objects.create_user("site-manager", password="x")
    add_membership(outsider, organisation_by_slug("example-acute"), "site-manager")
    return {
        "outsider": outsider,
        "viewer": make_user("viewer", "viewer"),
        "member": make_user("dgs-manager", "stp-team-manager", dgs),
        "director": make_user("director", "director-asc"),
        "admin": User.objects.create_superuser("admin", password="x"),
        "nobody": User.objects.create_user("nobody", password="x"),
    }


@pytest.mark.parametrize(
    ("persona", "may"),
    [
        ("outsider", False),
        ("viewer", False),
        ("nobody", False),
        ("member", True),
        ("director", True),
        ("admin", True),
    ],
)
def test_who_may_record(
    personas: dict[str, User], kcc: Organisation, persona: str, may: bool
) -> None:
    user = personas[persona]
    assert can_record(user, kcc) is may
    if may:
        assert _decide(user, kcc).recorded_by == user
    else:
        with pytest.raises(PermissionDenied):
            _decide(user, kcc)
        assert Decision.objects.count() == 0


def test_a_viewer_who_also_holds_a_plan_role_may_record(
    personas: dict[str, User], kcc: Organisation
) -> None:
    viewer = personas["viewer"]
    add_membership(viewer, kcc, "commissioning-manager")
    assert can_record(viewer, kcc) is True


def test_the_recorder_is_described_by_name_and_plan_roles(
    make_user: MakeUser, kcc: Organisation
) -> None:
    user = make_user("sam", "stp-service-manager")
    user.first_name, user.last_name = "Sam", "Patel"
    user.save()
    add_membership(user, kcc, "viewer")
    assert describe_person(user, kcc) == "Sam Patel (Short-Term Pathway Service Manager)"


# --- reads -----------------------------------------------------------------------------


def test_decisions_since_is_judged_by_when_entries_were_recorded(
    dgs_member: User, kcc: Organisation
) -> None:
    early = _decide(dgs_member, kcc, decided_at=EIGHT, now=EIGHT)
    # Decided at 08:30 but written up at noon: the next SitRep must still carry it.
    late = _decide(dgs_member, kcc, decided_at=EIGHT + timedelta(minutes=30), now=NOON)
    on_time = _decide(dgs_member, kcc, decided_at=TEN, review_at=NOON, now=TEN)
    assert list(decisions_since(kcc, NINE)) == [late, on_time]
    assert list(decisions_since(kcc, EIGHT)) == [early, late, on_time]
    assert list(decision_log(kcc)) == [on_time, late, early]
    assert list(decision_log(kcc, since=EIGHT + timedelta(minutes=1), until=TEN)) == [late]


def test_review_is_due_shortly_before_its_time_and_overdue_after(
    dgs_member: User, kcc: Organisation
) -> None:
    entry = _decide(dgs_member, kcc)  # review at 13:00
    review = entry.review_at
    assert entry.review_state(review - REVIEW_DUE_SOON - timedelta(seconds=1)) == "not_due"
    assert entry.review_state(review - REVIEW_DUE_SOON) == ReviewState.DUE
    assert entry.review_state(review - timedelta(seconds=1)) == ReviewState.DUE
    assert entry.review_state(review) == ReviewState.OVERDUE
    correction = _decide(dgs_member, kcc, decided_by="Jo", corrects=entry, correction_reason="x")
    entry.refresh_from_db()
    # The correction carries the review now; the corrected entry is not chased.
    assert entry.review_state(review) == ReviewState.NOT_DUE
    assert correction.review_state(review) == ReviewState.OVERDUE
