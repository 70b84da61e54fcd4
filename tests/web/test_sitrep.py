"""The daily SitRep (issue 4): what it says, as at which moment, in every format.

One history across the March 2026 clock change (BST starts at 01:00 UTC on
Sunday 29 March): readings on Saturday 28 March (GMT) and Sunday 29 March
(BST), a declaration, action cards and deadlines, level changes and
decisions, all at explicit times. The SitRep for 29 March is as at 10:30 BST
(09:30 UTC); 'yesterday' is 10:30 GMT on 28 March (10:30 UTC), 23 hours
earlier.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from surgewatch.core.pack import Direction
from surgewatch.web.accounts.models import User
from surgewatch.web.actions.models import (
    ActionCard,
    CardEvent,
    CardEventKind,
    CardStatus,
    Deadline,
    LevelChange,
    LevelChangeSource,
)
from surgewatch.web.decisions.services import (
    AgreedAction,
    Attendee,
    record_decision,
    record_meeting,
)
from surgewatch.web.escalation.services import declare_level
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack
from surgewatch.web.reporting.models import Reading
from surgewatch.web.reporting.services import amend_reading, submit_readings
from surgewatch.web.sitrep.builder import build_sitrep, sitrep_for_day
from surgewatch.web.sitrep.changes import cell_change
from surgewatch.web.sitrep.csv_file import render_csv
from surgewatch.web.sitrep.dates import SitRepDateError, day_before, sitrep_moment
from surgewatch.web.sitrep.pdf import render_pdf
from surgewatch.web.sitrep.records import IndicatorRow, SitRep
from surgewatch.web.sitrep.xlsx import render_xlsx

MakeUser = Callable[..., User]
LONDON = ZoneInfo("Europe/London")
SUNDAY = date(2026, 3, 29)
AT = datetime(2026, 3, 29, 9, 30, tzinfo=UTC)  # 10:30 BST
SINCE = datetime(2026, 3, 28, 10, 30, tzinfo=UTC)  # 10:30 GMT
HOUR = timedelta(hours=1)


def london(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def report(user: User, area: Area, values: Mapping[str, float], at: datetime) -> list[Reading]:
    return submit_readings(user, area, values, at, now=at + timedelta(minutes=2))


@dataclass(frozen=True)
class History:
    organisation: Organisation
    reporter: User
    manager: User


@pytest.fixture
def manager(make_user: MakeUser) -> User:
    return make_user("service-manager", "stp-service-manager")


@pytest.fixture
def history(kcc: Organisation, dgs: Area, dgs_member: User, manager: User) -> History:
    """Readings either side of the clock change, one reading after the SitRep's moment."""
    report(
        dgs_member,
        dgs,
        {"health_caseload": 45, "stp_staffing_pct": 72, "referrals": 12},
        london(28, 9),
    )
    # After 24 hours before the SitRep (09:30 GMT) but before the same wall-clock time.
    report(dgs_member, dgs, {"health_caseload": 50}, london(28, 10))
    report(dgs_member, dgs, {"health_caseload": 62, "stp_staffing_pct": 65}, london(29, 9))
    report(dgs_member, dgs, {"health_caseload": 30}, london(29, 14))  # after 10:30: not shown
    declare_level(manager, kcc, 3, "DGS health caseload rising fast", now=london(29, 10, 15))
    return History(kcc, dgs_member, manager)


def row(sitrep: SitRep, indicator: str, area: str = "dgs") -> IndicatorRow:
    return next(r for r in sitrep.indicators if (r.indicator_id, r.area_id) == (indicator, area))


# --- the moment ------------------------------------------------------------------------


def test_the_sitrep_for_a_day_is_as_at_half_past_ten_uk_time_either_side_of_the_clock_change() -> (
    None
):
    assert sitrep_moment(SUNDAY, london(30, 8), LONDON) == AT
    assert sitrep_moment(date(2026, 3, 28), london(30, 8), LONDON) == SINCE
    assert day_before(AT, LONDON) == SINCE
    assert AT - day_before(AT, LONDON) == timedelta(hours=23)
    # October: BST ends on 25 October 2026, so that day's 'yesterday' is 25 hours back.
    october = sitrep_moment(date(2026, 10, 25), london(26, 8, month=10), LONDON)
    assert october == datetime(2026, 10, 25, 10, 30, tzinfo=UTC)
    assert october - day_before(october, LONDON) == timedelta(hours=25)


