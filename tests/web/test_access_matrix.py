"""Every URL of the project x every kind of person x own and other organisation x read
and write, against the table in access_matrix.yaml (issue 8, 'Prove it holds').

The URLs come from walking the resolver, so a new page without a row fails
``test_every_url_has_a_row_and_every_row_a_url``. Each URL is one test; inside it
every persona, target and method is tried in a savepoint that is rolled back, and
every mismatch is collected, so one run reports every unexpected allow at once.
The same table drives the CSRF walk: every form refuses a POST without its token.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import time_machine
import yaml
from django.apps import apps
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from surgewatch.web.accounts.models import User
from surgewatch.web.actions import protocols
from surgewatch.web.actions.models import ActionCard, ProtocolRun
from surgewatch.web.actions.services import refresh_level
from surgewatch.web.api.services import issue_token
from surgewatch.web.calls.models import Call
from surgewatch.web.calls.services import AgreedAction, Attendance, record_call
from surgewatch.web.decisions.models import Decision, Meeting
from surgewatch.web.decisions.services import Attendee, record_decision, record_meeting
from surgewatch.web.escalation.services import declare_level
from surgewatch.web.improve.demo import record_example
from surgewatch.web.notify.models import Channel, Message
from surgewatch.web.notify.services import add_channel, notify_user
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack
from surgewatch.web.plans.models import (
    PlanVersion,
    RunStatus,
    ScenarioVersion,
    SimulationRun,
    UncertaintyRun,
)
from surgewatch.web.plans.scenarios import ScenarioFile, create_scenario
from surgewatch.web.plans.services import create_plan
from surgewatch.web.plans.simulations import execute_simulation
from surgewatch.web.reporting import imports
from surgewatch.web.reporting.models import ImportBatch, Reading
from surgewatch.web.reporting.services import submit_readings
from surgewatch.web.washup.demo import example_case
from surgewatch.web.washup.models import WashupCase

MakeUser = Callable[..., User]
TABLE = yaml.safe_load((Path(__file__).parent / "access_matrix.yaml").read_text())
PERSONAS = (
    "anonymous",
    "team-manager",
    "coordinator",
    "declarer",
    "director",
    "viewer",
    "admin",
    "outsider",
)
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 1, 5, 11, 30, tzinfo=UTC)  # a Monday, in office hours
REFUSING = frozenset({401, 403, 404, 405})
PLAN_FILES = Path(__file__).resolve().parents[2] / "examples" / "plans"
PLAN_TEXT = "---\n".join(
    (PLAN_FILES / name).read_text()
    for name in (
        "ssot-2024-25-rsuh-medical.yaml",
        "ssot-2024-25-risks.yaml",
        "kent-winter-2020-21-costs.yaml",
        "kent-demand-illustrative.yaml",
    )
)

# A scenario that gives its own beds and arrivals, so it needs no stored plan (issue 6).
SCENARIO_TEXT = """title: Matrix ward
period: {start: 2025-01-06, days: 14}
arrivals: {per_day: 20}
ward: {beds: 70}
pathways:
  - {pathway: 0, share: 1, los: {kind: exponential, mean_days: 2}}
"""


# --- the URLs ------------------------------------------------------------------------------


def url_keys() -> list[str]:
    """Every URL pattern's name (with its namespace), or its route when it has no name."""
    found = [key for key, _ in _walk(get_resolver().url_patterns, "", "")]
    excluded = tuple(TABLE["excluded"])
    return sorted({k for k in found if not k.startswith(excluded)})


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str, namespace: str
) -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            route = prefix + str(pattern.pattern)
            yield (namespace + pattern.name if pattern.name else route), route


def test_every_url_has_a_row_and_every_row_a_url() -> None:
    keys, rows = set(url_keys()), set(TABLE["urls"])
    assert sorted(keys - rows) == [], "add these URLs to tests/web/access_matrix.yaml"
    assert sorted(rows - keys) == [], "these rows name no URL any more"


def test_the_table_names_only_known_personas() -> None:
    for key, row in TABLE["urls"].items():
        for target in ("any", "kcc", "acute"):
            for who in (row.get(target) or {}).values():
                assert set(who) <= set(PERSONAS), f"{key} {target}: unknown persona"


# --- the world -----------------------------------------------------------------------------


