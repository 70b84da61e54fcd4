"""Recording a decision's follow-up review (seed 000, Appendix 4: 'follow-up review time';
dynamic risk assessment 'is a continuous process').

A review is a new record linked to the decision, which stays as written. It
closes the review card on the decider's My actions. Who may record it: anyone
who may act on that card (the person who decided, anyone holding the role the
card was given, a declarer), or, for an entry made before reviews were cards,
anyone who may record decisions here.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from surgewatch.web.accounts.models import User
from surgewatch.web.actions.permissions import can_act_on
from surgewatch.web.actions.services import close_review
from surgewatch.web.decisions import checks
from surgewatch.web.decisions.checks import Errors
from surgewatch.web.decisions.models import Decision, DecisionReview
from surgewatch.web.decisions.permissions import can_record


def may_review(user: User, decision: Decision) -> bool:
    card = decision.review_card
    if card is not None:
        return can_act_on(user, card)
    return can_record(user, decision.organisation)


def record_review(
    user: User, decision: Decision, *, outcome: str, reviewed_at: datetime, now: datetime
) -> DecisionReview:
    """Put the review on record and close the decision's review card.

    Raises PermissionDenied unless ``may_review``; ValidationError keyed by field
    for an empty outcome, a review in the future or before the decision, or a
    decision since corrected (its correction carries the review).
    """
    if not may_review(user, decision):
        raise PermissionDenied(f"{user} may not review decision {decision.pk}")
    with transaction.atomic():
        locked = Decision.objects.select_for_update().get(pk=decision.pk)
        _raise(_problems(locked, outcome, reviewed_at, now))
        review = DecisionReview.objects.create(
            decision=locked,
            reviewed_at=reviewed_at,
            outcome=outcome.strip(),
            reviewed_by=user,
            recorded_at=now,
        )
        card = locked.review_card
        if card is not None and card.is_active:
            close_review(card, user, now, f"reviewed: {outcome.strip()}")
        return review


def _problems(decision: Decision, outcome: str, reviewed_at: datetime, now: datetime) -> Errors:
    errors: Errors = {}
    later = Decision.objects.filter(corrects=decision).values_list("pk", flat=True).first()
    if later is not None:
        fix = f"review decision {later}, the latest version"
        errors["decision"] = [
            f"decision {decision.pk} was corrected by decision {later}; fix: {fix}"
        ]
    if not outcome.strip():
        errors["outcome"] = ["the outcome is empty; fix: say what the review found and decided"]
    errors.update(checks.in_future("reviewed_at", "the review time", reviewed_at, now))
    if reviewed_at < decision.decided_at:
        errors.setdefault("reviewed_at", []).append(
            f"the review ({checks.when(reviewed_at)}) is before the decision "
            f"({checks.when(decision.decided_at)}); fix: give when the review took place"
        )
    return errors


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)
