"""Area-scoped action cards (issue 4: actions 'scoped to the organisation or area that
escalated'; seed 000, sections 7 and 8: actions follow 'the OPEL status of Kent County
Council, the Area or region').

Kent's pack gives the area teams' roles ``scope: area`` (Short-Term Pathway Team
Manager, Discharge Co-ordinator, KEaH locality organiser, in-house registered
manager, community team manager); the county-wide roles keep the default,
``organisation``. DGS staffing 45% with caseload 70 is OPEL 3 in DGS (and so for
KCC, whose rule takes each indicator's worst area); the same values in Swale put
Swale at OPEL 3 too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from surgewatch.core.actions import actions_at
from surgewatch.core.pack import RoleScope
from surgewatch.web.accounts.models import User
from surgewatch.web.actions import services
from surgewatch.web.actions.models import ActionCard, CardStatus, LevelChange
from surgewatch.web.actions.selectors import my_cards
from surgewatch.web.escalation.services import declare_level
from surgewatch.web.notify.models import Message
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.packs import pack_of
from surgewatch.web.orgs.services import add_membership
from surgewatch.web.reporting.services import submit_readings
from surgewatch.web.sitrep.builder import build_sitrep

MakeUser = Callable[..., User]
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # Monday, GMT
HOUR = timedelta(hours=1)
RED: dict[str, float] = {"stp_staffing_pct": 45, "health_caseload": 70}
GREEN: dict[str, float] = {"stp_staffing_pct": 80, "health_caseload": 20}
AREA_ROLES = {
    "stp-team-manager",
    "discharge-coordinator",
    "keah-locality-organiser",
    "inhouse-registered-manager",
    "community-team-manager",
}


def _report(user: User, area: Area, values: dict[str, float], at: datetime) -> None:
    submit_readings(user, area, values, at, now=at)


def _expected(kcc: Organisation, level: int, roles: set[str]) -> set[tuple[str, str]]:
    return {ra.key for ra in actions_at(pack_of(kcc.framework), level) if ra.role in roles}


def _keys(cards: object) -> set[tuple[str, str]]:
    return {(c.role, c.action_id) for c in cards}  # type: ignore[attr-defined]


@pytest.fixture
def dgs_red(dgs_member: User, dgs: Area, kcc: Organisation) -> LevelChange:
    _report(dgs_member, dgs, RED, T0)
    change = services.refresh_level(kcc, T0)
    assert change is not None and change.to_level == 3
    return change


def test_kents_pack_scopes_the_area_teams_roles_to_their_area(kcc: Organisation) -> None:
    pack = pack_of(kcc.framework)
    assert pack.roles_scoped(RoleScope.AREA) == AREA_ROLES
    assert "director-asc" in pack.roles_scoped(RoleScope.ORGANISATION)


def test_an_area_at_opel_3_opens_its_area_roles_cards_there_only(
    dgs_red: LevelChange, dgs: Area, kcc: Organisation
) -> None:
    everyone = set(pack_of(kcc.framework).role_ids)
    in_dgs = ActionCard.objects.filter(area=dgs)
    county = ActionCard.objects.filter(area__isnull=True)
    assert _keys(in_dgs) == _expected(kcc, 3, AREA_ROLES)
    assert _keys(county) == _expected(kcc, 3, everyone - AREA_ROLES)
    assert ActionCard.objects.count() == in_dgs.count() + county.count()  # no other area
    opener = LevelChange.objects.get(area=dgs)
    assert {c.opened_by for c in in_dgs} == {opener}
    assert {c.opened_by for c in county} == {dgs_red}


def test_the_sitrep_names_the_area_of_an_area_teams_action(
    dgs_red: LevelChange, dgs: Area, kcc: Organisation
) -> None:
    rows = build_sitrep(kcc, T0 + HOUR).actions
    in_dgs = ActionCard.objects.filter(area=dgs)
    area_rows = [r for r in rows if r.role.endswith(f" ({dgs.name})")]
    assert in_dgs.exists() and len(area_rows) == in_dgs.count()
    assert {r.text for r in area_rows} == {c.text for c in in_dgs}
    assert len(rows) - len(area_rows) == ActionCard.objects.filter(area__isnull=True).count()


def test_a_second_area_escalating_opens_its_own_cards_without_touching_the_rest(
    dgs_red: LevelChange, swale_member: User, swale: Area, kcc: Organisation
) -> None:
    before = set(ActionCard.objects.values_list("pk", flat=True))
    _report(swale_member, swale, RED, T0 + HOUR)
    assert services.refresh_level(kcc, T0 + HOUR) is None  # KCC stays at OPEL 3
    new = ActionCard.objects.exclude(pk__in=before)
    assert {c.area for c in new} == {swale}
    assert _keys(new) == _expected(kcc, 3, AREA_ROLES)


def test_an_areas_cards_stand_down_only_after_its_hold(
    dgs_red: LevelChange, swale_member: User, swale: Area, dgs: Area, kcc: Organisation
) -> None:
    """Seed 000, section 8: the indicator stays lower for the hold (48 hours) first."""
    _report(swale_member, swale, RED, T0)
    services.refresh_level(kcc, T0)
    _report(swale_member, swale, GREEN, T0 + HOUR)
    services.refresh_level(kcc, T0 + 47 * HOUR)
    assert not ActionCard.objects.filter(status=CardStatus.STOOD_DOWN).exists()

    assert services.refresh_level(kcc, T0 + 49 * HOUR) is None  # DGS keeps KCC at 3
    stood_down = ActionCard.objects.filter(status=CardStatus.STOOD_DOWN)
    assert {c.area for c in stood_down} == {swale}
    assert stood_down.count() == len(_expected(kcc, 3, AREA_ROLES))
    assert ActionCard.objects.active().filter(area=dgs).count() == stood_down.count()


def test_a_declaration_opens_the_area_roles_cards_in_every_area(
    make_user: MakeUser, kcc: Organisation
) -> None:
    """A declared level is county-wide: each area's teams act at it."""
    manager = make_user("service-manager", "stp-service-manager")
    declare_level(manager, kcc, 2, "pressure building across the county", now=T0)
    change = services.refresh_level(kcc, T0, cause="declaration")
    assert change is not None and change.to_level == 2
    areas = kcc.areas.filter(active=True)
    inform = ActionCard.objects.filter(action_id="keah-2-inform-referrer")
    assert {c.area for c in inform} == set(areas)
    area_changes = LevelChange.objects.filter(area__isnull=False)
    assert {(c.to_level, c.source, c.engine_level) for c in area_changes} == {
        (2, "declaration", None)
    }


