"""The shipped frameworks: the HICM as seed 003 prints it, and seed 004's winter roles.

Seed 003, '4. The model': eight changes, each with criteria rows across five maturity
levels. Seed 004: duties per kind of organisation and ten high-impact interventions.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from surgewatch.improvement.frameworks import Framework, bundled_framework_ids, load_framework

SEEDS = Path("/work/shared/seeds")
# The slips the data file says it fixed (words the PDF extraction ran together).
EXTRACTION_FIXES = {
    "homeon": "home on",
    "teamsassess": "teams assess",
    "assessmentwithout": "assessment without",
    "teamsworking": "teams working",
}
MATURITY = ["not-yet-established", "plans-in-place", "established", "mature", "exemplary"]


@pytest.fixture(scope="module")
def hicm() -> Framework:
    return load_framework("hicm-2015").framework


@pytest.fixture(scope="module")
def winter() -> Framework:
    return load_framework("nhse-winter-roles-2023-24").framework


def test_both_frameworks_ship() -> None:
    assert bundled_framework_ids() == ["hicm-2015", "nhse-winter-roles-2023-24"]


def test_the_model_has_eight_changes_in_the_seeds_order(hicm: Framework) -> None:
    assert [g.number for g in hicm.groups] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert [g.title.split("/")[0].split(",")[0] for g in hicm.groups] == [
        "Early discharge planning",
        "Systems to monitor patient flow",
        "Multi-disciplinary",
        "Home first",
        "Seven-day service",
        "Trusted assessors",
        "Focus on choice",
        "Enhancing health in care homes",
    ]


def test_every_change_has_criteria_and_every_criterion_all_five_level_texts(
    hicm: Framework,
) -> None:
    assert [level.id for level in hicm.scale.levels] == MATURITY
    assert [level.name for level in hicm.scale.levels] == [
        "Not yet established",
        "Plans in place",
        "Established",
        "Mature",
        "Exemplary",
    ]
    for group in hicm.groups:
        assert group.criteria, group.id
        for criterion in group.criteria:
            assert list(criterion.levels) == MATURITY, criterion.id
            assert all(len(text.split()) >= 3 for text in criterion.levels.values()), criterion.id


def test_rows_per_change_match_the_seeds_tables(hicm: Framework) -> None:
    """Rows counted from the seed's tables (change 2 has five, change 5 four)."""
    assert [len(g.criteria) for g in hicm.groups] == [2, 5, 3, 3, 4, 3, 3, 3]


@pytest.mark.parametrize(
    ("criterion", "level", "text"),
    [
        ("elective-admissions", "exemplary", "Early discharge planning occurs for all planned "
         "admissions by an integrated community health and social care team"),
        ("emergency-admissions", "established",
         "Emergency admissions have a provisional discharge date set within 48 hours"),
        ("emergency-admissions", "exemplary",
         "Evidence shows X per cent patients go home on date agreed on admission"),
        ("bottlenecks", "established",
         "Analysis completed and practice changes being put in place and evaluated"),
        ("senior-clinical-decision-making", "exemplary",
         "Senior clinical decision making support available and increased automatically "
         "when necessary to carry out assessment and reviews 24/7"),
        ("care-home-assessments", "exemplary",
         "Care homes accept previous residents trusting trust /ASC staff assessment and "
         "always carry out new assessments within 24 hours"),
        ("working-pattern", "not-yet-established", "Discharge and social care teams assess "
         "and organise care during office hours five days a week"),
        ("single-assessment", "exemplary", "Resources from pooled budget accessed by single "
         "assessment without separate organisational sign off"),
        ("choice-protocol", "plans-in-place",
         "Choice protocol being written or updated to reduce seven days"),
        ("care-quality", "exemplary", "Care home CQC ratings reflect high quality care"),
    ],
)  # fmt: skip
def test_level_texts_read_as_the_seed_prints_them(
    hicm: Framework, criterion: str, level: str, text: str
) -> None:
    assert hicm.criterion(criterion)[1].levels[level] == text


def test_every_level_text_is_in_the_seed_word_for_word() -> None:
    """Each text's words appear in the seed in order (the tables were flattened across
    columns, so a cell's words may be spread over several lines, never reordered)."""
    seed = next(SEEDS.glob("003_*.txt"), None)
    if seed is None:
        pytest.skip("the seeds are not on this machine")
    text = seed.read_text(encoding="utf-8")
    for printed, fixed in EXTRACTION_FIXES.items():
        text = text.replace(printed, fixed)
    # A word hyphenated across a line ('co-' / 'designing') is one word.
    words = re.sub(r"(\w)-\s+(\w)", r"\1-\2", text).split()
    for _, criterion in load_framework("hicm-2015").framework.all_criteria():
        for level_text in criterion.levels.values():
            assert _in_order(level_text.split(), words), level_text


def _in_order(wanted: list[str], words: list[str]) -> bool:
    """``wanted`` appears as a subsequence of ``words`` starting at one of its first word."""
    starts = [i for i, w in enumerate(words) if w == wanted[0]]
    for start in starts:
        position = start
        for word in wanted[1:]:
            try:
                position = words.index(word, position + 1, position + 400)
            except ValueError:
                break
        else:
            return True
    return False


def test_the_action_plan_asks_the_templates_four_questions(hicm: Framework) -> None:
    plan = hicm.action_plan
    assert (plan.where_now, plan.what_to_do, plan.due_on, plan.success_measure) == (
        "Where are you now?",
        "What do you need to do?",
        "When will it be done by?",
        "How will you know it has been successful?",
    )


def test_winter_roles_has_ten_interventions_with_owners(winter: Framework) -> None:
    assert winter.scale.kind == "rag"
    assert [level.name for level in winter.scale.levels] == ["Red", "Amber", "Green"]
    interventions = winter.group("high-impact-interventions").criteria
    assert len(interventions) == 10
    owners = {c.id.split("-")[1]: {(o.kind, o.role) for o in c.owners} for c in interventions}
    assert owners["1"] == {("acute", "leads")}
    assert owners["3"] == {("acute", "leads"), ("mental-health", "leads and supports")}
    assert owners["4"] == {
        ("acute", "leads"),
        ("community", "leads and supports"),
        ("mental-health", "leads and supports"),
    }
    assert owners["7"] == {("icb", "leads")}
    assert owners["9"] == {("icb", "leads"), ("mental-health", "leads and supports")}
    assert "80% occupancy" in winter.criterion("hii-7-virtual-wards")[1].text
    assert "08.00-20.00" in winter.criterion("hii-8-urgent-community-response")[1].text


def test_winter_roles_lists_duties_for_every_kind_of_organisation(winter: Framework) -> None:
    by_kind = {g.organisation_kind: len(g.criteria) for g in winter.groups if g.organisation_kind}
    assert by_kind == {
        "icb": 9,
        "acute": 9,
        "primary-care": 6,
        "cyp": 7,
        "community": 9,
        "ambulance": 6,
        "mental-health": 6,
        "local-authority": 7,
    }
    assert all(c.text.strip() and not c.levels for _, c in winter.all_criteria())
