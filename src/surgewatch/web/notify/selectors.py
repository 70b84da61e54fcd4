"""Named reads: who holds a role, where each person wants a role's messages, the outbox."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from surgewatch.web.accounts.models import User
from surgewatch.web.notify.models import Channel, Kind, Message, Preference, Status
from surgewatch.web.orgs.models import Area, Membership, Organisation
from surgewatch.web.orgs.packs import pack_of


@dataclass(frozen=True)
class Destination:
    """Where one message goes: a registered channel, the account email, or nowhere."""

    kind: str
    target: str
    channel: Channel | None = None


def role_memberships(
    organisation: Organisation, role: str, area: Area | None
) -> QuerySet[Membership]:
    """Active people holding ``role``, deputies included: organisation-wide memberships plus
    those in ``area``, or in every area when ``area`` is None (issue 4, ``notify_role``)."""
    held = Membership.objects.filter(organisation=organisation, role=role, user__is_active=True)
    if area is not None:
        held = held.filter(Q(area__isnull=True) | Q(area=area))
    return held.select_related("user").order_by("user__username", "pk")


def user_memberships(user: User, organisation: Organisation, role: str) -> list[Membership]:
    return list(Membership.objects.filter(user=user, organisation=organisation, role=role))


def destinations(user: User, memberships: Iterable[Membership]) -> list[Destination]:
    """Each membership's ticked channels, or the account email when none is ticked.

    Issue 4: a person chooses channels per role membership; having chosen
    nothing means email to their account address. Someone with neither gets
    one 'nowhere' destination, so the failure is recorded, not dropped.
    """
    held = list(memberships)
    chosen = _chosen_channels([m.pk for m in held])
    found: dict[tuple[str, str], Destination] = {}
    # Holding no matching membership at all counts as having chosen nothing.
    for picked in [chosen.get(m.pk, []) for m in held] or [[]]:
        for destination in [_to(c) for c in picked] or [account_email(user)]:
            found.setdefault((destination.kind, destination.target), destination)
    reachable = [d for d in found.values() if d.kind != Kind.NONE]
    return reachable or [account_email(user)]


def account_email(user: User) -> Destination:
    return Destination(Kind.EMAIL, user.email) if user.email else Destination(Kind.NONE, "")


def _chosen_channels(membership_ids: list[int]) -> dict[int, list[Channel]]:
    grouped: dict[int, list[Channel]] = defaultdict(list)
    ticked = Preference.objects.filter(membership_id__in=membership_ids).select_related("channel")
    for preference in ticked.order_by("channel__pk"):
        grouped[preference.membership_id].append(preference.channel)
    return grouped


def _to(channel: Channel) -> Destination:
    return Destination(channel.kind, channel.target, channel)


def outbox(viewer: User, status: str = "") -> QuerySet[Message]:
    """Failed first. A superuser sees every message; anyone else only their own."""
    messages = Message.objects.failed_first()
    if not viewer.is_superuser:
        messages = messages.filter(recipient=viewer)
    if status in Status.values:
        messages = messages.filter(status=status)
    return messages


def visible_message(viewer: User, message_id: int) -> Message | None:
    return outbox(viewer).filter(pk=message_id).first()


def memberships_with_names(user: User) -> list[tuple[Membership, str]]:
    """The person's role memberships, each with the words a page shows for it."""
    held = user.memberships.select_related("organisation__framework", "area")
    return [(m, membership_name(m)) for m in held.order_by("organisation__name", "role", "pk")]


def membership_name(membership: Membership) -> str:
    roles = {r.id: r.name for r in pack_of(membership.organisation.framework).roles}
    where = membership.organisation.name
    if membership.area:
        where = f"{membership.area.name}, {where}"
    deputy = " (deputy)" if membership.is_deputy else ""
    return f"{roles.get(membership.role, membership.role)}{deputy}, {where}"
