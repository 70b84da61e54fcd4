"""Installing packs creates organisations and areas once; memberships use the pack's roles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from surgewatch.core.loader import resolve_pack_path
from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Area, Framework, Membership, Organisation
from surgewatch.web.orgs.selectors import roles_in_area
from surgewatch.web.orgs.services import PackVersionError, add_membership, install_pack

MakeUser = Callable[..., User]
INSTALLED_AT = datetime(2026, 1, 4, 18, 0, tzinfo=UTC)  # as the kcc fixture installs it

KENT_TEXT = resolve_pack_path("kent-ascch").read_text(encoding="utf-8")


def _variant(tmp_path: Path, version: str, *edits: tuple[str, str]) -> Path:
    text = KENT_TEXT.replace('version: "1.8"', f'version: "{version}"')
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / f"kent-{version}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_install_creates_the_framework_organisation_and_areas(kcc: Organisation) -> None:
    framework = kcc.framework
    assert (framework.pack_id, framework.version) == ("kent-ascch", "1.8")
    assert framework.yaml_text == KENT_TEXT
    assert framework.loaded_at == INSTALLED_AT
    assert kcc.name == "Kent County Council Adult Social Care and Health"
    slugs = list(kcc.areas.order_by("slug").values_list("slug", flat=True))
    assert slugs == ["county", "dgs", "east-kent", "swale", "west-kent"]


def test_install_is_idempotent(kcc: Organisation) -> None:
    again = install_pack("kent-ascch")
    assert again.pk == kcc.framework.pk
    assert again.loaded_at == INSTALLED_AT
    assert (Framework.objects.count(), Organisation.objects.count(), Area.objects.count()) == (
        1,
        1,
        5,
    )


def test_new_version_renames_in_place_and_retires_dropped_areas(
    kcc: Organisation, tmp_path: Path
) -> None:
    path = _variant(
        tmp_path,
        "1.9",
        ("{id: east-kent, name: East Kent}", "{id: east-kent, name: East Kent HCP}"),
        ("    - {id: county, name: Kent county-wide}\n", ""),
        ("      county: no_thresholds\n", "      dgs: no_thresholds\n"),
        ("      county: {1: [5, 6]", "      dgs: {1: [5, 6]"),
    )
    framework = install_pack(path)
    kcc.refresh_from_db()
    assert kcc.framework == framework
    assert framework.version == "1.9"
    assert Framework.objects.count() == 2
    assert kcc.areas.get(slug="east-kent").name == "East Kent HCP"
    assert kcc.areas.count() == 5
    assert list(kcc.areas.filter(active=False).values_list("slug", flat=True)) == ["county"]


def test_changed_content_under_the_same_version_is_refused(
    kcc: Organisation, tmp_path: Path
) -> None:
    path = _variant(tmp_path, "1.8", ("name: East Kent}", "name: Somewhere Else}"))
    with pytest.raises(PackVersionError, match=r"version 1\.8 .* raise the pack's version"):
        install_pack(path)
    assert kcc.areas.get(slug="east-kent").name == "East Kent"


def test_membership_needs_a_role_from_the_pack(kcc: Organisation, make_user: MakeUser) -> None:
    user = make_user("someone")
    with pytest.raises(ValidationError) as caught:
        add_membership(user, kcc, "chief-wizard")
    assert list(caught.value.message_dict) == ["role"]
    assert "unknown role 'chief-wizard'" in caught.value.message_dict["role"][0]
    assert Membership.objects.filter(user=user).count() == 0


def test_membership_is_granted_once(kcc: Organisation, dgs: Area, dgs_member: User) -> None:
    add_membership(dgs_member, kcc, "stp-team-manager", area=dgs, is_deputy=True)
    membership = Membership.objects.get(user=dgs_member)
    assert (membership.area, membership.role, membership.is_deputy) == (
        dgs,
        "stp-team-manager",
        True,
    )


def test_roles_cover_the_area_and_the_whole_organisation(
    make_user: MakeUser, kcc: Organisation, dgs: Area, swale: Area
) -> None:
    user = make_user("both", "stp-team-manager", dgs)
    add_membership(user, kcc, "arranging-support-team")
    assert roles_in_area(user, dgs) == {"stp-team-manager", "arranging-support-team"}
    assert roles_in_area(user, swale) == {"arranging-support-team"}