def test_the_area_card_goes_to_the_one_person_holding_the_role_in_that_area(
    make_user: MakeUser, dgs_member: User, dgs: Area, swale: Area, kcc: Organisation
) -> None:
    county_wide = make_user("county-keah", "keah-locality-organiser")
    in_swale = make_user("swale-keah", "keah-locality-organiser", swale)
    _report(dgs_member, dgs, RED, T0)
    services.refresh_level(kcc, T0)
    swale_manager = make_user("swale-manager-2", "stp-team-manager", swale)
    _report(swale_manager, swale, RED, T0 + HOUR)
    services.refresh_level(kcc, T0 + HOUR)
    by_area = {
        c.area.slug: c.assignee
        for c in ActionCard.objects.filter(action_id="keah-2-inform-referrer").select_related(
            "area"
        )
        if c.area is not None
    }
    # Swale's card to Swale's organiser; DGS has none of its own, so the county-wide one.
    assert by_area == {"dgs": county_wide, "swale": in_swale}


def test_nobody_holds_the_same_action_twice_from_the_organisation_and_an_area(
    make_user: MakeUser, dgs_member: User, dgs: Area, swale_member: User, swale: Area,
    kcc: Organisation,
) -> None:  # fmt: skip
    both = make_user("both", "discharge-coordinator")
    add_membership(both, kcc, "discharge-coordinator", area=dgs)
    _report(dgs_member, dgs, RED, T0)
    _report(swale_member, swale, RED, T0)
    services.refresh_level(kcc, T0)
    mine = list(my_cards(both))
    per_place = [(c.action_id, c.level, c.area_id) for c in mine]
    assert len(per_place) == len(set(per_place))
    assert not [c for c in mine if c.area_id is None]  # no organisation-wide copy
    assert {c.area for c in mine} == {dgs, swale}


