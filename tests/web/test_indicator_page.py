"""The indicator page (issue 3): bands, standing series, SPC view and full history.

Rules under test: DESIGN.md 'Security and records' (amendments never
overwrite; history shows every row), 'Band semantics' (shading splits where
the level changes), Making Data Count XmR limits on one value per UK day, and
scope by persona (member, organisation-wide viewer, outsider). The page reads
the clock, so page tests travel to ``NOW``; services get ``now`` explicitly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
import yaml
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from surgewatch.core.bands import compile_cell
from surgewatch.core.loader import load_pack, resolve_pack_path
from surgewatch.core.pack import Direction
from surgewatch.core.spc import SpecialCause, Variation, xmr
from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Area
from surgewatch.web.reporting.charts import (
    DailyValue,
    Observation,
    bands_of,
    daily_last,
    latest_summary,
    period_days,
    period_start,
    spc_view,
    standing_series,
)
from surgewatch.web.reporting.models import Reading
from surgewatch.web.reporting.services import amend_reading, confirm_no_change, submit_readings

LONDON = ZoneInfo("Europe/London")
FIRST_DAY = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 1, 18, 12, 0, tzinfo=UTC)
# One staffing value per day from Mon 5 Jan to Sun 18 Jan 2026 (GMT, so UTC is local).
DAILY = [72.0, 75.0, 68.0, 80.0, 77.0, 71.0, 74.0, 69.0, 73.0, 76.0, 70.0, 78.0, 66.0, 40.0]
EVENING_VALUE = 62.0  # a second report on Sat 10 Jan, 17:00: that day's last value
AMENDED_VALUE = 74.0  # the 40 of Sun 18 Jan was a typing slip
REASON = "typed 40 for 74"
STAFFING = "stp_staffing_pct"

MakeUser = Callable[..., User]


@dataclass(frozen=True)
class StaffingHistory:
    original: Reading
    amendment: Reading
    daily: list[float]  # each day's last standing value, as the SPC chart should see it


@pytest.fixture
def at_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def staffing(dgs_member: User, dgs: Area) -> StaffingHistory:
    readings = []
    for n, value in enumerate(DAILY):
        observed = FIRST_DAY + timedelta(days=n)
        readings += submit_readings(
            dgs_member, dgs, {STAFFING: value}, observed, now=observed + timedelta(minutes=5)
        )
    evening = datetime(2026, 1, 10, 17, 0, tzinfo=UTC)
    submit_readings(dgs_member, dgs, {STAFFING: EVENING_VALUE}, evening, now=evening)
    original = readings[-1]
    amendment = amend_reading(dgs_member, original.pk, AMENDED_VALUE, REASON, now=NOW)
    daily = [*DAILY[:5], EVENING_VALUE, *DAILY[6:-1], AMENDED_VALUE]
    return StaffingHistory(original, amendment, daily)


def _url(indicator: str = STAFFING, area: str = "dgs", org: str = "kcc-asch") -> str:
    return reverse("indicator", args=[org, area, indicator])


def _page(client: Client, user: User, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _chart_data(html: str) -> dict[str, Any]:
    found = re.search(
        r'<script id="indicator-chart-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def _text(html: str) -> str:
    """The page's words without tags or runs of white space, for phrase checks."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _amend_links(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/reading/(\d+)/amend/"', html)]


# --- scope ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["dgs_member", "viewer", "west_kent_coordinator"])
def test_anyone_with_a_role_in_the_organisation_sees_the_page(
    client: Client, persona: str, request: pytest.FixtureRequest, at_now: None
) -> None:
    user: User = request.getfixturevalue(persona)
    text = _text(_page(client, user, _url()))
    assert "<h1>Staffing of Short-term Pathway Team</h1>" in _page(client, user, _url())
    assert "Kent County Council" in text
    assert "Unit % Direction Higher is better Current value No reading yet" in text


def test_a_user_without_a_role_in_the_organisation_is_refused(
    client: Client, make_user: MakeUser
) -> None:
    client.force_login(make_user("outsider"))
    assert client.get(_url()).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        _url(indicator="bed_nights"),
        _url(area="atlantis"),
        _url(org="nowhere"),
    ],
)
def test_unknown_indicator_area_or_organisation_is_not_found(
    client: Client, dgs_member: User, url: str
) -> None:
    client.force_login(dgs_member)
    assert client.get(url).status_code == 404


