"""Governance history files (issue 7): seed 000's version table and plan tests, seed 002's
sign-off schedule, loaded by ``surgewatch governance load-history`` and the demo."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from surgewatch.cli import main
from surgewatch.exercise.history import HistoryError, parse_history
from surgewatch.web.governance.history import load_history, load_history_file
from surgewatch.web.governance.models import DocumentVersion, ExerciseEntry, SignOffMeeting
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import install_pack

NOW = datetime(2026, 1, 5, 11, 0, tzinfo=UTC)
FOLDER = Path(__file__).resolve().parents[2] / "examples" / "governance"
VERSIONS = FOLDER / "kent-asch-opel-plan-versions.yaml"
TESTS = FOLDER / "kent-asch-plan-tests.yaml"
SIGN_OFF = FOLDER / "ssot-2024-25-sign-off.yaml"
KENT_PLAN = "Kent ASCH Operational Pressures Escalation Plan"


@pytest.fixture
def acute(db: None) -> Organisation:
    install_pack("example-acute-trust", now=NOW)
    return organisation_by_slug("example-acute")


def test_seed_000s_version_table_loads_as_printed(kcc: Organisation) -> None:
    summary = load_history_file(VERSIONS, kcc, now=NOW)
    assert (summary.added, summary.unchanged) == (13, 0)
    rows = DocumentVersion.objects.filter(organisation=kcc, document=KENT_PLAN)
    versions = {r.version: r for r in rows}
    assert list(versions) == [
        "0.1", "0.2", "0.3", "0.4", "1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8",
    ]  # fmt: skip
    drafts = sorted(v for v, r in versions.items() if r.status == "draft")
    assert drafts == ["0.1", "0.2", "0.3", "0.4", "1.4"]
    latest = versions["1.8"]
    assert (latest.revised_on, latest.reviewed_by) == (
        date(2025, 10, 2),
        "John Callaghan / ASCH Directorate Resilience Group",
    )
    assert versions["0.3"].reviewed_by == ""  # the plan leaves it empty


def test_the_plan_tests_link_the_2024_invocation_to_version_1_7(kcc: Organisation) -> None:
    load_history_file(VERSIONS, kcc, now=NOW)
    assert load_history_file(TESTS, kcc, now=NOW).added == 2
    mtw = ExerciseEntry.objects.get(organisation=kcc, held_on=date(2024, 7, 24))
    assert mtw.kind == "actual_invocation"
    assert "Maidstone and Tunbridge Wells" in mtw.scenario
    assert "Fifteen potential discharges" in mtw.what_happened
    assert "Extra-ordinary Practice Assurance Panel" in mtw.lessons
    assert mtw.document_version is not None and mtw.document_version.version == "1.7"
    aegis = ExerciseEntry.objects.get(organisation=kcc, held_on=date(2025, 9, 8))
    assert (aegis.kind, aegis.title, aegis.document_version) == ("exercise", "Exercise Aegis", None)


def test_plan_tests_before_their_version_table_are_refused_whole(kcc: Organisation) -> None:
    with pytest.raises(HistoryError) as refused:
        load_history_file(TESTS, kcc, now=NOW)
    (problem,) = refused.value.problems
    assert problem.path == "exercises.0(Maidstone and Tunbridge Wells NHS Trust at OPEL 4)" \
        ".plan_version"  # fmt: skip
    assert "no version '1.7'" in problem.message and "load the version table first" in (
        problem.message
    )
    assert ExerciseEntry.objects.count() == 0  # Exercise Aegis, which had no link, neither


def test_seed_002s_sign_off_schedule_loads_in_the_printed_order(acute: Organisation) -> None:
    assert load_history_file(SIGN_OFF, acute, now=NOW).added == 17
    meetings = list(SignOffMeeting.objects.filter(organisation=acute).order_by("position"))
    assert (meetings[0].meeting, meetings[0].meeting_date) == (
        "System Performance Group",
        date(2024, 9, 25),
    )
    tbc = [m.meeting for m in meetings if m.meeting_date is None]
    assert tbc == ["EPRR scenario testing", "Staffordshire Health OSC", "Stoke-on-Trent Health OSC"]
    last = meetings[-1]
    assert (last.meeting, last.anticipated, last.meeting_date) == (
        "ICB Board (ratification)",
        "November 2024",
        date(2024, 11, 21),
    )
    assert {m.outcome for m in meetings} == {""}  # the seed records none


def test_loading_again_changes_nothing(kcc: Organisation) -> None:
    load_history_file(VERSIONS, kcc, now=NOW)
    again = load_history_file(VERSIONS, kcc, now=NOW)
    assert (again.added, again.unchanged) == (0, 13)
    assert DocumentVersion.objects.count() == 13


def test_a_changed_row_refuses_the_whole_file(kcc: Organisation) -> None:
    load_history_file(VERSIONS, kcc, now=NOW)
    text = VERSIONS.read_text().replace("Draft Plan published for consultation", "Rewritten")
    text += '  - {version: "1.9", date: 2026-01-05, status: draft, summary: Next}\n'
    with pytest.raises(HistoryError) as refused:
        load_history(kcc, parse_history(text, "edited.yaml"), "edited.yaml", now=NOW)
    (problem,) = refused.value.problems
    assert (problem.file, problem.path) == ("edited.yaml", "versions.0(0.1)")
    assert "give the change a new version number" in problem.message
    assert not DocumentVersion.objects.filter(version="1.9").exists()


@pytest.mark.parametrize(
    ("text", "path", "words"),
    [
        ("document: X\nsign_off:\n  - {meeting: M, anticipated_month: Sept}\n",
         "sign_off.0.anticipated_month", "write the month as YYYY-MM"),
        ("document: X\nversions:\n  - {version: '1', date: 2020-01-01, status: final, summary: s}"
         "\n",
         "versions.0.status", "use one of the values listed"),
        ("versions:\n  - {version: '1', date: 2020-01-01, status: draft, summary: s}\n",
         "document", "missing; fix: name the plan"),
        ("document: X\n", "", "nothing to load; fix: add 'versions:'"),
        ("document: X\nversions:\n  - {version: '1', date: 2020-01-01, status: draft, summary: a}\n"
         "  - {version: '1', date: 2020-02-01, status: draft, summary: b}\n",
         "versions.1", "also entry 0"),
        ("exercises:\n  - {date: 2024-07-24, kind: drill, title: T, scenario: S, lessons: L}\n",
         "exercises.0(T).kind", "use one of the values listed"),
    ],
)  # fmt: skip
def test_a_bad_file_names_the_place_and_the_fix(text: str, path: str, words: str) -> None:
    with pytest.raises(HistoryError) as refused:
        parse_history(text, "bad.yaml")
    assert any(p.path == path and words in p.message for p in refused.value.problems), [
        str(p) for p in refused.value.problems
    ]


def test_the_command_loads_a_file_and_reports_problems(
    kcc: Organisation, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["governance", "load-history", str(VERSIONS), "--organisation", "kcc-asch"]) == 0
    assert "13 row(s) added, 0 already loaded, for kcc-asch" in capsys.readouterr().out
    assert main(["governance", "load-history", str(VERSIONS), "--organisation", "nowhere"]) == 2
    assert "no organisation 'nowhere'; fix: use one of kcc-asch" in capsys.readouterr().err
    assert main(["governance", "load-history", "missing.yaml", "--organisation", "kcc-asch"]) == 2
    assert "missing.yaml: no such file" in capsys.readouterr().err
    assert DocumentVersion.objects.count() == 13


def test_the_demo_loads_every_example_into_its_organisation(
    kcc: Organisation, acute: Organisation
) -> None:
    from surgewatch.web.governance.demo import load_demo_governance

    load_demo_governance([kcc, acute], NOW)
    counts = [
        (DocumentVersion.objects.filter(organisation=kcc).count()),
        (ExerciseEntry.objects.filter(organisation=kcc).count()),
        (SignOffMeeting.objects.filter(organisation=acute).count()),
        (SignOffMeeting.objects.filter(organisation=kcc).count()),
    ]
    assert counts == [13, 2, 17, 0]
