"""Every page against every kind of person: scope is checked on the server, per request.

Personas: nobody signed in; someone from another organisation (the acute
trust's site manager); the platform viewer; the Swale team manager (right role,
wrong area); the DGS team manager (in scope); the service manager (declares).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from surgewatch.web.accounts.models import User
from surgewatch.web.escalation.models import Declaration
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack
from surgewatch.web.reporting import imports
from surgewatch.web.reporting.models import ImportBatch, Reading
from surgewatch.web.reporting.services import submit_readings

MakeUser = Callable[..., User]
NINE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PERSONAS = ("anonymous", "outsider", "viewer", "swale", "dgs", "manager")


@dataclass(frozen=True)
class Page:
    name: str
    method: str
    allowed: frozenset[str]
    ok: int = 200
    # Someone else's import batch is not found rather than forbidden: its
    # token is the only thing naming it, and that says nothing to them.
    refused: int = 403

    def url(self, reading: Reading, batch: ImportBatch) -> str:
        args: dict[str, list[str | int]] = {
            "organisation": ["kcc-asch"],
            "declare": ["kcc-asch"],
            "system": ["kcc-asch"],
            "report": ["kcc-asch", "dgs"],
            "confirm": ["kcc-asch", "dgs"],
            "amend": [reading.pk],
            "indicator": ["kcc-asch", "dgs", "stp_staffing_pct"],
            "import": ["kcc-asch"],
            "import-preview": ["kcc-asch", batch.token],
        }
        return reverse(self.name, args=args.get(self.name, []))


READERS = frozenset({"outsider", "viewer", "swale", "dgs", "manager"})
KCC_READERS = READERS - {"outsider"}
PAGES = (
    Page("board", "get", READERS),
    Page("organisation", "get", KCC_READERS),
    Page("system", "get", KCC_READERS),
    Page("indicator", "get", KCC_READERS),
    Page("report", "get", frozenset({"dgs"})),
    Page("import", "get", frozenset({"dgs", "swale"})),
    Page("import-preview", "get", frozenset({"dgs"}), refused=404),
    Page("amend", "get", frozenset({"dgs"})),
    Page("declare", "post", frozenset({"manager"}), ok=302),
    Page("confirm", "post", frozenset({"dgs"}), ok=302),
)
POSTS = {"declare": {"level": "1", "reason": "testing scope"}, "confirm": {"observed_at": "x"}}


@pytest.fixture
def people(make_user: MakeUser, dgs: Area, swale: Area) -> dict[str, User | None]:
    install_pack("example-acute-trust")
    outsider = User.objects.create_user("site-manager", password="not-used")
    add_membership(outsider, organisation_by_slug("example-acute"), "site-manager")
    return {
        "anonymous": None,
        "outsider": outsider,
        "viewer": make_user("viewer", "viewer"),
        "swale": make_user("swale-manager", "stp-team-manager", swale),
        "dgs": make_user("dgs-manager", "stp-team-manager", dgs),
        "manager": make_user("service-manager", "stp-service-manager"),
    }


@pytest.fixture
def reading(people: dict[str, User | None], dgs: Area) -> Reading:
    reporter = people["dgs"]
    assert reporter is not None
    return submit_readings(reporter, dgs, {"stp_staffing_pct": 64}, NINE, now=NINE)[0]


@pytest.fixture
def batch(people: dict[str, User | None], kcc: Organisation) -> ImportBatch:
    reporter = people["dgs"]
    assert reporter is not None
    content = b"area,indicator,value,observed_at\ndgs,referrals,8,2026-01-05T08:50:00Z\n"
    return imports.stage(kcc, reporter, "readings.csv", content, NINE)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
@pytest.mark.parametrize("persona", PERSONAS)
def test_scope(
    page: Page,
    persona: str,
    people: dict[str, User | None],
    reading: Reading,
    batch: ImportBatch,
) -> None:
    client = Client()
    user = people[persona]
    if user is not None:
        client.force_login(user)
    send = client.post if page.method == "post" else client.get
    response = send(page.url(reading, batch), POSTS.get(page.name, {}))
    if user is None:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif persona in page.allowed:
        assert response.status_code == page.ok
    else:
        assert response.status_code == page.refused


def test_refused_writes_change_nothing(people: dict[str, User | None], reading: Reading) -> None:
    for persona in ("outsider", "viewer", "swale", "dgs"):
        client = Client()
        user = people[persona]
        assert user is not None
        client.force_login(user)
        client.post(reverse("declare", args=["kcc-asch"]), {"level": "4", "reason": "x"})
        if persona != "dgs":
            client.post(reverse("amend", args=[reading.pk]), {"value": "1", "reason": "x"})
    assert Declaration.objects.count() == 0
    assert Reading.objects.count() == 1


def test_an_unknown_organisation_is_not_found(people: dict[str, User | None]) -> None:
    client = Client()
    user = people["manager"]
    assert user is not None
    client.force_login(user)
    assert client.get(reverse("organisation", args=["nowhere"])).status_code == 404
    assert client.get(reverse("report", args=["kcc-asch", "nowhere"])).status_code == 404


def test_the_outsider_board_shows_only_their_own_trust(
    people: dict[str, User | None], kcc: Organisation
) -> None:
    client = Client()
    user = people["outsider"]
    assert user is not None
    client.force_login(user)
    page = client.get(reverse("board")).content.decode()
    assert kcc.name not in page