def test_the_page_needs_a_login(client: Client, kcc: object) -> None:
    response = client.get(_url())
    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={_url()}")


# --- summary and bands ----------------------------------------------------------------


def test_the_summary_shows_the_standing_value_and_the_printed_bands(
    client: Client, dgs_member: User, staffing: StaffingHistory, at_now: None
) -> None:
    text = _text(_page(client, dgs_member, _url()))
    assert "Current value 74 % OPEL 1 · Green for Sun 18 Jan 2026 09:00 GMT, amendment" in text
    assert (
        "OPEL 1 Green OPEL 1 green: 70\N{EN DASH}100 % "
        "OPEL 2 Amber OPEL 2 amber: 50\N{EN DASH}69 % "
        "OPEL 3 Red OPEL 3 red: 30\N{EN DASH}49 % "
        "OPEL 4 Black OPEL 4 black: 0\N{EN DASH}29 %"
    ) in text


def test_a_cell_the_plan_marks_na_says_not_monitored(
    client: Client, swale_member: User, at_now: None
) -> None:
    html = _page(client, swale_member, _url(indicator="referrals", area="swale"))
    text = _text(html)
    assert "Bands in Swale Not monitored in this area" in text
    assert "No readings in the last 90 days." in text
    assert _chart_data(html)["bands"] == []


def test_lower_is_better_bands_are_listed_from_opel_1(
    client: Client, dgs_member: User, at_now: None
) -> None:
    text = _text(_page(client, dgs_member, _url(indicator="referrals")))
    assert "Direction Lower is better" in text
    assert (
        "OPEL 1 Green OPEL 1 green: 0\N{EN DASH}9 cases "
        "OPEL 2 Amber OPEL 2 amber: 10\N{EN DASH}14 cases "
        "OPEL 3 Red OPEL 3 red: 15\N{EN DASH}19 cases "
        "OPEL 4 Black OPEL 4 black: 20\N{EN DASH}29 cases"
    ) in text


# --- history --------------------------------------------------------------------------


def test_history_lists_the_original_and_the_amendment_with_who_and_why(
    client: Client, dgs_member: User, staffing: StaffingHistory, at_now: None
) -> None:
    html = _page(client, dgs_member, _url())
    rows = re.findall(
        r'<tr class="nhsuk-table__row[^"]*" id="reading-(\d+)">(.*?)</tr>', html, re.S
    )
    assert len(rows) == len(DAILY) + 2  # every report, the evening report and the amendment
    by_id = {int(pk): _text(row) for pk, row in rows}
    assert [int(pk) for pk, _ in rows[:2]] == [staffing.amendment.pk, staffing.original.pk]
    assert " ".join(by_id[staffing.amendment.pk].split()) == (
        "Sun 18 Jan 2026 09:00 GMT 74 OPEL 1 · Green Amendment dgs-manager "
        f"Sun 18 Jan 2026 12:00 GMT supersedes reading of 40 (reason: {REASON}) "
        "Amend the reading of 74 for Sun 18 Jan 2026 09:00 GMT"
    )
    assert "Superseded by amendment" in by_id[staffing.original.pk]
    assert "Superseded by amendment" not in by_id[staffing.amendment.pk]
    assert f'class="nhsuk-table__row sw-superseded" id="reading-{staffing.original.pk}"' in html


def test_a_confirmation_names_the_report_it_repeats(
    client: Client, dgs_member: User, dgs: Area, staffing: StaffingHistory, at_now: None
) -> None:
    later = NOW - timedelta(minutes=30)
    (confirmation,) = confirm_no_change(dgs_member, dgs, later, now=later)
    text = _text(_page(client, dgs_member, _url()))
    assert (
        "Sun 18 Jan 2026 11:30 GMT 74 OPEL 1 · Green No change since last report dgs-manager "
        "Sun 18 Jan 2026 11:30 GMT confirms the report of Sun 18 Jan 2026 09:00 GMT"
    ) in text
    assert confirmation.confirms == staffing.amendment


def test_only_the_reporting_team_may_amend_and_never_a_superseded_row(
    client: Client,
    dgs_member: User,
    viewer: User,
    west_kent_coordinator: User,
    staffing: StaffingHistory,
    at_now: None,
) -> None:
    links = _amend_links(_page(client, dgs_member, _url()))
    assert staffing.amendment.pk in links
    assert staffing.original.pk not in links
    assert len(links) == len(DAILY) + 1
    assert _amend_links(_page(client, viewer, _url())) == []
    assert _amend_links(_page(client, west_kent_coordinator, _url())) == []


