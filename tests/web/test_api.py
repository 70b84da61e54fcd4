"""The REST API: token scope, bulk readings, idempotency, reads, errors, the OpenAPI document.

Rules under test: a token acts with its user's memberships (the web's own
permission functions); a batch is stored whole or not at all, levels from the
engine (DESIGN.md 'Band semantics'); every refusal is JSON naming the row and
field, never a 500. The clock is pinned with time-machine; times are explicit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from surgewatch.web.accounts.models import User
from surgewatch.web.api import idempotency
from surgewatch.web.api.models import ApiToken, IdempotencyRecord
from surgewatch.web.api.schemas import ReadingsOut
from surgewatch.web.api.services import hash_token, issue_token, revoke_token, user_for_token
from surgewatch.web.escalation.models import Declaration
from surgewatch.web.escalation.services import declare_level
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.reporting.models import CurrentReading, Reading
from surgewatch.web.reporting.services import amend_reading, confirm_no_change, submit_readings

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
EIGHT, NINE = datetime(2026, 1, 5, 8, 0, tzinfo=UTC), datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ORG = "/api/organisations/kcc-asch"
HISTORY = f"{ORG}/areas/dgs/indicators/stp_staffing_pct/history"

MakeUser = Callable[..., User]
Json = dict[str, Any]


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def row(
    indicator: str = "stp_staffing_pct",
    value: float = 55,
    area: str = "dgs",
    at: str = "2026-01-05T09:00:00Z",
    organisation: str = "kcc-asch",
) -> Json:
    return {
        "organisation": organisation,
        "area": area,
        "indicator": indicator,
        "value": value,
        "observed_at": at,
    }


def client_for(user: User | None) -> Client:
    if user is None:
        return Client()
    _, plaintext = issue_token(user, "tests")
    return Client(headers={"Authorization": f"Bearer {plaintext}"})


def post(client: Client, path: str, body: Any, **headers: str) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(path, data, content_type="application/json", headers=headers)


def post_rows(client: Client, *rows: Json, **headers: str) -> Any:
    return post(client, "/api/readings", {"readings": list(rows)}, **headers)


def locs(response: Any) -> list[list[str | int]]:
    return [item["loc"] for item in response.json()["detail"]]


def saved() -> tuple[int, int]:
    return Reading.objects.count(), CurrentReading.objects.count()


@pytest.fixture
def member(dgs_member: User) -> Client:
    return client_for(dgs_member)


@pytest.fixture
def declarer(make_user: MakeUser) -> User:
    return make_user("stp-service-manager", "stp-service-manager")


# --- every endpoint x every persona ---------------------------------------------------

PERSONAS = (
    "anonymous",
    "revoked",
    "dgs_member",
    "swale_member",
    "keah_organiser",
    "viewer",
    "outsider",
    "declarer",
)
ENDPOINTS: dict[str, tuple[str, str, Json | None]] = {
    "submit": ("post", "/api/readings", {"readings": [row()]}),
    "organisations": ("get", "/api/organisations", None),
    "status": ("get", f"{ORG}/status", None),
    "history": ("get", HISTORY, None),
    "declarations": ("get", f"{ORG}/declarations", None),
    "declare": ("post", f"{ORG}/declarations", {"level": 1, "reason": "exercise"}),
}
NO_TOKEN = {"anonymous": 401, "revoked": 401}
READERS = {"dgs_member": 200, "swale_member": 200, "keah_organiser": 200, "viewer": 200}
EXPECTED: dict[str, dict[str, int]] = {
    # Only the DGS team reports DGS staffing; the others hold roles elsewhere or none.
    "submit": {**NO_TOKEN, **dict.fromkeys(PERSONAS[3:], 403), "dgs_member": 201},
    # The list is filtered, never refused: an outsider sees an empty list.
    "organisations": {**NO_TOKEN, **READERS, "outsider": 200, "declarer": 200},
    "status": {**NO_TOKEN, **READERS, "outsider": 403, "declarer": 200},
    "history": {**NO_TOKEN, **READERS, "outsider": 403, "declarer": 200},
    "declarations": {**NO_TOKEN, **READERS, "outsider": 403, "declarer": 200},
    # Seed 000, section 8: only the role marked declares_level declares.
    "declare": {**NO_TOKEN, **dict.fromkeys(PERSONAS[2:], 403), "declarer": 201},
}


@pytest.fixture
def persona_clients(
    dgs_member: User,
    swale_member: User,
    viewer: User,
    declarer: User,
    make_user: MakeUser,
    kcc: Organisation,
) -> dict[str, Client]:
    revoked_user = make_user("revoked-manager", "stp-team-manager", kcc.areas.get(slug="dgs"))
    revoked, plaintext = issue_token(revoked_user, "old feed")
    revoke_token(revoked)
    return {
        "anonymous": client_for(None),
        "revoked": Client(headers={"Authorization": f"Bearer {plaintext}"}),
        "dgs_member": client_for(dgs_member),
        "swale_member": client_for(swale_member),
        "keah_organiser": client_for(make_user("keah", "keah-locality-organiser")),
        "viewer": client_for(viewer),
        "outsider": client_for(make_user("outsider")),
        "declarer": client_for(declarer),
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_each_endpoint_answers_each_persona_with_the_right_status(
    persona_clients: dict[str, Client], endpoint: str, persona: str
) -> None:
    method, path, body = ENDPOINTS[endpoint]
    client = persona_clients[persona]
    response = post(client, path, body) if method == "post" else client.get(path)
    assert response.status_code == EXPECTED[endpoint][persona], response.content
    assert response["Content-Type"].startswith("application/json")
    if response.status_code in (401, 403):
        assert isinstance(response.json()["detail"], str)


def test_the_outsider_sees_no_organisations(make_user: MakeUser) -> None:
    assert client_for(make_user("outsider")).get("/api/organisations").json() == []


def test_a_refusal_without_a_token_says_how_to_authenticate() -> None:
    response = Client().get("/api/organisations")
    assert response["WWW-Authenticate"] == 'Bearer realm="surgewatch"'
    assert "Authorization: Bearer" in response.json()["detail"]


@pytest.mark.parametrize(
    "header", ["", "Bearer", "Bearer ", "Basic abc", "Bearer sw_not-a-token", "Bearer x" * 100]
)
def test_a_malformed_or_unknown_token_is_401(dgs_member: User, header: str) -> None:
    response = Client(headers={"Authorization": header}).get("/api/organisations")
    assert response.status_code == 401


def test_a_deactivated_user_token_stops_working(dgs_member: User) -> None:
    client = client_for(dgs_member)
    dgs_member.is_active = False
    dgs_member.save()
    assert client.get("/api/organisations").status_code == 401


# --- tokens ---------------------------------------------------------------------------


def test_a_token_is_stored_only_as_its_hash_and_shown_once(dgs_member: User) -> None:
    token, plaintext = issue_token(dgs_member, " DGS feed ", now=NOW)
    assert plaintext.startswith("sw_") and len(plaintext) == 46
    assert (token.name, token.key_sha256, token.created_at) == (
        "DGS feed",
        hash_token(plaintext),
        NOW,
    )
    stored = ApiToken.objects.values_list(flat=True).filter(pk=token.pk)
    assert plaintext not in json.dumps(
        list(ApiToken.objects.values().filter(pk=token.pk)), default=str
    )
    assert list(stored) == [token.pk]


def test_using_a_token_notes_when_but_at_most_once_a_minute(dgs_member: User) -> None:
    token, plaintext = issue_token(dgs_member, "feed", now=NOW)
    assert user_for_token(plaintext, now=NOW) == dgs_member
    assert user_for_token(plaintext, now=NOW + timedelta(seconds=30)) == dgs_member
    token.refresh_from_db()
    assert token.last_used_at == NOW
    user_for_token(plaintext, now=NOW + timedelta(minutes=2))
    token.refresh_from_db()
    assert token.last_used_at == NOW + timedelta(minutes=2)


def test_revoking_is_idempotent_and_keeps_the_row(dgs_member: User) -> None:
    token, plaintext = issue_token(dgs_member, "feed", now=NOW)
    revoke_token(token, now=NOW)
    revoke_token(token, now=NOW + timedelta(days=1))
    token.refresh_from_db()
    assert (token.revoked_at, token.is_revoked) == (NOW, True)
    assert user_for_token(plaintext, now=NOW) is None


def test_a_token_needs_a_name(dgs_member: User) -> None:
    with pytest.raises(Exception, match="say what the token is for"):
        issue_token(dgs_member, "  ")


def test_the_admin_issues_a_token_and_shows_the_plaintext_once(dgs_member: User) -> None:
    admin = User.objects.create_superuser("root", password=None)
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/api/apitoken/add/", {"user": dgs_member.pk, "name": "from admin"}, follow=True
    )
    (message,) = [str(m) for m in response.context["messages"] if "Token for" in str(m)]
    plaintext = message.split(": ", 1)[1].split(" ", 1)[0]
    token = ApiToken.objects.get(name="from admin")
    assert (token.user, token.key_sha256) == (dgs_member, hash_token(plaintext))


# --- submitting readings --------------------------------------------------------------


def test_a_bulk_submission_stores_engine_levels_and_moves_current_readings(
    dgs_member: User, make_user: MakeUser, swale: Area
) -> None:
    add_swale = make_user("two-areas", "stp-team-manager")  # organisation-wide
    client = client_for(add_swale)
    response = post_rows(
        client,
        row("stp_staffing_pct", 69.5, at="2026-01-05T08:00:00Z"),
        row("stp_staffing_pct", 45, at="2026-01-05T10:00:00+01:00"),  # 09:00 UTC
        row("health_caseload", 39.5),
        row("health_caseload", 85, area="swale"),
    )
    assert response.status_code == 201, response.content
    body = ReadingsOut.model_validate(response.json())
    got = [(r.indicator, r.area, r.level, r.colour, r.kind) for r in body.readings]
    # 69.5% staffing and 39.5 cases are OPEL 2 (DESIGN.md band semantics); 85 in Swale is
    # beyond the printed bands: the worst level, with a warning.
    assert got == [
        ("stp_staffing_pct", "dgs", 2, "amber", "report"),
        ("stp_staffing_pct", "dgs", 3, "red", "report"),
        ("health_caseload", "dgs", 2, "amber", "report"),
        ("health_caseload", "swale", 4, "black", "report"),
    ]
    assert str(body.readings[1].observed_at) == "2026-01-05 09:00:00+00:00"  # stored in UTC
    assert body.readings[3].warnings[0].startswith("data quality: 85 is beyond the printed bands")
    stored = Reading.objects.get(pk=body.readings[0].id)
    assert (stored.submitted_by, stored.submitted_at, stored.framework) == (
        add_swale,
        NOW,
        swale.organisation.framework,
    )
    assert saved() == (4, 3)


def test_the_latest_observation_stands_and_keeps_the_one_before(member: Client, dgs: Area) -> None:
    assert post_rows(member, row(value=60, at="2026-01-05T08:00:00Z")).status_code == 201
    first = CurrentReading.objects.get(area=dgs, indicator="stp_staffing_pct").reading
    # Out of order in the request: the 09:00 report stands, the 08:30 one came before it.
    response = post_rows(
        member,
        row(value=20, at="2026-01-05T09:00:00Z"),
        row(value=50, at="2026-01-05T08:30:00Z"),
        row(value=40, at="2026-01-05T07:00:00Z"),
    )
    ids = [r["id"] for r in response.json()["readings"]]
    current = CurrentReading.objects.get(area=dgs, indicator="stp_staffing_pct")
    assert (current.reading_id, current.previous_id) == (ids[0], ids[1])
    assert first.pk not in (current.reading_id, current.previous_id)
    # An older observation alone changes nothing.
    post_rows(member, row(value=41, at="2026-01-05T06:00:00Z"))
    current.refresh_from_db()
    assert (current.reading_id, current.previous_id) == (ids[0], ids[1])


def test_a_report_for_the_standing_time_replaces_it(member: Client, dgs: Area) -> None:
    first = post_rows(member, row(value=60)).json()["readings"][0]["id"]
    second = post_rows(member, row(value=65)).json()["readings"][0]["id"]
    current = CurrentReading.objects.get(area=dgs, indicator="stp_staffing_pct")
    assert (current.reading_id, current.previous_id) == (second, first)


def test_the_api_and_the_form_service_agree_on_current_readings(
    member: Client, dgs_member: User, dgs: Area
) -> None:
    (form,) = submit_readings(dgs_member, dgs, {"health_caseload": 45}, NINE, now=NOW)
    api_id = post_rows(member, row("health_caseload", 70, at="2026-01-05T09:30:00Z")).json()[
        "readings"
    ][0]["id"]
    current = CurrentReading.objects.get(area=dgs, indicator="health_caseload")
    assert (current.reading_id, current.previous_id, current.reading.level) == (api_id, form.pk, 3)


BAD_ROWS: dict[str, tuple[Json, str, str]] = {
    "value outside valid_range": (
        row(value=140),
        "value",
        "140 is impossible for 'stp_staffing_pct' (%); valid values are 0 to 100",
    ),
    "negative count": (row("health_caseload", -1), "value", "-1 is impossible"),
    "unknown indicator": (row("bed_nights"), "indicator", "unknown indicator 'bed_nights'"),
    "unknown area": (row(area="mars"), "area", "unknown area 'mars' in kcc-asch"),
    "unknown organisation": (
        row(organisation="nhs-mars"),
        "organisation",
        "unknown organisation 'nhs-mars'",
    ),
    "naive timestamp": (row(at="2026-01-05T09:00:00"), "observed_at", "has no time zone"),
    "future timestamp": (
        row(at="2026-01-05T10:06:00Z"),
        "observed_at",
        "2026-01-05 10:06 GMT is in the future",
    ),
    "N/A cell (Swale referrals)": (
        row("referrals", 3, area="swale"),
        "indicator",
        "not monitored in swale (N/A in the plan); fix: leave it out",
    ),
    "not in the area's plan (KEaH in DGS)": (
        row("d2a_p1_weekly_availability", 20),
        "indicator",
        "not monitored in dgs",
    ),
    "string value": (row(value="55"), "value", "Input should be a valid number"),  # type: ignore[arg-type]
    "not a slug": (row(area="dgs\x00"), "area", "String should match pattern"),
    "not a time": (row(at="yesterday"), "observed_at", "Input should be a valid datetime"),
}


@pytest.mark.parametrize("case", BAD_ROWS)
def test_one_bad_row_saves_nothing_and_names_its_index_and_field(
    make_user: MakeUser, member: Client, case: str
) -> None:
    post_rows(member, row(value=60, at="2026-01-05T07:00:00Z"))  # something already there
    before = saved()
    bad, field, message = BAD_ROWS[case]
    everywhere = client_for(make_user("county-team", "stp-team-manager"))
    half_eight = "2026-01-05T08:30:00Z"  # the bad row is at 09:00: no repeats
    good = [row(at=half_eight), row("health_caseload", 45, at=half_eight)]
    response = post_rows(everywhere, *good, bad, row("social_caseload", 5, at=half_eight))
    assert response.status_code == 422, response.content
    (item,) = response.json()["detail"]
    assert item["loc"] == ["body", "readings", 2, field]
    assert message in item["msg"]
    assert saved() == before


def test_every_bad_row_is_named_at_once(member: Client) -> None:
    response = post_rows(
        member,
        row(value=-3),
        row(at="2026-01-05T08:00:00Z"),
        row("health_caseload", 45, at="2026-01-05T09:00:00"),
    )
    assert locs(response) == [
        ["body", "readings", 0, "value"],
        ["body", "readings", 2, "observed_at"],
    ]


def test_a_repeated_cell_and_time_is_refused(member: Client) -> None:
    response = post_rows(member, row(value=50), row(value=51, at="2026-01-05T10:00:00+01:00"))
    assert locs(response) == [["body", "readings", 1, "observed_at"]]
    assert "repeats row 0" in response.json()["detail"][0]["msg"]
    assert saved() == (0, 0)


def test_one_row_out_of_scope_refuses_the_whole_batch(member: Client) -> None:
    response = post_rows(member, row(), row("health_caseload", 45, area="swale"))
    assert response.status_code == 403
    assert response.json() == {
        "detail": "dgs-manager may not report health_caseload in kcc-asch/swale (rows 1)"
    }
    assert saved() == (0, 0)


def test_scope_is_checked_before_values(viewer: User) -> None:
    response = post_rows(client_for(viewer), row(value=-5))
    assert response.status_code == 403


def test_a_role_reports_only_its_own_indicators(west_kent_coordinator: User) -> None:
    # D2A pathway one is reported by the STP team manager only (pack reported_by).
    client = client_for(west_kent_coordinator)
    refused = post_rows(client, row("d2a_p1_weekly_availability", 20, area="west-kent"))
    allowed = post_rows(client, row("health_caseload", 45, area="west-kent"))
    assert (refused.status_code, allowed.status_code) == (403, 201)


@pytest.mark.parametrize(
    "body",
    [
        {"readings": []},
        {"readings": [row()] * 5001},
        {"rows": [row()]},
        {"readings": [{**row(), "value": None}]},
    ],
)
def test_a_batch_must_hold_between_one_and_5000_rows(member: Client, body: Json) -> None:
    response = post(member, "/api/readings", body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["body", "readings"]


# --- malformed bodies -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("{bad json", 400),
        ("", 422),
        ("null", 422),
        ("[]", 422),
        ('"readings"', 422),
        ('{"readings": [{"value": NaN}]}', 422),
        ('{"readings": [' + json.dumps(row())[:-1] + ', "value": Infinity}]}', 422),
        ("[" * 100_000, 400),
        (b"\xff\xfe\x00", 400),
    ],
)
def test_a_malformed_body_is_refused_with_a_message(
    member: Client, body: str | bytes, status: int
) -> None:
    response = post(member, "/api/readings", body)
    assert response.status_code == status, response.content
    detail = response.json()["detail"]
    assert detail and all(item["msg"] for item in detail)


def test_a_body_over_the_upload_limit_is_413(member: Client, settings: Any) -> None:
    # ``settings`` is pytest-django's fixture, restored after the test.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_rows(member, *[row(at=f"2026-01-05T0{h}:00:00Z") for h in range(10)])
    assert response.status_code == 413
    assert "send fewer readings per request" in response.json()["detail"]


def test_unparseable_json_names_the_parser_error(member: Client) -> None:
    (item,) = post(member, "/api/readings", "{bad json").json()["detail"]
    assert item["loc"] == ["body"] and item["type"] == "json_invalid"
    assert "Expecting property name enclosed in double quotes" in item["msg"]


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
OFFSETS = [None, UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))]
# Times from year 1 to 9999, naive or with extreme offsets: near the ends, UTC overflows.
TIMES = st.builds(
    lambda at, tz: at.replace(tzinfo=tz).isoformat(),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
    st.sampled_from(OFFSETS),
)
# Rows that pass the schema most of the time, so the service's own checks are reached.
NEAR_VALID = st.fixed_dictionaries(
    {
        "organisation": st.sampled_from(["kcc-asch", "kcc-asch", "nhs-x"]),
        "area": st.sampled_from(["dgs", "dgs", "swale", "county", "mars"]),
        "indicator": st.sampled_from(["stp_staffing_pct", "health_caseload", "referrals", "x"]),
        "value": st.floats(-10, 300) | st.integers(-(10**30), 10**30) | st.floats(),
        "observed_at": st.sampled_from(["2026-01-05T09:00:00Z", "2026-01-05T08:00:00Z"]) | TIMES,
    }
)
ANY_ROW = NEAR_VALID | st.dictionaries(st.sampled_from(list(row())), JSONISH, max_size=5)
BODIES = JSONISH | st.fixed_dictionaries({"readings": st.lists(ANY_ROW, max_size=5) | JSONISH})


@hypothesis_settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=BODIES)
def test_no_body_is_a_server_error(member: Client, body: Any) -> None:
    response = post(member, "/api/readings", json.dumps(body))
    assert response.status_code in (201, 400, 403, 422), response.content
    assert "detail" in response.json() or response.status_code == 201


# --- idempotency ----------------------------------------------------------------------


def test_replaying_a_key_with_the_same_body_returns_the_first_response(member: Client) -> None:
    body = {"readings": [row(), row("health_caseload", 45)]}
    first = post(member, "/api/readings", body, **{"Idempotency-Key": "batch-1"})
    again = post(member, "/api/readings", body, **{"Idempotency-Key": "batch-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert (first.get("Idempotent-Replayed"), again["Idempotent-Replayed"]) == (None, "true")
    assert saved() == (2, 2)


def test_a_key_reused_for_another_body_is_refused(member: Client) -> None:
    post(member, "/api/readings", {"readings": [row()]}, **{"Idempotency-Key": "k"})
    other = post(member, "/api/readings", {"readings": [row(value=56)]}, **{"Idempotency-Key": "k"})
    assert other.status_code == 422
    (item,) = other.json()["detail"]
    assert item["loc"] == ["header", "Idempotency-Key"]
    assert "already used for a different request" in item["msg"]
    assert saved() == (1, 1)


def test_a_refused_request_does_not_use_up_its_key(member: Client) -> None:
    key = {"Idempotency-Key": "retry-me"}
    assert post_rows(member, row(value=140), **key).status_code == 422
    assert post_rows(member, row(value=40), **key).status_code == 201
    assert IdempotencyRecord.objects.count() == 1


@pytest.mark.parametrize("key", ["", "with space", "caf\u00e9", "x" * 256])
def test_a_key_must_be_printable_ascii_up_to_255(member: Client, key: str) -> None:
    response = post_rows(member, row(), **{"Idempotency-Key": key})
    assert response.status_code == 422, response.content
    assert locs(response) == [["header", "Idempotency-Key"]]
    assert saved() == (0, 0)


def test_keys_belong_to_their_user(member: Client, make_user: MakeUser) -> None:
    other = client_for(make_user("second-dgs", "stp-team-manager", Area.objects.get(slug="dgs")))
    assert post_rows(member, row(), **{"Idempotency-Key": "same"}).status_code == 201
    replay = post_rows(other, row(at="2026-01-05T09:30:00Z"), **{"Idempotency-Key": "same"})
    assert (replay.status_code, replay.get("Idempotent-Replayed")) == (201, None)


def test_a_concurrent_duplicate_replays_the_winner(
    member: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loser of a race finds no record, then hits the unique constraint on its claim."""
    body = {"readings": [row()]}
    first = post(member, "/api/readings", body, **{"Idempotency-Key": "race"})
    real = idempotency._stored
    misses = iter([None])
    monkeypatch.setattr(idempotency, "_stored", lambda *a: next(misses, None) or real(*a))
    loser = post(member, "/api/readings", body, **{"Idempotency-Key": "race"})
    assert (loser.status_code, loser["Idempotent-Replayed"]) == (201, "true")
    assert loser.json() == first.json()
    assert saved() == (1, 1)


