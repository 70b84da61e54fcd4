"""A decision's follow-up review (seed 000, Appendix 4: 'follow-up review time').

The review time becomes a card due then for the person who decided (My actions,
a reminder when missed). The review is recorded as done with an outcome, as a
new record linked to the decision; the decision itself never changes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from surgewatch.web.accounts.models import User
from surgewatch.web.actions import services
from surgewatch.web.actions.clocks import run_clocks
from surgewatch.web.actions.models import CardSource, CardStatus
from surgewatch.web.actions.selectors import my_cards
from surgewatch.web.decisions.models import (
    Decision,
    DecisionReview,
    ImmutableRecordError,
    ReviewState,
)
from surgewatch.web.decisions.reviews import record_review
from surgewatch.web.decisions.services import record_decision
from surgewatch.web.notify.models import Message
from surgewatch.web.orgs.models import Organisation

MakeUser = Callable[..., User]
NINE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # Monday, GMT
TEN = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
REVIEW = datetime(2026, 1, 5, 13, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def manager(make_user: MakeUser) -> User:
    user = make_user("sam", "stp-service-manager")
    user.first_name, user.last_name, user.email = "Sam", "Patel", "sam@example.org"
    user.save()
    return user


def _decide(user: User, organisation: Organisation, **changes: Any) -> Decision:
    values: dict[str, Any] = {
        "decision": "Open 5 extra D2A P1 slots in Dartford by redeploying KEaH staff",
        "risk": "Patients medically fit for discharge wait in acute beds",
        "identified_by": "DGS caseload at 65 on the board",
        "measured_by": "Both DGS indicators at OPEL 3",
        "decided_by": "Sam Patel (Short-Term Pathway Service Manager)",
        "decided_at": NINE,
        "review_at": REVIEW,
        "now": TEN,
    }
    return record_decision(user, organisation, **{**values, **changes})


def test_the_review_time_is_a_card_for_the_person_who_decided(
    manager: User, kcc: Organisation
) -> None:
    entry = _decide(manager, kcc)
    card = entry.review_card
    assert card is not None
    assert (card.source, card.assignee, card.role) == (
        CardSource.DECISION_REVIEW, manager, "stp-service-manager",
    )  # fmt: skip
    assert card.action_id == f"decision-{entry.pk}-review"
    assert card.text.startswith(f"Review decision {entry.pk}: Open 5 extra D2A P1 slots")
    assert [d.due_at for d in card.deadlines.all()] == [REVIEW]
    assert card in my_cards(manager)
    assert entry.decider == manager
    assert Message.objects.filter(recipient=manager, event_key=f"card:{card.pk}:opened").exists()


def test_someone_else_who_decided_gets_the_review(
    manager: User, make_user: MakeUser, kcc: Organisation
) -> None:
    director = make_user("director", "director-asc")
    entry = _decide(manager, kcc, decider=director)
    assert entry.review_card is not None and entry.review_card.assignee == director
    assert entry.review_card.role == "director-asc"


def test_a_decider_holding_no_role_here_is_refused_and_nothing_is_saved(
    manager: User, make_user: MakeUser, kcc: Organisation
) -> None:
    looker = make_user("looker", "viewer")
    with pytest.raises(ValidationError) as caught:
        _decide(manager, kcc, decider=looker)
    assert caught.value.message_dict == {
        "decider": [
            "looker holds no role in Kent County Council Adult Social Care and Health; "
            "fix: choose someone from the list"
        ]
    }
    assert Decision.objects.count() == 0
    from surgewatch.web.actions.models import ActionCard

    assert ActionCard.objects.count() == 0


def test_a_missed_review_reminds_the_decider(manager: User, kcc: Organisation) -> None:
    entry = _decide(manager, kcc)
    assert entry.review_card is not None
    run_clocks(REVIEW - timedelta(minutes=1))
    assert not Message.objects.filter(event_key__endswith=":reminder").exists()
    run_clocks(REVIEW)
    deadline = entry.review_card.deadlines.get()
    reminder = Message.objects.get(event_key=f"deadline:{deadline.pk}:reminder")
    assert reminder.recipient == manager
    assert entry.review_state(REVIEW) == ReviewState.OVERDUE


def test_the_review_is_a_new_record_that_closes_the_card(manager: User, kcc: Organisation) -> None:
    entry = _decide(manager, kcc)
    card = entry.review_card
    assert card is not None
    with pytest.raises(ValidationError, match="record the review, with its outcome"):
        services.complete(card, manager, REVIEW)
    review = record_review(
        manager, entry, outcome="Slots filled; caseload down to 50. Stands.",
        reviewed_at=REVIEW, now=REVIEW + HOUR,
    )  # fmt: skip
    assert (review.decision, review.reviewed_by, review.recorded_at) == (
        entry, manager, REVIEW + HOUR,
    )  # fmt: skip
    card.refresh_from_db()
    assert card.status == CardStatus.DONE
    assert card.deadlines.get().met_at == REVIEW + HOUR
    assert card.events.last().note == "reviewed: Slots filled; caseload down to 50. Stands."  # type: ignore[union-attr]
    fresh = Decision.objects.get(pk=entry.pk)
    assert fresh.review_state(REVIEW + 2 * HOUR) == ReviewState.DONE
    assert fresh.decision == entry.decision  # the decision itself is as written
    with pytest.raises(ImmutableRecordError):
        review.save()
    run_clocks(REVIEW + 5 * HOUR)
    assert not Message.objects.filter(event_key__endswith=":reminder").exists()


@pytest.mark.parametrize(
    ("outcome", "reviewed_at", "field", "words"),
    [
        ("  ", REVIEW, "outcome", "the outcome is empty; fix: say what the review found"),
        ("fine", REVIEW + 2 * HOUR, "reviewed_at", "is in the future; fix: give when it happened"),
        ("fine", NINE - HOUR, "reviewed_at", "is before the decision"),
    ],
    ids=["empty", "future", "before"],
)
def test_a_review_with_a_problem_names_it_and_saves_nothing(
    manager: User, kcc: Organisation, outcome: str, reviewed_at: datetime, field: str, words: str
) -> None:
    entry = _decide(manager, kcc)
    with pytest.raises(ValidationError) as caught:
        record_review(manager, entry, outcome=outcome, reviewed_at=reviewed_at, now=REVIEW + HOUR)
    assert list(caught.value.message_dict) == [field]
    assert words in caught.value.message_dict[field][0]
    assert DecisionReview.objects.count() == 0
    assert entry.review_card is not None
    entry.review_card.refresh_from_db()
    assert entry.review_card.status == CardStatus.OPEN


def test_only_those_who_may_act_on_the_card_record_the_review(
    manager: User, dgs_member: User, kcc: Organisation
) -> None:
    entry = _decide(manager, kcc)
    with pytest.raises(PermissionDenied):
        record_review(dgs_member, entry, outcome="fine", reviewed_at=REVIEW, now=REVIEW)
    assert DecisionReview.objects.count() == 0


def test_a_correction_keeping_the_review_keeps_its_card_and_a_moved_one_replaces_it(
    manager: User, kcc: Organisation
) -> None:
    entry = _decide(manager, kcc)
    first = entry.review_card
    same = _decide(
        manager, kcc, risk="Patients wait in acute beds and at home", corrects=entry,
        correction_reason="the risk was incomplete", now=TEN + HOUR,
    )  # fmt: skip
    assert same.review_card == first
    assert same.review_card is not None
    assert same.review_card.text.startswith(f"Review decision {same.pk}:")
    with pytest.raises(ValidationError, match=f"was corrected by decision {same.pk}"):
        record_review(manager, entry, outcome="fine", reviewed_at=REVIEW, now=REVIEW)
    moved = _decide(
        manager, kcc, risk="Patients wait in acute beds and at home",
        review_at=REVIEW + 3 * HOUR, corrects=same, correction_reason="review later",
        now=TEN + 2 * HOUR,
    )  # fmt: skip
    assert moved.review_card is not None and moved.review_card != first
    assert [d.due_at for d in moved.review_card.deadlines.all()] == [REVIEW + 3 * HOUR]
    assert first is not None
    first.refresh_from_db()
    assert first.status == CardStatus.STOOD_DOWN


# --- pages -----------------------------------------------------------------------------


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response: Any) -> str:
    return " ".join(response.content.decode().split())


def test_the_review_is_recorded_from_the_decision_page(manager: User, kcc: Organisation) -> None:
    entry = _decide(manager, kcc)
    client = _client(manager)
    url = reverse("decision-review", args=["kcc-asch", entry.pk])
    with time_machine.travel(REVIEW + HOUR, tick=False):
        card_page = _text(client.get(reverse("action-card", args=[entry.review_card_id])))
        assert f"Record the review of decision {entry.pk}</a>" in card_page
        assert "Mark as done" not in card_page
        refused = client.post(url, {"outcome": "", "reviewed_at": "2026-01-05T13:30"})
        assert refused.status_code == 400
        assert "the outcome is empty" in _text(refused)
        done = client.post(
            url, {"outcome": "Stands for 24 hours", "reviewed_at": "2026-01-05T13:30"}
        )
        assert done.status_code == 302
        page = _text(client.get(reverse("decision", args=["kcc-asch", entry.pk])))
    assert "Stands for 24 hours" in page and "Reviewed</strong>" in page
    review = DecisionReview.objects.get()
    assert review.reviewed_at == datetime(2026, 1, 5, 13, 30, tzinfo=UTC)


def test_the_decision_form_offers_who_reviews_it(
    manager: User, make_user: MakeUser, kcc: Organisation
) -> None:
    director = make_user("director", "director-asc")
    client = _client(manager)
    url = reverse("decision-new", args=["kcc-asch"])
    post = {
        "decision": "Spot purchase 4 beds", "risk": "Delays", "identified_by": "Board",
        "measured_by": "OPEL 3", "decided_by": "Director", "decided_at": "2026-01-05T09:00",
        "review_at": "2026-01-05T13:00", "decider": str(director.pk),
    }  # fmt: skip
    with time_machine.travel(TEN, tick=False):
        assert f'<option value="{director.pk}">' in client.get(url).content.decode()
        assert client.post(url, post).status_code == 302
    entry = Decision.objects.get()
    assert entry.review_card is not None and entry.review_card.assignee == director