@dataclass
class Target:
    """The objects of one organisation that URLs point at."""

    organisation: Organisation
    area: Area
    indicator: str
    reading: Reading
    batch: ImportBatch
    card: ActionCard
    decision: Decision
    channel: Channel
    message: Message
    meeting: Meeting | None = None
    call: Call | None = None
    run: ProtocolRun | None = None
    plan: PlanVersion | None = None
    uncertainty: UncertaintyRun | None = None
    scenario: ScenarioVersion | None = None
    simulation: SimulationRun | None = None
    washup_case: WashupCase | None = None


@dataclass
class World:
    people: dict[str, User | None]
    tokens: dict[str, str]
    targets: dict[str, Target] = field(default_factory=dict)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(make_user: MakeUser, kcc: Organisation, dgs: Area, west_kent: Area) -> World:
    install_pack("example-acute-trust", now=T0)
    acute = organisation_by_slug("example-acute")
    outsider = User.objects.create_user("site-manager", password="not-used")
    add_membership(outsider, acute, "site-manager")
    people: dict[str, User | None] = {
        "anonymous": None,
        "team-manager": make_user("dgs-manager", "stp-team-manager", dgs),
        "coordinator": make_user("wk-coordinator", "discharge-coordinator", west_kent),
        "declarer": make_user("service-manager", "stp-service-manager"),
        "director": make_user("director", "director-asc"),
        "viewer": make_user("viewer", "viewer"),
        "admin": User.objects.create_superuser("admin", password="not-used"),
        "outsider": outsider,
    }
    tokens = {
        name: issue_token(user, f"{name} feed", now=T0)[1]
        for name, user in people.items()
        if user is not None
    }
    built = World(people, tokens)
    built.targets["kcc"] = _kent(built, kcc, dgs)
    built.targets["acute"] = _acute(built, acute)
    return built


def _person(world: World, name: str) -> User:
    user = world.people[name]
    assert user is not None
    return user


def _kent(world: World, kcc: Organisation, dgs: Area) -> Target:
    manager = _person(world, "team-manager")
    readings = {"stp_staffing_pct": 45, "health_caseload": 70}
    reading = submit_readings(manager, dgs, readings, T0, now=T0)[0]
    refresh_level(kcc, T0)  # OPEL 3: cards open for every role
    run = protocols.start_protocol(kcc, "nhs111-dos", _person(world, "declarer"), NOW)
    return Target(
        organisation=kcc,
        area=dgs,
        indicator="stp_staffing_pct",
        reading=reading,
        batch=_batch(kcc, manager, "dgs,referrals,8"),
        card=ActionCard.objects.filter(organisation=kcc, role="stp-team-manager").first()
        or _missing("a team manager's card"),
        decision=_decision(manager, kcc),
        channel=add_channel(manager, "email", "dgs@example.org", NOW),
        message=_message(manager, kcc, "stp-team-manager"),
        meeting=_meeting(_person(world, "director"), kcc),
        call=_call(manager, _person(world, "coordinator"), kcc),
        run=run,
        washup_case=example_case(manager, dgs, T0),
    )


def _acute(world: World, acute: Organisation) -> Target:
    manager = _person(world, "outsider")
    site = acute.areas.get(slug="site-a")
    reading = submit_readings(manager, site, {"ed_4h_performance_pct": 70}, T0, now=T0)[0]
    declare_level(manager, acute, 3, "testing the matrix", now=T0)
    refresh_level(acute, T0)
    return Target(
        organisation=acute,
        area=site,
        indicator="ed_4h_performance_pct",
        reading=reading,
        batch=_batch(acute, manager, "site-a,ed_4h_performance_pct,71"),
        card=ActionCard.objects.filter(organisation=acute, role="site-manager").first()
        or _missing("a site manager's card"),
        decision=_decision(manager, acute),
        channel=add_channel(manager, "email", "site@example.org", NOW),
        message=_message(manager, acute, "site-manager"),
    )


def _add_plans(world: World) -> None:
    """A plan with every kind of document in each organisation, made by one who may."""
    for target, editor in (("kcc", "declarer"), ("acute", "outsider")):
        t = world.targets[target]
        t.plan = create_plan(
            _person(world, editor),
            t.organisation,
            title="Winter plan",
            text=PLAN_TEXT,
            filename="plan.yaml",
            change_note="First",
            now=T0,
        )
        t.uncertainty = UncertaintyRun.objects.create(
            version=t.plan,
            replications=100,
            seed=1,
            status=RunStatus.QUEUED,
            requested_by=_person(world, editor),
            requested_at=T0,
        )
        _add_scenario(t, _person(world, editor))


