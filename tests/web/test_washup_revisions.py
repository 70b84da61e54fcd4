"""Wash-up cases supersede, they never overwrite (DESIGN.md, 'Security and records';
seed 003: each case is reviewed weekly and closed once the discharge is confirmed).

Each save of a case keeps an immutable revision; the case page shows them with who,
when and what changed; reading them is logged; only the retention purge removes them.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse

from surgewatch.web.accounts.models import User
from surgewatch.web.audit.models import AuditAction, AuditEntry
from surgewatch.web.decisions.models import ImmutableRecordError
from surgewatch.web.orgs.models import Area
from surgewatch.web.washup.demo import example_case, example_fields
from surgewatch.web.washup.models import REVISED_FIELDS, WashupCase, WashupCaseRevision
from surgewatch.web.washup.services import NOTE_MAX, CaseFields, update_case

NOW = datetime(2026, 1, 12, 10, 0, tzinfo=UTC)  # a Monday, a week after the case opened
OPENED = NOW - timedelta(days=7)
CLOSED = NOW + timedelta(days=7)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def case(dgs_member: User, dgs: Area) -> WashupCase:
    return example_case(dgs_member, dgs, OPENED)


def _weekly(case: WashupCase) -> CaseFields:
    """The second wash-up: the blocker changed, a new action."""
    return replace(
        example_fields(OPENED, case.reference),
        blocker="equipment-delay",
        action="Chase the hoist delivery",
        action_deadline=date(2026, 1, 16),
        review_date=date(2026, 1, 19),
    )


def _closing(case: WashupCase) -> CaseFields:
    return replace(_weekly(case), discharge_date=date(2026, 1, 19), actual_outcome="short-term-bed")


def _values(record: WashupCase | WashupCaseRevision) -> dict[str, object]:
    return {name: getattr(record, name) for name in (*REVISED_FIELDS, "closed_at")}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- superseding ----------------------------------------------------------------------------


def test_each_save_keeps_a_revision_and_the_earlier_values_stay_retrievable(
    case: WashupCase, dgs_member: User, make_user: object
) -> None:
    opened = _values(case)
    update_case(dgs_member, case, _weekly(case), NOW, note="Reviewed at wash-up")
    closed = update_case(dgs_member, case, _closing(case), CLOSED)

    found = list(case.revisions.for_history())
    assert [r.number for r in found] == [1, 2, 3]
    assert [r.recorded_at for r in found] == [OPENED, NOW, CLOSED]
    assert [r.note for r in found] == ["", "Reviewed at wash-up", ""]
    assert {r.recorded_by_id for r in found} == {dgs_member.pk}
    # The first state is kept whole, though the case has moved on twice.
    assert _values(found[0]) == opened
    assert (found[0].blocker, found[1].blocker) == ("night-sitting", "equipment-delay")
    assert (found[1].closed_at, found[2].closed_at) == (None, CLOSED)
    # The current row is the latest revision.
    closed.refresh_from_db()
    assert _values(closed) == _values(found[-1])


def test_a_refused_save_keeps_no_revision(
    case: WashupCase, dgs_member: User, swale_member: User
) -> None:
    with pytest.raises(PermissionDenied):
        update_case(swale_member, case, _weekly(case), NOW)
    with pytest.raises(ValidationError) as bad:
        update_case(dgs_member, case, replace(_weekly(case), blocker="unheard-of"), NOW)
    assert "blocker" in bad.value.message_dict
    with pytest.raises(ValidationError) as long:
        update_case(dgs_member, case, _weekly(case), NOW, note="x" * (NOTE_MAX + 1))
    assert f"keep it to {NOTE_MAX} characters" in long.value.message_dict["note"][0]
    assert case.revisions.count() == 1
    case.refresh_from_db()
    assert case.blocker == "night-sitting"


# --- revisions are records --------------------------------------------------------------------


def test_revisions_cannot_be_changed_or_deleted_by_normal_means(
    case: WashupCase, dgs_member: User
) -> None:
    revision = case.revisions.get()
    revision.blocker = "other"
    with pytest.raises(ImmutableRecordError):
        revision.save()
    with pytest.raises(ImmutableRecordError):
        revision.delete()
    with pytest.raises(ImmutableRecordError):
        WashupCaseRevision.objects.filter(case=case).update(blocker="other")
    with pytest.raises(ImmutableRecordError):
        WashupCaseRevision.objects.filter(case=case).delete()
    # Nor by deleting the case: it is protected while it has revisions.
    with pytest.raises(ProtectedError):
        WashupCase.objects.get(pk=case.pk).delete()
    assert WashupCaseRevision.objects.get(pk=revision.pk).blocker == "night-sitting"


def test_the_purge_path_refuses_open_and_recently_closed_cases(
    case: WashupCase, dgs_member: User
) -> None:
    with pytest.raises(ImmutableRecordError, match="fix: leave them"):
        WashupCaseRevision.purge_for_retention(case, NOW)
    closed = update_case(dgs_member, case, _closing(case), NOW)
    with pytest.raises(ImmutableRecordError):
        WashupCaseRevision.purge_for_retention(closed, NOW)  # closed at the cut-off itself
    assert case.revisions.count() == 2


# --- the case page ------------------------------------------------------------------------


def test_the_case_page_shows_each_revision_with_who_when_and_what_changed(
    case: WashupCase, dgs_member: User, dgs: Area
) -> None:
    client = _client(dgs_member)
    edit = reverse("washup-case-edit", args=["kcc-asch", case.pk])
    form = {
        "area": str(dgs.pk),
        **{
            k: v.isoformat() if isinstance(v, date) else (v or "")
            for k, v in vars(_weekly(case)).items()
        },
        "note": "  Hoist now the blocker  ",
    }
    assert client.post(edit, form).status_code == 302

    page = client.get(reverse("washup-case", args=["kcc-asch", case.pk]))
    text = page.content.decode()
    newest, opening = page.context["history"]
    assert (newest.revision.number, newest.what, opening.what) == (
        2,
        "Updated",
        "Added to the board",
    )
    assert newest.revision.note == "Hoist now the blocker"
    changed = {c.label: (c.before, c.after) for c in newest.changes}
    assert changed["Blocker reason"] == (
        "Night sitting service not available",
        "Delay in accessing equipment",
    )
    assert changed["Action deadline"] == ("12 Jan 2026", "16 Jan 2026")
    assert "Hospital" not in changed  # unchanged fields are not listed
    assert "Revision 2: Updated" in text and "Revision 1: Added to the board" in text
    assert "By dgs-manager, 12 Jan 2026 10:00" in text
    assert "By dgs-manager, 5 Jan 2026 10:00" in text
    assert "Night sitting service not available" in text  # the earlier value, as text


def test_reading_the_case_logs_the_case_and_every_revision_shown(
    case: WashupCase, dgs_member: User
) -> None:
    update_case(dgs_member, case, _weekly(case), NOW)
    _client(dgs_member).get(reverse("washup-case", args=["kcc-asch", case.pk]))
    read = AuditEntry.objects.filter(action=AuditAction.VIEWED, user_id=dgs_member.pk)
    shown = sorted(read.values_list("model", "object_id"))
    revisions = [str(pk) for pk in case.revisions.order_by("pk").values_list("pk", flat=True)]
    assert shown == sorted(
        [("washup.washupcase", str(case.pk))]
        + [("washup.washupcaserevision", pk) for pk in revisions]
    )


@pytest.mark.parametrize("who", ["swale", "director"])
def test_others_are_refused_the_history_and_nothing_is_logged_as_read(
    who: str, case: WashupCase, swale_member: User, viewer: User
) -> None:
    person = {"swale": swale_member, "director": viewer}[who]
    page = _client(person).get(reverse("washup-case", args=["kcc-asch", case.pk]))
    assert page.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.VIEWED).exists()


# --- the migration --------------------------------------------------------------------------


def test_the_migration_gives_each_existing_case_one_revision_of_its_values(
    dgs_member: User, dgs: Area, make_user: object
) -> None:
    migration = importlib.import_module(
        "surgewatch.web.washup.migrations.0003_revisions_of_existing_cases"
    )
    # A case saved the old way: created, then overwritten in place, with no revisions.
    old = WashupCase.objects.create(
        organisation=dgs.organisation,
        area=dgs,
        created_by=dgs_member,
        created_at=OPENED,
        updated_at=OPENED,
        **example_fields(OPENED, "OLD-0001").values(),
    )
    old.blocker, old.updated_at = "equipment-delay", NOW
    old.save()
    with_history = example_case(dgs_member, dgs, OPENED, reference="NEW-0001")

    migration.carry_over(apps, None)

    carried = old.revisions.get()
    assert (carried.number, carried.recorded_at, carried.recorded_by) == (1, NOW, dgs_member)
    assert _values(carried) == _values(old) and carried.blocker == "equipment-delay"
    assert "Earlier changes are in the audit log" in carried.note
    assert with_history.revisions.count() == 1  # a case with revisions is left alone
