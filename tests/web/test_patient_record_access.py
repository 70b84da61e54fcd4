"""Who may open patient-level records (issue 7, 'Security'): the pack's
``sees_patient_records`` roles, in the areas they hold the role for, and nobody else."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from surgewatch.core.pack import Role
from surgewatch.web.accounts.models import User
from surgewatch.web.audit import capture, context
from surgewatch.web.audit.models import AuditAction, AuditEntry
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.permissions import (
    may_see_patient_records,
    patient_record_areas,
    patient_record_roles,
)

MakeUser = Callable[..., User]


def test_the_kent_pack_names_the_case_working_roles(kcc: Organisation) -> None:
    assert patient_record_roles(kcc) == {
        "stp-service-manager",
        "stp-team-manager",
        "discharge-coordinator",
        "arranging-support-team",
        "community-team-manager",
        "access-to-resources-manager",
    }


def test_an_area_role_opens_its_own_area_only(
    dgs_member: User, dgs: Area, swale: Area, kcc: Organisation
) -> None:
    assert may_see_patient_records(dgs_member, dgs)
    assert not may_see_patient_records(dgs_member, swale)
    assert patient_record_areas(dgs_member, kcc) == [dgs]


def test_an_organisation_wide_role_opens_every_area(
    make_user: MakeUser, kcc: Organisation, dgs: Area, swale: Area
) -> None:
    manager = make_user("service-manager", "stp-service-manager")
    assert may_see_patient_records(manager, dgs)
    assert may_see_patient_records(manager, swale)


@pytest.mark.parametrize("role", ["director-asc", "viewer", "keah-locality-organiser"])
def test_other_roles_see_counts_only(make_user: MakeUser, dgs: Area, role: str) -> None:
    assert not may_see_patient_records(make_user(f"someone-{role}", role, dgs), dgs)


def test_a_superuser_is_not_in_the_care_team(dgs: Area) -> None:
    admin = User.objects.create_superuser("root", password="x-long-enough-password")
    assert not may_see_patient_records(admin, dgs)


def test_a_role_without_the_flag_stays_closed() -> None:
    assert Role(id="someone", name="Someone").sees_patient_records is False


def test_a_read_of_patient_records_is_logged_with_who(dgs: Area) -> None:
    with context.acting_as("command:case-export"):
        capture.viewed([dgs])
    logged = AuditEntry.objects.get(action=AuditAction.VIEWED)
    assert (logged.actor, logged.model, logged.object_id) == (
        "command:case-export",
        "orgs.area",
        str(dgs.pk),
    )


def test_reading_nothing_logs_nothing(db: None) -> None:
    capture.viewed([])
    assert not AuditEntry.objects.filter(action=AuditAction.VIEWED).exists()