def test_declarations_are_idempotent_too(declarer: User) -> None:
    client = client_for(declarer)
    body, key = {"level": 2, "reason": "exercise"}, {"Idempotency-Key": "declare-1"}
    first = post(client, f"{ORG}/declarations", body, **key)
    again = post(client, f"{ORG}/declarations", body, **key)
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (
        201,
        201,
        "true",
    )
    assert Declaration.objects.count() == 1


# --- reads ----------------------------------------------------------------------------


def test_organisations_lists_areas_and_the_framework_in_force(member: Client) -> None:
    (kent,) = member.get("/api/organisations").json()
    assert (kent["slug"], kent["framework"]) == ("kcc-asch", "kent-ascch v1.8")
    assert [a["slug"] for a in kent["areas"]] == [
        "county",
        "dgs",
        "east-kent",
        "swale",
        "west-kent",
    ]


def test_status_shows_the_suggestion_the_declaration_and_every_cell(
    member: Client, dgs_member: User, declarer: User, kcc: Organisation
) -> None:
    post_rows(member, row(value=20), row("health_caseload", 120), row("referrals", 5))
    declare_level(declarer, kcc, 3, "trend is worsening", now=NOW)
    status = member.get(f"{ORG}/status").json()
    # Two indicators at OPEL 4 (staffing 20%, 120 cases): the pack's 'at least two' rule.
    assert (status["suggested_level"], status["standing_level"]) == (4, 3)
    assert status["declared"]["level"] == 3 and status["declared"]["differs"] is True
    assert status["declared"]["declared_by"] == "stp-service-manager"
    cells = [(c["indicator"], c["area"], c["level"], c["colour"]) for c in status["cells"]]
    assert cells == [
        ("stp_staffing_pct", "dgs", 4, "black"),
        ("health_caseload", "dgs", 4, "black"),
        ("referrals", "dgs", 1, "green"),
    ]


