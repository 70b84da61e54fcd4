"""The calls pages (seed 000, section 5.1) against every kind of person, and their forms.

Personas, as in test_permissions: nobody signed in; someone from another
organisation (the acute trust's site manager); the platform viewer; a Swale
team manager (a role here, but not an action's owner or the call's chair);
the DGS team manager (holds calls); the KEaH organiser (owns an action).
The clock is frozen at 12:05 on Monday 5 January 2026 (GMT).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from surgewatch.web.accounts.models import User
from surgewatch.web.actions.services import refresh_level
from surgewatch.web.calls.models import Call, CallAction, CallActionAnswer, CallAttendee
from surgewatch.web.calls.services import AgreedAction, Attendance, record_call
from surgewatch.web.notify.models import Message
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack
from surgewatch.web.reporting.services import submit_readings

MakeUser = Callable[..., User]
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
NOON = T0 + 3 * HOUR
NOW = NOON + timedelta(minutes=5)
PERSONAS = ("anonymous", "outsider", "viewer", "swale", "dgs", "owner")
READERS = frozenset({"viewer", "swale", "dgs", "owner"})
HOLDERS = frozenset({"swale", "dgs", "owner"})


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people(make_user: MakeUser, dgs: Area, swale: Area, kcc: Organisation) -> dict[str, User]:
    install_pack("example-acute-trust")
    outsider = User.objects.create_user("site-manager", password="not-used")
    add_membership(outsider, organisation_by_slug("example-acute"), "site-manager")
    dgs_manager = make_user("dgs-manager", "stp-team-manager", dgs)
    submit_readings(dgs_manager, dgs, {"stp_staffing_pct": 45, "health_caseload": 70}, T0, now=T0)
    refresh_level(kcc, T0)
    owner = make_user("keah-organiser", "keah-locality-organiser")
    owner.email = "keah@example.org"
    owner.save()
    return {
        "outsider": outsider,
        "viewer": make_user("viewer", "viewer"),
        "swale": make_user("swale-manager", "stp-team-manager", swale),
        "dgs": dgs_manager,
        "owner": owner,
    }


@pytest.fixture
def held(people: dict[str, User], kcc: Organisation) -> Call:
    chair, owner = people["dgs"], people["owner"]
    return record_call(
        chair,
        kcc,
        call_id="whole-system",
        held_at=NOON,
        chair=chair,
        attendees=[Attendance("Short-Term Pathway Team Manager", "Dee Gee", True)],
        actions=[AgreedAction("Kent Enablement at Home", "Find 3 packages", owner, NOON + HOUR)],
        now=NOW,
    )


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@dataclass(frozen=True)
class Page:
    name: str
    allowed: frozenset[str]

    def url(self, call: Call) -> str:
        args: dict[str, list[str | int]] = {
            "calls": ["kcc-asch"],
            "calls-csv": ["kcc-asch"],
            "call-new": ["kcc-asch"],
            "call": ["kcc-asch", call.pk],
            "call-csv": ["kcc-asch", call.pk],
            "call-action-answer": [call.actions.get().pk],
        }
        return reverse(self.name, args=args[self.name])


PAGES = (
    Page("calls", READERS),
    Page("calls-csv", READERS),
    Page("call", READERS),
    Page("call-csv", READERS),
    Page("call-new", HOLDERS),
    # The owner, the chair (the DGS manager), a declarer or a superuser.
    Page("call-action-answer", frozenset({"dgs", "owner"})),
)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
@pytest.mark.parametrize("persona", PERSONAS)
def test_scope(page: Page, persona: str, people: dict[str, User], held: Call) -> None:
    response = _client(people.get(persona)).get(page.url(held))
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == (200 if persona in page.allowed else 403)


def test_an_unknown_organisation_or_call_is_not_found(people: dict[str, User]) -> None:
    client = _client(people["dgs"])
    for name in ("calls", "call-new", "calls-csv"):
        assert client.get(reverse(name, args=["nowhere"])).status_code == 404
    assert client.get(reverse("call", args=["kcc-asch", 999])).status_code == 404
    assert client.get(reverse("call-new", args=["kcc-asch"]) + "?call=tea").status_code == 404
    assert client.get(reverse("call-action-answer", args=[999])).status_code == 404


def test_the_calls_page_shows_how_often_and_when_next_in_london_time(
    people: dict[str, User], held: Call
) -> None:
    # Friday 27 March 2026, 16:00 GMT; the clocks go forward on Sunday.
    with time_machine.travel(datetime(2026, 3, 27, 16, 0, tzinfo=UTC), tick=False):
        page = _client(people["viewer"]).get(reverse("calls", args=["kcc-asch"]))
    text = page.content.decode()
    assert "Twice a day (09:30, 14:30), Monday to Friday" in text
    assert "Mon 30 Mar 2026 09:30 BST" in text  # whole-system
    assert "Mon 30 Mar 2026 10:30 BST" in text  # LHE
    assert reverse("call", args=["kcc-asch", held.pk]) in text
    assert "Hold a Whole System" not in text  # the viewer may not


def test_the_new_call_page_shows_the_agenda_and_the_attending_roles(
    people: dict[str, User],
) -> None:
    page = _client(people["dgs"]).get(reverse("call-new", args=["kcc-asch"]) + "?call=whole-system")
    text = page.content.decode()
    assert page.status_code == 200
    assert "inform the referrer within 2 hours" in text  # overdue since 11:00
    assert 'nhsuk-tag--red">Overdue' in text
    assert 'sw-level--3">OPEL 3' in text
    assert 'value="Prevention and Adult Social Care Connect Operations Manager"' in text
    assert 'value="Short-Term Pathway Team Manager"' in text
    assert f'<option value="{people["dgs"].pk}" selected>' in text  # the chair
    assert 'value="2026-01-05T12:05"' in text  # held at: now, UK time


def _form(people: dict[str, User]) -> dict[str, str]:
    return {
        "held_at": "2026-01-05T12:00",
        "chair": str(people["dgs"].pk),
        "notes": "",
        "attendee_1_partner": "Short-Term Pathway Team Manager",
        "attendee_1_person": "Dee Gee",
        "attendee_1_present": "yes",
        "attendee_2_partner": "Prevention and Adult Social Care Connect Operations Manager",
        "attendee_2_person": "",
        "attendee_2_present": "no",
        "action_1_partner": "Kent Enablement at Home",
        "action_1_text": "Find 3 packages in DGS",
        "action_1_owner": str(people["owner"].pk),
        "action_1_due_at": "2026-01-05T13:00",
        "action_2_partner": "Short-Term Pathway Team Manager",
        "action_2_text": "Ring the two care homes",
        "action_2_owner": str(people["swale"].pk),
        "action_2_due_at": "2026-01-05T15:30",
        "action_3_partner": "ICB",
        "action_3_text": "",
        "action_3_owner": "",
        "action_3_due_at": "",
    }


def _new(people: dict[str, User], persona: str, data: dict[str, str]) -> HttpResponse:
    url = reverse("call-new", args=["kcc-asch"]) + "?call=whole-system"
    response = _client(people.get(persona)).post(url, data)
    assert isinstance(response, HttpResponse)
    return response


def test_saving_a_call_from_the_page_records_it_and_tells_the_owners(
    people: dict[str, User],
) -> None:
    response = _new(people, "dgs", _form(people))
    call = Call.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("call", args=["kcc-asch", call.pk])
    assert (call.call_id, call.held_at, call.chair, call.level) == (
        "whole-system",
        NOON,
        people["dgs"],
        3,
    )
    assert call.attendees.count() == 2
    actions = CallAction.objects.order_by("position")
    assert [(a.owner, a.due_at) for a in actions] == [
        (people["owner"], NOON + HOUR),
        (people["swale"], T0 + 6.5 * HOUR),
    ]
    told = Message.objects.filter(event_key__endswith=":assigned").values_list(
        "recipient", flat=True
    )
    assert sorted(told) == sorted([people["owner"].pk, people["swale"].pk])


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        # Caught by the form: a time that is not a time.
        ({"action_2_due_at": "tomorrow-ish"}, "Action 2: due (UK time)"),
        # Caught by the service: an action without an owner, a due time before the call.
        ({"action_1_owner": "", "action_2_due_at": "2026-01-05T11:00"}, "has no owner"),
        # An owner who is not one of the choices.
        ({"action_1_owner": "99999"}, "Select a valid choice"),
    ],
)
def test_a_form_with_any_error_saves_nothing(
    people: dict[str, User], changes: dict[str, str], problem: str
) -> None:
    response = _new(people, "dgs", {**_form(people), **changes})
    text = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in text and "nhsuk-error-message" in text
    assert problem in text
    assert [m.objects.count() for m in (Call, CallAttendee, CallAction)] == [0, 0, 0]
    assert not Message.objects.filter(event_key__startswith="call-action:").exists()


def test_the_rows_posted_come_back_with_the_errors_beside_them(people: dict[str, User]) -> None:
    data = {**_form(people), "action_1_owner": ""}
    text = _new(people, "dgs", data).content.decode()
    assert 'id="id_action_1_owner-error"' in text
    assert 'value="Find 3 packages in DGS"' in text  # what was typed is kept
    assert "id_action_4_text" not in text  # no rows beyond those sent


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "viewer"])
def test_refused_posts_save_nothing(people: dict[str, User], persona: str) -> None:
    response = _new(people, persona, _form(people))
    assert response.status_code in (302, 403)
    assert Call.objects.count() == 0


def test_the_owner_answers_from_the_link_and_the_record_shows_it(
    people: dict[str, User], held: Call
) -> None:
    action = held.actions.get()
    url = reverse("call-action-answer", args=[action.pk])
    owner = _client(people["owner"])
    response = owner.post(url, {"done": "no", "note": "Two found, one to go"})
    assert response.status_code == 302
    assert owner.post(url, {"done": "yes", "note": ""}).status_code == 302
    action.refresh_from_db()
    assert action.status == "done"
    assert list(action.answers.values_list("done", "note")) == [
        (False, "Two found, one to go"),
        (True, ""),
    ]
    record = owner.get(reverse("call", args=["kcc-asch", held.pk])).content.decode()
    assert "Two found, one to go" in record and "Find 3 packages" in record
    assert "Dee Gee" in record and "inform the referrer within 2 hours" in record


@pytest.mark.parametrize("persona", ["swale", "viewer", "outsider"])
def test_someone_else_cannot_answer(people: dict[str, User], held: Call, persona: str) -> None:
    url = reverse("call-action-answer", args=[held.actions.get().pk])
    response = _client(people[persona]).post(url, {"done": "yes", "note": ""})
    assert response.status_code == 403
    assert CallActionAnswer.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "problem"),
    [({"done": "no", "note": ""}, "needs a note"), ({"note": "x"}, "say whether it is done")],
)
def test_an_answer_with_a_problem_saves_nothing(
    people: dict[str, User], held: Call, data: dict[str, str], problem: str
) -> None:
    url = reverse("call-action-answer", args=[held.actions.get().pk])
    response = _client(people["owner"]).post(url, data)
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert CallActionAnswer.objects.count() == 0


def test_the_csv_downloads_parse(people: dict[str, User], held: Call) -> None:
    client = _client(people["viewer"])
    one = client.get(reverse("call-csv", args=["kcc-asch", held.pk]))
    every = client.get(reverse("calls-csv", args=["kcc-asch"]))
    for response, name in ((one, f"kcc-asch-call-{held.pk}.csv"), (every, "kcc-asch-calls.csv")):
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    rows = list(csv.reader(io.StringIO(one.content.decode())))
    actions = [r for r in rows if r and r[0] == "actions"]
    assert [r[4] for r in actions] == ["Find 3 packages"]
    calls = [r for r in csv.reader(io.StringIO(every.content.decode())) if r and r[0] == "calls"]
    assert [r[1] for r in calls] == [str(held.pk)]
