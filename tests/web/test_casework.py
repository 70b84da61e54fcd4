"""Casework timers on the web (issue 7): recording placements, Care Act assessments and
reviews, who may open them, the audit of every read, and bad input.

Personas: the DGS Short-Term Pathway Team Manager and the Kent-wide Service Manager
work cases; the West Kent coordinator works cases elsewhere; the director and a
superuser see counts only (seed 000 roles; the Kent pack's ``sees_patient_records``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from surgewatch.web.accounts.models import User
from surgewatch.web.audit.models import AuditAction, AuditEntry
from surgewatch.web.casework.models import CareActAssessment, Placement, Review
from surgewatch.web.casework.services import (
    CaseFields,
    PlacementFields,
    close_record,
    record_care_act_assessment,
    record_placement,
    record_review,
)
from surgewatch.web.orgs.models import Area, Organisation

MakeUser = Callable[..., User]
# Tuesday 24 February 2026, 11:30 in London (GMT): week 8 of a placement that began
# Monday 5 January runs from Monday 23 February to Sunday 1 March.
NOW = datetime(2026, 2, 24, 11, 30, tzinfo=UTC)
AREA_URL = reverse("casework-area", args=["kcc-asch", "dgs"])
NEW_PLACEMENT = reverse("casework-placement-new", args=["kcc-asch", "dgs"])
CLOSE = reverse("casework-close", args=["kcc-asch", "dgs"])


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _raw(response: object) -> str:
    content: bytes = response.content  # type: ignore[attr-defined]
    return content.decode()


def _text(response: object) -> str:
    """The page's words, tags dropped: what a screen reader says."""
    return " ".join(re.sub(r"<[^>]+>", " ", _raw(response)).split())


def _placement(user: User, area: Area, reference: str, started_on: date) -> Placement:
    given = PlacementFields(reference, "Oak House", "beds@oak.example.org", started_on)
    return record_placement(user, area, given, NOW)


@pytest.fixture
def director(make_user: MakeUser) -> User:
    return make_user("director", "director-asc")


# --- recording and listing -----------------------------------------------------------------


def test_a_placement_recorded_on_the_page_is_listed_with_its_timers(
    dgs_member: User, dgs: Area
) -> None:
    response = _client(dgs_member).post(
        NEW_PLACEMENT,
        {
            "reference": "DGS-0042",
            "provider": "Oak House",
            "provider_email": "beds@oak.example.org",
            "started_on": "2026-01-05",
            "disregard_starts_on": "",
        },
    )
    assert response.status_code == 302
    placement = Placement.objects.get()
    assert (placement.area, placement.recorded_by, placement.started_on) == (
        dgs,
        dgs_member,
        date(2026, 1, 5),
    )
    page = _text(_client(dgs_member).get(AREA_URL))
    assert "DGS-0042" in page
    # seed 000, section 6.3: in its eighth week, so over 3 weeks and the notice is due.
    assert "Over 3 weeks immediate action since 26 Jan 2026" in page
    assert "Due this week, sent automatically" in page
    assert "Disregard period ends 29 Mar 2026" in page


def test_care_act_assessments_and_reviews_show_due_soon_and_overdue(
    dgs_member: User, dgs: Area
) -> None:
    record_care_act_assessment(dgs_member, dgs, CaseFields("CA-1", date(2026, 1, 1)), NOW)
    record_care_act_assessment(dgs_member, dgs, CaseFields("CA-2", date(2026, 1, 20)), NOW)
    record_review(dgs_member, dgs, CaseFields("RV-1", date(2026, 2, 20), "short_term_package"), NOW)
    page = _text(_client(dgs_member).get(AREA_URL))
    assert "CA-1" in page and "Overdue by 13 days" in page  # due by 11 Feb
    assert "Due soon 6 days left" in page  # CA-2, due by 2 March
    assert "Short-term care package, 20 Feb 2026" in page
    overdue = _text(_client(dgs_member).get(AREA_URL + "?show=overdue"))
    assert "CA-1" in overdue and "CA-2" not in overdue and "RV-1" not in overdue