def test_history_shows_superseded_and_confirming_rows(
    member: Client, dgs_member: User, dgs: Area
) -> None:
    (first,) = submit_readings(dgs_member, dgs, {"stp_staffing_pct": 45}, EIGHT, now=NOW)
    fixed = amend_reading(dgs_member, first.pk, 55, "typo", now=NOW)
    (confirmed,) = confirm_no_change(dgs_member, dgs, NINE, now=NOW)
    readings = member.get(HISTORY).json()["readings"]
    got = [
        (r["id"], r["kind"], r["supersedes"], r["superseded_by"], r["confirms"]) for r in readings
    ]
    assert got == [
        (confirmed.pk, "confirmation", None, None, fixed.pk),
        (fixed.pk, "amendment", first.pk, None, None),
        (first.pk, "report", None, fixed.pk, None),
    ]
    assert {r["submitted_by"] for r in readings} == {"dgs-manager"}
    assert readings[1]["reason"] == "typo"
    assert [r["id"] for r in member.get(f"{HISTORY}?limit=1").json()["readings"]] == [confirmed.pk]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/organisations/nhs-mars/status", 404),
        ("/api/organisations/bad%00slug/status", 404),
        (f"{ORG}/areas/mars/indicators/stp_staffing_pct/history", 404),
        (f"{ORG}/areas/dgs/indicators/bed_nights/history", 404),
        (f"{ORG}/areas/dgs/indicators/bed%00nights/history", 404),
        (f"{ORG}/areas/d%00gs/indicators/referrals/history", 404),
        (f"{HISTORY}?limit=0", 422),
        (f"{HISTORY}?limit=abc", 422),
        ("/api/organisations/nhs-mars/declarations", 404),
    ],
)
def test_unknown_things_are_404_and_bad_queries_422(member: Client, path: str, status: int) -> None:
    response = member.get(path)
    assert response.status_code == status, response.content
    assert response.json()["detail"]


