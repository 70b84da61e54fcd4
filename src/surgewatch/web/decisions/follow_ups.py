"""Cards for what the log asks someone to do later.

Seed 000, section 5.2: the escalation group agrees 'actions required to
alleviate pressure'; each agreed action with an owner and a due time becomes a
card on the owner's My actions, with its deadline on the clocks (reminder when
missed, then the role above), as the plan's cards. Seed 000, Appendix 4: a
decision has a 'follow-up review time'; it becomes a card for the person who
decided, due then.

Records stay immutable, so a card is opened before the row that points at it.
A correction that repeats an action (same words, owner and due time) or keeps
a decision's review (same time and person) keeps its card, with whatever was
done on it; any other card of the corrected record stands down, kept on record.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.urls import reverse

from surgewatch.web.accounts.models import User
from surgewatch.web.actions.cards import FollowUp, open_follow_up, stand_down_card
from surgewatch.web.actions.models import ActionCard, CardSource
from surgewatch.web.calls.selectors import owner_role
from surgewatch.web.decisions.checks import AgreedAction, when
from surgewatch.web.decisions.models import Decision, Meeting
from surgewatch.web.notify.services import notify_user
from surgewatch.web.orgs.models import Organisation

# Until the decision row exists and can name it (it points at the card).
PENDING_REVIEW = "decision-review"
# A card's level is the level standing when the item was agreed; with none
# recorded yet the organisation is at business as usual.
NO_LEVEL = 1


def review_card(
    organisation: Organisation,
    original: Decision | None,
    decider: User,
    review_at: datetime,
    level: int | None,
    now: datetime,
) -> ActionCard:
    """The card for a decision's review: the corrected entry's card when time and person stay."""
    kept = original.review_card if original is not None else None
    if kept is not None and original is not None:
        if original.review_at == review_at and original.decider_id == decider.pk:
            return kept
        retire([kept], now, f"decision {original.pk} corrected; its review moved")
    item = FollowUp(
        organisation=organisation,
        source=CardSource.DECISION_REVIEW,
        action_id=PENDING_REVIEW,
        text="Review a decision",
        level=level or NO_LEVEL,
        role=owner_role(decider, organisation),
        assignee=decider,
        due_at=review_at,
        note="follow-up review time of a decision",
    )
    return open_follow_up(item, now)


def name_review_card(entry: Decision, now: datetime) -> None:
    """Name the card after the entry that now carries the review, and tell the person."""
    card = entry.review_card
    if card is None:
        return
    fresh = card.action_id == PENDING_REVIEW
    if fresh:
        card.action_id = f"decision-{entry.pk}-review"
    card.text = f"Review decision {entry.pk}: {_short(entry.decision)}"
    card.save(update_fields=["action_id", "text"])
    if fresh and card.assignee is not None:
        _tell(card, card.assignee, f"Review decision {entry.pk} by {when(entry.review_at)}", now)


def meeting_action_card(
    meeting: Meeting,
    position: int,
    action: AgreedAction,
    kept: dict[tuple[str, int, datetime], ActionCard],
    now: datetime,
) -> ActionCard | None:
    """The owner's card for one agreed action; none when the owner is only a name or role."""
    owner = action.owner_user
    if owner is None or action.due_at is None:
        return None
    same = kept.pop((action.text.strip(), owner.pk, action.due_at), None)
    if same is not None:
        return same
    item = FollowUp(
        organisation=meeting.organisation,
        source=CardSource.MEETING,
        action_id=f"meeting-{meeting.pk}-action-{position}",
        text=action.text.strip(),
        level=meeting.snapshot_level or NO_LEVEL,
        role=owner_role(owner, meeting.organisation),
        assignee=owner,
        due_at=action.due_at,
        note=f"agreed at {meeting.group_name}, {when(meeting.convened_at)}",
    )
    card = open_follow_up(item, now)
    _tell(card, owner, f"Action agreed at {meeting.group_name}: {_short(card.text)}", now)
    return card


def cards_to_keep(original: Meeting | None) -> dict[tuple[str, int, datetime], ActionCard]:
    """The corrected meeting's cards by (words, owner, due time)."""
    if original is None:
        return {}
    kept: dict[tuple[str, int, datetime], ActionCard] = {}
    for row in original.actions.select_related("card"):
        if row.card is not None and row.owner_user_id is not None:
            kept[(row.text, row.owner_user_id, row.due_at)] = row.card
    return kept


def retire(cards: Iterable[ActionCard], now: datetime, why: str) -> None:
    """Stand down the still-active cards a correction replaced (done ones keep 'done')."""
    for card in cards:
        if card.stood_down_at is None:
            stand_down_card(card, now, note=why)


def _tell(card: ActionCard, owner: User, subject: str, now: datetime) -> None:
    notify_user(
        owner,
        organisation=card.organisation,
        role=card.role,
        subject=subject,
        body=f"{card.text}\n\nDue {when(card.deadlines.get().due_at)}.",
        link=reverse("action-card", args=[card.pk]),
        event_key=f"card:{card.pk}:opened",
        now=now,
    )


def _short(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
