"""The pages people use: status board, reporting form, amendments, organisation, declarations.

Rules under test: seed 000 section 3.1 and Appendix 3 (reporting times on the
board), sections 5.2 and 8 (the service manager declares, with a reason when
the declaration differs from the suggestion), DESIGN.md 'Security and records'
(amendments supersede, nothing saved from a form with any error).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from surgewatch.web.accounts.models import User
from surgewatch.web.escalation.models import Declaration
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.reporting.models import CurrentReading, Reading, ReadingKind
from surgewatch.web.reporting.services import submit_readings

MakeUser = Callable[..., User]

# Monday 5 January 2026, 10:15 in London (GMT): the 10:00 first assessment is
# past its deadline and inside the 30-minute grace period.
NOW = datetime(2026, 1, 5, 10, 15, tzinfo=UTC)
NINE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
REPORT = reverse("report", args=["kcc-asch", "dgs"])


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response: object) -> str:
    content: bytes = response.content  # type: ignore[attr-defined]
    return " ".join(content.decode().split())


@pytest.fixture
def service_manager(make_user: MakeUser) -> User:
    return make_user("service-manager", "stp-service-manager")


# --- reporting form -------------------------------------------------------------------


def test_the_form_lists_only_the_teams_indicators_with_ranges(dgs_member: User, dgs: Area) -> None:
    page = _text(_client(dgs_member).get(REPORT))
    assert "Staffing of Short-term Pathway Team (%)" in page
    assert "Valid range 0 to 100." in page
    # Assessment beds are reported by the Arranging Support Team, not this role.
    assert 'name="assessment_bed_availability"' not in page


def test_the_form_shows_the_last_value(dgs_member: User, dgs: Area) -> None:
    submit_readings(dgs_member, dgs, {"stp_staffing_pct": 64}, NINE, now=NINE)
    page = _text(_client(dgs_member).get(REPORT))
    assert "Last reported 64 for 05 Jan 09:00." in page


def test_a_valid_form_saves_the_engines_level(dgs_member: User, dgs: Area) -> None:
    response = _client(dgs_member).post(
        REPORT, {"observed_at": "2026-01-05T10:00", "stp_staffing_pct": "45"}
    )
    assert response.status_code == 302
    reading = Reading.objects.get()
    # seed 000, section 4.3: DGS staffing 30-49% is OPEL 3.
    assert (reading.value, reading.level, reading.colour) == (45.0, 3, "red")
    assert reading.observed_at == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def test_a_form_with_any_bad_value_saves_nothing_and_says_where(
    dgs_member: User, dgs: Area
) -> None:
    response = _client(dgs_member).post(
        REPORT,
        {"observed_at": "2026-01-05T10:00", "stp_staffing_pct": "45", "health_caseload": "-3"},
    )
    assert response.status_code == 400
    page = _text(response)
    assert "There is a problem" in page
    assert 'id="id_health_caseload-error"' in page
    assert "greater than or equal to 0" in page
    assert Reading.objects.count() == 0


def test_a_future_time_is_refused_beside_the_field(dgs_member: User, dgs: Area) -> None:
    response = _client(dgs_member).post(
        REPORT, {"observed_at": "2026-01-06T10:00", "stp_staffing_pct": "45"}
    )
    assert response.status_code == 400
    assert 'id="id_observed_at-error"' in _text(response)
    assert Reading.objects.count() == 0


def test_swale_referrals_are_not_offered_because_the_plan_says_na(
    swale_member: User, swale: Area
) -> None:
    page = _text(_client(swale_member).get(reverse("report", args=["kcc-asch", "swale"])))
    assert 'name="referrals"' not in page
    assert 'name="stp_staffing_pct"' in page


def test_no_change_records_a_confirmation_of_the_last_value(dgs_member: User, dgs: Area) -> None:
    original = submit_readings(dgs_member, dgs, {"stp_staffing_pct": 64}, NINE, now=NINE)[0]
    url = reverse("confirm", args=["kcc-asch", "dgs"])
    response = _client(dgs_member).post(url, {"observed_at": "2026-01-05T10:10"})
    assert response.status_code == 302
    confirmation = Reading.objects.get(kind=ReadingKind.CONFIRMATION)
    assert (confirmation.value, confirmation.confirms_id) == (64.0, original.pk)
    assert CurrentReading.objects.get().reading_id == confirmation.pk


def test_a_deputy_reports_when_the_manager_is_away(make_user: MakeUser, dgs: Area) -> None:
    from surgewatch.web.orgs.services import add_membership

    deputy = make_user("dgs-deputy")
    add_membership(deputy, dgs.organisation, "stp-team-manager", area=dgs, is_deputy=True)
    response = _client(deputy).post(
        REPORT, {"observed_at": "2026-01-05T10:00", "stp_staffing_pct": "72"}
    )
    assert response.status_code == 302
    assert Reading.objects.get().submitted_by == deputy


# --- amendments -----------------------------------------------------------------------


def test_an_amendment_supersedes_and_keeps_the_original(dgs_member: User, dgs: Area) -> None:
    original = submit_readings(dgs_member, dgs, {"stp_staffing_pct": 47}, NINE, now=NINE)[0]
    url = reverse("amend", args=[original.pk])
    response = _client(dgs_member).post(url, {"value": "74", "reason": "typed 47 for 74"})
    assert response.status_code == 302
    amendment = Reading.objects.get(kind=ReadingKind.AMENDMENT)
    assert (amendment.value, amendment.level, amendment.supersedes_id) == (74.0, 1, original.pk)
    assert Reading.objects.get(pk=original.pk).value == 47.0


def test_an_amendment_without_a_reason_saves_nothing(dgs_member: User, dgs: Area) -> None:
    original = submit_readings(dgs_member, dgs, {"stp_staffing_pct": 47}, NINE, now=NINE)[0]
    response = _client(dgs_member).post(reverse("amend", args=[original.pk]), {"value": "74"})
    assert response.status_code == 400
    assert Reading.objects.count() == 1


# --- status board ---------------------------------------------------------------------


def test_the_board_shows_value_level_in_words_trend_and_lateness(
    dgs_member: User, dgs: Area
) -> None:
    submit_readings(dgs_member, dgs, {"stp_staffing_pct": 64}, NINE, now=NINE)
    later = datetime(2026, 1, 5, 9, 50, tzinfo=UTC)
    submit_readings(dgs_member, dgs, {"stp_staffing_pct": 45}, later, now=later)
    page = _text(_client(dgs_member).get(reverse("board")))
    assert "OPEL 3 · Red" in page
    assert "falling, worse" in page
    assert "On time for First assessment" in page
    # Health caseload has no report today: at 10:15 the 10:00 deadline has passed.
    assert "Late: First assessment was due 10:00" in page


def test_cells_the_plan_does_not_ask_for_say_why(dgs_member: User) -> None:
    page = _text(_client(dgs_member).get(reverse("board")))
    # seed 000, section 4.3: referrals are N/A in Swale; staffing is per locality, not county-wide.
    assert "Not monitored here (N/A in the plan)" in page
    assert "Not reported for this area" in page


def test_missing_after_the_grace_period(dgs_member: User, dgs: Area) -> None:
    with time_machine.travel(datetime(2026, 1, 5, 10, 31, tzinfo=UTC), tick=False):
        page = _text(_client(dgs_member).get(reverse("board")))
    assert "Missing: First assessment was due 10:00" in page


def test_board_deadlines_follow_uk_summer_time(dgs_member: User, dgs: Area) -> None:
    # 1 July 2026, 09:15 UTC is 10:15 BST: past the 10:00 deadline.
    with time_machine.travel(datetime(2026, 7, 1, 9, 15, tzinfo=UTC), tick=False):
        page = _text(_client(dgs_member).get(reverse("board")))
    assert "Late: First assessment was due 10:00" in page


@pytest.mark.parametrize(
    ("reported", "looked"),
    [
        # Sunday 29 March 2026: clocks go forward at 01:00 UTC. 09:05 BST is 08:05 UTC,
        # which a naive UTC reading would still call 'before 09:00'.
        (datetime(2026, 3, 29, 8, 5, tzinfo=UTC), datetime(2026, 3, 29, 9, 20, tzinfo=UTC)),
        # Sunday 25 October 2026: clocks go back at 01:00 UTC; 09:05 GMT is 09:05 UTC.
        (datetime(2026, 10, 25, 9, 5, tzinfo=UTC), datetime(2026, 10, 25, 10, 20, tzinfo=UTC)),
    ],
    ids=["march", "october"],
)
def test_staleness_on_clock_change_days(
    dgs_member: User, dgs: Area, reported: datetime, looked: datetime
) -> None:
    """At 10:20 local on the day the clocks change, a 09:05 report is on time
    and an unreported cell is late, not missing (inside the pack's 30-minute grace)."""
    submit_readings(dgs_member, dgs, {"stp_staffing_pct": 64}, reported, now=reported)
    with time_machine.travel(looked, tick=False):
        page = _text(_client(dgs_member).get(reverse("board")))
    assert "On time for First assessment" in page
    assert "Late: First assessment was due 10:00" in page
    assert "Missing: First assessment" not in page


def test_the_level_filter_hides_quiet_areas(dgs_member: User, dgs: Area) -> None:
    submit_readings(dgs_member, dgs, {"stp_staffing_pct": 45}, NINE, now=NINE)
    page = _text(_client(dgs_member).get(reverse("board"), {"min_level": "3"}))
    assert "Dartford, Gravesham and Swanley" in page
    assert "West Kent" not in page.split("Standing readings")[1]


def test_a_bad_filter_is_ignored_not_an_error(dgs_member: User) -> None:
    response = _client(dgs_member).get(reverse("board"), {"min_level": "banana"})
    assert response.status_code == 200


def test_htmx_refresh_gets_the_board_without_the_layout(dgs_member: User) -> None:
    response = _client(dgs_member).get(reverse("board"), headers={"HX-Request": "true"})
    page = _text(response)
    assert "<html" not in page
    assert "Kent County Council Adult Social Care and Health" in page


def test_the_board_shows_only_the_users_organisations(dgs_member: User, kcc: Organisation) -> None:
    from surgewatch.web.orgs.services import install_pack

    install_pack("example-acute-trust")
    page = _text(_client(dgs_member).get(reverse("board")))
    assert "Kent County Council" in page
    assert "Example Acute" not in page


# --- organisation page and declarations -----------------------------------------------


def test_the_organisation_page_shows_suggestion_and_who_declared(
    dgs_member: User, dgs: Area, service_manager: User
) -> None:
    submit_readings(
        dgs_member, dgs, {"stp_staffing_pct": 45, "health_caseload": 70}, NINE, now=NINE
    )
    client = _client(service_manager)
    response = client.post(reverse("declare", args=["kcc-asch"]), {"level": "3", "reason": ""})
    assert response.status_code == 302
    page = _text(client.get(reverse("organisation", args=["kcc-asch"])))
    assert "declared by service-manager" in page
    declaration = Declaration.objects.get()
    # Both indicators at OPEL 3: 'at least two indicators' suggests OPEL 3.
    assert (declaration.level, declaration.suggested_level, declaration.reason) == (3, 3, "")


def test_a_declaration_that_differs_needs_a_reason(
    service_manager: User, dgs_member: User, dgs: Area
) -> None:
    submit_readings(
        dgs_member, dgs, {"stp_staffing_pct": 45, "health_caseload": 70}, NINE, now=NINE
    )
    client = _client(service_manager)
    url = reverse("declare", args=["kcc-asch"])
    refused = client.post(url, {"level": "4", "reason": "  "})
    assert refused.status_code == 400
    assert "OPEL 4 differs from the suggested OPEL 3; fix: say why" in _text(refused)
    assert Declaration.objects.count() == 0
    accepted = client.post(url, {"level": "4", "reason": "two homes closed to admissions"})
    assert accepted.status_code == 302
    assert Declaration.objects.get().reason == "two homes closed to admissions"


def test_declarations_are_kept_latest_first(service_manager: User) -> None:
    client = _client(service_manager)
    url = reverse("declare", args=["kcc-asch"])
    client.post(url, {"level": "2", "reason": "rising referrals"})
    client.post(url, {"level": "1", "reason": "stood down"})
    assert list(Declaration.objects.latest_first().values_list("level", flat=True)) == [1, 2]


def test_only_declaring_roles_see_the_form(dgs_member: User, service_manager: User) -> None:
    url = reverse("organisation", args=["kcc-asch"])
    assert "Declare the level" not in _text(_client(dgs_member).get(url))
    assert "Declare the level" in _text(_client(service_manager).get(url))


def test_the_system_view_aggregates_areas_by_the_packs_rule(
    make_user: MakeUser, dgs: Area, swale: Area
) -> None:
    county_team = make_user("county-team", "stp-team-manager")
    submit_readings(
        county_team, dgs, {"stp_staffing_pct": 45, "health_caseload": 70}, NINE, now=NINE
    )
    submit_readings(county_team, swale, {"stp_staffing_pct": 80}, NINE, now=NINE)
    response = _client(county_team).get(reverse("system", args=["kcc-asch"]))
    aggregate = response.context["aggregate"]
    members = {m.slug: m.result.suggested_level for m in response.context["members"]}
    # Kent aggregates by the highest member (seed 000, Appendix 4); DGS has two
    # indicators at OPEL 3, Swale one at OPEL 1.
    assert (aggregate.aggregate, aggregate.enacted) == (3, 3)
    assert members == {"dgs": 3, "east-kent": None, "swale": 1, "west-kent": None, "county": None}
    assert "No readings" in _text(response)
