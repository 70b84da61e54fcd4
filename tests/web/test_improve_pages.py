"""Self-assessment pages (issue 7): recording a HICM assessment, results with the radar
chart's figures and the change since the last, the action plan, exports, scope checks.

Seed 003, '4. The model' and 'Action planning template'; seed 004 as a RAG checklist.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from surgewatch.web.accounts.models import User
from surgewatch.web.improve.models import ActionStatus, Assessment, ImprovementAction
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack

MakeUser = Callable[..., User]
NOW = datetime(2026, 1, 5, 11, 30, tzinfo=UTC)
HICM = "hicm-2015"
WINTER = "nhse-winter-roles-2023-24"


@pytest.fixture(autouse=True)
def frozen() -> object:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def manager(make_user: MakeUser, dgs: Area) -> User:
    return make_user("dgs-manager", "stp-team-manager", dgs)


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    def signed_in(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return signed_in


def _form(**changes: str) -> dict[str, str]:
    data = {
        "area": "",
        "assessed_on": "2026-01-05",
        "assessors": "Sam Patel (Service Manager)\nDee Gee (Team Manager)",
        "notes": "",
        "level-elective-admissions": "2",
        "evidence-elective-admissions": "Commissioners meet monthly on the pathway",
        "level-emergency-admissions": "3",
        "evidence-emergency-admissions": "EDD audit: 81% set within 48 hours",
        "level-bottlenecks": "1",
        "evidence-bottlenecks": "Weekly delays in DGS",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _assess(client: Client, **changes: str) -> Any:
    return client.post(reverse("improve-assess", args=["kcc-asch", HICM]), _form(**changes))


def test_the_organisation_page_links_to_the_self_assessments(
    kcc: Organisation, manager: User, client_for: Callable[[User], Client]
) -> None:
    page = client_for(manager).get(reverse("organisation", args=["kcc-asch"])).content.decode()
    assert f'href="{reverse("improve", args=["kcc-asch"])}"' in page


def test_the_form_offers_every_criterion_with_its_five_level_texts(
    kcc: Organisation, manager: User, client_for: Callable[[User], Client]
) -> None:
    response = client_for(manager).get(reverse("improve-assess", args=["kcc-asch", HICM]))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('type="radio"') == 26 * 6  # five levels and 'not assessed'
    assert "Evidence shows X per cent patients go home on date agreed on admission" in page
    assert "Care home CQC ratings reflect high quality care" in page
    assert 'for="id_evidence-bottlenecks">Evidence: Bottlenecks</label>' in page


def test_an_assessment_is_recorded_and_its_results_shown(
    kcc: Organisation, manager: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(manager)
    response = _assess(client)
    assert response.status_code == 302
    made = Assessment.objects.get()
    assert (made.number, made.framework_id, made.framework_edition) == (1, HICM, "2015")
    assert made.assessed_on == date(2026, 1, 5)
    assert made.recorded_by == manager and len(made.framework_sha256) == 64
    levels = dict(made.ratings.values_list("criterion_id", "level"))
    assert levels == {"elective-admissions": 2, "emergency-admissions": 3, "bottlenecks": 1}
    page = client.get(response["Location"])
    html = page.content.decode()
    chart = json.loads(html.split('id="radar-data" type="application/json">')[1].split("<")[0])
    assert chart["series"][0]["values"][:3] == [2.5, 1.0, None]
    assert len(chart["labels"]) == 8
    assert "This is the first assessment of its scope." in html
    assert "EDD audit: 81% set within 48 hours" in html
    assert "Emergency admissions have a provisional discharge date set within 48 hours" in html


def test_a_second_assessment_shows_what_moved(
    kcc: Organisation, manager: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(manager)
    _assess(client, assessed_on="2025-10-01")
    response = _assess(client, **{"level-bottlenecks": "3", "level-elective-admissions": "1"})
    html = client.get(response["Location"]).content.decode()
    assert "Compared with" in html and "assessment 1</a> of 1 October 2025" in html
    assert "1 criterion better, 1 worse, 1 the same." in html
    chart = json.loads(html.split('id="radar-data" type="application/json">')[1].split("<")[0])
    assert [s["label"] for s in chart["series"]] == ["Assessment 2", "Assessment 1 (previous)"]
    assert chart["series"][1]["values"][1] == 1.0 and chart["series"][0]["values"][1] == 3.0
    assert "↑ Better" in html and "↓ Worse" in html


def test_bad_input_is_named_beside_its_field_and_saves_nothing(
    kcc: Organisation, manager: User, client_for: Callable[[User], Client]
) -> None:
    response = _assess(
        client_for(manager),
        assessors=" ",
        assessed_on="2026-02-01",
        **{"evidence-bottlenecks": "", "level-care-quality": "9"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Name who took part in the assessment" in html
    assert "The assessment date is in the future" in html
    assert "Give the evidence for this level" in html
    assert "Select a valid choice. 9 is not one of the available choices." in html
    assert Assessment.objects.count() == 0


def test_nothing_rated_is_refused(
    kcc: Organisation, manager: User, client_for: Callable[[User], Client]
) -> None:
    blank = {k: "" for k in _form() if k.startswith(("level-", "evidence-"))}
    response = _assess(client_for(manager), **blank)
    assert response.status_code == 400
    assert "rate at least one criterion" in response.content.decode()
    assert Assessment.objects.count() == 0


def test_viewers_read_but_do_not_record_and_outsiders_see_nothing(
    kcc: Organisation,
    manager: User,
    make_user: MakeUser,
    client_for: Callable[[User], Client],
) -> None:
    _assess(client_for(manager))
    viewer = client_for(make_user("viewer", "viewer"))
    results = reverse("improve-framework", args=["kcc-asch", HICM])
    assert viewer.get(results).status_code == 200
    assert "Record an assessment" not in viewer.get(results).content.decode()
    assert viewer.get(reverse("improve-assess", args=["kcc-asch", HICM])).status_code == 403
    assert _assess(viewer).status_code == 403
    install_pack("example-acute-trust", now=NOW)
    outsider = User.objects.create_user("site-manager", password="x")
    add_membership(outsider, organisation_by_slug("example-acute"), "site-manager")
    assert client_for(outsider).get(results).status_code == 403
    assert Assessment.objects.count() == 1


def test_an_unknown_framework_or_number_is_not_found(
    kcc: Organisation, manager: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(manager)
    assert (
        client.get(reverse("improve-framework", args=["kcc-asch", "hicm-2020"])).status_code == 404
    )
    assert client.get(reverse("improve-assessment", args=["kcc-asch", HICM, 4])).status_code == 404


def _action(client: Client, owner: User, **changes: str) -> Any:
    data = {
        "group_id": "systems-to-monitor-patient-flow",
        "area": "",
        "where_now": "Bottlenecks weekly in DGS",
        "what_to_do": "Daily flow huddle with KEaH",
        "due_on": "2026-03-31",
        "success_measure": "No DGS delays over 3 days",
        "owner": str(owner.pk),
        **changes,
    }
    return client.post(reverse("improve-plan", args=["kcc-asch", HICM]), data)


def test_an_action_is_planned_shown_on_my_actions_and_marked_done(
    kcc: Organisation,
    manager: User,
    make_user: MakeUser,
    client_for: Callable[[User], Client],
) -> None:
    client = client_for(manager)
    owner = make_user("service-manager", "stp-service-manager")
    assert _action(client, owner).status_code == 302
    assert (
        _action(client, owner, what_to_do="Agree EDD audit", due_on="2025-12-01").status_code == 302
    )
    first, second = ImprovementAction.objects.order_by("number")
    assert (first.number, first.owner, first.status) == (1, owner, ActionStatus.OPEN)
    mine = client_for(owner).get(reverse("my-actions")).content.decode()
    section = mine.split('id="improvement-actions"')[1]
    assert section.index("Agree EDD audit") < section.index("Daily flow huddle with KEaH")
    assert section.count("Overdue") == 1
    results = client.get(reverse("improve-framework", args=["kcc-asch", HICM])).content.decode()
    assert "2 open actions, <strong>1 overdue</strong>" in results
    url = reverse("improve-action-status", args=["kcc-asch", HICM, 2])
    assert client.post(url, {"status": "done"}).status_code == 302
    second.refresh_from_db()
    assert (second.status, second.status_changed_by) == (ActionStatus.DONE, manager)
    mine = client_for(owner).get(reverse("my-actions")).content.decode()
    assert "Agree EDD audit" not in mine and "Daily flow huddle with KEaH" in mine


def test_an_action_needs_every_answer_and_an_owner_with_a_role(
    kcc: Organisation, manager: User, client_for: Callable[[User], Client]
) -> None:
    stranger = User.objects.create_user("stranger", password="x")
    response = _action(client_for(manager), stranger, where_now="", success_measure=" ")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Answer &#x27;Where are you now?&#x27;" in html
    assert "Answer &#x27;How will you know it has been successful?&#x27;" in html
    assert "Select a valid choice" in html  # not one of the organisation's people
    assert ImprovementAction.objects.count() == 0


def test_the_workbook_holds_the_assessment_and_the_plan(
    kcc: Organisation, manager: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(manager)
    _assess(client, **{"evidence-bottlenecks": '=HYPERLINK("http://x")'})
    _action(client, manager)
    response = client.get(reverse("improve-xlsx", args=["kcc-asch", HICM]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="kcc-asch-hicm-2015-1.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Summary", "Ratings", "Action plan"]
    summary = list(book["Summary"].iter_rows(values_only=True))
    assert summary[1][:6] == (1, "Early discharge planning", 2, 2, 2.5, 2)
    ratings = list(book["Ratings"].iter_rows(values_only=True))
    assert len(ratings) == 1 + 26
    bottleneck = next(r for r in ratings if r[1] == "Bottlenecks")
    assert bottleneck[2:6] == (
        1,
        "Not yet established",
        "Bottlenecks occur regularly in the trust and in the community",
        '\'=HYPERLINK("http://x")',
    )
    plan = list(book["Action plan"].iter_rows(values_only=True))
    assert plan[0][2:6] == (
        "Where are you now?",
        "What do you need to do?",
        "When will it be done by?",
        "How will you know it has been successful?",
    )
    assert plan[1][3:5] == ("Daily flow huddle with KEaH", "2026-03-31")


def test_the_pdf_prints_the_assessment_and_the_plan(
    kcc: Organisation, manager: User, client_for: Callable[[User], Client]
) -> None:
    pypdf = pytest.importorskip("pypdf")
    client = client_for(manager)
    _assess(client)
    _action(client, manager)
    response = client.get(reverse("improve-pdf", args=["kcc-asch", HICM]) + "?number=1")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert (
        "High Impact Change Model: Kent County Council" in text
        or "High Impact Change Model:" in text
    )
    assert "EDD audit: 81% set within 48 hours" in text
    assert "Daily flow huddle with KEaH" in text


def test_the_winter_roles_checklist_is_rated_red_amber_green(
    kcc: Organisation, manager: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(manager)
    form = client.get(reverse("improve-assess", args=["kcc-asch", WINTER])).content.decode()
    assert "ensuring 80% occupancy across VWs" in form
    assert form.count('type="radio"') == 69 * 4
    data = {
        "area": "dgs",
        "assessed_on": "2026-01-05",
        "assessors": "Winter planning group",
        "level-hii-7-virtual-wards": "2",
        "evidence-hii-7-virtual-wards": "Occupancy 64% in December",
        "level-la-discharge-fund": "3",
        "evidence-la-discharge-fund": "Fund allocated in October",
    }
    response = client.post(reverse("improve-assess", args=["kcc-asch", WINTER]), data)
    assert response.status_code == 302
    made = Assessment.objects.get(framework_id=WINTER)
    assert made.area is not None and made.area.slug == "dgs"
    html = client.get(response["Location"]).content.decode()
    assert 'sw-rag sw-rag--2">Amber</strong>' in html
    assert "Integrated care boards leads" in html
    whole = client.get(reverse("improve-framework", args=["kcc-asch", WINTER])).content.decode()
    assert "No assessment yet for the whole of" in whole
