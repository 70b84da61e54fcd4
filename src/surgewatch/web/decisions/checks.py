"""What makes a decision or meeting record refusable, as messages keyed by field.

Every function returns the problems it finds (field -> messages), each saying
what is wrong, where, and the fix; the services gather them all and save
nothing if there is any (as readings do: DESIGN.md, 'Band semantics').
Keys are the form's field names, so a page shows each problem beside its
field; rows of a meeting are keyed ``attendee_<n>_<field>`` and
``action_<n>_<field>``, counting from 1 as the page does.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from surgewatch.core.pack import LEVELS
from surgewatch.web.accounts.models import User

# A device clock a few minutes fast is not an error; a decision tomorrow is.
FUTURE_TOLERANCE = timedelta(minutes=5)
# The length of the CharFields that hold names and roles.
NAME_LENGTH = 300

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class Attendee:
    """Someone at a group meeting. ``row`` is the page row it came from (0: its position)."""

    name: str
    role: str
    row: int = 0


@dataclass(frozen=True)
class AgreedAction:
    """An action the group agreed, with its owner and due time (seed 000, section 5.2).

    ``owner_user`` is the owner as a person holding a role here (the page's
    choice); ``owner`` is how the record names them. A row with a person becomes
    a card on their My actions.
    """

    text: str
    owner: str
    due_at: datetime | None
    row: int = 0
    owner_user: User | None = None


def when(moment: datetime) -> str:
    """A time in a message, as the page shows it: UK wall-clock with the zone named."""
    return timezone.localtime(moment).strftime("%a %d %b %Y %H:%M %Z")


def blank(values: Mapping[str, str], wording: Mapping[str, tuple[str, str]]) -> Errors:
    """Each required text left empty; ``wording`` maps field -> (what it is, the fix)."""
    errors: Errors = {}
    for field, (what, fix) in wording.items():
        if not values.get(field, "").strip():
            errors[field] = [f"{what} is empty; fix: {fix}"]
    return errors


def too_long(values: Mapping[str, str]) -> Errors:
    return {
        field: [f"{len(v)} characters is too long; fix: shorten it to {NAME_LENGTH} or fewer"]
        for field, v in values.items()
        if len(v.strip()) > NAME_LENGTH
    }


def in_future(field: str, what: str, moment: datetime, now: datetime) -> Errors:
    if moment <= now + FUTURE_TOLERANCE:
        return {}
    return {field: [f"{what} ({when(moment)}) is in the future; fix: give when it happened"]}


def review_not_after(decided_at: datetime, review_at: datetime) -> Errors:
    """Seed 000, Appendix 4: DRA is continuous, so a decision is reviewed after it is made."""
    if review_at > decided_at:
        return {}
    message = (
        f"the review time ({when(review_at)}) is not after the decision ({when(decided_at)}); "
        "fix: set a review time later than the decision"
    )
    return {"review_at": [message]}


def agreed_level(level: int | None, reason: str) -> Errors:
    """Seed 000, section 5.2: the group may escalate the OPEL status on its assessment."""
    if level is not None and level not in LEVELS:
        return {"agreed_level": [f"OPEL {level} is not a level; fix: choose 1, 2, 3, 4 or none"]}
    if level is not None and not reason.strip():
        fix = "say why the group agreed it"
        return {"agreed_level_reason": [f"the change to OPEL {level} has no reason; fix: {fix}"]}
    return {}


def attendees(people: Sequence[Attendee]) -> Errors:
    if not people:
        return {"attendee_1_name": ["no one attended; fix: name at least one attendee"]}
    errors: Errors = {}
    for position, person in enumerate(people, start=1):
        row = person.row or position
        if not person.name.strip():
            errors[f"attendee_{row}_name"] = [f"attendee {row} has no name; fix: give the name"]
        if not person.role.strip():
            errors[f"attendee_{row}_role"] = [
                f"attendee {row} has no role; fix: choose the role or type it"
            ]
        errors.update(too_long({f"attendee_{row}_name": person.name}))
        errors.update(too_long({f"attendee_{row}_role": person.role}))
    return errors


def agreed_actions(actions: Sequence[AgreedAction], convened_at: datetime) -> Errors:
    errors: Errors = {}
    for position, action in enumerate(actions, start=1):
        row = action.row or position
        if not action.text.strip():
            errors[f"action_{row}_text"] = [f"action {row} is empty; fix: say what is to be done"]
        if not action.owner.strip() and action.owner_user is None:
            errors[f"action_{row}_owner"] = [f"action {row} has no owner; fix: name who owns it"]
        if action.due_at is None:
            errors[f"action_{row}_due_at"] = [f"action {row} has no due time; fix: give one"]
        elif action.due_at < convened_at:
            errors[f"action_{row}_due_at"] = [
                f"action {row} is due ({when(action.due_at)}) before the group convened "
                f"({when(convened_at)}); fix: give a due time after the meeting"
            ]
        errors.update(too_long({f"action_{row}_owner": action.owner}))
    return errors


def correction(kind: str, original_id: int | None, corrected_by: int | None, reason: str) -> Errors:
    """A correction names why, and corrects only the latest version of an entry."""
    if original_id is None:
        if reason.strip():
            message = "only a correction has a correction reason; fix: leave it empty"
            return {"correction_reason": [message]}
        return {}
    if corrected_by is not None:
        message = (
            f"{kind} {original_id} was already corrected by {kind} {corrected_by}; "
            f"fix: correct {kind} {corrected_by}, the latest version"
        )
        return {"corrects": [message]}
    if not reason.strip():
        fix = "say what was wrong with the original"
        return {"correction_reason": [f"the correction has no reason; fix: {fix}"]}
    return {}


def owners(actions: Sequence[AgreedAction], allowed: Collection[int], place: str) -> Errors:
    """Each chosen owner holds a role in the organisation (so the card reaches them)."""
    errors: Errors = {}
    for position, action in enumerate(actions, start=1):
        person = action.owner_user
        if person is not None and person.pk not in allowed:
            fix = "choose someone from the list"
            errors[f"action_{action.row or position}_owner"] = [
                f"{person} holds no role in {place}; fix: {fix}"
            ]
    return errors


def decider(person: User, allowed: Collection[int], place: str) -> Errors:
    """The person who decided gets the review; they must hold a role in the organisation."""
    if person.pk in allowed:
        return {}
    return {"decider": [f"{person} holds no role in {place}; fix: choose someone from the list"]}
