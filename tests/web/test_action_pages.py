"""Action pages: my actions, actions by role, a card, the checklist, protocols.

KCC is put at OPEL 3 by DGS staffing 45% and caseload 70 at 09:00 GMT on
Monday 5 January 2026; the pages are read at 11:30, after the 10:30 SHREWD
deadline and the 2-hour 'inform the referrer' one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from surgewatch.web.accounts.models import User
from surgewatch.web.actions import services
from surgewatch.web.actions.models import ActionCard, CardStatus, ProtocolRun
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack
from surgewatch.web.reporting.services import submit_readings

MakeUser = Callable[..., User]
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 1, 5, 11, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def coordinator(make_user: MakeUser) -> User:
    return make_user("coordinator", "discharge-coordinator")


@pytest.fixture
def opel3(dgs_member: User, dgs: Area, kcc: Organisation, coordinator: User) -> Organisation:
    submit_readings(dgs_member, dgs, {"stp_staffing_pct": 45, "health_caseload": 70}, T0, now=T0)
    services.refresh_level(kcc, T0)
    return kcc


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response: object) -> str:
    content: bytes = response.content  # type: ignore[attr-defined]
    return " ".join(content.decode().split())


def test_my_actions_lists_the_roles_cards_overdue_first(
    opel3: Organisation, coordinator: User
) -> None:
    page = _text(_client(coordinator).get(reverse("my-actions")))
    shrewd = page.index("Ensure Shrewd is updated by 10.30 am")
    families = page.index("Work with families")
    assert shrewd < families  # overdue (10:30 passed) before cards with no deadline
    assert "Overdue" in page
    assert "Every day while the level stands" in page
    assert "Update vacant beds indicator" not in page  # another role's card


def test_actions_by_role_shows_every_role_and_the_level_change(
    opel3: Organisation, dgs_member: User
) -> None:
    page = _text(_client(dgs_member).get(reverse("organisation-actions", args=["kcc-asch"])))
    assert "Acting level" in page and "OPEL 3" in page
    assert "Kent Enablement at Home Locality Organisers" in page or "Locality Organiser" in page
    assert "Indicators (after the de-escalation hold)" in page
    assert "Printable checklist for OPEL 3" in page


def test_the_filter_shows_done_cards(opel3: Organisation, coordinator: User) -> None:
    card = ActionCard.objects.get(action_id="dc-2-los-meetings")
    services.complete(card, coordinator, NOW)
    url = reverse("organisation-actions", args=["kcc-asch"])
    active = _text(_client(coordinator).get(url))
    done = _text(_client(coordinator).get(url, {"status": CardStatus.DONE}))
    assert "Represent KCC at Length of Stay" not in active
    assert "Represent KCC at Length of Stay" in done


def test_the_organisation_page_shows_open_actions_overdue_first(
    opel3: Organisation, dgs_member: User
) -> None:
    page = _text(_client(dgs_member).get(reverse("organisation", args=["kcc-asch"])))
    assert "Acting level:" in page
    assert " overdue." in page
    assert "All actions by role" in page


def test_a_card_is_done_from_its_page(opel3: Organisation, coordinator: User) -> None:
    card = ActionCard.objects.get(action_id="dc-2-los-meetings")
    client = _client(coordinator)
    response = client.post(reverse("action-card-update", args=[card.pk, "done"]), {"note": "went"})
    assert response.status_code == 302
    page = _text(client.get(reverse("action-card", args=[card.pk])))
    assert "Done" in page and "went" in page and "coordinator" in page


def test_not_applicable_without_a_reason_is_refused_beside_the_field(
    opel3: Organisation, coordinator: User
) -> None:
    card = ActionCard.objects.get(action_id="dc-2-los-meetings")
    url = reverse("action-card-update", args=[card.pk, "not-applicable"])
    response = _client(coordinator).post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Enter why this action does not apply" in _text(response)
    card.refresh_from_db()
    assert card.status == CardStatus.OPEN


def test_someone_without_the_role_is_refused_and_nothing_changes(
    opel3: Organisation, dgs_member: User
) -> None:
    card = ActionCard.objects.get(action_id="dc-2-los-meetings")
    url = reverse("action-card-update", args=[card.pk, "done"])
    assert _client(dgs_member).post(url, {}).status_code == 403
    card.refresh_from_db()
    assert card.status == CardStatus.OPEN


def test_another_organisation_cannot_see_the_cards(opel3: Organisation) -> None:
    install_pack("example-acute-trust")
    outsider = User.objects.create_user("site-manager")
    add_membership(outsider, organisation_by_slug("example-acute"), "site-manager")
    card = ActionCard.objects.first()
    assert card is not None
    client = _client(outsider)
    assert client.get(reverse("action-card", args=[card.pk])).status_code == 403
    assert client.get(reverse("organisation-actions", args=["kcc-asch"])).status_code == 403
    assert "Shrewd" not in _text(client.get(reverse("my-actions")))


def test_the_checklist_is_appendix_3_for_the_level(opel3: Organisation, dgs_member: User) -> None:
    page = _text(_client(dgs_member).get(reverse("checklist", args=["kcc-asch", 2])))
    assert "De-escalation checklist: OPEL 2" in page
    assert "Review people using assessment beds with a view to" in page
    assert _client(dgs_member).get(reverse("checklist", args=["kcc-asch", 7])).status_code == 404


@pytest.fixture
def ops_manager(make_user: MakeUser) -> User:
    return make_user("ops-manager", "pasc-connect-ops-manager")


def test_the_dos_protocol_runs_in_hours_with_its_review_clock(
    opel3: Organisation, ops_manager: User, make_user: MakeUser
) -> None:
    """Seed 000, section 6.1: step b goes to the ICB commissioning lead in hours."""
    client = _client(ops_manager)
    url = reverse("protocol-start", args=["kcc-asch", "nhs111-dos"])
    assert client.post(url).status_code == 302
    run = ProtocolRun.objects.get()
    assert run.in_hours  # Monday 11:30
    roles = dict(run.cards.values_list("action_id", "role"))
    assert roles == {
        "nhs111-dos-a": "pasc-connect-ops-manager",
        "nhs111-dos-b": "icb-commissioning-lead",
        "nhs111-dos-c": "pasc-connect-ops-manager",
    }
    review = run.cards.get(action_id="nhs111-dos-c")
    assert review.deadlines.get().due_at == NOW + timedelta(hours=4)

    again = client.post(
        reverse("action-card-update", args=[review.pk, "review"]), {"pressure_remains": "yes"}
    )
    assert again.status_code == 302
    assert run.cards.filter(action_id="nhs111-dos-a").count() == 2
    assert list(review.deadlines.order_by("due_at").values_list("met_at", flat=True)) == [NOW, None]

    stop = client.post(reverse("protocol-stop", args=[run.pk]), {"reason": "capacity back"})
    assert stop.status_code == 302
    run.refresh_from_db()
    assert run.stopped_at == NOW
    assert not run.cards.filter(status__in=("open", "acknowledged")).exists()


def test_out_of_hours_step_b_goes_to_the_director_on_call(
    opel3: Organisation, ops_manager: User
) -> None:
    saturday = datetime(2026, 1, 10, 20, 0, tzinfo=UTC)
    with time_machine.travel(saturday, tick=False):
        _client(ops_manager).post(reverse("protocol-start", args=["kcc-asch", "nhs111-dos"]))
    step_b = ActionCard.objects.get(action_id="nhs111-dos-b")
    assert step_b.role == "nhs-director-on-call"


def test_the_protocol_is_refused_below_its_level(kcc: Organisation, ops_manager: User) -> None:
    response = _client(ops_manager).post(
        reverse("protocol-start", args=["kcc-asch", "nhs111-dos"]), follow=True
    )
    assert "starts at OPEL 3" in _text(response)
    assert not ProtocolRun.objects.exists()