def test_an_organisation_wide_card_in_force_covers_the_area(
    dgs_member: User, dgs: Area, kcc: Organisation
) -> None:
    """A card opened before the pack scoped the role to areas keeps covering every area."""
    ActionCard.objects.create(
        organisation=kcc, role="keah-locality-organiser", action_id="keah-2-inform-referrer",
        level=2, text="opened before the role was area-scoped", opened_at=T0 - HOUR,
    )  # fmt: skip
    _report(dgs_member, dgs, RED, T0)
    services.refresh_level(kcc, T0)
    inform = ActionCard.objects.filter(action_id="keah-2-inform-referrer")
    assert [c.area for c in inform] == [None]


def test_a_holder_in_another_area_neither_sees_nor_acts_on_the_card(
    dgs_red: LevelChange, west_kent_coordinator: User, make_user: MakeUser, dgs: Area
) -> None:
    card = ActionCard.objects.get(action_id="dc-2-los-meetings", area=dgs)
    assert card not in my_cards(west_kent_coordinator)
    with pytest.raises(PermissionDenied):
        services.complete(card, west_kent_coordinator, T0 + HOUR)
    local = make_user("dgs-coordinator", "discharge-coordinator", dgs)
    assert card in my_cards(local)
    with pytest.raises(ValidationError, match="does not hold the role discharge-coordinator in"):
        services.assign(card, local, west_kent_coordinator, T0 + HOUR)
    services.complete(card, local, T0 + HOUR)
    card.refresh_from_db()
    assert card.status == CardStatus.DONE


def test_the_area_holders_are_told_of_their_cards_and_others_are_not(
    make_user: MakeUser, dgs_member: User, dgs: Area, west_kent: Area, kcc: Organisation
) -> None:
    here = make_user("dgs-organiser", "keah-locality-organiser", dgs)
    there = make_user("wk-organiser", "keah-locality-organiser", west_kent)
    here.email, there.email = "here@example.org", "there@example.org"
    here.save()
    there.save()
    _report(dgs_member, dgs, RED, T0)
    services.refresh_level(kcc, T0)
    told = Message.objects.get(recipient=here)
    assert "Dartford, Gravesham and Swanley" in told.subject
    assert "inform the referrer within 2 hours" in told.body
    assert not Message.objects.filter(recipient=there).exists()


# --- pages -----------------------------------------------------------------------------


def _page(user: User, url: str, params: dict[str, str] | None = None) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url, params or {})
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_actions_by_role_filters_by_area_and_names_it(
    dgs_red: LevelChange, swale_member: User, swale: Area, dgs_member: User, kcc: Organisation
) -> None:
    _report(swale_member, swale, RED, T0 + HOUR)
    services.refresh_level(kcc, T0 + HOUR)
    url = reverse("organisation-actions", args=["kcc-asch"])
    every = _page(dgs_member, url)
    assert "Swale" in every and "Dartford, Gravesham and Swanley" in every
    only_swale = _page(dgs_member, url, {"area": "swale"})
    assert "Swale" in only_swale
    assert "Dartford, Gravesham and Swanley</td>" not in only_swale
    assert "Discuss with health partners" not in only_swale  # the Director's, county-wide
    county = _page(dgs_member, url, {"area": "-"})
    assert "Discuss with health partners" in county
    assert "Swale</td>" not in county


def test_my_actions_and_the_organisation_page_name_the_area(
    dgs_red: LevelChange, make_user: MakeUser, dgs: Area
) -> None:
    local = make_user("dgs-coordinator", "discharge-coordinator", dgs)
    mine = _page(local, reverse("my-actions"))
    assert "Dartford, Gravesham and Swanley</td>" in mine
    assert "Work with families" in mine
    org = _page(local, reverse("organisation", args=["kcc-asch"]))
    # Overdue first: DGS's timed cards (the referrer, SHREWD) lead the list.
    assert "Dartford, Gravesham and Swanley</td>" in org