def test_the_page_reads_a_fixed_number_of_queries_however_long_the_history(
    client: Client,
    dgs_member: User,
    staffing: StaffingHistory,
    at_now: None,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client.force_login(dgs_member)
    # session, user, area, scope, history, current, roles, history page, menu: none per row
    with django_assert_max_num_queries(9):
        assert client.get(_url()).status_code == 200


# --- chart data -----------------------------------------------------------------------


def test_the_series_is_what_stood_the_amendment_not_the_original(
    client: Client, dgs_member: User, staffing: StaffingHistory, at_now: None
) -> None:
    series = _chart_data(_page(client, dgs_member, _url()))["series"]
    values = [p["y"] for p in series["points"]]
    assert values == [*DAILY[:6], EVENING_VALUE, *DAILY[6:-1], AMENDED_VALUE]
    assert series["points"][-1] == {
        "x": int(FIRST_DAY.timestamp() * 1000) + 13 * 86_400_000,
        "y": AMENDED_VALUE,
        "label": "Sun 18 Jan 2026 09:00 GMT",
        "level": "OPEL 1 green",
    }
    # 90 UK days, today included: from local midnight on Tue 21 Oct 2025 (BST) to now.
    start = datetime(2025, 10, 21, tzinfo=LONDON)
    assert (series["start"], series["end"]) == (
        int(start.timestamp() * 1000),
        int(NOW.timestamp() * 1000),
    )


def test_the_bands_are_the_packs_for_the_area_with_opel_1_on_top(
    client: Client, dgs_member: User, at_now: None
) -> None:
    pack_yaml = yaml.safe_load(resolve_pack_path("kent-ascch").read_text(encoding="utf-8"))
    (spec,) = [i for i in pack_yaml["indicators"] if i["id"] == STAFFING]
    printed = spec["areas"]["dgs"]  # {1: [70, 100], 2: [50, 69], 3: [30, 49], 4: [0, 29]}
    bands = _chart_data(_page(client, dgs_member, _url()))["bands"]
    assert [(b["level"], b["printed"]) for b in bands] == [(n, printed[n]) for n in (4, 3, 2, 1)]
    # Higher is better: a level starts at its printed low, so 69.5% is OPEL 2.
    assert [(b["level"], b["low"], b["high"]) for b in bands] == [
        (4, None, printed[3][0]),
        (3, printed[3][0], printed[2][0]),
        (2, printed[2][0], printed[1][0]),
        (1, printed[1][0], None),
    ]
    assert [(b["label"], b["fill"]) for b in bands] == [
        ("OPEL 4 black", "#212b32"),
        ("OPEL 3 red", "#d5281b"),
        ("OPEL 2 amber", "#ffb81c"),
        ("OPEL 1 green", "#007f3b"),
    ]


def test_spc_limits_are_xmr_of_each_days_last_standing_value(
    client: Client, dgs_member: User, staffing: StaffingHistory, at_now: None
) -> None:
    html = _page(client, dgs_member, _url())
    spc = _chart_data(html)["spc"]
    expected = xmr(staffing.daily, Direction.HIGHER_IS_BETTER)
    assert [p["y"] for p in spc["points"]] == staffing.daily
    assert (spc["mean"], spc["upper"], spc["lower"]) == (
        expected.mean,
        expected.upper,
        expected.lower,
    )
    assert [p["variation"] for p in spc["points"]] == [p.variation for p in expected.points]
    assert [p["day"] for p in spc["points"]][:2] == ["2026-01-05", "2026-01-06"]
    assert latest_summary(expected) in _text(html)


def test_too_few_days_for_spc_says_so_instead_of_a_chart(
    client: Client, dgs_member: User, dgs: Area, at_now: None
) -> None:
    for day in range(3):
        observed = FIRST_DAY + timedelta(days=day)
        submit_readings(dgs_member, dgs, {STAFFING: 70 + day}, observed, now=observed)
    html = _page(client, dgs_member, _url())
    assert "Not enough data for an SPC chart (needs at least 12 days)" in html
    assert 'id="spc-chart"' not in html
    assert _chart_data(html)["spc"] is None


@pytest.mark.parametrize(
    ("query", "days", "points"),
    [("", 90, 15), ("?days=30", 30, 15), ("?days=abc", 90, 15), ("?days=7", 90, 15)],
)
def test_the_period_is_validated_and_a_bad_value_falls_back(
    client: Client,
    dgs_member: User,
    staffing: StaffingHistory,
    at_now: None,
    query: str,
    days: int,
    points: int,
) -> None:
    html = _page(client, dgs_member, _url() + query)
    data = _chart_data(html)
    assert (data["days"], len(data["series"]["points"])) == (days, points)
    assert f'<option value="{days}" selected>Last {days} days</option>' in html


def test_a_short_period_leaves_older_readings_out(
    client: Client, dgs_member: User, staffing: StaffingHistory
) -> None:
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        data = _chart_data(_page(client, dgs_member, _url() + "?days=30"))
    # 30 UK days up to Tue 17 Feb start on Mon 19 Jan: nothing from 5-18 Jan remains.
    assert data["series"]["points"] == []
    assert data["spc"] is None


# --- charts.py: pure functions ----------------------------------------------------------


def _obs(
    reading_id: int,
    observed_at: datetime,
    value: float,
    supersedes: int | None = None,
    submitted_at: datetime | None = None,
) -> Observation:
    submitted = submitted_at or observed_at + timedelta(minutes=reading_id)
    return Observation(reading_id, observed_at, submitted, value, supersedes=supersedes)


def test_the_standing_series_drops_superseded_rows_and_older_submissions() -> None:
    nine = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    rows = [
        _obs(1, nine, 40),
        _obs(2, nine + timedelta(hours=4), 55),
        _obs(3, nine, 47, supersedes=1),  # amends 1
        _obs(4, nine, 74, supersedes=3),  # amends the amendment
        _obs(5, nine + timedelta(hours=4), 58),  # a later report for the same time
    ]
    assert [(o.reading_id, o.value) for o in standing_series(rows)] == [(4, 74), (5, 58)]


@pytest.mark.parametrize(
    ("readings", "expected"),
    [
        (  # October: 23:30 BST on Sat 24 is 22:30 UTC; 00:15 BST on Sun 25 is still the 24th UTC
            [
                (datetime(2026, 10, 24, 22, 30, tzinfo=UTC), 1.0),
                (datetime(2026, 10, 24, 23, 15, tzinfo=UTC), 2.0),
                (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), 3.0),  # 01:30 BST
                (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), 4.0),  # 01:30 GMT, an hour later
                (datetime(2026, 10, 25, 23, 30, tzinfo=UTC), 5.0),  # 23:30 GMT on the 25th
                (datetime(2026, 10, 26, 0, 10, tzinfo=UTC), 6.0),
            ],
            [(date(2026, 10, 24), 1.0), (date(2026, 10, 25), 5.0), (date(2026, 10, 26), 6.0)],
        ),
        (  # March: 23:30 UTC on Sun 29 is 00:30 BST on Mon 30
            [
                (datetime(2026, 3, 28, 23, 30, tzinfo=UTC), 1.0),
                (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), 2.0),  # 00:30 GMT
                (datetime(2026, 3, 29, 1, 30, tzinfo=UTC), 3.0),  # 02:30 BST
                (datetime(2026, 3, 29, 23, 30, tzinfo=UTC), 4.0),
            ],
            [(date(2026, 3, 28), 1.0), (date(2026, 3, 29), 3.0), (date(2026, 3, 30), 4.0)],
        ),
    ],
)
def test_each_uk_days_last_value_across_the_clock_changes(
    readings: list[tuple[datetime, float]], expected: list[tuple[date, float]]
) -> None:
    rows = [_obs(n, at, value) for n, (at, value) in enumerate(readings)]
    assert [(d.day, d.value) for d in daily_last(rows, LONDON)] == expected