@pytest.mark.parametrize("hour", [8, 16])
def test_todays_sitrep_is_as_at_now(hour: int) -> None:
    now = london(29, hour, 5)
    assert sitrep_moment(SUNDAY, now, LONDON) == now


def test_a_day_after_today_has_no_sitrep() -> None:
    with pytest.raises(SitRepDateError, match="2026-03-30 is in the future"):
        sitrep_moment(date(2026, 3, 30), london(29, 23, 30), LONDON)


# --- levels and indicators -------------------------------------------------------------


def test_indicators_show_the_values_standing_at_the_moment_and_their_change_since_yesterday(
    history: History,
) -> None:
    sitrep = build_sitrep(history.organisation, AT)
    caseload = row(sitrep, "health_caseload")
    assert (caseload.value, caseload.level, caseload.colour) == (62, 3, "red")
    assert caseload.observed_at == london(29, 9)
    # Yesterday is 10:30 GMT, so the 10:00 GMT report stands, not the 09:00 one.
    assert (caseload.value_before, caseload.level_before) == (50, 2)
    assert caseload.change.words == "up 12 cases, worse; OPEL 2 to OPEL 3"
    assert (caseload.change.arrow, caseload.change.verdict) == ("\N{UPWARDS ARROW}", "worse")
    staffing = row(sitrep, "stp_staffing_pct")
    assert staffing.change.words == "down 7 percentage points, worse; OPEL 1 to OPEL 2"
    assert row(sitrep, "referrals").change.words == "no change"


def test_cells_without_a_reading_say_why(history: History) -> None:
    sitrep = build_sitrep(history.organisation, AT)
    swale = row(sitrep, "referrals", "swale")
    assert (swale.status, swale.change.words) == ("not_monitored", "not monitored")
    unreported = row(sitrep, "health_caseload", "east-kent")
    assert (unreported.value, unreported.status, unreported.change.words) == (
        None,
        "no_reading",
        "no reading",
    )
    assert [r.area_id for r in sitrep.indicators if r.indicator_id == "referrals"] == [
        "dgs",
        "east-kent",
        "swale",
        "west-kent",
    ]


def test_levels_are_declared_suggested_acting_and_for_the_system(history: History) -> None:
    kcc = history.organisation
    LevelChange.objects.create(
        organisation=kcc, at=london(29, 10, 16), from_level=2, to_level=3,
        source=LevelChangeSource.DECLARATION, framework=kcc.framework,
    )  # fmt: skip
    levels = build_sitrep(kcc, AT).levels
    assert levels.declared is not None
    assert (levels.declared.level, levels.declared.declared_by) == (3, "service-manager")
    assert levels.declared.reason == "DGS health caseload rising fast"
    # At least two indicators at a level (the pack's rule): health 3, staffing 2, referrals 2.
    assert (levels.suggested, levels.suggested_before, levels.score) == (2, 2, None)
    assert levels.acting == 3
    assert levels.system is not None
    assert (levels.system.aggregate, levels.system.enacted) == (2, 2)
    dgs = next(m for m in levels.members if m.area_id == "dgs")
    assert dgs.level == 2


def test_a_sitrep_for_a_past_date_shows_the_values_standing_then(history: History) -> None:
    saturday = sitrep_for_day(history.organisation, date(2026, 3, 28), london(30, 8))
    assert saturday.at == SINCE
    caseload = row(saturday, "health_caseload")
    assert (caseload.value, caseload.value_before) == (50, None)
    assert caseload.change.words == "new since yesterday"
    # The declaration came on Sunday, after this SitRep's moment.
    assert saturday.levels.declared is None


def test_an_amendment_counts_from_when_it_was_submitted(history: History) -> None:
    sunday_report = Reading.objects.get(indicator="health_caseload", observed_at=london(29, 9))
    amend_reading(history.reporter, sunday_report.pk, 64, "typo", now=london(29, 12))
    assert row(build_sitrep(history.organisation, AT), "health_caseload").value == 62
    saturday_report = Reading.objects.get(indicator="health_caseload", observed_at=london(28, 10))
    amend_reading(history.reporter, saturday_report.pk, 55, "typo", now=london(29, 10))
    assert row(build_sitrep(history.organisation, AT), "health_caseload").value_before == 55


