"""Level changes open and stand down action cards; people act on them; clocks run.

Kent suggests the highest level reached by at least two indicators, so a DGS
staffing of 45% (OPEL 3) with a caseload of 70 (OPEL 3) puts KCC at OPEL 3.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from surgewatch.core.actions import actions_at
from surgewatch.web.accounts.models import User
from surgewatch.web.actions import services
from surgewatch.web.actions.clocks import add_daily_deadlines, run_clocks
from surgewatch.web.actions.flows import level_may_have_moved
from surgewatch.web.actions.models import (
    ActionCard,
    CardEventKind,
    CardStatus,
    Deadline,
    LevelChange,
    LevelChangeSource,
)
from surgewatch.web.escalation.services import declare_level
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.packs import pack_of
from surgewatch.web.reporting.services import submit_readings

MakeUser = Callable[..., User]
# Monday 5 January 2026, 09:00 GMT.
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
RED: dict[str, float] = {"stp_staffing_pct": 45, "health_caseload": 70}
GREEN: dict[str, float] = {"stp_staffing_pct": 80, "health_caseload": 20}


def _report(user: User, area: Area, values: dict[str, float], at: datetime) -> None:
    submit_readings(user, area, values, at, now=at)


@pytest.fixture
def red(dgs_member: User, dgs: Area, kcc: Organisation) -> LevelChange:
    _report(dgs_member, dgs, RED, T0)
    change = services.refresh_level(kcc, T0)
    assert change is not None
    return change


def _keys(cards: object) -> set[tuple[str, str]]:
    return {(c.role, c.action_id) for c in cards}  # type: ignore[attr-defined]


def test_opel_3_opens_every_roles_actions_from_the_pack(
    red: LevelChange, kcc: Organisation
) -> None:
    pack = pack_of(kcc.framework)
    assert (red.from_level, red.to_level, red.source) == (None, 3, LevelChangeSource.ENGINE)
    assert _keys(ActionCard.objects.all()) == {ra.key for ra in actions_at(pack, 3)}
    # 'Continue with Level Two Actions': an inherited card says the level that defines it.
    inherited = ActionCard.objects.get(action_id="keah-2-inform-referrer")
    assert (inherited.level, inherited.deadlines.get().due_at) == (2, T0 + 2 * HOUR)


def test_the_twice_daily_shrewd_update_starts_its_clock(red: LevelChange) -> None:
    morning = ActionCard.objects.get(action_id="dc-3-shrewd-morning")
    afternoon = ActionCard.objects.get(action_id="dc-3-shrewd-afternoon")
    assert morning.recurring and afternoon.recurring
    assert morning.deadlines.get().due_at == datetime(2026, 1, 5, 10, 30, tzinfo=UTC)
    assert afternoon.deadlines.get().due_at == datetime(2026, 1, 5, 15, 30, tzinfo=UTC)


def test_checking_again_changes_nothing(red: LevelChange, kcc: Organisation) -> None:
    before = (LevelChange.objects.count(), ActionCard.objects.count())
    assert services.refresh_level(kcc, T0 + HOUR) is None
    assert (LevelChange.objects.count(), ActionCard.objects.count()) == before


def test_actions_stand_down_only_after_the_hold(
    red: LevelChange, dgs_member: User, dgs: Area, kcc: Organisation
) -> None:
    """Seed 000, section 8: 48 hours green before level 3 actions stand down."""
    _report(dgs_member, dgs, GREEN, T0 + HOUR)
    assert services.refresh_level(kcc, T0 + 47 * HOUR) is None
    assert not ActionCard.objects.filter(status=CardStatus.STOOD_DOWN).exists()

    down = services.refresh_level(kcc, T0 + 49 * HOUR)
    assert down is not None and (down.from_level, down.to_level) == (3, 1)
    cards = ActionCard.objects.all()
    assert cards.count() == len(actions_at(pack_of(kcc.framework), 3))  # kept, not deleted
    assert {c.status for c in cards} == {CardStatus.STOOD_DOWN}
    # The area-scoped roles' cards stand down with DGS's own change, at the same moment.
    dgs_down = LevelChange.objects.get(area=dgs, from_level=3)
    assert dgs_down.at == down.at and dgs_down.to_level == 1
    assert all(c.stood_down_by == (dgs_down if c.area else down) for c in cards)


def test_a_done_card_stays_done_when_it_stands_down(
    red: LevelChange, dgs_member: User, dgs: Area, kcc: Organisation
) -> None:
    card = ActionCard.objects.get(action_id="dc-2-work-with-families")
    services.complete(card, _holder(kcc, "discharge-coordinator"), T0 + HOUR)
    _report(dgs_member, dgs, GREEN, T0 + HOUR)
    services.refresh_level(kcc, T0 + 50 * HOUR)
    card.refresh_from_db()
    assert card.status == CardStatus.DONE and card.stood_down_at == T0 + 50 * HOUR


def _holder(kcc: Organisation, role: str) -> User:
    from surgewatch.web.orgs.services import add_membership

    user = User.objects.create_user(f"{role}-holder", password="not-used")
    add_membership(user, kcc, role)
    return user


def test_a_declaration_above_the_indicators_escalates_at_once(
    make_user: MakeUser, kcc: Organisation
) -> None:
    manager = make_user("service-manager", "stp-service-manager")
    declare_level(manager, kcc, 2, "pressure building in East Kent", now=T0)
    change = level_may_have_moved(kcc, T0, LevelChangeSource.DECLARATION)
    assert change is not None
    assert (change.to_level, change.source, change.declared_level) == (2, "declaration", 2)


def test_a_declaration_below_the_held_level_waits_for_the_hold(
    red: LevelChange, make_user: MakeUser, dgs_member: User, dgs: Area, kcc: Organisation
) -> None:
    manager = make_user("service-manager", "stp-service-manager")
    _report(dgs_member, dgs, GREEN, T0 + HOUR)
    declare_level(manager, kcc, 1, "better today", now=T0 + 2 * HOUR)
    assert services.refresh_level(kcc, T0 + 2 * HOUR, cause="declaration") is None
    assert services.refresh_level(kcc, T0 + 50 * HOUR) is not None


# --- people acting on cards -------------------------------------------------------------


def test_acknowledge_then_done_is_on_record(red: LevelChange, kcc: Organisation) -> None:
    keah = _holder(kcc, "keah-locality-organiser")
    card = ActionCard.objects.get(action_id="keah-2-inform-referrer")
    services.acknowledge(card, keah, T0 + HOUR)
    services.complete(card, keah, T0 + HOUR + timedelta(minutes=5), "referrer called")
    card.refresh_from_db()
    assert card.status == CardStatus.DONE
    assert card.deadlines.get().met_at == T0 + HOUR + timedelta(minutes=5)
    kinds = list(card.events.values_list("kind", "by__username", "note"))
    assert kinds == [
        (CardEventKind.OPENED, None, "OPEL 3"),
        (CardEventKind.ACKNOWLEDGED, "keah-locality-organiser-holder", ""),
        (CardEventKind.DONE, "keah-locality-organiser-holder", "referrer called"),
    ]


def test_a_daily_card_done_meets_todays_deadline_and_stays_open(
    red: LevelChange, kcc: Organisation
) -> None:
    coordinator = _holder(kcc, "discharge-coordinator")
    card = ActionCard.objects.get(action_id="dc-3-shrewd-morning")
    services.complete(card, coordinator, T0 + HOUR)
    card.refresh_from_db()
    assert card.status == CardStatus.OPEN
    assert card.deadlines.get().met_at == T0 + HOUR
    with pytest.raises(ValidationError, match="nothing is due"):
        services.complete(card, coordinator, T0 + HOUR)


def test_not_applicable_needs_a_reason_and_saves_nothing_without(
    red: LevelChange, kcc: Organisation
) -> None:
    coordinator = _holder(kcc, "discharge-coordinator")
    card = ActionCard.objects.get(action_id="dc-2-los-meetings")
    with pytest.raises(ValidationError, match="say why"):
        services.not_applicable(card, coordinator, "  ", T0)
    card.refresh_from_db()
    assert card.status == CardStatus.OPEN and card.events.count() == 1
    services.not_applicable(card, coordinator, "no LOS meeting this week", T0)
    card.refresh_from_db()
    assert card.status == CardStatus.NOT_APPLICABLE


def test_someone_without_the_role_cannot_act(red: LevelChange, dgs_member: User) -> None:
    card = ActionCard.objects.get(action_id="keah-2-inform-referrer")
    with pytest.raises(PermissionDenied):
        services.complete(card, dgs_member, T0)


def test_assign_only_to_someone_holding_the_role(
    red: LevelChange, kcc: Organisation, dgs_member: User
) -> None:
    first, second = _holder(kcc, "discharge-coordinator"), User.objects.create_user("deputy")
    from surgewatch.web.orgs.services import add_membership

    add_membership(second, kcc, "discharge-coordinator", is_deputy=True)
    card = ActionCard.objects.get(action_id="dc-2-los-meetings")
    services.assign(card, first, second, T0)
    card.refresh_from_db()
    assert card.assignee == second
    with pytest.raises(ValidationError, match="does not hold"):
        services.assign(card, first, dgs_member, T0)


def test_a_sole_holder_is_assigned_when_the_card_opens(
    dgs_member: User, dgs: Area, kcc: Organisation
) -> None:
    keah = _holder(kcc, "keah-locality-organiser")
    _report(dgs_member, dgs, RED, T0)
    services.refresh_level(kcc, T0)
    assert ActionCard.objects.get(action_id="keah-2-inform-referrer").assignee == keah


# --- clocks --------------------------------------------------------------------------


def test_a_missed_deadline_reminds_once_then_escalates_after_an_hour(
    red: LevelChange, kcc: Organisation
) -> None:
    deadline = Deadline.objects.get(card__action_id="keah-2-inform-referrer")  # due 11:00
    run_clocks(T0 + 2 * HOUR)
    run_clocks(T0 + 2 * HOUR + timedelta(minutes=1))
    deadline.refresh_from_db()
    assert deadline.reminded_at == T0 + 2 * HOUR and deadline.escalated_at is None
    run_clocks(T0 + 3 * HOUR)
    deadline.refresh_from_db()
    assert deadline.escalated_at == T0 + 3 * HOUR
    notes = list(deadline.card.events.values_list("kind", "note"))
    assert notes[1:] == [
        (CardEventKind.REMINDED, "due 2026-01-05 11:00 UTC"),
        (CardEventKind.ESCALATED, "to head-of-keah"),
    ]


def test_a_met_deadline_is_never_chased(red: LevelChange, kcc: Organisation) -> None:
    card = ActionCard.objects.get(action_id="keah-2-inform-referrer")
    services.complete(card, _holder(kcc, "keah-locality-organiser"), T0 + HOUR)
    run_clocks(T0 + 5 * HOUR)
    assert not card.events.filter(kind=CardEventKind.REMINDED).exists()


def test_daily_cards_get_tomorrows_deadline_once_todays_has_come(red: LevelChange) -> None:
    card = ActionCard.objects.get(action_id="dc-3-shrewd-morning")
    assert add_daily_deadlines(T0 + HOUR) == 0
    assert add_daily_deadlines(T0 + 2 * HOUR) >= 1
    assert add_daily_deadlines(T0 + 2 * HOUR) == 0
    dues = list(card.deadlines.order_by("due_at").values_list("due_at", flat=True))
    assert dues == [
        datetime(2026, 1, 5, 10, 30, tzinfo=UTC),
        datetime(2026, 1, 6, 10, 30, tzinfo=UTC),
    ]


# --- who is told ------------------------------------------------------------------------


def test_the_roles_the_pack_names_hear_of_the_change_by_their_chosen_channel(
    dgs_member: User, dgs: Area, kcc: Organisation
) -> None:
    """Seed 000, sections 7.1-7.3: the Director is 'informed of current OPEL status'."""
    from surgewatch.web.notify.models import Message
    from surgewatch.web.notify.services import add_channel, choose_channels

    director = _holder(kcc, "director-asc")
    director.email = "director@example.org"
    director.save()
    coordinator = _holder(kcc, "discharge-coordinator")
    sms = add_channel(coordinator, "sms", "07700 900123", T0)
    choose_channels(coordinator, {coordinator.memberships.get().pk: [sms.pk]})

    _report(dgs_member, dgs, RED, T0)
    change = services.refresh_level(kcc, T0)
    assert change is not None
    told = Message.objects.get(recipient=director, event_key=f"level-change:{change.pk}")
    assert (told.kind, told.target) == ("email", "director@example.org")
    assert told.subject.startswith(
        "Kent County Council Adult Social Care and Health is now at OPEL 3"
    )
    cards = Message.objects.get(recipient=coordinator)
    assert cards.kind == "sms"
    assert "Ensure Shrewd is updated by 10.30 am" in cards.body

    before = Message.objects.count()
    services.refresh_level(kcc, T0 + HOUR)  # nothing moved: nobody is told twice
    assert Message.objects.count() == before


def test_a_missed_deadline_reaches_the_assignee_then_the_role_above(
    red: LevelChange, kcc: Organisation
) -> None:
    from surgewatch.web.notify.models import Message

    keah = _holder(kcc, "keah-locality-organiser")
    keah.email = "keah@example.org"
    keah.save()
    head = _holder(kcc, "head-of-keah")
    head.email = "head@example.org"
    head.save()
    card = ActionCard.objects.get(action_id="keah-2-inform-referrer")
    services.assign(card, keah, keah, T0)
    run_clocks(T0 + 2 * HOUR)
    run_clocks(T0 + 3 * HOUR)
    deadline = card.deadlines.get()
    reminder = Message.objects.get(event_key=f"deadline:{deadline.pk}:reminder")
    escalation = Message.objects.get(event_key=f"deadline:{deadline.pk}:escalated")
    assert (reminder.recipient, escalation.recipient) == (keah, head)
    assert escalation.subject.startswith("Escalated: keah-locality-organiser has not done")


@pytest.mark.parametrize(
    ("opened", "dues"),
    [
        # Saturday 28 March 2026, 12:00 GMT: Sunday's 10:30 is BST (09:30 UTC), as is Monday's.
        (
            datetime(2026, 3, 28, 12, 0, tzinfo=UTC),
            [datetime(2026, 3, 29, 9, 30, tzinfo=UTC), datetime(2026, 3, 30, 9, 30, tzinfo=UTC)],
        ),
        # Saturday 24 October 2026, 12:00 BST: Sunday's 10:30 is GMT again (10:30 UTC).
        (
            datetime(2026, 10, 24, 11, 0, tzinfo=UTC),
            [
                datetime(2026, 10, 25, 10, 30, tzinfo=UTC),
                datetime(2026, 10, 26, 10, 30, tzinfo=UTC),
            ],
        ),
    ],
    ids=["march", "october"],
)
def test_the_shrewd_clock_keeps_london_time_across_the_clock_changes(
    dgs_member: User, dgs: Area, kcc: Organisation, opened: datetime, dues: list[datetime]
) -> None:
    _report(dgs_member, dgs, RED, opened)
    services.refresh_level(kcc, opened)
    card = ActionCard.objects.get(action_id="dc-3-shrewd-morning")
    add_daily_deadlines(dues[0] + timedelta(minutes=1))
    assert list(card.deadlines.order_by("due_at").values_list("due_at", flat=True)) == dues


# --- areas ----------------------------------------------------------------------------


def test_each_areas_level_is_recorded_and_the_message_names_the_driving_area(
    dgs_member: User, dgs: Area, swale_member: User, swale: Area, kcc: Organisation
) -> None:
    """Seed 000, section 8: actions are triggered by the status of KCC, 'the Area or region'."""
    from surgewatch.web.notify.models import Message

    director = _holder(kcc, "director-asc")
    director.email = "director@example.org"
    director.save()
    _report(dgs_member, dgs, RED, T0)
    _report(swale_member, swale, GREEN, T0)
    change = services.refresh_level(kcc, T0)
    assert change is not None
    areas = dict(
        LevelChange.objects.filter(area__isnull=False).values_list("area__slug", "to_level")
    )
    assert areas == {"dgs": 3, "swale": 1}
    told = Message.objects.get(recipient=director, event_key=f"level-change:{change.pk}")
    assert "Areas at OPEL 3 or above: Dartford, Gravesham and Swanley." in told.body
