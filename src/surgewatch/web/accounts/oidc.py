"""Single sign-on: who a provider's person is here, and the roles their claims give them.

A person is found by the provider's subject (``sub``) in ``SsoIdentity``; the
first sign-in creates the account, named by ``preferred_username`` (or email),
unless a local account already has that name: that sign-in is refused, so the
provider can never take over an account it did not create.

Roles come from one claim (``OIDC_ROLES_CLAIM``, default ``groups``) listing
groups written ``organisation:role`` or ``organisation:role:area``, such as
``kcc-asch:stp-team-manager:dgs``. When the provider names groups otherwise
(Microsoft Entra ID sends object ids), ``OIDC_ROLE_MAP`` maps each provider
group to that form, and groups it does not list are ignored. A group naming an
unknown organisation, role (not in the organisation's pack, or ``viewer``) or
area is ignored and logged. At every sign-in the person's memberships become
exactly those the claims give: the provider is the source of truth for single
sign-on people, so removing someone from a group removes the role. Single
sign-on never makes anyone staff or superuser.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from mozilla_django_oidc.auth import (  # type: ignore[import-untyped]
    OIDCAuthenticationBackend,
)

from surgewatch.web.accounts.models import SsoIdentity, User
from surgewatch.web.orgs.models import Area, Membership, Organisation
from surgewatch.web.orgs.services import add_membership, check_membership

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Grant:
    """One role a claim gives: organisation, role and (optionally) area, by slug."""

    organisation: str
    role: str
    area: str | None = None


def parse_group(group: str, role_map: Mapping[str, str]) -> Grant | None:
    """A claim's group as a grant, through the map when there is one; None to ignore it."""
    text = role_map.get(group) if role_map else group
    if text is None:
        return None
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(parts):
        return None
    return Grant(parts[0], parts[1], parts[2] if len(parts) == 3 else None)


def grants_from_claims(claims: Mapping[str, Any]) -> list[Grant]:
    """The grants in the roles claim (a list of strings, or one string)."""
    value = claims.get(getattr(settings, "OIDC_ROLES_CLAIM", "groups"), [])
    groups = [value] if isinstance(value, str) else value
    if not isinstance(groups, list):
        return []
    role_map: Mapping[str, str] = getattr(settings, "OIDC_ROLE_MAP", {})
    parsed = (parse_group(g, role_map) for g in groups if isinstance(g, str))
    return [g for g in parsed if g is not None]


def sync_memberships(user: User, grants: Iterable[Grant]) -> list[Membership]:
    """Make ``user``'s memberships exactly the valid ``grants``; returns the ones kept or made.

    Memberships that stay are left alone (their deputy flag and notification
    choices with them); ones no grant names are removed.
    """
    with transaction.atomic():
        kept = [m for m in (_membership(user, g) for g in grants) if m is not None]
        stale = user.memberships.exclude(pk__in=[m.pk for m in kept])
        for membership in stale:
            log.info("single sign-on removed %s", membership)
        stale.delete()
    return kept


def _membership(user: User, grant: Grant) -> Membership | None:
    organisation = Organisation.objects.select_related("framework").filter(slug=grant.organisation)
    found = organisation.first()
    area = _area(found, grant.area) if found is not None else None
    if found is None or (grant.area is not None and area is None):
        log.warning("single sign-on ignored %s for %s: no such place", grant, user)
        return None
    existing = _held(user, found, grant.role, area).first()
    if existing is not None:
        return existing
    try:
        check_membership(found, grant.role, area)
    except ValidationError as problem:
        log.warning("single sign-on ignored %s for %s: %s", grant, user, problem.messages)
        return None
    return add_membership(user, found, grant.role, area=area)


def _area(organisation: Organisation, slug: str | None) -> Area | None:
    return organisation.areas.filter(slug=slug).first() if slug else None


def _held(
    user: User, organisation: Organisation, role: str, area: Area | None
) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, organisation=organisation, role=role, area=area)


class RoleMappingBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """mozilla-django-oidc's code flow, matching people by subject and mapping their roles."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Listed in AUTHENTICATION_BACKENDS only when single sign-on is on; the check keeps
        # a half-configured test or shell from failing every password sign-in.
        if getattr(settings, "OIDC_ENABLED", False):
            super().__init__(*args, **kwargs)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if not getattr(settings, "OIDC_ENABLED", False):
            return None
        user: User | None = super().authenticate(request, **kwargs)
        return user

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """The verified ID token's claims, with the userinfo endpoint's on top.

        Providers put the groups claim in one or the other.
        """
        userinfo = super().get_userinfo(access_token, id_token, payload)
        return {**payload, **userinfo, "sub": payload.get("sub")}

    def verify_claims(self, claims: Mapping[str, Any]) -> bool:
        return bool(claims.get("sub")) and bool(_wanted_username(claims))

    def filter_users_by_claims(self, claims: Mapping[str, Any]) -> QuerySet[User]:
        return User.objects.filter(sso_identity__subject=str(claims["sub"]))

    def create_user(self, claims: Mapping[str, Any]) -> User:
        username = _wanted_username(claims)
        if User.objects.filter(username__iexact=username).exists():
            raise SuspiciousOperation(
                f"single sign-on for '{username}' refused: a local account has that name; "
                "an administrator must rename or remove it first"
            )
        with transaction.atomic():
            # No password: the account signs in through the provider only.
            user = User.objects.create_user(username, email=claims.get("email", ""))
            now = timezone.now()
            SsoIdentity.objects.create(
                user=user, subject=str(claims["sub"]), linked_at=now, last_seen_at=now
            )
            return self.update_user(user, claims)

    def update_user(self, user: User, claims: Mapping[str, Any]) -> User:
        user.email = str(claims.get("email", user.email))
        user.first_name = str(claims.get("given_name", user.first_name))[:150]
        user.last_name = str(claims.get("family_name", user.last_name))[:150]
        user.save(update_fields=["email", "first_name", "last_name"])
        SsoIdentity.objects.filter(user=user).update(last_seen_at=timezone.now())
        sync_memberships(user, grants_from_claims(claims))
        return user


def _wanted_username(claims: Mapping[str, Any]) -> str:
    name = claims.get("preferred_username") or claims.get("email") or ""
    return str(name).strip()[:150]
