"""Demonstration logins: one person per role that reports, declares or looks.

Roles are the packs' own (``reported_by`` and ``declares_level`` in
kent-ascch and example-acute-trust), plus the platform's ``viewer`` and a
superuser. Every login shares one password, printed on screen: this is
demonstration data, never a real deployment's accounts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from surgewatch.core.bands import BandTable, CellStatus
from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.services import VIEWER_ROLE, add_membership

DEMO_PASSWORD = "winter-demo-2026"
KENT = "kcc-asch"
ACUTE = "example-acute"

Cell = tuple[str, str]  # (indicator id, area slug)


@dataclass(frozen=True)
class Grant:
    """A role held in an organisation, in one area or (``area`` None) organisation-wide."""

    organisation: str
    role: str
    area: str | None = None


@dataclass(frozen=True)
class Persona:
    username: str
    does: str
    grants: tuple[Grant, ...] = ()
    superuser: bool = False


def _one(
    username: str, does: str, organisation: str, role: str, area: str | None = None
) -> Persona:
    return Persona(username, does, (Grant(organisation, role, area),))


PERSONAS: tuple[Persona, ...] = (
    _one("dgs-team-manager", "reports DGS indicators", KENT, "stp-team-manager", "dgs"),
    _one("ek-team-manager", "reports East Kent indicators", KENT, "stp-team-manager", "east-kent"),
    _one("swale-team-manager", "reports Swale indicators", KENT, "stp-team-manager", "swale"),
    _one("wk-team-manager", "reports West Kent, with D2A", KENT, "stp-team-manager", "west-kent"),
    _one(
        "wk-coordinator",
        "reports West Kent indicators",
        KENT,
        "discharge-coordinator",
        "west-kent",
    ),
    _one("arranging-support", "reports county beds", KENT, "arranging-support-team"),
    _one("keah-organiser", "reports KEaH daily capacity", KENT, "keah-locality-organiser"),
    _one("service-manager", "declares Kent's OPEL level", KENT, "stp-service-manager"),
    _one("director", "reads Kent, reports nothing", KENT, "director-asc"),
    _one("site-a-manager", "reports Site A ED and flow", ACUTE, "site-manager", "site-a"),
    _one("site-b-manager", "reports Site B ED and flow", ACUTE, "site-manager", "site-b"),
    _one("site-a-bed-manager", "reports Site A beds", ACUTE, "bed-manager", "site-a"),
    _one("site-b-bed-manager", "reports Site B beds", ACUTE, "bed-manager", "site-b"),
    _one("director-on-call", "declares the trust's level", ACUTE, "director-on-call"),
    Persona(
        "viewer",
        "reads both, changes nothing",
        (Grant(KENT, VIEWER_ROLE), Grant(ACUTE, VIEWER_ROLE)),
    ),
    Persona("admin", "administers, sees everything", superuser=True),
)

# Who declares each organisation's level in the demonstration history.
DECLARERS = {KENT: "service-manager", ACUTE: "director-on-call"}


def ensure_personas(organisations: Mapping[str, Organisation]) -> dict[str, User]:
    """Create every demo login that does not exist yet, and grant its roles; idempotent.

    The password is hashed once and shared: hashing it per user at full
    strength would take most of the seeding time.
    """
    encoded = make_password(DEMO_PASSWORD)
    users = {p.username: _user(p, encoded) for p in PERSONAS}
    for persona in PERSONAS:
        for grant in persona.grants:
            organisation = organisations[grant.organisation]
            area = organisation.areas.get(slug=grant.area) if grant.area else None
            add_membership(users[persona.username], organisation, grant.role, area=area)
    return users


def _user(persona: Persona, encoded: str) -> User:
    user = User.objects.filter(username=persona.username).first()
    if user is not None:
        return user
    make = User.objects.create_superuser if persona.superuser else User.objects.create_user
    # A reserved domain (RFC 2606): the demo's emails print in the worker's log.
    email = f"{persona.username}@demo.invalid"
    user = make(username=persona.username, email=email, password=None)
    user.password = encoded
    user.save(update_fields=["password"])
    return user


def reporters(
    organisation: str, table: BandTable, reported_by: Mapping[str, Sequence[str]]
) -> dict[Cell, list[str]]:
    """For each monitored cell, the demo logins whose roles may report it.

    ``reported_by`` maps indicator id to the pack roles that report it; a
    grant covers a cell when its role is listed and its area is the cell's
    (or it is organisation-wide), as :mod:`surgewatch.web.orgs.permissions` rules.
    """
    cast: dict[Cell, list[str]] = {}
    for cell in table.cells:
        if cell.status is CellStatus.NOT_MONITORED:
            continue
        key = (cell.indicator.id, cell.area)
        cast[key] = [
            p.username
            for p in PERSONAS
            if any(_covers(g, organisation, reported_by[key[0]], key[1]) for g in p.grants)
        ]
    return cast


def _covers(grant: Grant, organisation: str, roles: Sequence[str], area: str) -> bool:
    in_scope = grant.area is None or grant.area == area
    return grant.organisation == organisation and grant.role in roles and in_scope