def test_daily_last_takes_the_later_submission_for_the_same_time() -> None:
    nine = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    rows = [
        _obs(2, nine, 9.0, submitted_at=NOW),
        _obs(1, nine, 5.0, submitted_at=NOW - timedelta(hours=1)),
    ]
    assert daily_last(rows, LONDON) == [DailyValue(date(2026, 1, 5), 9.0, nine)]


@pytest.mark.parametrize(
    ("now", "days", "start"),
    [
        (datetime(2026, 10, 26, 12, 0, tzinfo=UTC), 30, datetime(2026, 9, 26, 23, 0, tzinfo=UTC)),
        (datetime(2026, 3, 30, 0, 30, tzinfo=UTC), 1, datetime(2026, 3, 29, 23, 0, tzinfo=UTC)),
        (datetime(2026, 1, 18, 12, 0, tzinfo=UTC), 90, datetime(2025, 10, 20, 23, 0, tzinfo=UTC)),
    ],
)
def test_the_period_starts_at_uk_midnight(now: datetime, days: int, start: datetime) -> None:
    assert period_start(now, days, LONDON) == start


@pytest.mark.parametrize(
    ("raw", "days"),
    [(None, 90), ("", 90), ("30", 30), ("365", 365), ("abc", 90), ("-30", 90), ("1e3", 90)],
)
def test_period_days_only_accepts_the_offered_choices(raw: str | None, days: int) -> None:
    assert period_days(raw) == days