# --- actions, level changes and decisions ---------------------------------------------


def card(org: Organisation, action: str, opened: datetime, **fields: object) -> ActionCard:
    defaults: dict[str, object] = {"role": "stp-service-manager", "level": 3, "text": action}
    return ActionCard.objects.create(
        organisation=org, action_id=action.lower().replace(" ", "-")[:90], opened_at=opened,
        **{**defaults, **fields},
    )  # fmt: skip


@pytest.fixture
def cards(history: History) -> History:
    kcc = history.organisation
    shrewd = card(kcc, "Update SHREWD by 10:30", london(28, 12), level=2)
    Deadline.objects.create(card=shrewd, due_at=london(29, 10))
    allocation = card(kcc, "Review caseload allocation", london(29, 8), role="stp-team-manager")
    Deadline.objects.create(card=allocation, due_at=london(29, 16))
    done_later = card(kcc, "Call the ICB", london(28, 13), status=CardStatus.DONE)
    Deadline.objects.create(card=done_later, due_at=london(29, 10), met_at=london(29, 12))
    CardEvent.objects.create(card=done_later, at=london(29, 12), kind=CardEventKind.DONE)
    done_before = card(kcc, "Brief the director", london(28, 13), status=CardStatus.DONE)
    CardEvent.objects.create(card=done_before, at=london(29, 9), kind=CardEventKind.DONE)
    card(kcc, "Opened after the SitRep", london(29, 11))
    card(
        kcc, "Stood down before", london(28, 12), status=CardStatus.STOOD_DOWN,
        stood_down_at=london(29, 9),
    )  # fmt: skip
    return history


def test_open_actions_are_those_active_at_the_moment_with_overdue_first(cards: History) -> None:
    actions = build_sitrep(cards.organisation, AT).actions
    assert [(a.text, a.overdue) for a in actions] == [
        ("Update SHREWD by 10:30", True),
        ("Call the ICB", True),
        ("Review caseload allocation", False),
    ]
    assert actions[0].role == "Short-Term Pathway Service Manager"
    assert (actions[0].due_at, actions[0].status, actions[0].assignee) == (
        london(29, 10),
        "Open",
        "Unassigned",
    )


def test_level_changes_are_those_since_yesterday(history: History) -> None:
    kcc = history.organisation
    for at, old, new in [(london(27, 12), None, 2), (london(28, 15), 2, 3), (london(29, 11), 3, 4)]:
        LevelChange.objects.create(
            organisation=kcc, at=at, from_level=old, to_level=new,
            source=LevelChangeSource.ENGINE, framework=kcc.framework,
        )  # fmt: skip
    sitrep = build_sitrep(kcc, AT)
    assert [(c.from_level, c.to_level) for c in sitrep.level_changes] == [(2, 3)]
    assert sitrep.levels.acting == 3


def decide(history: History, text: str, decided: datetime, recorded: datetime) -> None:
    record_decision(
        history.manager, history.organisation, decision=text,
        risk="Delayed discharges from Darent Valley Hospital", identified_by="SHREWD caseload",
        measured_by="Caseload against the plan's bands", decided_by="Service manager (STP)",
        review_at=decided + timedelta(hours=4), decided_at=decided, now=recorded,
    )  # fmt: skip


def test_decisions_are_those_recorded_since_yesterday_up_to_the_moment(history: History) -> None:
    decide(history, "Too early", london(28, 9), london(28, 9, 30))
    decide(history, "Open four more D2A placements", london(29, 8, 45), london(29, 8, 50))
    decide(history, "Too late", london(29, 11), london(29, 11, 5))
    decisions = build_sitrep(history.organisation, AT).decisions
    assert [d.decision for d in decisions] == ["Open four more D2A placements"]
    assert decisions[0].review_at == london(29, 12, 45)


# --- formats -----------------------------------------------------------------------------


def meet(history: History, convened: datetime) -> None:
    record_meeting(
        history.manager, history.organisation, group_id="kcc-ope-group", convened_at=convened,
        convened_by="Service manager (STP)", chair="A Director", chair_role="Director of ASC",
        attendees=[Attendee("A Director", "Director of ASC")],
        actions=[AgreedAction("Ask KEaH for two extra packages", "Head of KEaH", convened + HOUR)],
        agreed_level=3, agreed_level_reason="Caseload and staffing both worse",
        now=convened + HOUR / 2, position="DGS caseload at OPEL 3",
    )  # fmt: skip


