"""The load suite's cast, made through the ORM and the apps' own services.

Each load organisation runs the illustrative acute pack (its two sites, six
indicators and three roles). Its site user holds site-manager and
bed-manager, so one feed token reports every indicator and may declare the
level; its director on call takes notifications by webhook, the others by
email, so both receivers carry traffic. Viewers each watch a handful of
organisations on the board through a signed-in session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction

from surgewatch.web.accounts.models import User
from surgewatch.web.api.services import issue_token
from surgewatch.web.notify.models import Kind
from surgewatch.web.notify.services import add_channel, choose_channels
from surgewatch.web.orgs.models import Area, Framework, Organisation
from surgewatch.web.orgs.packs import pack_of
from surgewatch.web.orgs.services import VIEWER_ROLE, add_membership, install_pack

PACK = "example-acute-trust"
ORGS_PER_VIEWER = 5


@dataclass(frozen=True)
class Feed:
    """One organisation's reporting feed: its slug and the bearer token it posts with."""

    organisation: str
    token: str


@dataclass(frozen=True)
class Cast:
    feeds: list[Feed]
    sessions: list[str]  # session cookie values, one per board viewer


def make_cast(organisations: int, viewers: int, webhook_url: str, now: datetime) -> Cast:
    """Create ``organisations`` load organisations with their people, and ``viewers`` sessions."""
    with transaction.atomic():
        framework = install_pack(PACK, now=now)
        feeds = [_organisation(i, framework, webhook_url, now) for i in range(organisations)]
        sessions = [_viewer(v, feeds) for v in range(viewers)]
    return Cast(feeds, sessions)


def _organisation(index: int, framework: Framework, webhook_url: str, now: datetime) -> Feed:
    slug = f"load-{index:03d}"
    org = Organisation.objects.create(
        slug=slug, name=f"Load trust {index:03d}", framework=framework
    )
    pack = pack_of(org.framework)
    Area.objects.bulk_create(
        Area(organisation=org, slug=a.id, name=a.name) for a in pack.organisation.areas
    )
    site = _user(f"{slug}-site")
    add_membership(site, org, "site-manager")
    add_membership(site, org, "bed-manager")
    director = _user(f"{slug}-director")
    on_call = add_membership(director, org, "director-on-call")
    hook = add_channel(director, Kind.WEBHOOK, f"{webhook_url}/{director.username}", now)
    choose_channels(director, {on_call.pk: [hook.pk]})
    _, plaintext = issue_token(site, f"{slug} load feed", now=now)
    return Feed(slug, plaintext)


def _user(username: str) -> User:
    user = User(username=username, email=f"{username}@load.invalid")
    user.set_unusable_password()  # nobody signs in as a feed; sessions are made directly
    user.save()
    return user


def _viewer(index: int, feeds: list[Feed]) -> str:
    """A viewer of a few organisations, signed in as a session row (no password round trip)."""
    user = _user(f"load-viewer-{index:02d}")
    for feed in feeds[index * ORGS_PER_VIEWER : (index + 1) * ORGS_PER_VIEWER] or feeds[:1]:
        add_membership(user, Organisation.objects.get(slug=feed.organisation), VIEWER_ROLE)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    assert session.session_key is not None
    return session.session_key