def test_every_record_shown_is_logged_as_read(dgs_member: User, dgs: Area) -> None:
    placement = _placement(dgs_member, dgs, "DGS-0042", date(2026, 1, 5))
    review = record_review(
        dgs_member, dgs, CaseFields("RV-1", date(2026, 2, 20), "assessment_bed"), NOW
    )
    _client(dgs_member).get(AREA_URL)
    read = AuditEntry.objects.filter(action=AuditAction.VIEWED)
    assert sorted(read.values_list("model", "object_id", "user_id")) == [
        ("casework.placement", str(placement.pk), dgs_member.pk),
        ("casework.review", str(review.pk), dgs_member.pk),
    ]


def test_closing_a_placement_takes_it_off_the_list_and_is_audited(
    dgs_member: User, dgs: Area
) -> None:
    placement = _placement(dgs_member, dgs, "DGS-0042", date(2026, 1, 5))
    response = _client(dgs_member).post(
        CLOSE, {"kind": "placement", "record": placement.pk, "on": "2026-02-20"}
    )
    assert response.status_code == 302
    placement.refresh_from_db()
    assert (placement.ended_on, placement.closed_at) == (date(2026, 2, 20), NOW)
    changed = AuditEntry.objects.get(model="casework.placement", action=AuditAction.CHANGED)
    assert changed.after == {"ended_on": "2026-02-20", "closed_at": "2026-02-24T11:30:00Z"}
    assert "DGS-0042" not in _text(_client(dgs_member).get(AREA_URL))


# --- who may open records ------------------------------------------------------------------


def test_others_in_the_organisation_see_counts_only(
    dgs_member: User, director: User, dgs: Area
) -> None:
    _placement(dgs_member, dgs, "DGS-0042", date(2026, 1, 5))
    response = _client(director).get(reverse("casework", args=["kcc-asch"]))
    assert "1 need action" in _text(response)
    assert "DGS-0042" not in _raw(response)
    assert f'href="{AREA_URL}"' not in _raw(response)
    assert _client(director).get(AREA_URL).status_code == 403
    admin = User.objects.create_superuser("root", password="not-used")
    assert _client(admin).get(AREA_URL).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.VIEWED).exists()


def test_a_care_team_opens_only_its_own_areas(
    dgs_member: User, west_kent_coordinator: User, dgs: Area
) -> None:
    summary = _raw(_client(dgs_member).get(reverse("casework", args=["kcc-asch"])))
    assert f'href="{AREA_URL}"' in summary
    assert _client(west_kent_coordinator).get(AREA_URL).status_code == 403
    with pytest.raises(PermissionDenied):
        _placement(west_kent_coordinator, dgs, "DGS-0042", date(2026, 1, 5))
    assert Placement.objects.count() == 0


def test_another_areas_record_cannot_be_closed_through_this_area(
    dgs_member: User, make_user: MakeUser, dgs: Area, swale: Area
) -> None:
    manager = make_user("service-manager", "stp-service-manager")
    swale_case = record_care_act_assessment(
        manager, swale, CaseFields("SW-1", date(2026, 1, 5)), NOW
    )
    response = _client(dgs_member).post(
        CLOSE, {"kind": "care_act", "record": swale_case.pk, "on": "2026-02-20"}
    )
    assert response.status_code == 400
    assert "is closed or not in this area" in _text(response)
    assert CareActAssessment.objects.get().assessed_on is None


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reference": "943 476 5919"}, "reference", "looks like an NHS number"),
        ({"reference": "Jane Smith"}, "reference", "never a name"),
        ({"started_on": "2026-02-25"}, "started_on", "25 Feb 2026 is in the future"),
        ({"started_on": ""}, "started_on", "is missing"),
        ({"provider": " "}, "provider", "is empty"),
        ({"provider_email": "not-an-address"}, "provider_email", "Enter a valid email address"),
    ],
)
def test_a_bad_placement_is_refused_whole_with_the_problem_named(
    dgs_member: User, changes: dict[str, str], field: str, message: str
) -> None:
    form = {
        "reference": "DGS-0042",
        "provider": "Oak House",
        "provider_email": "beds@oak.example.org",
        "started_on": "2026-01-05",
        **changes,
    }
    response = _client(dgs_member).post(NEW_PLACEMENT, form)
    assert response.status_code == 400
    page = _text(response)
    assert "Nothing was saved" in page
    assert message in page
    assert f'id="id_{field}-error"' in _raw(response)
    assert Placement.objects.count() == 0


