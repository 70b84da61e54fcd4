"""Demonstration data: ten days seeded into the test database, checked against the rules.

The history ends at 16:45 London time on 31 March 2026, so its ten days cross
the March clock change (29 March) and every deadline of the day has passed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from surgewatch.cli import main
from surgewatch.core import assess as engine
from surgewatch.core.bands import CellStatus
from surgewatch.core.schedule import ReportState, report_state
from surgewatch.web.accounts.models import User
from surgewatch.web.casework.selectors import organisation_counts, organisation_timers
from surgewatch.web.demo.personas import DEMO_PASSWORD, PERSONAS
from surgewatch.web.demo.seed import DemoDataExistsError, DemoSummary, seed_demo
from surgewatch.web.escalation.models import Declaration
from surgewatch.web.escalation.selectors import latest_declaration
from surgewatch.web.improve.models import Assessment
from surgewatch.web.orgs.models import Membership, Organisation
from surgewatch.web.orgs.packs import pack_of, table_of
from surgewatch.web.orgs.permissions import can_declare
from surgewatch.web.reporting.models import CurrentReading, Reading, ReadingKind
from surgewatch.web.reporting.selectors import standing_cells
from surgewatch.web.washup.models import WashupCase

NOW = datetime(2026, 3, 31, 15, 45, tzinfo=UTC)  # 16:45 BST
LONDON = ZoneInfo("Europe/London")
DAYS = 10


@pytest.fixture
def seeded(db: None) -> DemoSummary:
    return seed_demo(days=DAYS, seed=1, now=NOW)


def _organisation(slug: str) -> Organisation:
    return Organisation.objects.select_related("framework").get(slug=slug)


def test_every_monitored_kent_cell_has_a_current_reading(seeded: DemoSummary) -> None:
    kent = _organisation("kcc-asch")
    table = table_of(kent.framework)
    monitored = {
        (c.indicator.id, c.area) for c in table.cells if c.status is not CellStatus.NOT_MONITORED
    }
    current = set(
        CurrentReading.objects.filter(area__organisation=kent).values_list(
            "indicator", "area__slug"
        )
    )
    assert current == monitored
    assert ("referrals", "swale") not in current
    assert len(current) == 19 + 3 * 4  # seed 000's cells, and three casework counts per locality


def test_every_value_is_within_its_valid_range(seeded: DemoSummary) -> None:
    for org in Organisation.objects.select_related("framework"):
        pack = pack_of(org.framework)
        for indicator, value in Reading.objects.filter(area__organisation=org).values_list(
            "indicator", "value"
        ):
            assert pack.indicator(indicator).valid_range.contains(value), (indicator, value)


def test_stored_levels_are_what_the_engine_says(seeded: DemoSummary) -> None:
    """Level, colour, cell status and warnings, recomputed by the core for every row."""
    readings = list(Reading.objects.select_related("area__organisation__framework", "framework"))
    assert len(readings) == seeded.readings
    for r in readings:
        assert r.framework_id == r.area.organisation.framework_id
        pack = pack_of(r.framework)
        expected = engine.assess(pack, [engine.Reading(r.indicator, r.area.slug, r.value)])
        result = expected.results[0]
        stored = (r.level, r.colour, r.cell_status, r.warnings)
        assert stored == (result.level, result.colour, result.status.value, list(result.warnings))


def test_amendments_supersede_and_the_original_remains(seeded: DemoSummary) -> None:
    amendments = list(
        Reading.objects.filter(kind=ReadingKind.AMENDMENT).select_related("supersedes")
    )
    assert len(amendments) >= 1
    for amendment in amendments:
        original = amendment.supersedes
        assert original is not None
        assert original.kind == ReadingKind.REPORT
        assert (original.indicator, original.area_id) == (amendment.indicator, amendment.area_id)
        assert original.observed_at == amendment.observed_at
        assert original.submitted_at < amendment.submitted_at
        assert original.value != amendment.value
        assert amendment.reason.startswith("Typo: ")
        assert not CurrentReading.objects.filter(reading=original).exists()


def test_confirmations_repeat_the_value_of_the_row_that_measured_it(seeded: DemoSummary) -> None:
    confirmations = list(
        Reading.objects.filter(kind=ReadingKind.CONFIRMATION).select_related("confirms")
    )
    assert len(confirmations) >= 1
    for confirmation in confirmations:
        origin = confirmation.confirms
        assert origin is not None
        assert origin.kind in (ReadingKind.REPORT, ReadingKind.AMENDMENT)
        assert (origin.indicator, origin.area_id) == (confirmation.indicator, confirmation.area_id)
        assert origin.value == confirmation.value
        assert origin.observed_at < confirmation.observed_at


def test_the_current_reading_is_the_latest_unsuperseded_one(seeded: DemoSummary) -> None:
    latest: dict[tuple[int, str], Reading] = {}
    for r in Reading.objects.filter(superseded_by__isnull=True).order_by("observed_at", "pk"):
        latest[(r.area_id, r.indicator)] = r
    for current in CurrentReading.objects.select_related("reading", "previous"):
        assert current.reading == latest[(current.area_id, current.indicator)]
        assert current.previous is not None
        assert current.previous.observed_at < current.reading.observed_at


def test_on_time_reports_arrive_between_nine_and_five_to_ten_london_time(
    seeded: DemoSummary,
) -> None:
    """Across the March clock change: the same local hour in GMT and in BST."""
    last_day = NOW.astimezone(LONDON).date()
    mornings: dict[timedelta | None, set[time]] = defaultdict(set)
    for r in Reading.objects.exclude(kind=ReadingKind.AMENDMENT):
        local = r.observed_at.astimezone(LONDON)
        if local.date() != last_day and local.time() < time(12):
            mornings[local.utcoffset()].add(local.time())
    assert set(mornings) == {timedelta(0), timedelta(hours=1)}  # GMT, then BST
    for times in mornings.values():
        assert time(9) <= min(times) and max(times) <= time(9, 55)


def test_the_board_has_late_and_missing_kent_cells_at_the_end(seeded: DemoSummary) -> None:
    kent = _organisation("kcc-asch")
    pack = pack_of(kent.framework)
    declared = latest_declaration(kent)
    level = declared.level if declared else None
    monitored = [
        (c.indicator.id, c.area)
        for c in table_of(kent.framework).cells
        if c.status is not CellStatus.NOT_MONITORED
    ]
    standing = standing_cells(kent)
    states = []
    for cell in monitored:
        reading, previous = standing[cell].reading, standing[cell].previous
        times = [reading.submitted_at] + ([previous.submitted_at] if previous else [])
        states.append(report_state(pack.schedule, level, times, NOW).state)
    assert ReportState.LATE in states
    assert ReportState.MISSING in states
    assert states.count(ReportState.ON_TIME) > len(states) // 2


def test_declarations_are_made_by_a_declaring_role_with_reasons_when_they_differ(
    seeded: DemoSummary,
) -> None:
    declarations = list(
        Declaration.objects.select_related("organisation__framework", "declared_by")
    )
    assert {d.organisation.slug for d in declarations} == {"kcc-asch", "example-acute"}
    for d in declarations:
        assert can_declare(d.declared_by, d.organisation)
        assert d.declared_at <= NOW
        assert d.differs == bool(d.reason)


def _grants(user: User) -> set[tuple[str, str, str | None]]:
    memberships = Membership.objects.filter(user=user).select_related("organisation", "area")
    return {(m.organisation.slug, m.role, m.area.slug if m.area else None) for m in memberships}


def test_every_demo_login_signs_in_and_holds_its_roles(seeded: DemoSummary) -> None:
    assert seeded.users == len(PERSONAS) == 16
    for persona in PERSONAS:
        request = RequestFactory().get("/")
        user = authenticate(request=request, username=persona.username, password=DEMO_PASSWORD)
        assert isinstance(user, User), persona.username
        expected = {(g.organisation, g.role, g.area) for g in persona.grants}
        assert _grants(user) == expected
        assert user.is_superuser == (persona.username == "admin")


def test_seeding_twice_is_refused_and_changes_nothing(seeded: DemoSummary) -> None:
    counts = [m.objects.count() for m in (User, Membership, Reading, Declaration, CurrentReading)]
    with pytest.raises(DemoDataExistsError, match=f"{seeded.readings:,} readings"):
        seed_demo(days=DAYS, seed=2, now=NOW)
    after = [m.objects.count() for m in (User, Membership, Reading, Declaration, CurrentReading)]
    assert after == counts


@pytest.mark.parametrize(("command", "option"), [("serve", "--demo"), ("demo", "--days")])
def test_serve_and_demo_parse_help(
    command: str, option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert option in capsys.readouterr().out


def test_issue_seven_pages_have_something_to_show(seeded: DemoSummary) -> None:
    kent = _organisation("kcc-asch")
    assert Assessment.objects.filter(organisation=kent).count() == 1
    assert WashupCase.objects.filter(area__slug="dgs").count() == 1
    timers = organisation_timers(kent)
    assert timers is not None
    east = kent.areas.get(slug="east-kent")
    today = NOW.astimezone(ZoneInfo("Europe/London")).date()
    counts = organisation_counts(kent, timers, today)[east.pk]
    assert counts.placements_over_limit == 2  # weeks 5 and 8 are both past 3 weeks
    assert counts.provider_notices_due == 1  # week 8 of the 12-week disregard
    assert counts.care_act_overdue == 1
    assert counts.reviews_due_soon == 1