def _add_scenario(t: Target, editor: User) -> None:
    """A scenario that needs no stored plan, and a finished run of it."""
    sent = ScenarioFile(SCENARIO_TEXT, "scenario.yaml", None, None, "First")
    t.scenario = create_scenario(editor, t.organisation, title="", sent=sent, now=T0)
    run = SimulationRun.objects.create(
        scenario=t.scenario, replications=10, seed=1, status=RunStatus.QUEUED, total=10,
        requested_by=editor, requested_at=T0,
    )  # fmt: skip
    execute_simulation(run.pk, T0)  # 10 replications of 14 days: a few hundredths of a second
    t.simulation = SimulationRun.objects.get(pk=run.pk)


def _missing(what: str) -> Any:
    raise AssertionError(f"the fixture did not make {what}")


def _batch(organisation: Organisation, user: User, row: str) -> ImportBatch:
    content = f"area,indicator,value,observed_at\n{row},2026-01-05T08:50:00Z\n".encode()
    return imports.stage(organisation, user, "readings.csv", content, NOW)


def _decision(user: User, organisation: Organisation) -> Decision:
    return record_decision(
        user,
        organisation,
        decision="Open 5 extra D2A P1 slots",
        risk="Delayed discharges",
        identified_by="The board",
        measured_by="Caseload",
        decided_by="Sam Patel",
        decided_at=T0,
        review_at=T0 + timedelta(hours=4),
        now=T0,
    )


def _message(user: User, organisation: Organisation, role: str) -> Message:
    sent = notify_user(
        user,
        organisation=organisation,
        role=role,
        subject="Level change",
        body="b",
        event_key=f"matrix-{organisation.slug}",
        now=NOW,
    )
    return sent[0]


def _meeting(user: User, kcc: Organisation) -> Meeting:
    return record_meeting(
        user,
        kcc,
        group_id="kcc-ope-group",
        convened_at=T0,
        convened_by="Alex Reed (Director)",
        chair="Alex Reed",
        chair_role="Director of Adult Social Care (Short Term Support)",
        attendees=[Attendee("Sam Patel", "Short-Term Pathway Service Manager")],
        actions=[],
        agreed_level=None,
        agreed_level_reason="",
        now=T0,
    )


def _call(chair: User, owner: User, kcc: Organisation) -> Call:
    return record_call(
        chair,
        kcc,
        call_id="whole-system",
        held_at=T0,
        chair=chair,
        attendees=[Attendance("Short-Term Pathway Team Manager", "Dee Gee", True)],
        actions=[AgreedAction("Discharge", "Find 3 packages", owner, T0 + timedelta(hours=1))],
        now=T0,
    )


# --- addresses and bodies ---------------------------------------------------------------


def _kwargs(key: str, t: Target) -> dict[str, Any]:
    """The URL arguments naming ``t``'s objects (only the ones the pattern takes are used)."""
    org, area = t.organisation.slug, t.area.slug
    if key.startswith("plan") and t.plan is not None:
        return _plan_kwargs(t)
    if key.startswith(("scenario", "simulation")) and t.scenario is not None:
        return _scenario_kwargs(t)
    values = {
        "slug": org,
        "area_slug": area,
        "area": area,
        "indicator": t.indicator,
        "reading_id": t.reading.pk,
        "token": t.batch.token,
        "card_id": t.card.pk,
        "do": "acknowledge",
        "level": 3,
        "protocol_id": "nhs111-dos",
        "run_id": t.run and t.run.pk,
        "action_id": t.call and t.call.actions.get().pk,
        "framework": "hicm-2015",  # self-assessments (issue 7): assessment and action 1
        "number": 1,
        "pk": _pk(key, t),
    }
    return values


def _pk(key: str, t: Target) -> int | None:
    """The object a ``<pk>`` names, by the URL name's first word (new pages get theirs too)."""
    owners: list[tuple[str, Any]] = [
        ("decision", t.decision),
        ("meeting", t.meeting),
        ("call", t.call),
        ("notification-channel", t.channel),
        ("outbox", t.message),
        ("washup-case", t.washup_case),
    ]
    found = next((obj for prefix, obj in owners if key.startswith(prefix)), None)
    return found.pk if found is not None else None


def _plan_kwargs(t: Target) -> dict[str, Any]:
    assert t.plan is not None and t.uncertainty is not None
    return {
        "slug": t.organisation.slug,
        "pk": t.plan.plan_id,
        "number": t.plan.number,
        "run_id": t.uncertainty.pk,
    }