def test_one_open_record_per_reference_and_area(dgs_member: User, dgs: Area) -> None:
    _placement(dgs_member, dgs, "DGS-0042", date(2026, 1, 5))
    with pytest.raises(ValidationError, match="already open in Dartford"):
        _placement(dgs_member, dgs, "DGS-0042", date(2026, 1, 6))


def test_an_end_before_the_start_or_in_the_future_is_refused(dgs_member: User, dgs: Area) -> None:
    placement = _placement(dgs_member, dgs, "DGS-0042", date(2026, 1, 5))
    with pytest.raises(ValidationError, match="is before 05 Jan 2026"):
        close_record(dgs_member, dgs, "placement", placement.pk, date(2026, 1, 4), NOW)
    with pytest.raises(ValidationError, match="is in the future"):
        close_record(dgs_member, dgs, "placement", placement.pk, date(2026, 2, 25), NOW)
    with pytest.raises(ValidationError, match="is not chosen"):
        record_review(dgs_member, dgs, CaseFields("RV-1", date(2026, 2, 1), "holiday"), NOW)
    placement.refresh_from_db()
    assert placement.closed_at is None
    assert Review.objects.count() == 0


def test_an_organisation_without_timers_says_so(make_user: MakeUser, kcc: Organisation) -> None:
    from surgewatch.web.orgs.selectors import organisation_by_slug
    from surgewatch.web.orgs.services import add_membership, install_pack

    install_pack("example-acute-trust", now=NOW)
    acute = organisation_by_slug("example-acute")
    manager = User.objects.create_user("site-manager", password="not-used")
    add_membership(manager, acute, "site-manager")
    url = reverse("casework-placement-new", args=["example-acute", "site-a"])
    page = _client(manager).post(url, {"reference": "A-123"})
    assert page.status_code == 409
    assert "sets no casework timers" in _text(page)
    assert Placement.objects.count() == 0


# --- retention: closed records are purged, open ones never --------------------------------


def test_closed_records_past_retention_are_purged_and_each_deletion_audited(
    dgs_member: User, dgs: Area, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.test import override_settings

    from surgewatch import cli

    old = _placement(dgs_member, dgs, "DGS-1", date(2025, 1, 6))
    closed_long_ago = datetime(2025, 2, 1, 12, 0, tzinfo=UTC)  # 388 days before NOW
    close_record(dgs_member, dgs, "placement", old.pk, date(2025, 2, 1), closed_long_ago)
    recent = record_review(
        dgs_member, dgs, CaseFields("RV-1", date(2026, 1, 5), "assessment_bed"), NOW
    )
    close_record(dgs_member, dgs, "review", recent.pk, date(2026, 2, 1), NOW)
    still_open = _placement(dgs_member, dgs, "DGS-2", date(2025, 1, 6))
    with override_settings(PATIENT_RECORD_RETENTION_DAYS=365):
        assert cli.main(["purge", "--dry-run"]) == 0
        assert "casework records: would delete 1 closed" in capsys.readouterr().out
        assert Placement.objects.count() == 2
        assert cli.main(["purge"]) == 0
    assert "casework records: deleted 1 closed more than 365 days ago" in capsys.readouterr().out
    assert list(Placement.objects.all()) == [still_open]
    assert list(Review.objects.all()) == [recent]
    deleted = AuditEntry.objects.get(model="casework.placement", action=AuditAction.DELETED)
    assert (deleted.object_id, deleted.actor) == (str(old.pk), "command:purge")