def test_lower_is_better_bands_put_opel_1_at_the_bottom() -> None:
    pack = load_pack("kent-ascch")
    cell = compile_cell(pack.indicator("referrals"), "dgs")  # 0-9, 10-14, 15-19, 20-29
    bands = bands_of(cell, pack.colours)
    assert [(b.level, b.low, b.high) for b in bands] == [
        (1, None, 9.0),
        (2, 9.0, 14.0),
        (3, 14.0, 19.0),
        (4, 19.0, None),
    ]
    assert [b.text for b in bands] == [
        "OPEL 1 green: 0\N{EN DASH}9 cases",
        "OPEL 2 amber: 10\N{EN DASH}14 cases",
        "OPEL 3 red: 15\N{EN DASH}19 cases",
        "OPEL 4 black: 20\N{EN DASH}29 cases",
    ]
    assert bands_of(compile_cell(pack.indicator("referrals"), "swale"), pack.colours) == ()


SHIFT_UP = [5.0, 6.0, 4.0, 5.0, 6.0, 4.0, 5.0, 6.0, 7.0, 6.0, 7.0, 6.0, 7.0, 6.0, 7.0]


@pytest.mark.parametrize(
    ("direction", "variation", "summary"),
    [
        (
            Direction.HIGHER_IS_BETTER,
            Variation.IMPROVEMENT,
            "Latest point: special cause \N{EN DASH} improvement (8 points above the mean)",
        ),
        (
            Direction.LOWER_IS_BETTER,
            Variation.CONCERN,
            "Latest point: special cause \N{EN DASH} concern (8 points above the mean)",
        ),
    ],
)
def test_the_spc_summary_names_the_latest_points_variation_and_why(
    direction: Direction, variation: Variation, summary: str
) -> None:
    daily = [
        DailyValue(date(2026, 1, 1) + timedelta(days=n), v, NOW) for n, v in enumerate(SHIFT_UP)
    ]
    view = spc_view(daily, direction)
    assert view.chart is not None
    assert (view.chart.latest.variation, view.summary) == (variation, summary)
    assert [(f.rule, len(f.days)) for f in view.findings] == [(SpecialCause.SHIFT, 8)]
    assert view.findings[0].text == (
        "7 or more points in a row on one side of the mean: 8 days, most recently Thu 15 Jan 2026"
    )


def test_a_trend_and_a_point_beyond_the_limit_are_both_named() -> None:
    values = [10.0, 11.0] * 5 + [12.0, 13.0, 14.0, 15.0, 16.0, 30.0]  # 10 to 30: 8 rising
    daily = [DailyValue(date(2026, 2, 1) + timedelta(days=n), v, NOW) for n, v in enumerate(values)]
    view = spc_view(daily, Direction.LOWER_IS_BETTER)
    assert view.summary == (
        "Latest point: special cause \N{EN DASH} concern "
        "(above the upper process limit; 8 points rising)"
    )


NOISE = [10.0, 11.0, 9.0] * 4


@pytest.mark.parametrize(
    ("tail", "which"),
    [([13.5, 13.5], "2 of the last 3 points"), ([13.5, 13.6, 13.4], "all of the last 3 points")],
)
def test_two_of_three_near_a_limit_is_counted_in_words(tail: list[float], which: str) -> None:
    values = NOISE + tail
    daily = [DailyValue(date(2026, 3, 1) + timedelta(days=n), v, NOW) for n, v in enumerate(values)]
    chart = xmr(values, Direction.HIGHER_IS_BETTER)
    assert chart.latest.rules == {SpecialCause.TWO_OF_THREE}
    assert spc_view(daily, Direction.HIGHER_IS_BETTER).summary == (
        "Latest point: special cause \N{EN DASH} improvement "
        f"({which} more than two thirds of the way to the upper limit)"
    )
