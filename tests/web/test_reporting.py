"""Submitting, amending and confirming readings; the current status of each cell.

Rules under test: DESIGN.md 'Band semantics' (levels stored as the engine gives
them) and 'Security and records' (never overwritten; amendments supersede).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from pytest_django import DjangoAssertNumQueries

from surgewatch.core.loader import resolve_pack_path
from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.services import install_pack
from surgewatch.web.reporting.models import CurrentReading, Reading, ReadingKind
from surgewatch.web.reporting.selectors import cell_history, current_status
from surgewatch.web.reporting.services import amend_reading, confirm_no_change, submit_readings

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
NINE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
EIGHT = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)

MakeUser = Callable[..., User]


def _errors(caught: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return caught.value.message_dict


def _nothing_saved() -> None:
    assert (Reading.objects.count(), CurrentReading.objects.count()) == (0, 0)


# --- submit ---------------------------------------------------------------------------


def test_submit_stores_the_engines_level_with_the_framework(dgs_member: User, dgs: Area) -> None:
    staffing, caseload = submit_readings(
        dgs_member, dgs, {"stp_staffing_pct": 69.5, "health_caseload": 39.5}, NINE, now=NOW
    )
    # 69.5% staffing and 39.5 cases are both OPEL 2 (DESIGN.md, band semantics).
    assert (staffing.level, staffing.colour, caseload.level, caseload.colour) == (
        2,
        "amber",
        2,
        "amber",
    )
    assert staffing.framework == dgs.organisation.framework
    assert (staffing.kind, staffing.observed_at, staffing.submitted_at) == ("report", NINE, NOW)
    assert (staffing.submitted_by, staffing.cell_status, staffing.warnings) == (
        dgs_member,
        "banded",
        [],
    )


def test_a_value_beyond_the_printed_bands_is_stored_at_the_worst_level_with_a_warning(
    swale_member: User, swale: Area
) -> None:
    (reading,) = submit_readings(swale_member, swale, {"health_caseload": 85}, NINE, now=NOW)
    assert (reading.level, reading.colour) == (4, "black")
    assert len(reading.warnings) == 1
    assert reading.warnings[0].startswith("data quality: 85 is beyond the printed bands (0-80)")


def test_a_bad_value_saves_nothing_and_names_the_field(dgs_member: User, dgs: Area) -> None:
    with pytest.raises(ValidationError) as caught:
        submit_readings(
            dgs_member, dgs, {"health_caseload": 45, "stp_staffing_pct": 140}, NINE, now=NOW
        )
    assert _errors(caught) == {
        "stp_staffing_pct": [
            "140 is impossible for 'stp_staffing_pct' (%); valid values are 0 to 100"
        ]
    }
    _nothing_saved()


def test_every_bad_value_is_named_at_once(swale_member: User, swale: Area) -> None:
    values = {
        "referrals": 3,  # N/A in Swale
        "social_caseload": -1,
        "health_caseload": float("nan"),
        "bed_nights": 4,
    }
    with pytest.raises(ValidationError) as caught:
        submit_readings(swale_member, swale, values, NINE, now=NOW)
    errors = _errors(caught)
    assert sorted(errors) == ["bed_nights", "health_caseload", "referrals", "social_caseload"]
    assert errors["referrals"] == ["not monitored in swale (N/A in the plan); fix: leave it out"]
    assert errors["bed_nights"][0].startswith("unknown indicator 'bed_nights'")
    assert errors["health_caseload"] == ["nan is not a finite number; fix: give a number"]
    _nothing_saved()


def test_an_indicator_not_reported_for_the_area_is_refused(make_user: MakeUser, dgs: Area) -> None:
    user = make_user("keah", "keah-locality-organiser", dgs)
    with pytest.raises(ValidationError) as caught:
        submit_readings(user, dgs, {"keah_daily_capacity": 4}, NINE, now=NOW)
    assert _errors(caught) == {
        "keah_daily_capacity": ["not monitored in dgs (N/A in the plan); fix: leave it out"]
    }


@pytest.mark.parametrize(
    ("observed_at", "message"),
    [
        (datetime(2026, 1, 5, 9, 0), "has no time zone"),
        (NOW + timedelta(minutes=6), "2026-01-05 10:06 GMT is in the future"),
    ],
)
def test_observed_at_must_be_aware_and_not_in_the_future(
    dgs_member: User, dgs: Area, observed_at: datetime, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        submit_readings(dgs_member, dgs, {"health_caseload": 45}, observed_at, now=NOW)
    assert list(_errors(caught)) == ["observed_at"]
    assert message in _errors(caught)["observed_at"][0]
    _nothing_saved()


def test_an_empty_submission_is_refused(dgs_member: User, dgs: Area) -> None:
    with pytest.raises(ValidationError) as caught:
        submit_readings(dgs_member, dgs, {}, NINE, now=NOW)
    assert list(_errors(caught)) == [NON_FIELD_ERRORS]


# --- scope ----------------------------------------------------------------------------


def test_a_member_of_another_area_is_refused(swale_member: User, dgs: Area) -> None:
    with pytest.raises(
        PermissionDenied, match="swale-manager may not report health_caseload for dgs"
    ):
        submit_readings(swale_member, dgs, {"health_caseload": 45}, NINE, now=NOW)
    _nothing_saved()


def test_a_viewer_is_refused_even_with_a_bad_value(viewer: User, dgs: Area) -> None:
    with pytest.raises(PermissionDenied, match="may not report health_caseload for dgs"):
        submit_readings(viewer, dgs, {"health_caseload": -5}, NINE, now=NOW)
    _nothing_saved()


def test_a_role_not_in_reported_by_is_refused_for_that_indicator(
    west_kent_coordinator: User, west_kent: Area
) -> None:
    # D2A pathway one is reported by the STP team manager only.
    values = {"health_caseload": 45, "d2a_p1_weekly_availability": 20}
    with pytest.raises(PermissionDenied, match="may not report d2a_p1_weekly_availability"):
        submit_readings(west_kent_coordinator, west_kent, values, NINE, now=NOW)
    _nothing_saved()
    (allowed,) = submit_readings(
        west_kent_coordinator, west_kent, {"health_caseload": 45}, NINE, now=NOW
    )
    assert allowed.level == 2


def test_an_organisation_wide_role_reports_in_any_area(
    make_user: MakeUser, kcc: Organisation
) -> None:
    county = kcc.areas.get(slug="county")
    user = make_user("arranger", "arranging-support-team")
    (beds,) = submit_readings(user, county, {"assessment_bed_availability": 7}, NINE, now=NOW)
    assert (beds.level, beds.colour, beds.cell_status) == (None, "grey", "no_thresholds")


# --- amend ----------------------------------------------------------------------------


def test_an_amendment_keeps_the_old_row_and_becomes_current(
    dgs_member: User, dgs: Area, kcc: Organisation
) -> None:
    (original,) = submit_readings(dgs_member, dgs, {"health_caseload": 45}, NINE, now=NOW)
    later = NOW + timedelta(minutes=20)
    amended = amend_reading(dgs_member, original.pk, 65, " typo: 65 not 45 ", now=later)

    original.refresh_from_db()
    assert (original.value, original.level, original.kind) == (45, 2, "report")
    assert original.superseded_by == amended
    assert (amended.kind, amended.supersedes, amended.value, amended.level) == (
        "amendment",
        original,
        65,
        3,
    )
    assert (amended.observed_at, amended.submitted_at, amended.reason) == (
        NINE,
        later,
        "typo: 65 not 45",
    )
    assert cell_history(dgs, "health_caseload") == [original, amended]
    assert current_status(kcc)[("health_caseload", "dgs")] == amended


def test_a_row_is_amended_only_once(dgs_member: User, dgs: Area) -> None:
    (original,) = submit_readings(dgs_member, dgs, {"health_caseload": 45}, NINE, now=NOW)
    first = amend_reading(dgs_member, original.pk, 50, "recount", now=NOW)
    with pytest.raises(ValidationError) as caught:
        amend_reading(dgs_member, original.pk, 55, "recount again", now=NOW)
    assert _errors(caught) == {
        "reading": [f"already amended by reading {first.pk}; fix: amend that one"]
    }
    assert Reading.objects.count() == 2


def test_an_amendment_needs_a_reason_and_a_possible_value(dgs_member: User, dgs: Area) -> None:
    (original,) = submit_readings(dgs_member, dgs, {"health_caseload": 45}, NINE, now=NOW)
    with pytest.raises(ValidationError) as caught:
        amend_reading(dgs_member, original.pk, -3, "  ", now=NOW)
    assert sorted(_errors(caught)) == ["health_caseload", "reason"]
    assert Reading.objects.count() == 1


def test_an_amendment_is_refused_outside_scope(
    dgs_member: User, swale_member: User, dgs: Area
) -> None:
    (original,) = submit_readings(dgs_member, dgs, {"health_caseload": 45}, NINE, now=NOW)
    with pytest.raises(PermissionDenied):
        amend_reading(swale_member, original.pk, 50, "not mine to change", now=NOW)
    assert Reading.objects.count() == 1


def test_amending_an_older_reading_leaves_the_later_one_current(
    dgs_member: User, dgs: Area, kcc: Organisation
) -> None:
    (early,) = submit_readings(dgs_member, dgs, {"health_caseload": 45}, EIGHT, now=NOW)
    (late,) = submit_readings(dgs_member, dgs, {"health_caseload": 30}, NINE, now=NOW)
    amend_reading(dgs_member, early.pk, 70, "recount", now=NOW)
    assert current_status(kcc)[("health_caseload", "dgs")] == late


# --- confirm --------------------------------------------------------------------------


def test_a_confirmation_repeats_the_value_and_records_its_origin(
    dgs_member: User, dgs: Area, kcc: Organisation
) -> None:
    origin, _ = submit_readings(
        dgs_member, dgs, {"health_caseload": 45, "referrals": 12}, EIGHT, now=NOW
    )
    first = confirm_no_change(dgs_member, dgs, NINE, now=NOW)
    second = confirm_no_change(dgs_member, dgs, NOW, now=NOW)

    caseload = next(r for r in first if r.indicator == "health_caseload")
    assert (caseload.kind, caseload.value, caseload.level, caseload.observed_at) == (
        ReadingKind.CONFIRMATION,
        45,
        2,
        NINE,
    )
    assert caseload.confirms == origin
    # A confirmation of a confirmation still names the row that measured the value.
    assert {r.indicator: r.confirms for r in second}["health_caseload"] == origin
    assert [r.indicator for r in second] == ["health_caseload", "referrals"]
    assert current_status(kcc)[("health_caseload", "dgs")] == second[0]
    assert len(cell_history(dgs, "health_caseload")) == 3


def test_a_confirmation_of_an_amendment_points_at_the_amendment(
    dgs_member: User, dgs: Area
) -> None:
    (original,) = submit_readings(dgs_member, dgs, {"health_caseload": 45}, EIGHT, now=NOW)
    amended = amend_reading(dgs_member, original.pk, 65, "recount", now=NOW)
    (confirmation,) = confirm_no_change(dgs_member, dgs, NINE, now=NOW)
    assert (confirmation.confirms, confirmation.value) == (amended, 65)


def test_a_confirmation_must_be_later_than_what_it_confirms(dgs_member: User, dgs: Area) -> None:
    submit_readings(dgs_member, dgs, {"health_caseload": 45}, NINE, now=NOW)
    with pytest.raises(ValidationError) as caught:
        confirm_no_change(dgs_member, dgs, NINE, now=NOW)
    assert _errors(caught) == {
        "health_caseload": ["last reported for 2026-01-05 09:00 GMT; fix: confirm a later time"]
    }
    assert Reading.objects.count() == 1


def test_nothing_to_confirm_and_out_of_scope_confirmations_are_refused(
    dgs_member: User, viewer: User, dgs: Area
) -> None:
    with pytest.raises(ValidationError, match="nothing reported yet in dgs"):
        confirm_no_change(dgs_member, dgs, NINE, now=NOW)
    submit_readings(dgs_member, dgs, {"health_caseload": 45}, EIGHT, now=NOW)
    with pytest.raises(PermissionDenied):
        confirm_no_change(viewer, dgs, NINE, now=NOW)
    assert Reading.objects.count() == 1


# --- current status -------------------------------------------------------------------


def test_current_status_picks_the_latest_observation_per_cell(
    dgs_member: User, swale_member: User, dgs: Area, swale: Area, kcc: Organisation
) -> None:
    submit_readings(dgs_member, dgs, {"health_caseload": 45, "referrals": 5}, EIGHT, now=NOW)
    (latest,) = submit_readings(dgs_member, dgs, {"health_caseload": 105}, NOW, now=NOW)
    submit_readings(dgs_member, dgs, {"health_caseload": 20}, NINE, now=NOW)  # back-filled
    submit_readings(swale_member, swale, {"health_caseload": 30}, NINE, now=NOW)

    status = current_status(kcc)
    assert {cell: (r.value, r.level) for cell, r in status.items()} == {
        ("health_caseload", "dgs"): (105, 4),
        ("referrals", "dgs"): (5, 1),
        ("health_caseload", "swale"): (30, 1),
    }
    assert status[("health_caseload", "dgs")] == latest
    assert Reading.objects.count() == 5


def test_current_status_is_one_query_however_long_the_history(
    dgs_member: User,
    dgs: Area,
    kcc: Organisation,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for hour in range(8):
        observed_at = datetime(2026, 1, 5, hour, 0, tzinfo=UTC)
        submit_readings(dgs_member, dgs, {"health_caseload": 40 + hour}, observed_at, now=NOW)
    with django_assert_num_queries(1):
        status = current_status(kcc)
    assert status[("health_caseload", "dgs")].value == 47


def test_readings_keep_the_framework_version_that_produced_them(
    dgs_member: User, dgs: Area, kcc: Organisation, tmp_path: Path
) -> None:
    (old,) = submit_readings(dgs_member, dgs, {"health_caseload": 45}, EIGHT, now=NOW)
    text = resolve_pack_path("kent-ascch").read_text(encoding="utf-8")
    text = text.replace('version: "1.8"', 'version: "1.9"').replace(
        "dgs: {1: [0, 39], 2: [40, 59]", "dgs: {1: [0, 49], 2: [50, 59]"
    )
    path = tmp_path / "kent-1.9.yaml"
    path.write_text(text, encoding="utf-8")
    newer = install_pack(path)

    (confirmation,) = confirm_no_change(dgs_member, dgs, NINE, now=NOW)
    old.refresh_from_db()
    assert (old.framework.version, old.level) == ("1.8", 2)
    assert (confirmation.framework, confirmation.level, confirmation.value) == (newer, 1, 45)
