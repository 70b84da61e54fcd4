"""The API against its own OpenAPI document, fuzzed by schemathesis (issue 8, 'Bad input').

Rule under test: bad input is refused with a status and body the document
declares, never a 500 (issue 3: 'errors are JSON that names the row and
field, never a 500 for bad input'). Cases come from ``/api/openapi.json`` as
served, in both of schemathesis's modes: valid requests (positive) and
requests that break the schema (negative). Half the cases are pointed at
names that exist (Kent's organisation, areas and indicators), so the fuzz
reaches the stores, the engine and the permission checks and does not stop
at a 404. Authenticated with a bearer token of a user who reports every
Kent indicator in two areas and declares Kent's level, as a feed would.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS
from schemathesis.core.result import Ok
from schemathesis.openapi import from_wsgi

from surgewatch.web.accounts.models import User
from surgewatch.web.api.services import issue_token
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.services import add_membership

# At least 1,000 cases in a run (issue 8), shared evenly by the operations.
CASES_PER_RUN = int(os.environ.get("SURGEWATCH_FUZZ_CASES", "1200"))
KNOWN_AREAS = ["dgs", "swale", "west-kent", "east-kent", "nowhere", "d\x00gs"]
KNOWN_INDICATORS = ["stp_staffing_pct", "health_caseload", "referrals", "dementia_beds", "x"]
# Fixed, so CI is repeatable; set SURGEWATCH_FUZZ_SEED to explore further.
SEED = int(os.environ.get("SURGEWATCH_FUZZ_SEED", "8"))
CHECK_NAMES = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
)


def _checks() -> list[Any]:
    return [c for c in CHECKS.get_all() if c.__name__ in CHECK_NAMES]


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """Django's WSGI handler, kept from closing the test's connection after each request
    (Django's own test client does the same): the test's transaction must survive."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def feed_user(kcc: Organisation, dgs: Area, swale: Area) -> User:
    user = User.objects.create_user(username="feed", password="not-used")
    for area in (dgs, swale):
        add_membership(user, kcc, "stp-team-manager", area=area)
        add_membership(user, kcc, "arranging-support-team", area=area)
    add_membership(user, kcc, "stp-service-manager")
    return user


@pytest.fixture
def bearer(feed_user: User) -> dict[str, str]:
    _, plaintext = issue_token(feed_user, "fuzz")
    return {"Authorization": f"Bearer {plaintext}"}


def _aim(case: Any, where: dict[str, Any] | None) -> Any:
    """Point a generated case at names that exist, keeping whatever else was generated."""
    if where is None:
        return case
    for name in case.path_parameters or {}:
        if name in where:
            case.path_parameters[name] = where[name]
    rows = case.body.get("readings") if isinstance(case.body, dict) else None
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, dict):
            row.update(organisation=where["slug"], area=where["area"])
            row.update(indicator=where["indicator"])
            if where["value"] is not None:  # a plausible reading, so some batches are stored
                row.update(value=where["value"], observed_at=where["observed_at"])
    return case


places = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            # A NUL byte is an error in PostgreSQL text, not a miss: it must still be a 404.
            "slug": st.sampled_from(["kcc-asch", "kcc-asch", "no-such-org", "kcc\x00asch"]),
            "area": st.sampled_from(KNOWN_AREAS),
            "indicator": st.sampled_from(KNOWN_INDICATORS),
            "value": st.one_of(st.none(), st.integers(0, 100), st.sampled_from([-1, 101, 1e9])),
            "observed_at": st.sampled_from(
                ["2025-12-01T09:00:00Z", "2025-12-01T09:00:00+05:00", "2999-01-01T00:00:00Z"]
            ),
        }
    ),
)


def test_no_generated_request_gets_a_500_or_breaks_the_document(
    bearer: dict[str, str], wsgi_app: WSGIHandler, settings: Any
) -> None:
    settings.ALLOWED_HOSTS = ["localhost"]  # schemathesis's WSGI client's host
    schema = from_wsgi("/api/openapi.json", wsgi_app)
    found = list(schema.get_all_operations())
    operations = [r.ok() for r in found if isinstance(r, Ok)]
    assert len(operations) == len(found) == 6  # every operation in the document is usable
    per_operation = CASES_PER_RUN // len(operations)
    statuses: Counter[int] = Counter()
    checks = _checks()
    assert len(checks) == len(CHECK_NAMES)

    for operation in operations:
        strategy = st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        )

        @given(case=strategy, where=places)
        @seed(SEED)
        @hypothesis_settings(
            max_examples=per_operation,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any, where: dict[str, Any] | None) -> None:
            response = _aim(case, where).call(headers=bearer)
            statuses[response.status_code] += 1
            case.validate_response(response, checks=checks)

        run()
    print(dict(statuses))
    assert sum(statuses.values()) >= 1000
    # The fuzz reached stored writes, reads, refusals and requests without a token.
    assert min(statuses[201], statuses[200], statuses[422], statuses[401]) > 0, statuses
