"""The log's pages: scope per persona, recording and correcting, the list, review tags, CSV.

Personas (STYLE.md): nobody signed in; the acute trust's site manager
(another organisation); the platform viewer; the DGS team manager; the
director; a superuser. Stored times are UTC; pages show Europe/London, so the
summer cases below read an hour later than they are stored.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from surgewatch.web.accounts.models import User
from surgewatch.web.decisions.models import Decision, Meeting
from surgewatch.web.decisions.services import Attendee, record_decision, record_meeting
from surgewatch.web.escalation.services import declare_level
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack
from surgewatch.web.reporting.services import submit_readings

MakeUser = Callable[..., User]
# 1 July 2026 is British Summer Time: 08:00 UTC is 09:00 on the page.
EIGHT = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
NINE = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
TEN = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
PERSONAS = ("anonymous", "outsider", "viewer", "member", "director", "admin")
READERS = frozenset({"viewer", "member", "director", "admin"})
RECORDERS = frozenset({"member", "director", "admin"})


def _decide(user: User, organisation: Organisation, **changes: Any) -> Decision:
    values: dict[str, Any] = {
        "decision": "Open 5 extra D2A P1 slots",
        "risk": "Delayed discharges from Darent Valley",
        "identified_by": "DGS caseload on the board",
        "measured_by": "Caseload at OPEL 3 for two days",
        "decided_by": "Sam Patel (Service Manager)",
        "decided_at": EIGHT,
        "review_at": EIGHT + timedelta(hours=4),
        "now": NINE,
    }
    return record_decision(user, organisation, **{**values, **changes})


@pytest.fixture
def people(make_user: MakeUser, dgs: Area) -> dict[str, User | None]:
    install_pack("example-acute-trust")
    outsider = User.objects.create_user("site-manager", password="not-used")
    add_membership(outsider, organisation_by_slug("example-acute"), "site-manager")
    return {
        "anonymous": None,
        "outsider": outsider,
        "viewer": make_user("viewer", "viewer"),
        "member": make_user("dgs-manager", "stp-team-manager", dgs),
        "director": make_user("director", "director-asc"),
        "admin": User.objects.create_superuser("admin", password="not-used"),
    }


def _client(people: dict[str, User | None], persona: str) -> Client:
    client = Client()
    user = people[persona]
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def entry(people: dict[str, User | None], kcc: Organisation) -> Decision:
    member = people["member"]
    assert member is not None
    return _decide(member, kcc)


@pytest.fixture
def meeting(people: dict[str, User | None], kcc: Organisation) -> Meeting:
    director = people["director"]
    assert director is not None
    return record_meeting(
        director,
        kcc,
        group_id="kcc-ope-group",
        convened_at=EIGHT,
        convened_by="Alex Reed (Director)",
        chair="Alex Reed",
        chair_role="Director of Adult Social Care (Short Term Support)",
        attendees=[Attendee("Sam Patel", "Short-Term Pathway Service Manager")],
        actions=[],
        agreed_level=None,
        agreed_level_reason="",
        now=NINE,
    )


# --- scope -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    allowed: frozenset[str]

    def url(self, entry: Decision, meeting: Meeting) -> str:
        ids = {"decision": entry.pk, "decision-correct": entry.pk}
        ids |= {"meeting": meeting.pk, "meeting-correct": meeting.pk}
        args: list[str | int] = ["kcc-asch"]
        if self.name in ids:
            args.append(ids[self.name])
        return reverse(self.name, args=args)


PAGES = (
    Page("decisions", READERS),
    Page("decisions-csv", READERS),
    Page("decision", READERS),
    Page("decision-new", RECORDERS),
    Page("decision-correct", RECORDERS),
    Page("meetings", READERS),
    Page("meeting", READERS),
    Page("meeting-new", RECORDERS),
    Page("meeting-correct", RECORDERS),
)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
@pytest.mark.parametrize("persona", PERSONAS)
def test_scope(
    page: Page,
    persona: str,
    people: dict[str, User | None],
    entry: Decision,
    meeting: Meeting,
) -> None:
    response = _client(people, persona).get(page.url(entry, meeting))
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == (200 if persona in page.allowed else 403)


@pytest.mark.parametrize("persona", ["outsider", "viewer"])
def test_refused_posts_save_nothing(
    persona: str, people: dict[str, User | None], entry: Decision, meeting: Meeting
) -> None:
    client = _client(people, persona)
    form = _form(correction_reason="x")
    responses = [
        client.post(reverse("decision-new", args=["kcc-asch"]), form),
        client.post(reverse("decision-correct", args=["kcc-asch", entry.pk]), form),
        client.post(reverse("meeting-new", args=["kcc-asch"]), {"group_id": "kcc-ope-group"}),
    ]
    assert [r.status_code for r in responses] == [403, 403, 403]
    assert (Decision.objects.count(), Meeting.objects.count()) == (1, 1)


def test_unknown_organisations_and_entries_are_not_found(
    people: dict[str, User | None], entry: Decision
) -> None:
    client = _client(people, "admin")
    assert client.get(reverse("decisions", args=["nowhere"])).status_code == 404
    assert client.get(reverse("decision", args=["kcc-asch", entry.pk + 1])).status_code == 404
    # An entry is found only under its own organisation.
    assert client.get(reverse("decision", args=["example-acute", entry.pk])).status_code == 404


# --- recording -------------------------------------------------------------------------


def _form(**changes: str) -> dict[str, str]:
    return {
        "decision": "Stand up the NHS 111 DoS protocol",
        "risk": "Referrals the teams cannot pick up within 2 hours",
        "identified_by": "Referrals at OPEL 3 in three areas",
        "measured_by": "Wait for first contact above 2 hours for 6 people",
        "external_factors": "",
        "decided_by": "Alex Reed (Director)",
        "decided_at": "2026-07-01T09:00",
        "review_at": "2026-07-01T13:00",
        **changes,
    }


def test_recording_a_decision_reads_uk_time_and_captures_the_level(
    people: dict[str, User | None], dgs: Area, kcc: Organisation
) -> None:
    member = people["member"]
    assert member is not None
    submit_readings(member, dgs, {"stp_staffing_pct": 45, "health_caseload": 65}, EIGHT, now=EIGHT)
    client = _client(people, "director")
    with time_machine.travel(TEN, tick=False):
        response = client.post(reverse("decision-new", args=["kcc-asch"]), _form())
    saved = Decision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("decision", args=["kcc-asch", saved.pk])
    # 09:00 and 13:00 BST are 08:00 and 12:00 UTC.
    assert (saved.decided_at, saved.review_at) == (EIGHT, EIGHT + timedelta(hours=4))
    assert (saved.recorded_at, saved.recorded_by, saved.snapshot_level) == (
        TEN,
        people["director"],
        3,
    )


def test_the_new_form_offers_the_recorder_and_now(
    people: dict[str, User | None], kcc: Organisation
) -> None:
    with time_machine.travel(NINE, tick=False):
        page = _client(people, "director").get(reverse("decision-new", args=["kcc-asch"]))
    html = page.content.decode()
    assert 'value="director (Director of Adult Social Care (Short Term Support))"' in html
    assert 'value="2026-07-01T10:00"' in html  # 09:00 UTC as UK wall-clock
    for label in ("What was decided", "The risk it mitigates", "How the risk was identified"):
        assert f">{label}</label>" in html


def test_a_form_with_problems_saves_nothing_and_names_the_field(
    people: dict[str, User | None], kcc: Organisation
) -> None:
    client = _client(people, "member")
    with time_machine.travel(TEN, tick=False):
        response = client.post(
            reverse("decision-new", args=["kcc-asch"]),
            _form(decision="", review_at="2026-07-01T08:00"),
        )
    html = response.content.decode()
    assert response.status_code == 400
    assert Decision.objects.count() == 0
    assert (
        'href="#id_decision">What was decided: the decision is empty; fix: say what was decided</a>'
    ) in html
    assert (
        'href="#id_review_at">When to review it (UK time): the review time '
        "(Wed 01 Jul 2026 08:00 BST) is not after the decision (Wed 01 Jul 2026 09:00 BST)"
    ) in html


@pytest.mark.parametrize(
    "local",
    [
        "2026-03-29T01:30",  # never happens: the clocks go from 01:00 to 02:00
        "2026-10-25T01:30",  # happens twice: the clocks go back from 02:00 to 01:00
    ],
)
def test_a_uk_time_that_is_missing_or_ambiguous_at_a_clock_change_is_refused(
    people: dict[str, User | None], kcc: Organisation, local: str
) -> None:
    response = _client(people, "member").post(
        reverse("decision-new", args=["kcc-asch"]),
        _form(decided_at=local, review_at=local.replace("01:30", "05:00")),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_decided_at">When it was decided (UK time): ' in html
    assert "may be ambiguous or it may not exist" in html
    assert Decision.objects.count() == 0


# --- the log and the entry page --------------------------------------------------------


def test_the_log_lists_newest_first_with_the_level_at_the_time(
    people: dict[str, User | None], kcc: Organisation, dgs: Area
) -> None:
    member, director = people["member"], people["director"]
    assert member is not None and director is not None
    first = _decide(member, kcc, decision="First decision")
    submit_readings(member, dgs, {"stp_staffing_pct": 45, "health_caseload": 65}, NINE, now=NINE)
    add_membership(director, kcc, "stp-service-manager")
    declare_level(director, kcc, 4, "Provider failure", now=NINE)
    second = _decide(member, kcc, decision="Second decision", decided_at=NINE, now=TEN)
    with time_machine.travel(TEN, tick=False):
        html = (
            _client(people, "viewer").get(reverse("decisions", args=["kcc-asch"])).content.decode()
        )
    assert html.index("Second decision") < html.index("First decision")
    row_second, row_first = _row(html, second.pk), _row(html, first.pk)
    assert "OPEL 4</strong>" in row_second
    assert '<span class="nhsuk-body-s">declared</span>' in row_second
    assert ("No level</strong>" in row_first, "OPEL" in row_first) == (True, False)
    assert "Wed 01 Jul 2026 09:00 BST" in row_first  # decided 08:00 UTC


def _row(html: str, pk: int) -> str:
    start = html.index(f'id="decision-{pk}"')
    return html[start : html.index("</tr>", start)]


@pytest.mark.parametrize(
    ("at", "tag"),
    [
        (datetime(2026, 7, 1, 9, 59, tzinfo=UTC), None),
        (datetime(2026, 7, 1, 10, 0, tzinfo=UTC), "Review due"),
        (datetime(2026, 7, 1, 11, 59, tzinfo=UTC), "Review due"),
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "Review overdue"),
    ],
)
def test_review_tags_follow_the_clock(
    people: dict[str, User | None], entry: Decision, at: datetime, tag: str | None
) -> None:
    # The review is at 12:00 UTC (13:00 BST); due from two hours before.
    client = _client(people, "viewer")
    with time_machine.travel(at, tick=False):
        log = client.get(reverse("decisions", args=["kcc-asch"])).content.decode()
        page = client.get(reverse("decision", args=["kcc-asch", entry.pk])).content.decode()
    for html in (log, page):
        assert "Wed 01 Jul 2026 13:00 BST" in html
        shown = [t for t in ("Review due", "Review overdue") if f">{t}</strong>" in html]
        assert shown == ([tag] if tag else [])


def test_the_log_filters_by_uk_days(people: dict[str, User | None], kcc: Organisation) -> None:
    member = people["member"]
    assert member is not None
    # 23:30 UTC on 30 June is 00:30 BST on 1 July: a 1 July decision.
    late = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    _decide(member, kcc, decision="Just after midnight", decided_at=late, now=NINE)
    _decide(
        member,
        kcc,
        decision="The day before",
        decided_at=late - timedelta(hours=1),
        now=NINE,
    )
    client = _client(people, "viewer")
    url = reverse("decisions", args=["kcc-asch"])
    html = client.get(url, {"start": "2026-07-01", "end": "2026-07-01"}).content.decode()
    assert ("Just after midnight" in html, "The day before" in html) == (True, False)
    html = client.get(url, {"end": "2026-06-30"}).content.decode()
    assert ("Just after midnight" in html, "The day before" in html) == (False, True)
    html = client.get(url, {"start": "2026-07-02", "end": "2026-07-01"}).content.decode()
    assert "To (date): 01 Jul 2026 is before 02 Jul 2026; fix: swap them" in html
    assert ("Just after midnight" in html, "The day before" in html) == (True, True)


def test_the_entry_page_shows_every_field_and_the_snapshot(
    people: dict[str, User | None], kcc: Organisation, dgs: Area
) -> None:
    member = people["member"]
    assert member is not None
    submit_readings(member, dgs, {"stp_staffing_pct": 45}, EIGHT, now=EIGHT)
    saved = _decide(member, kcc, external_factors="Medway closed to admissions")
    html = (
        _client(people, "viewer")
        .get(reverse("decision", args=["kcc-asch", saved.pk]))
        .content.decode()
    )
    for text in (
        "Open 5 extra D2A P1 slots",
        "Delayed discharges from Darent Valley",
        "DGS caseload on the board",
        "Caseload at OPEL 3 for two days",
        "Medway closed to admissions",
        "Sam Patel (Service Manager)",
        "by dgs-manager at Wed 01 Jul 2026 10:00 BST",
        "Staffing of Short-term Pathway Team",
        "OPEL 3 · Red",
        "Wed 01 Jul 2026 09:00 BST",  # observed 08:00 UTC
        "kent-ascch version",
    ):
        assert text in html, text
    assert "Correct this entry" not in html  # the viewer records nothing


# --- corrections on the pages ----------------------------------------------------------


def test_correcting_prefills_the_original_and_needs_a_reason(
    people: dict[str, User | None], entry: Decision
) -> None:
    client = _client(people, "director")
    url = reverse("decision-correct", args=["kcc-asch", entry.pk])
    html = client.get(url).content.decode()
    assert ">Open 5 extra D2A P1 slots</textarea>" in html
    assert 'value="2026-07-01T13:00"' in html  # the review time, in UK time
    refused = client.post(url, _form(correction_reason=""))
    assert refused.status_code == 400
    assert (
        "Why you are correcting it: the correction has no reason; "
        "fix: say what was wrong with the original"
    ) in refused.content.decode()
    assert Decision.objects.count() == 1


def test_a_correction_shows_linked_both_ways_with_the_original_text_kept(
    people: dict[str, User | None], entry: Decision
) -> None:
    client = _client(people, "director")
    url = reverse("decision-correct", args=["kcc-asch", entry.pk])
    form = _form(decision="Open 8 extra D2A P1 slots", correction_reason="It was 8, not 5")
    with time_machine.travel(TEN, tick=False):
        response = client.post(url, form)
    correction = Decision.objects.get(corrects=entry)
    assert response["Location"] == reverse("decision", args=["kcc-asch", correction.pk])
    entry.refresh_from_db()
    assert entry.decision == "Open 5 extra D2A P1 slots"
    original_page = client.get(reverse("decision", args=["kcc-asch", entry.pk])).content.decode()
    assert "This entry was corrected" in original_page
    assert f'href="/org/kcc-asch/decisions/{correction.pk}/">Decision {correction.pk}</a>' in (
        original_page
    )
    assert "Reason: It was 8, not 5" in original_page
    assert "Open 5 extra D2A P1 slots" in original_page
    assert "Correct this entry" not in original_page
    correction_page = client.get(response["Location"]).content.decode()
    assert f'href="/org/kcc-asch/decisions/{entry.pk}/">decision {entry.pk}</a>' in correction_page
    log = client.get(reverse("decisions", args=["kcc-asch"])).content.decode()
    assert f"Corrected by decision {correction.pk}</a>" in log
    assert f"Corrects decision {entry.pk}</a>" in log
    assert ">Corrected</strong>" in log
    assert "Open 5 extra D2A P1 slots" in log and "Open 8 extra D2A P1 slots" in log


def test_correcting_a_corrected_entry_leads_to_its_latest_version(
    people: dict[str, User | None], kcc: Organisation, entry: Decision
) -> None:
    director = people["director"]
    assert director is not None
    later = _decide(director, kcc, decided_by="Jo", corrects=entry, correction_reason="name")
    response = _client(people, "director").get(
        reverse("decision-correct", args=["kcc-asch", entry.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("decision-correct", args=["kcc-asch", later.pk])


# --- CSV -------------------------------------------------------------------------------


def _rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_csv_has_every_field_and_the_level_at_the_time(
    people: dict[str, User | None], kcc: Organisation, dgs: Area
) -> None:
    member = people["member"]
    assert member is not None
    submit_readings(member, dgs, {"stp_staffing_pct": 45, "health_caseload": 65}, EIGHT, now=EIGHT)
    original = _decide(member, kcc, decided_by='=HYPERLINK("http://x")')
    correction = _decide(
        member, kcc, decided_by="Sam Patel", corrects=original, correction_reason="name", now=TEN
    )
    response = _client(people, "viewer").get(reverse("decisions-csv", args=["kcc-asch"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="kcc-asch-decisions.csv"'
    newest, oldest = _rows(response)
    assert oldest == {
        "id": str(original.pk),
        "decided_at": "2026-07-01T09:00+01:00",
        "decision": "Open 5 extra D2A P1 slots",
        "risk": "Delayed discharges from Darent Valley",
        "identified_by": "DGS caseload on the board",
        "measured_by": "Caseload at OPEL 3 for two days",
        "external_factors": "",
        # A formula typed into the log is never run by a spreadsheet.
        "decided_by": '\'=HYPERLINK("http://x")',
        "review_at": "2026-07-01T13:00+01:00",
        "recorded_by": "dgs-manager",
        "recorded_at": "2026-07-01T10:00+01:00",
        "level_at_time": "3",
        "level_source": "suggested",
        "declared_level": "",
        "suggested_level": "3",
        "score": "",
        "framework": f"kent-ascch v{kcc.framework.version}",
        "snapshot_captured_at": "2026-07-01T10:00+01:00",
        "corrects": "",
        "corrected_by": str(correction.pk),
        "correction_reason": "",
    }
    assert (newest["id"], newest["corrects"], newest["correction_reason"]) == (
        str(correction.pk),
        str(original.pk),
        "name",
    )
    assert (newest["decided_by"], newest["level_at_time"]) == ("Sam Patel", "3")


def test_the_csv_follows_the_date_filter(people: dict[str, User | None], kcc: Organisation) -> None:
    member = people["member"]
    assert member is not None
    _decide(member, kcc, decision="July")
    _decide(member, kcc, decision="June", decided_at=EIGHT - timedelta(days=2))
    url = reverse("decisions-csv", args=["kcc-asch"])
    rows = _rows(_client(people, "viewer").get(url, {"start": "2026-07-01"}))
    assert [r["decision"] for r in rows] == ["July"]
    log = _client(people, "viewer").get(
        reverse("decisions", args=["kcc-asch"]), {"start": "2026-07-01"}
    )
    assert 'href="/org/kcc-asch/decisions.csv?start=2026-07-01"' in log.content.decode()


# --- admin -----------------------------------------------------------------------------


def test_the_admin_shows_entries_and_changes_nothing(
    people: dict[str, User | None], entry: Decision, meeting: Meeting
) -> None:
    client = _client(people, "admin")
    for model, pk in (("decision", entry.pk), ("meeting", meeting.pk)):
        assert client.get(f"/admin/decisions/{model}/").status_code == 200
        assert client.get(f"/admin/decisions/{model}/{pk}/change/").status_code == 200
        assert client.get(f"/admin/decisions/{model}/add/").status_code == 403
        assert (
            client.post(f"/admin/decisions/{model}/{pk}/delete/", {"post": "yes"}).status_code
            == 403
        )
    client.post(f"/admin/decisions/decision/{entry.pk}/change/", {"decision": "rewritten"})
    assert Decision.objects.get(pk=entry.pk).decision == "Open 5 extra D2A P1 slots"
    assert Meeting.objects.count() == 1