def test_declarations_list_latest_first(member: Client, declarer: User, kcc: Organisation) -> None:
    declare_level(declarer, kcc, 1, "", now=NOW - timedelta(days=1))
    declare_level(declarer, kcc, 2, "exercise", now=NOW)
    listed = member.get(f"{ORG}/declarations").json()
    assert [(d["level"], d["reason"], d["framework"]) for d in listed] == [
        (2, "exercise", "kent-ascch v1.8"),
        (1, "", "kent-ascch v1.8"),
    ]


def test_a_declaration_that_differs_needs_a_reason(member: Client, declarer: User) -> None:
    post_rows(member, row(value=20), row("health_caseload", 120))  # suggested OPEL 4
    client = client_for(declarer)
    missing = post(client, f"{ORG}/declarations", {"level": 2})
    impossible = post(client, f"{ORG}/declarations", {"level": 7, "reason": "x"})
    assert (missing.status_code, locs(missing)) == (422, [["body", "reason"]])
    assert "differs from the suggested OPEL 4" in missing.json()["detail"][0]["msg"]
    assert (impossible.status_code, locs(impossible)) == (422, [["body", "level"]])
    made = post(client, f"{ORG}/declarations", {"level": 2, "reason": "beds opened at noon"})
    assert (made.status_code, made.json()["suggested_level"], made.json()["differs"]) == (
        201,
        4,
        True,
    )


# --- the OpenAPI document ---------------------------------------------------------------


def test_the_openapi_document_lists_every_path(db: None) -> None:
    document = Client().get("/api/openapi.json").json()
    assert (document["info"]["title"], document["info"]["version"]) == ("Surgewatch API", "1")
    assert sorted(document["paths"]) == [
        "/api/organisations",
        "/api/organisations/{slug}/areas/{area}/indicators/{indicator}/history",
        "/api/organisations/{slug}/declarations",
        "/api/organisations/{slug}/status",
        "/api/readings",
    ]
    assert document["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    assert set(document["paths"]["/api/readings"]["post"]["responses"]) >= {"201", "401", "422"}


def test_the_docs_page_loads(db: None) -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 200
    assert b"/api/openapi.json" in response.content


def test_passwords_play_no_part(dgs_member: User) -> None:
    """A token is the only credential: HTTP Basic with the user's password is refused."""
    dgs_member.password = make_password("correct horse")
    dgs_member.save()
    response = Client(headers={"Authorization": "Basic ZGdzLW1hbmFnZXI6Y29ycmVjdCBob3JzZQ=="})
    assert response.get("/api/organisations").status_code == 401
