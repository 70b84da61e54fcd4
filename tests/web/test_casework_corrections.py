"""Corrections of casework records (issue 7; DESIGN.md 'Security and records': amendments
supersede, they never overwrite): a saved placement's provider, provider email or start,
an assessment's discharge date or a review's start is corrected by a new, immutable
record of the old and new value, who, when and why; the record page shows them.

Personas: the DGS Short-Term Pathway Team Manager works DGS cases; the director sees
counts only; the West Kent coordinator works cases elsewhere (seed 000 roles; the Kent
pack's ``sees_patient_records``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from surgewatch.improvement.timers import placement_status
from surgewatch.web.accounts.models import User
from surgewatch.web.audit.models import AuditAction, AuditEntry
from surgewatch.web.casework.corrections import correct_record
from surgewatch.web.casework.models import Correction, Placement, Review
from surgewatch.web.casework.notices import send_due_notices
from surgewatch.web.casework.retention import purge_closed_records
from surgewatch.web.casework.selectors import organisation_timers, placement_facts
from surgewatch.web.casework.services import (
    CaseFields,
    PlacementFields,
    close_record,
    record_care_act_assessment,
    record_placement,
    record_review,
)
from surgewatch.web.decisions.models import ImmutableRecordError
from surgewatch.web.notify.models import Message
from surgewatch.web.orgs.models import Area

MakeUser = Callable[..., User]
# Tuesday 24 February 2026, 11:30 in London (GMT). A placement that began Monday 5 January
# is in week 8 of its disregard period (23 February to 1 March): its notice is due.
NOW = datetime(2026, 2, 24, 11, 30, tzinfo=UTC)
RECORD = reverse("casework-record", args=["kcc-asch", "dgs"])
AREA_URL = reverse("casework-area", args=["kcc-asch", "dgs"])


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response: object) -> str:
    content: bytes = response.content  # type: ignore[attr-defined]
    return " ".join(re.sub(r"<[^>]+>", " ", content.decode()).split())


def _placement(user: User, area: Area, started_on: date, reference: str = "DGS-7") -> Placement:
    given = PlacementFields(reference, "Oak House", "beds@oak.example.org", started_on)
    return record_placement(user, area, given, NOW)


def _form(placement: Placement, **changes: str) -> dict[str, str]:
    return {
        "kind": "placement",
        "record": str(placement.pk),
        "provider": placement.provider,
        "provider_email": placement.provider_email,
        "started_on": placement.started_on.isoformat(),
        "reason": "",
        **changes,
    }


def _page(placement: Placement) -> str:
    return f"{RECORD}?kind=placement&record={placement.pk}"


# --- correcting on the page -----------------------------------------------------------------


def test_a_correction_keeps_old_and_new_who_when_and_why_and_updates_the_record(
    dgs_member: User, dgs: Area
) -> None:
    placement = _placement(dgs_member, dgs, date(2026, 1, 5))
    client = _client(dgs_member)
    sent = _form(
        placement, provider="Elm Lodge", started_on="2026-01-06", reason="Wrong home typed"
    )
    response = client.post(RECORD, sent)
    assert (response.status_code, response["Location"]) == (302, _page(placement))
    placement.refresh_from_db()
    assert (placement.provider, placement.started_on) == ("Elm Lodge", date(2026, 1, 6))
    rows = Correction.objects.of(placement)
    assert [(c.field, c.old_value, c.new_value) for c in rows] == [
        ("provider", "Oak House", "Elm Lodge"),
        ("started_on", "2026-01-05", "2026-01-06"),
    ]
    assert {(c.reason, c.corrected_by, c.corrected_at) for c in rows} == {
        ("Wrong home typed", dgs_member, NOW)
    }
    page = _text(client.get(_page(placement)))
    assert "Provider Oak House Elm Lodge Wrong home typed" in page
    assert "Placement started 5 Jan 2026 6 Jan 2026 Wrong home typed" in page


def test_the_correction_and_the_change_are_audited_and_each_view_is_logged(
    dgs_member: User, dgs: Area
) -> None:
    placement = _placement(dgs_member, dgs, date(2026, 1, 5))
    client = _client(dgs_member)
    client.post(RECORD, _form(placement, provider_email="beds@elm.example.org", reason="Moved"))
    correction = Correction.objects.get()
    changed = AuditEntry.objects.get(model="casework.placement", action=AuditAction.CHANGED)
    assert (changed.before, changed.after) == (
        {"provider_email": "beds@oak.example.org"},
        {"provider_email": "beds@elm.example.org"},
    )
    assert AuditEntry.objects.filter(
        model="casework.correction", object_id=str(correction.pk), action=AuditAction.CREATED
    ).exists()
    client.get(_page(placement))
    viewed = AuditEntry.objects.filter(action=AuditAction.VIEWED)
    assert sorted(viewed.values_list("model", "object_id")) == [
        ("casework.correction", str(correction.pk)),
        ("casework.placement", str(placement.pk)),
    ]


def test_the_area_list_links_each_record_to_its_page(dgs_member: User, dgs: Area) -> None:
    placement = _placement(dgs_member, dgs, date(2026, 1, 5))
    html = _client(dgs_member).get(AREA_URL).content.decode()
    assert f'{RECORD}?kind=placement&amp;record={placement.pk}">DGS-7</a>' in html


def test_a_correction_without_a_reason_or_change_is_refused_with_nothing_saved(
    dgs_member: User, dgs: Area
) -> None:
    placement = _placement(dgs_member, dgs, date(2026, 1, 5))
    client = _client(dgs_member)
    no_reason = client.post(RECORD, _form(placement, provider="Elm Lodge"))
    assert no_reason.status_code == 400
    assert "is empty; fix: say why the record is corrected" in _text(no_reason)
    unchanged = client.post(RECORD, _form(placement, reason="Checking"))
    assert "nothing is different from the record; fix: change a value" in _text(unchanged)
    bad = client.post(RECORD, _form(placement, provider="", started_on="2026-03-01", reason="Typo"))
    assert "is empty; fix: fill it in" in _text(bad)
    assert "01 Mar 2026 is in the future; fix: check the date" in _text(bad)
    placement.refresh_from_db()
    assert (placement.provider, placement.started_on) == ("Oak House", date(2026, 1, 5))
    assert Correction.objects.count() == 0


def test_assessments_and_reviews_have_their_start_corrected(dgs_member: User, dgs: Area) -> None:
    care_act = record_care_act_assessment(
        dgs_member, dgs, CaseFields("CA-1", date(2026, 1, 12)), NOW
    )
    review = record_review(
        dgs_member, dgs, CaseFields("RV-1", date(2026, 1, 19), "short_term_package"), NOW
    )
    correct_record(
        dgs_member, dgs, "care_act", care_act.pk, {"discharged_on": date(2026, 1, 13)}, "TTO", NOW
    )
    correct_record(
        dgs_member, dgs, "review", review.pk, {"started_on": date(2026, 1, 20)}, "Late", NOW
    )
    care_act.refresh_from_db()
    review.refresh_from_db()
    assert (care_act.discharged_on, review.started_on) == (date(2026, 1, 13), date(2026, 1, 20))
    assert [(c.field, c.old_value) for c in Correction.objects.of(review)] == [
        ("started_on", "2026-01-19")
    ]
    # The kind is fixed once saved: only the start is corrected.
    with pytest.raises(ValidationError) as caught:
        correct_record(dgs_member, dgs, "review", review.pk, {"kind": "assessment_bed"}, "x", NOW)
    assert caught.value.message_dict["kind"] == [
        "cannot be corrected; fix: correct one of started_on"
    ]


def test_corrections_are_never_changed_or_deleted(dgs_member: User, dgs: Area) -> None:
    placement = _placement(dgs_member, dgs, date(2026, 1, 5))
    correct_record(dgs_member, dgs, "placement", placement.pk, {"provider": "Elm"}, "Typo", NOW)
    correction = Correction.objects.get()
    correction.new_value = "Ash"
    with pytest.raises(ImmutableRecordError):
        correction.save()
    with pytest.raises(ImmutableRecordError):
        correction.delete()
    with pytest.raises(ImmutableRecordError):
        Correction.objects.update(reason="")
    assert Correction.objects.get().new_value == "Elm"


# --- who may ---------------------------------------------------------------------------------


def test_only_the_areas_care_team_opens_or_corrects_a_record(
    dgs_member: User, dgs: Area, west_kent: Area, make_user: MakeUser
) -> None:
    placement = _placement(dgs_member, dgs, date(2026, 1, 5))
    director = make_user("director", "director-asc")
    coordinator = make_user("wk-coordinator", "discharge-coordinator", west_kent)
    for person in (director, coordinator):
        client = _client(person)
        assert client.get(_page(placement)).status_code == 403
        sent = _form(placement, provider="Elm", reason="x")
        assert client.post(RECORD, sent).status_code == 403
        with pytest.raises(PermissionDenied):
            correct_record(person, dgs, "placement", placement.pk, {"provider": "Elm"}, "x", NOW)
    assert Correction.objects.count() == 0
    assert not AuditEntry.objects.filter(action=AuditAction.VIEWED).exists()


def test_a_record_of_another_area_is_not_found_through_this_one(
    dgs_member: User, dgs: Area, west_kent: Area, make_user: MakeUser
) -> None:
    coordinator = make_user("wk-coordinator", "discharge-coordinator", west_kent)
    theirs = _placement(coordinator, west_kent, date(2026, 1, 5))
    client = _client(dgs_member)
    assert client.get(_page(theirs)).status_code == 404
    assert client.post(RECORD, _form(theirs, provider="Elm", reason="x")).status_code == 404
    with pytest.raises(ValidationError, match="not in this area"):
        correct_record(dgs_member, dgs, "placement", theirs.pk, {"provider": "Elm"}, "x", NOW)
    # Naming no record leads back to the area's list.
    assert client.get(RECORD)["Location"] == AREA_URL
    assert Correction.objects.count() == 0


def test_a_closed_record_is_shown_but_not_corrected(dgs_member: User, dgs: Area) -> None:
    placement = _placement(dgs_member, dgs, date(2026, 1, 5))
    close_record(dgs_member, dgs, "placement", placement.pk, date(2026, 2, 20), NOW)
    client = _client(dgs_member)
    page = _text(client.get(_page(placement)))
    assert "Closed 24 Feb 2026" in page
    assert "Correct this record" not in page
    with pytest.raises(ValidationError, match="is closed"):
        correct_record(dgs_member, dgs, "placement", placement.pk, {"provider": "Elm"}, "x", NOW)


# --- the week-8 provider notice ----------------------------------------------------------------


def test_a_sent_notice_is_not_sent_again_when_the_start_moves(dgs_member: User, dgs: Area) -> None:
    placement = _placement(dgs_member, dgs, date(2026, 1, 5))
    assert send_due_notices(NOW) == 1
    # Earlier: week 8 is past, and the notice was sent; later: week 8 is not here yet.
    for started_on, later in ((date(2025, 12, 29), 0), (date(2026, 2, 2), 35)):
        given = {"started_on": started_on}
        correct_record(dgs_member, dgs, "placement", placement.pk, given, "Checked", NOW)
        assert send_due_notices(NOW + timedelta(days=later)) == 0
    placement.refresh_from_db()
    timers = organisation_timers(dgs.organisation)
    assert timers is not None
    status = placement_status(placement_facts(placement), timers.placements, NOW.date())
    assert (placement.notice_queued_at, status.notice) == (NOW, "sent")
    assert Message.objects.count() == 1
    page = _text(_client(dgs_member).get(_page(placement)))
    assert "The provider was told on 24 Feb 2026; a new start date does not send" in page


def test_an_unsent_notice_follows_the_corrected_start(dgs_member: User, dgs: Area) -> None:
    placement = _placement(dgs_member, dgs, date(2026, 2, 2))
    assert send_due_notices(NOW) == 0  # week 4
    given = {"started_on": date(2026, 1, 5)}
    correct_record(dgs_member, dgs, "placement", placement.pk, given, "Wrong month", NOW)
    assert send_due_notices(NOW) == 1


# --- retention ----------------------------------------------------------------------------------


def test_the_purge_deletes_a_closed_records_corrections_with_it(
    dgs_member: User, dgs: Area
) -> None:
    old = _placement(dgs_member, dgs, date(2025, 1, 6), reference="DGS-1")
    kept = _placement(dgs_member, dgs, date(2025, 1, 6), reference="DGS-2")
    for record in (old, kept):
        correct_record(dgs_member, dgs, "placement", record.pk, {"provider": "Elm"}, "x", NOW)
    closed_long_ago = NOW - timedelta(days=400)
    Placement.objects.filter(pk=old.pk).update(closed_at=closed_long_ago, ended_on="2025-01-20")
    with override_settings(PATIENT_RECORD_RETENTION_DAYS=365):
        cutoff = NOW - timedelta(days=365)
        with pytest.raises(ImmutableRecordError, match="go only with it"):
            Correction.purge_for_retention(kept, cutoff)
        purged = purge_closed_records(cutoff, dry_run=False)
    assert purged.count == 1
    assert list(Placement.objects.all()) == [kept]
    assert [c.placement_id for c in Correction.objects.all()] == [kept.pk]
    deleted = AuditEntry.objects.filter(action=AuditAction.DELETED)
    assert sorted(deleted.values_list("model", flat=True)) == [
        "casework.correction",
        "casework.placement",
    ]
    assert Review.objects.count() == 0