def _scenario_kwargs(t: Target) -> dict[str, Any]:
    assert t.scenario is not None and t.simulation is not None
    return {
        "slug": t.organisation.slug,
        "pk": t.scenario.scenario_id,
        "number": t.scenario.number,
        "run_id": t.simulation.pk,
    }


def url_for(key: str, target: Target | None) -> str:
    if key.startswith("assets/"):
        return "/assets/images/favicon.svg"
    given = _kwargs(key, target) if target is not None else {}
    return reverse(key, kwargs={k: given[k] for k in _arguments(key)})


def _arguments(key: str) -> list[str]:
    """The keyword arguments the URL's route takes, read from the route itself."""
    route = dict(_walk(get_resolver().url_patterns, "", ""))[key]
    return re.findall(r"<(?:[a-z]+:)?([a-z_]+)>", route)


def _api_body(key: str, target: Target | None) -> dict[str, Any]:
    if target is None:
        return {}
    if key == "api:declare":
        return {"level": 2, "reason": "testing the matrix"}
    if key == "api:submit_readings":
        row = {
            "organisation": target.organisation.slug,
            "area": target.area.slug,
            "indicator": target.indicator,
            "value": 60,
            "observed_at": "2026-01-05T10:00:00Z",
        }
        return {"readings": [row]}
    return {}


# --- asking ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ask:
    key: str
    persona: str
    target: str
    method: str

    def __str__(self) -> str:
        return f"{self.method} {self.key} on {self.target} as {self.persona}"


def _client(world: World, ask: Ask, api: bool) -> tuple[Client, dict[str, str]]:
    """A client signed in as the persona (pages), or the persona's bearer header (API)."""
    client = Client()
    user = world.people[ask.persona]
    if user is None:
        return client, {}
    if api:
        return client, {"Authorization": f"Bearer {world.tokens[ask.persona]}"}
    client.force_login(user)
    return client, {}


def _send(world: World, ask: Ask, api: bool, client: Client, headers: dict[str, str]) -> Any:
    target = world.targets.get(ask.target)
    url = url_for(ask.key, target)
    send = getattr(client, ask.method.lower())
    if api and ask.method != "GET":
        body = json.dumps(_api_body(ask.key, target))
        return send(url, body, content_type="application/json", headers=headers)
    return send(url, headers=headers)


