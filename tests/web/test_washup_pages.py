"""The wash-up board on the web (issue 7; seed 003, Kent Acute Hospital Optimisation):
cases, their access by area, the weekly improvement cycle, escalation, DTOC rates."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from surgewatch.web.accounts.models import User
from surgewatch.web.actions.models import ActionCard, CardSource
from surgewatch.web.audit.models import AuditAction, AuditEntry
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.washup.demo import example_case, example_fields
from surgewatch.web.washup.models import BlockerEscalation, WashupCase
from surgewatch.web.washup.services import update_case

NOW = datetime(2026, 1, 5, 11, 30, tzinfo=UTC)  # a Monday
MakeUser = Callable[..., User]


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(area: Area, **changes: str) -> dict[str, str]:
    return {
        "area": str(area.pk),
        "reference": "SW-2001",
        "hospital": "Darent Valley Hospital",
        "ward": "Ward 3",
        "ideal_outcome": "home-no-support",
        "expected_outcome": "long-term-residential",
        "blocker": "night-sitting",
        "blocker_detail": "",
        "action": "Research night sitting alternatives",
        "action_owner": "Dee Gee",
        "action_deadline": "2026-01-09",
        "review_date": "2026-01-12",
        **changes,
    }


def _viewed() -> list[tuple[int | None, str]]:
    entries = AuditEntry.objects.filter(action=AuditAction.VIEWED, model="washup.washupcase")
    return list(entries.values_list("user_id", "object_id"))


# --- adding and opening cases ------------------------------------------------------------


def test_a_team_manager_adds_a_case_and_its_page_read_is_logged(
    dgs_member: User, dgs: Area
) -> None:
    client = _client(dgs_member)
    response = client.post(reverse("washup-case-new", args=["kcc-asch"]), _form(dgs))
    case = WashupCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("washup-case", args=["kcc-asch", case.pk])
    assert (case.area, case.reference, case.closed_at) == (dgs, "SW-2001", None)
    created = AuditEntry.objects.get(action=AuditAction.CREATED, model="washup.washupcase")
    assert created.user_id == dgs_member.pk

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Falls short of the ideal by 3 steps" in page.content.decode()
    assert _viewed() == [(dgs_member.pk, str(case.pk))]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"reference": "Mark Smith"}, "reference", "never a name"),
        ({"blocker": "other"}, "blocker_detail", "is needed for 'Other (describe)'"),
        ({"discharge_date": "2026-01-05"}, "actual_outcome", "give both or neither"),
        ({"expected_outcome": "hotel"}, "expected_outcome", "Select a valid choice"),
        (
            {"fit_for_discharge_on": "2026-01-02"},
            "delay_attribution",
            "is needed with a fit-for-discharge date",
        ),
    ],
)
def test_bad_input_is_named_beside_its_field_and_saves_nothing(
    dgs_member: User, dgs: Area, changes: dict[str, str], field: str, words: str
) -> None:
    url = reverse("washup-case-new", args=["kcc-asch"])
    response = _client(dgs_member).post(url, _form(dgs, **changes))
    assert response.status_code == 400
    assert any(words in e for e in response.context["form"].errors[field])
    assert WashupCase.objects.count() == 0


def test_an_open_reference_cannot_be_added_twice(dgs_member: User, dgs: Area) -> None:
    client = _client(dgs_member)
    url = reverse("washup-case-new", args=["kcc-asch"])
    client.post(url, _form(dgs))
    again = client.post(url, _form(dgs))
    assert again.status_code == 400
    assert "is already on the board" in again.context["form"].errors["reference"][0]
    assert WashupCase.objects.count() == 1


def test_a_case_cannot_be_added_in_an_area_the_role_does_not_work(
    dgs_member: User, swale: Area
) -> None:
    response = _client(dgs_member).post(reverse("washup-case-new", args=["kcc-asch"]), _form(swale))
    assert response.status_code == 400
    assert "area" in response.context["form"].errors
    assert WashupCase.objects.count() == 0


@pytest.fixture
def case(dgs_member: User, dgs: Area) -> WashupCase:
    return example_case(dgs_member, dgs, NOW - timedelta(days=10))


@pytest.mark.parametrize("who", ["swale", "director", "superuser"])
def test_others_are_refused_the_case_page_and_nothing_is_logged_as_read(
    who: str, case: WashupCase, swale_member: User, viewer: User
) -> None:
    people = {
        "swale": swale_member,
        "director": viewer,
        "superuser": User.objects.create_superuser("root", password="x-long-enough"),
    }
    client = _client(people[who])
    for name in ("washup-case", "washup-case-edit"):
        assert client.get(reverse(name, args=["kcc-asch", case.pk])).status_code == 403
    assert _viewed() == []


def test_the_board_shows_references_only_to_the_areas_case_workers(
    case: WashupCase, dgs_member: User, swale_member: User, viewer: User
) -> None:
    url = reverse("washup", args=["kcc-asch"])
    own = _client(dgs_member).get(url).content.decode()
    assert case.reference in own
    assert _viewed() == [(dgs_member.pk, str(case.pk))]
    for other in (swale_member, viewer):
        page = _client(other).get(url)
        assert page.status_code == 200
        assert case.reference not in page.content.decode()
        counts = {c.area.slug: c.open for c in page.context["counts"]}
        assert counts["dgs"] == 1 and counts["swale"] == 0
    assert len(_viewed()) == 1


def test_a_kent_wide_service_manager_opens_every_areas_cases(
    case: WashupCase, make_user: MakeUser
) -> None:
    manager = make_user("service-manager", "stp-service-manager")
    page = _client(manager).get(reverse("washup-case", args=["kcc-asch", case.pk]))
    assert page.status_code == 200


def test_discharge_date_and_outcome_close_the_case_and_removing_them_reopens_it(
    case: WashupCase, dgs_member: User, dgs: Area
) -> None:
    client = _client(dgs_member)
    url = reverse("washup-case-edit", args=["kcc-asch", case.pk])
    closing = _form(
        dgs, reference=case.reference, discharge_date="2026-01-05", actual_outcome="short-term-bed"
    )
    assert client.post(url, closing).status_code == 302
    case.refresh_from_db()
    assert (case.discharge_date, case.actual_outcome, case.closed_at) == (
        date(2026, 1, 5),
        "short-term-bed",
        NOW,
    )
    changed = AuditEntry.objects.filter(action=AuditAction.CHANGED, model="washup.washupcase")
    assert (changed.get().after or {}).get("actual_outcome") == "short-term-bed"
    assert client.post(url, _form(dgs, reference=case.reference)).status_code == 302
    case.refresh_from_db()
    assert case.closed_at is None


# --- the weekly improvement cycle ---------------------------------------------------------


def _more_cases(user: User, area: Area) -> None:
    example_case(user, area, NOW - timedelta(days=2), reference="DEMO-0002")
    added = NOW - timedelta(days=2)
    third = example_case(user, area, added, reference="DEMO-0003")
    reviewed = replace(
        example_fields(added, "DEMO-0003"),
        blocker="equipment-delay",
        expected_outcome="home-no-support",
        action_deadline=date(2026, 1, 2),
    )
    update_case(user, third, reviewed, added)


def test_the_cycle_shows_the_pareto_to_everyone_and_cases_to_case_workers(
    case: WashupCase, dgs_member: User, dgs: Area, viewer: User
) -> None:
    _more_cases(dgs_member, dgs)
    url = reverse("washup-cycle", args=["kcc-asch"]) + "?start=2025-12-20&end=2026-01-05"
    director = _client(viewer).get(url)
    assert [(r.blocker, r.count) for r in director.context["pareto"]] == [
        ("night-sitting", 2),
        ("equipment-delay", 1),
    ]
    # The first case's deadline (a week after it was added, 10 days ago) has passed too.
    assert (director.context["short_count"], director.context["overdue_count"]) == (2, 2)
    assert director.context["short"] == [] and "DEMO-000" not in director.content.decode()

    manager = _client(dgs_member).get(url)
    assert [r.case.reference for r in manager.context["overdue"]] == ["DEMO-0001", "DEMO-0003"]
    assert {r.case.reference for r in manager.context["short"]} == {"DEMO-0001", "DEMO-0002"}


def test_a_period_with_no_cases_has_an_empty_pareto(case: WashupCase, viewer: User) -> None:
    url = reverse("washup-cycle", args=["kcc-asch"]) + "?start=2025-06-01&end=2025-06-30"
    assert _client(viewer).get(url).context["pareto"] == []


def _escalation(area: Area, **changes: str) -> dict[str, Any]:
    return {
        "area": str(area.pk),
        "blocker": "night-sitting",
        "note": "Commission a night sitting service",
        "due_at": "2026-01-09T17:00",
        "start": "2025-12-30",
        "end": "2026-01-05",
        **changes,
    }


def test_escalating_a_blocker_opens_a_card_for_the_areas_team_manager(
    case: WashupCase, dgs_member: User, dgs: Area, make_user: MakeUser
) -> None:
    coordinator = make_user("dgs-coordinator", "discharge-coordinator", dgs)
    url = reverse("washup-escalate", args=["kcc-asch"])
    assert _client(coordinator).post(url, _escalation(dgs)).status_code == 302
    made = BlockerEscalation.objects.get()
    card = made.card
    assert (made.area, made.blocker, made.cases, made.escalated_by) == (
        dgs,
        "night-sitting",
        1,
        coordinator,
    )
    assert (card.role, card.area, card.source, card.assignee) == (
        "stp-team-manager",
        dgs,
        CardSource.MEETING,
        dgs_member,
    )
    assert card.deadlines.get().due_at == datetime(2026, 1, 9, 17, 0, tzinfo=UTC)
    assert "Night sitting service not available (1 case" in card.text


def test_only_case_workers_escalate_and_only_in_their_areas(
    case: WashupCase, viewer: User, west_kent_coordinator: User, dgs: Area
) -> None:
    url = reverse("washup-escalate", args=["kcc-asch"])
    assert _client(viewer).post(url, _escalation(dgs)).status_code == 403
    elsewhere = _client(west_kent_coordinator).post(url, _escalation(dgs))
    assert elsewhere.status_code == 400
    assert "area" in elsewhere.context["escalate"].errors
    assert not BlockerEscalation.objects.exists()
    assert not ActionCard.objects.exists()


def test_an_escalation_due_in_the_past_is_refused(dgs_member: User, dgs: Area) -> None:
    url = reverse("washup-escalate", args=["kcc-asch"])
    response = _client(dgs_member).post(url, _escalation(dgs, due_at="2026-01-01T09:00"))
    assert response.status_code == 400
    assert "is in the past" in response.context["escalate"].errors["due_at"][0]
    assert not ActionCard.objects.exists()


# --- DTOC: delayed days per 100,000 -------------------------------------------------------


def test_delayed_days_per_100000_by_area_and_attribution(
    case: WashupCase, dgs_member: User, viewer: User, kcc: Organisation
) -> None:
    """The example case was added 10 days ago (26 Dec), fit 3 days before that (23 Dec),
    and is still in hospital: 14 social care delayed days to 5 Jan inclusive; 14 days in
    a population of 280,000 is 5.0 per 100,000."""
    query = "?start=2025-12-01&end=2026-01-05&population_dgs=280000"
    page = _client(viewer).get(reverse("washup-dtoc", args=["kcc-asch"]) + query)
    table = {(r.area, r.attribution): (r.days, r.rate) for r in page.context["rows"]}
    assert table[("dgs", "social_care")] == (14, pytest.approx(5.0))
    assert table[("dgs", "total")] == (14, pytest.approx(5.0))
    assert table[("swale", "total")] == (0, None)
    shown = page.content.decode()
    assert "Delayed days per 100,000 population" in shown
    assert case.reference not in shown


def test_a_period_ending_before_it_starts_is_refused_and_the_last_week_shown(
    viewer: User, kcc: Organisation
) -> None:
    url = reverse("washup-cycle", args=["kcc-asch"]) + "?start=2026-01-05&end=2026-01-01"
    page = _client(viewer).get(url)
    assert "is before the start" in page.context["period"].errors["end"][0]
    assert (page.context["start"], page.context["end"]) == (date(2025, 12, 30), date(2026, 1, 5))


def test_a_refused_population_is_named_and_the_area_shows_days_only(
    case: WashupCase, viewer: User
) -> None:
    query = "?start=2025-12-01&end=2026-01-05&population_dgs=-5"
    page = _client(viewer).get(reverse("washup-dtoc", args=["kcc-asch"]) + query)
    assert page.context["populations"].errors["population_dgs"]
    table = {(r.area, r.attribution): r.rate for r in page.context["rows"]}
    assert table[("dgs", "total")] is None


def test_the_organisation_page_links_to_the_board(viewer: User) -> None:
    page = _client(viewer).get(reverse("organisation", args=["kcc-asch"]))
    assert reverse("washup", args=["kcc-asch"]) in page.content.decode()
