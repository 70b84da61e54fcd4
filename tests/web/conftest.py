"""Web fixtures: the Kent pack installed, its areas, and personas who report or look.

Personas (STYLE.md): a Short-term Pathway Team manager in DGS, the same role in
Swale, a West Kent discharge coordinator, and a director who may look but
reports nothing. Times are explicit; nothing reads the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack

INSTALLED_AT = datetime(2026, 1, 4, 18, 0, tzinfo=UTC)

MakeUser = Callable[..., User]


@pytest.fixture
def kcc(db: None) -> Organisation:
    install_pack("kent-ascch", now=INSTALLED_AT)
    return organisation_by_slug("kcc-asch")


@pytest.fixture
def dgs(kcc: Organisation) -> Area:
    return kcc.areas.get(slug="dgs")


@pytest.fixture
def swale(kcc: Organisation) -> Area:
    return kcc.areas.get(slug="swale")


@pytest.fixture
def west_kent(kcc: Organisation) -> Area:
    return kcc.areas.get(slug="west-kent")


@pytest.fixture
def make_user(kcc: Organisation) -> MakeUser:
    """A user holding ``role`` in ``area`` (or organisation-wide when area is None)."""

    def make(username: str, role: str | None = None, area: Area | None = None) -> User:
        user = User.objects.create_user(username=username, password="not-used")
        if role is not None:
            add_membership(user, kcc, role, area=area)
        return user

    return make


@pytest.fixture
def dgs_member(make_user: MakeUser, dgs: Area) -> User:
    return make_user("dgs-manager", "stp-team-manager", dgs)


@pytest.fixture
def swale_member(make_user: MakeUser, swale: Area) -> User:
    return make_user("swale-manager", "stp-team-manager", swale)


@pytest.fixture
def west_kent_coordinator(make_user: MakeUser, west_kent: Area) -> User:
    return make_user("wk-coordinator", "discharge-coordinator", west_kent)


@pytest.fixture
def viewer(make_user: MakeUser) -> User:
    """Organisation-wide, but in a role no indicator lists in ``reported_by``."""
    return make_user("director", "director-asc")