@pytest.fixture
def full(cards: History) -> SitRep:
    decide(cards, "Open four more D2A placements", london(29, 8, 45), london(29, 8, 50))
    meet(cards, london(29, 9, 30))
    meet(cards, london(29, 10, 15))  # recorded at 10:45, after the SitRep's moment
    return build_sitrep(cards.organisation, AT)


def test_meetings_are_those_recorded_since_yesterday_with_the_actions_they_agreed(
    full: SitRep,
) -> None:
    [meeting] = full.meetings
    assert (meeting.group, meeting.convened_at) == (
        "KCC Operational Pressures Escalation Group",
        london(29, 9, 30),
    )
    assert (meeting.chair, meeting.agreed_level) == ("A Director (Director of ASC)", 3)
    assert meeting.agreed_actions == ("Ask KEaH for two extra packages (owner: Head of KEaH)",)


def pdf_text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


def test_the_pdf_says_who_what_level_what_changed_what_is_overdue_and_what_was_decided(
    full: SitRep,
) -> None:
    pdf = render_pdf(full)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Daily SitRep: Kent County Council" in text
    assert "As at Sun 29 Mar 2026 10:30 BST" in text
    assert "OPEL 3 declared by service-manager" in text
    assert "KCC Health Caseload" in text
    assert "62 cases" in text
    assert "OPEL 3 · Red" in text
    assert "up 12 cases, worse; OPEL 2 to OPEL 3" in text
    assert "Overdue since Sun 29 Mar 2026 10:00 BST" in text
    assert "Update SHREWD by 10:30" in text
    assert "Open four more D2A placements" in text
    assert "KCC Operational Pressures Escalation Group" in text


def test_the_xlsx_has_a_sheet_per_section_with_values_in_their_columns(full: SitRep) -> None:
    book = load_workbook(io.BytesIO(render_xlsx(full)))
    assert book.sheetnames == [
        "SitRep", "Levels", "Indicators", "Actions", "Level changes", "Decisions", "Meetings",
    ]  # fmt: skip
    sheet = book["Indicators"]
    header = [c.value for c in sheet[1]]
    assert sheet["A1"].font.bold
    rows = [
        dict(zip(header, (c.value for c in r), strict=True)) for r in sheet.iter_rows(min_row=2)
    ]
    caseload = next(
        r for r in rows if (r["Indicator id"], r["Area id"]) == ("health_caseload", "dgs")
    )
    assert (caseload["Value"], caseload["Level"], caseload["Colour"]) == (62, 3, "Red")
    assert caseload["Observed (UK time)"] == datetime(2026, 3, 29, 9, 0)
    assert caseload["Value a day earlier"] == 50
    assert caseload["Change since yesterday"] == "up 12 cases, worse; OPEL 2 to OPEL 3"
    colour_cell = sheet.cell(row=rows.index(caseload) + 2, column=header.index("Colour") + 1)
    assert colour_cell.fill.fgColor.rgb == "FFD5281B"
    actions = book["Actions"]
    assert [c.value for c in actions[2]][:4] == [
        "Overdue", datetime(2026, 3, 29, 10, 0), "Short-Term Pathway Service Manager",
        "Update SHREWD by 10:30",
    ]  # fmt: skip
    assert book["Decisions"]["C2"].value == "Open four more D2A placements"
    levels = {r[0].value: r for r in book["Levels"].iter_rows(min_row=2)}
    assert (levels["Declared level"][1].value, levels["Declared level"][2].value) == (3, "Red")