class _InlineFinder(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, style attributes, handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        data_block = named.get("type") in ("application/json", "application/ld+json")
        if tag == "script" and "src" not in named and not data_block:
            self.found.append("an inline <script>")
        if tag == "style":
            self.found.append("a <style> element")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")


def _inline_problems(ask: Ask, response: HttpResponse) -> list[str]:
    """What the strict CSP (surgewatch.web.security) would block on an HTML page."""
    if not response.get("Content-Type", "").startswith("text/html"):
        return []
    finder = _InlineFinder()
    finder.feed(response.content.decode())
    return [f"{ask}: {found} would break under the CSP" for found in finder.found]


def _refused(response: HttpResponse) -> bool:
    if response.status_code in REFUSING:
        return True
    # login_required sends the page asked for along; logging out lands on the bare login page.
    location = response.get("Location", "")
    return response.status_code == 302 and location.startswith(f"{reverse('login')}?next=")


def _fingerprint() -> tuple[int, ...]:
    """Row counts of every project table, in one query: a refused write leaves them alone.

    The audit log is left out: it records attempts (and sign-ins), which is its job.
    """
    tables = [
        m._meta.db_table
        for m in apps.get_models()
        if m.__module__.startswith("surgewatch.") and m._meta.app_label != "audit"
    ]
    counts = ", ".join(f'(SELECT COUNT(*) FROM "{t}")' for t in sorted(tables))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        return tuple(cursor.fetchone())


def _try(world: World, ask: Ask, api: bool) -> tuple[HttpResponse, bool]:
    """The response, and whether the database changed; always rolled back."""
    with transaction.atomic():
        client, headers = _client(world, ask, api)
        before = _fingerprint()
        response = _send(world, ask, api, client, headers)
        changed = _fingerprint() != before
        transaction.set_rollback(True)
    return response, changed


def _problems(world: World, key: str) -> list[str]:
    row = TABLE["urls"][key]
    api = bool(row.get("api"))
    refused_status = int(row.get("refused", 403))
    public = bool(row.get("public"))  # answers without a login: anonymous is refused like anyone
    problems: list[str] = []
    for target in ("any", "kcc", "acute"):
        if target not in row:
            continue
        allowed = row[target] or {}
        for method in _methods(allowed, api):
            for persona in PERSONAS:
                ask = Ask(key, persona, "any" if target == "any" else target, method)
                problems += _check(world, ask, api, allowed, refused_status, public)
    return problems


def _methods(allowed: dict[str, list[str]], api: bool) -> list[str]:
    if api:
        declared = [m for m, k in (("GET", "read"), ("POST", "write")) if k in allowed]
        return [*declared, "PUT", "DELETE"]
    # Django's page views read no body from PUT or DELETE alike: DELETE stands for both.
    return ["GET", "POST", "DELETE"]


def _check(
    world: World,
    ask: Ask,
    api: bool,
    allowed: dict[str, list[str]],
    refused_status: int,
    public: bool,
) -> list[str]:
    """One request against the table. Allowed: not refused (and, for a page, nothing
    inline). Otherwise: refused with the row's status (anonymous: the login page, or
    401 from the API) and the database unchanged; a method the row does not declare
    must change nothing, and is refused to everyone outside 'read'."""
    kind = {"GET": "read", "POST": "write"}.get(ask.method)
    declared = kind is not None and kind in allowed
    response, changed = _try(world, ask, api)
    status, refused = response.status_code, _refused(response)
    may = declared and ask.persona in allowed[kind or ""]
    if may and refused:
        return [f"{ask}: refused with {status}, expected allowed"]
    if may:
        return _inline_problems(ask, response) if ask.method == "GET" else []
    problems = [f"{ask}: changed the database"] if changed else []
    readers = allowed.get("read", [])
    if declared or ask.persona not in readers:
        if not refused:
            problems.append(f"UNEXPECTED ALLOW {ask}: {status}")
        elif declared and ask.persona != "anonymous" and status != refused_status:
            problems.append(f"{ask}: refused with {status}, expected {refused_status}")
    if ask.persona == "anonymous" and not (api or public) and refused and status not in (302, 405):
        problems.append(f"{ask}: {status}, expected a redirect to the login page")
    if ask.persona == "anonymous" and api and declared and refused and status != 401:
        problems.append(f"{ask}: {status}, expected 401")
    return problems


@pytest.mark.parametrize("key", url_keys())
def test_access(key: str, world: World) -> None:
    assert key in TABLE["urls"], f"no row for {key} in tests/web/access_matrix.yaml"
    if key.startswith(("plan", "scenario", "simulation")):
        _add_plans(world)
    if key.startswith("improve"):  # an assessment and an action in each (issue 7)
        for target, who in (("kcc", "declarer"), ("acute", "outsider")):
            record_example(world.targets[target].organisation, _person(world, who), T0)
    problems = _problems(world, key)
    assert problems == [], "\n".join(problems)


# --- CSRF: every form refuses a POST without the token ------------------------------------


def _writer(allowed: dict[str, list[str]]) -> str:
    """Someone the table lets write, signed in where possible, so only the token is missing."""
    writers = allowed.get("write", [])
    return next((p for p in writers if p != "anonymous"), "anonymous")


def _page_writes() -> list[tuple[str, str]]:
    return [
        (key, target)
        for key, row in TABLE["urls"].items()
        if not row.get("api")
        for target in ("any", "kcc", "acute")
        if (row.get(target) or {}).get("write")
    ]


@pytest.mark.parametrize(("key", "target"), _page_writes())
def test_every_form_refuses_a_post_without_its_csrf_token(
    key: str, target: str, world: World
) -> None:
    if key.startswith(("plan", "scenario", "simulation")):
        _add_plans(world)
    persona = _writer(TABLE["urls"][key][target])
    client = Client(enforce_csrf_checks=True)
    user = world.people[persona]
    if user is not None:
        client.force_login(user)
    before = _fingerprint()
    response = client.post(url_for(key, world.targets.get(target)), {})
    assert response.status_code == 403
    assert "CSRF" in response.content.decode()
    assert _fingerprint() == before


@pytest.mark.parametrize("key", ["api:declare", "api:submit_readings"])
def test_a_session_cookie_never_authenticates_the_api(key: str, world: World) -> None:
    """The API takes bearer tokens only, so a cross-site form riding a cookie gets nothing."""
    client = Client(enforce_csrf_checks=True)
    persona = _writer(TABLE["urls"][key]["kcc"])
    client.force_login(_person(world, persona))
    body = json.dumps(_api_body(key, world.targets["kcc"]))
    before = _fingerprint()
    response = client.post(
        url_for(key, world.targets["kcc"]), body, content_type="application/json"
    )
    assert response.status_code == 401
    assert _fingerprint() == before
