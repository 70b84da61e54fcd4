"""Readings computed by the system (issue 7's casework counts): the public write for them
keeps submit_readings' guarantees: checked values, levels from the engine, supersession
with who and when, the current cell, and the level refresh.

Rules under test: DESIGN.md 'Band semantics' and 'Security and records' (never
overwritten; a new value supersedes the old).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError

from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Area
from surgewatch.web.reporting.models import CurrentReading, Reading, ReadingKind
from surgewatch.web.reporting.services import record_computed_readings, submit_readings
from surgewatch.web.reporting.signals import readings_stored

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
NINE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def system(db: None) -> User:
    """An account that cannot sign in, as the casework feed's is."""
    return User.objects.create(username="feed-system", is_active=False)


@pytest.fixture
def stored_signals() -> Iterator[list[set[int]]]:
    seen: list[set[int]] = []

    def receiver(sender: Any, organisation_ids: set[int], **kwargs: Any) -> None:
        seen.append(set(organisation_ids))

    readings_stored.connect(receiver, weak=False, dispatch_uid="test-computed")
    yield seen
    readings_stored.disconnect(dispatch_uid="test-computed")


def _current(area: Area, indicator: str) -> CurrentReading:
    return CurrentReading.objects.select_related("reading", "previous").get(
        area=area, indicator=indicator
    )


def test_computed_values_are_stored_with_the_engines_level_and_who_and_when(
    system: User, dgs: Area, stored_signals: list[set[int]]
) -> None:
    caseload, overdue = record_computed_readings(
        dgs, {"health_caseload": 39.5, "care_act_assessments_overdue": 2}, NINE, system, now=NOW
    )
    # 39.5 cases is OPEL 2 (DESIGN.md); the casework count has no bands in the plan.
    assert (caseload.level, caseload.colour, caseload.cell_status) == (2, "amber", "banded")
    assert (overdue.level, overdue.value, overdue.cell_status) == (None, 2.0, "no_thresholds")
    assert (caseload.kind, caseload.observed_at, caseload.submitted_at) == ("report", NINE, NOW)
    assert (caseload.submitted_by, caseload.framework) == (system, dgs.organisation.framework)
    assert _current(dgs, "health_caseload").reading == caseload
    assert stored_signals == [{dgs.organisation_id}]  # the level refresh hears of it


def test_a_new_value_supersedes_the_standing_one_which_stays_as_previous(
    system: User, dgs_member: User, dgs: Area
) -> None:
    typed = submit_readings(dgs_member, dgs, {"health_caseload": 70}, NINE, now=NINE)[0]
    computed = record_computed_readings(dgs, {"health_caseload": 30}, NOW, system, now=NOW)[0]
    cell = _current(dgs, "health_caseload")
    assert (cell.reading, cell.previous) == (computed, typed)
    # Both rows stay, each naming who stored it and when.
    rows = Reading.objects.filter(area=dgs, indicator="health_caseload").order_by("pk")
    assert [(r.value, r.submitted_by, r.submitted_at) for r in rows] == [
        (70.0, dgs_member, NINE),
        (30.0, system, NOW),
    ]
    assert computed.kind == ReadingKind.REPORT


def test_an_older_observation_does_not_replace_the_current_cell(system: User, dgs: Area) -> None:
    later = record_computed_readings(dgs, {"health_caseload": 30}, NOW, system, now=NOW)[0]
    record_computed_readings(dgs, {"health_caseload": 50}, NINE, system, now=NOW)
    assert _current(dgs, "health_caseload").reading == later


def test_bad_values_are_named_and_nothing_is_saved(
    system: User, dgs: Area, stored_signals: list[set[int]]
) -> None:
    values = {"care_act_assessments_overdue": -1.0, "reviews_overdue": 0.0, "nonsense": 3.0}
    with pytest.raises(ValidationError) as caught:
        record_computed_readings(dgs, values, NOW, system, now=NOW)
    errors = caught.value.message_dict
    assert set(errors) == {"care_act_assessments_overdue", "nonsense"}
    assert "-1" in errors["care_act_assessments_overdue"][0]
    assert errors["nonsense"][0].startswith("unknown indicator 'nonsense'; fix:")
    assert (Reading.objects.count(), CurrentReading.objects.count(), stored_signals) == (0, 0, [])


def test_a_future_or_naive_time_and_no_values_are_refused(system: User, dgs: Area) -> None:
    ahead = NOW + timedelta(hours=1)
    with pytest.raises(ValidationError) as future:
        record_computed_readings(dgs, {"reviews_overdue": 1}, ahead, system, now=NOW)
    assert "is in the future" in future.value.message_dict["observed_at"][0]
    with pytest.raises(ValidationError) as naive:
        record_computed_readings(dgs, {"reviews_overdue": 1}, datetime(2026, 1, 5), system)
    assert "has no time zone" in naive.value.message_dict["observed_at"][0]
    with pytest.raises(ValidationError) as empty:
        record_computed_readings(dgs, {}, NOW, system, now=NOW)
    assert "no values given" in empty.value.message_dict[NON_FIELD_ERRORS][0]
    assert Reading.objects.count() == 0


def test_a_persons_account_is_refused_even_with_the_role(dgs_member: User, dgs: Area) -> None:
    """People report through submit_readings, which checks their roles."""
    with pytest.raises(PermissionDenied, match="person's account"):
        record_computed_readings(dgs, {"health_caseload": 30}, NOW, dgs_member, now=NOW)
    assert Reading.objects.count() == 0