def test_the_csv_has_one_block_per_section_each_row_naming_its_section(full: SitRep) -> None:
    blocks = render_csv(full).split("\n\n")
    tables = {}
    for block in blocks:
        header, *rows = list(csv.reader(io.StringIO(block)))
        assert header[0] == "section"
        assert {r[0] for r in rows} <= {"sitrep", "levels", "indicators", "actions"} | {
            "level_changes", "decisions", "meetings",
        }  # fmt: skip
        tables[header[1]] = [dict(zip(header, r, strict=True)) for r in rows]
    caseload = next(
        r
        for r in tables["Indicator"]
        if (r["Indicator id"], r["Area id"]) == ("health_caseload", "dgs")
    )
    assert caseload["section"] == "indicators"
    assert (caseload["Value"], caseload["Level"], caseload["Colour"]) == ("62", "3", "Red")
    assert caseload["Observed (UK time)"] == "2026-03-29T09:00+01:00"
    assert caseload["Value a day earlier"] == "50"
    assert caseload["Change since yesterday"] == "up 12 cases, worse; OPEL 2 to OPEL 3"
    overdue = [r["Action"] for r in tables["Overdue"] if r["Overdue"] == "Overdue"]
    assert overdue == ["Update SHREWD by 10:30", "Call the ICB"]
    assert [r["Decision"] for r in tables["Number"]] == ["Open four more D2A placements"]
    [meeting] = tables["Convened (UK time)"]
    assert (meeting["section"], meeting["Level agreed"]) == ("meetings", "3")
    about = {r["Item"]: r["Value"] for r in tables["Item"]}
    assert about["As at (UK time)"] == "2026-03-29T10:30+01:00"
    assert about["Changes since (UK time)"] == "2026-03-28T10:30+00:00"


# --- a scored pack: the illustrative acute trust ---------------------------------------------


@pytest.fixture
def acute(db: None) -> Organisation:
    install_pack("example-acute-trust", now=london(1, 9))
    trust = organisation_by_slug("example-acute")
    manager = User.objects.create_user("site-manager", password="not-used")
    add_membership(manager, trust, "site-manager")
    for area, values in {
        "site-a": {"ed_4h_performance_pct": 65, "ambulance_handover_over_60min": 1},
        "site-b": {"ed_4h_performance_pct": 85, "ambulance_handover_over_60min": 0},
    }.items():
        report(manager, trust.areas.get(slug=area), values, london(29, 9))
    return trust


def test_a_scored_system_shows_its_score_its_aggregate_and_the_member_that_drives_it(
    acute: Organisation,
) -> None:
    sitrep = build_sitrep(acute, AT)
    levels = sitrep.levels
    # ED 4h at OPEL 3 (weight 2) and handovers at OPEL 2 (weight 2): 6 of 12 points.
    assert (levels.score, levels.score_level, levels.suggested) == (50.0, 3, 3)
    assert levels.system is not None
    # Site A scores 50 and site B 0, weighted 0.6 and 0.4: 30 is OPEL 2, but site A is
    # at OPEL 3, so its actions are enacted (seed 000, Appendix 4).
    assert (levels.system.score, levels.system.aggregate) == (30.0, 2)
    site_a = "Site A (larger site with critical care)"
    assert (levels.system.enacted, levels.system.driven_by) == (3, (site_a,))
    assert "NOT national OPEL thresholds" in sitrep.illustrative_note
    text = pdf_text(render_pdf(sitrep))
    assert "OPEL score 50.0 of 100: OPEL 3" in text
    assert "Aggregate (weighted mean score): OPEL 2 Aggregate score: 30.0 of 100" in text
    assert "Illustrative: Thresholds, weights and hold periods are invented" in text
    assert f"Actions enacted at: OPEL 3 because {site_a} is at OPEL 3" in text


@pytest.mark.parametrize(
    ("direction", "unit", "now", "before", "words"),
    [
        (Direction.LOWER_IS_BETTER, "cases", (38, 1), (39, 1), "down 1 case, better"),
        (
            Direction.HIGHER_IS_BETTER,
            "%",
            (69.5, 2),
            (70, 1),
            "down 0.5 percentage points, worse; OPEL 1 to OPEL 2",
        ),
        (Direction.HIGHER_IS_BETTER, "%", (71, 1), (70, 1), "up 1 percentage point, better"),
        (Direction.HIGHER_IS_BETTER, "beds", (12.3, None), (12.2, None), "up 0.1 beds, better"),
        (Direction.LOWER_IS_BETTER, "cases", (40, 2), (40, 2), "no change"),
        (Direction.LOWER_IS_BETTER, "cases", (40, 2), (None, None), "new since yesterday"),
        (Direction.LOWER_IS_BETTER, "cases", (None, None), (40, 2), "no reading"),
    ],
)
def test_a_change_is_up_or_down_in_the_unit_and_better_or_worse_by_the_direction(
    direction: Direction,
    unit: str,
    now: tuple[float | None, int | None],
    before: tuple[float | None, int | None],
    words: str,
) -> None:
    assert cell_change(direction, unit, now, before).words == words
