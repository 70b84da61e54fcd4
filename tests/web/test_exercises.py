"""The exercise page (issue 7): runs a script on the organisation's rules, shows the
timeline, and changes no live table and sends nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from surgewatch.web.accounts.models import User
from surgewatch.web.actions.services import refresh_level
from surgewatch.web.exercises.models import ExerciseRun
from surgewatch.web.notify.models import Message
from surgewatch.web.notify.services import add_channel, choose_channels
from surgewatch.web.orgs.models import Area, Membership, Organisation
from surgewatch.web.reporting.services import submit_readings

NOW = datetime(2026, 1, 5, 11, 30, tzinfo=UTC)
EXAMPLE = "mtw-opel4-2024-07-24.yaml"
SCRIPT = (Path(__file__).parents[2] / "examples" / "exercises" / EXAMPLE).read_text()
# Not counted: the exercise's own record, and the audit log that records it.
OWN = {"exercises.exerciserun", "audit.auditentry"}
MakeUser = Callable[..., User]


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def declarer(make_user: MakeUser, kcc: Organisation) -> User:
    return make_user("service-manager", "stp-service-manager")


@pytest.fixture
def live(kcc: Organisation, dgs: Area, dgs_member: User, declarer: User) -> None:
    """Live state an exercise must not touch: readings, a level, cards, deadlines, a message."""
    submit_readings(dgs_member, dgs, {"stp_staffing_pct": 45, "health_caseload": 70}, NOW, now=NOW)
    refresh_level(kcc, NOW)
    assert Message.objects.exists()  # the live level change told people


def _counts() -> dict[str, int]:
    return {
        m._meta.label_lower: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.label_lower not in OWN
    }


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url() -> str:
    return reverse("exercises", args=["kcc-asch"])


@pytest.mark.django_db(transaction=True)
def test_running_an_exercise_changes_no_live_table_and_sends_nothing(
    live: None, declarer: User
) -> None:
    client = _client(declarer)  # signing in writes a session row: before counting
    before, messages = _counts(), list(Message.objects.values_list("pk", "status"))
    response = client.post(_url(), {"example": EXAMPLE})
    assert response.status_code == 302
    assert _counts() == before
    assert list(Message.objects.values_list("pk", "status")) == messages
    run = ExerciseRun.objects.get()
    assert (run.pack_id, run.run_by, run.source) == ("kent-ascch", declarer, "example")
    levels = [e["level"] for e in run.result["events"] if e["kind"] == "level" and not e["area"]]
    assert levels == [2, 3, 4, 3, 2]
    assert run.result["sent"] is False


def test_the_timeline_shows_levels_as_words_and_the_notifications_not_sent(
    kcc: Organisation, declarer: User
) -> None:
    client = _client(declarer)
    response = client.post(_url(), {"example": EXAMPLE})
    run = ExerciseRun.objects.get()
    assert response["Location"] == f"{_url()}?run={run.pk}#timeline"
    page = client.get(f"{_url()}?run={run.pk}").content.decode()
    assert "OPEL 4 · Black" in page
    assert "Notification (not sent)" in page
    assert "Extra-ordinary Practice Assurance Panel" in page
    assert "Illustrative" in page


def test_notifications_name_the_channels_the_roles_holders_chose(
    kcc: Organisation, declarer: User
) -> None:
    channel = add_channel(declarer, "sms", "+447700900123", NOW)
    membership = Membership.objects.get(user=declarer, organisation=kcc)
    choose_channels(declarer, {membership.pk: [channel.pk]})
    _client(declarer).post(_url(), {"example": EXAMPLE})
    told = {
        (e["role"], e["channel"])
        for e in ExerciseRun.objects.get().result["events"]
        if e["kind"] == "notification"
    }
    assert ("stp-service-manager", "sms") in told
    assert ("stp-service-manager", "email") not in told
    assert ("director-asc", "none") in told  # nobody holds it here: nobody would hear


def test_a_bad_upload_names_every_problem_and_stores_nothing(
    kcc: Organisation, declarer: User
) -> None:
    bad = SCRIPT.replace("indicator: referrals, value: 23", "indicator: referals, value: 23")
    bad = bad.replace("value: 62}", "value: 620}")
    upload = SimpleUploadedFile("drill.yaml", bad.encode())
    response = _client(declarer).post(_url(), {"script_file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "unknown indicator &#x27;referals&#x27;" in page
    assert "620 is impossible for &#x27;stp_staffing_pct&#x27;" in page
    assert not ExerciseRun.objects.exists()


def test_a_script_for_another_pack_is_refused(kcc: Organisation, declarer: User) -> None:
    upload = SimpleUploadedFile(
        "other.yaml", SCRIPT.replace("pack: kent-ascch", "pack: x").encode()
    )
    response = _client(declarer).post(_url(), {"script_file": upload})
    assert response.status_code == 400
    assert "this organisation runs &#x27;kent-ascch&#x27;; fix: pack: kent-ascch" in (
        response.content.decode()
    )
    assert not ExerciseRun.objects.exists()


def test_choose_one_script(kcc: Organisation, declarer: User) -> None:
    response = _client(declarer).post(_url(), {})
    assert response.status_code == 400
    assert "Choose a shipped example or upload a script" in response.content.decode()


def test_a_viewer_reads_but_may_not_run(kcc: Organisation, make_user: MakeUser) -> None:
    viewer = make_user("viewer", "viewer")
    client = _client(viewer)
    assert client.get(_url()).status_code == 200
    assert "Run exercise" not in client.get(_url()).content.decode()
    assert client.post(_url(), {"example": EXAMPLE}).status_code == 403
    assert not ExerciseRun.objects.exists()


def test_another_organisations_run_is_not_found(kcc: Organisation, declarer: User) -> None:
    _client(declarer).post(_url(), {"example": EXAMPLE})
    run = ExerciseRun.objects.get()
    admin = User.objects.create_superuser("admin", password="not-used")
    from surgewatch.web.orgs.services import install_pack

    install_pack("example-acute-trust", now=NOW)
    other = reverse("exercises", args=["example-acute"])
    assert _client(admin).get(f"{other}?run={run.pk}").status_code == 404
    assert _client(admin).get(f"{_url()}?run=abc").status_code == 404


def test_the_organisation_page_links_here(kcc: Organisation, declarer: User) -> None:
    page = _client(declarer).get(reverse("organisation", args=["kcc-asch"])).content.decode()
    assert f'href="{_url()}"' in page


def test_a_script_too_long_to_run_in_the_request_is_refused(
    kcc: Organisation, declarer: User
) -> None:
    row = "  - {at: +1h, area: west-kent, indicator: referrals, value: 3}\n"
    text = "title: long\npack: kent-ascch\nstart: 2025-01-06T08:00\nreadings:\n" + row * 3001
    upload = SimpleUploadedFile("long.yaml", text.encode())
    response = _client(declarer).post(_url(), {"script_file": upload})
    assert response.status_code == 400
    assert "too many entries to run here" in response.content.decode()
    assert not ExerciseRun.objects.exists()
