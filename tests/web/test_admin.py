"""Administrators configure organisations and roles in Django admin; records stay read-only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Area, Membership, Organisation
from surgewatch.web.reporting.models import Reading
from surgewatch.web.reporting.services import submit_readings

NINE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def admin_client_for(kcc: Organisation) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("admin", password="not-used"))
    return client


@pytest.mark.parametrize(
    "model",
    [
        "accounts/user",
        "orgs/organisation",
        "orgs/area",
        "orgs/membership",
        "orgs/framework",
        "reporting/reading",
        "escalation/declaration",
    ],
)
def test_every_record_has_an_admin_list(admin_client_for: Client, model: str) -> None:
    assert admin_client_for.get(f"/admin/{model}/").status_code == 200


def test_a_membership_with_a_role_the_pack_lacks_is_refused(
    admin_client_for: Client, kcc: Organisation, dgs: Area
) -> None:
    user = User.objects.create_user("newcomer", password="not-used")
    form = {"user": user.pk, "organisation": kcc.pk, "area": dgs.pk, "role": "wizard"}
    response = admin_client_for.post(reverse("admin:orgs_membership_add"), form)
    assert response.status_code == 200
    assert "unknown role &#x27;wizard&#x27;" in response.content.decode()
    assert Membership.objects.filter(user=user).count() == 0
    form["role"] = "stp-team-manager"
    assert admin_client_for.post(reverse("admin:orgs_membership_add"), form).status_code == 302
    assert Membership.objects.get(user=user).role == "stp-team-manager"


def test_readings_cannot_be_changed_or_deleted_in_admin(
    admin_client_for: Client, dgs_member: User, dgs: Area
) -> None:
    reading = submit_readings(dgs_member, dgs, {"stp_staffing_pct": 64}, NINE, now=NINE)[0]
    url = reverse("admin:reporting_reading_delete", args=[reading.pk])
    assert admin_client_for.post(url, {"post": "yes"}).status_code == 403
    assert Reading.objects.filter(pk=reading.pk).exists()
