"""The API's endpoints: validate, check scope through the web's own permission functions,
call the service or selector, shape the answer. Refusals are raised and turned
into JSON by :mod:`surgewatch.web.api.errors`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router
from ninja.params import functions as param
from pydantic_core import to_json

from surgewatch.web.accounts.models import User
from surgewatch.web.api import outputs
from surgewatch.web.api.idempotency import MAX_KEY_LENGTH, Outcome, request_digest, run_once
from surgewatch.web.api.ingest import IncomingReading, ingest_readings
from surgewatch.web.api.schemas import (
    SLUG_PATTERN,
    DeclarationIn,
    DeclarationOut,
    HistoryOut,
    MessageOut,
    OrganisationOut,
    ReadingsIn,
    ReadingsOut,
    StatusOut,
    ValidationErrorOut,
)
from surgewatch.web.escalation.models import Declaration
from surgewatch.web.escalation.selectors import organisation_status
from surgewatch.web.escalation.services import declare_level
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.packs import pack_of
from surgewatch.web.orgs.permissions import require_view, visible_organisations
from surgewatch.web.reporting.models import Reading
from surgewatch.web.reporting.selectors import history_page

router = Router()

REFUSALS: dict[int, Any] = {
    400: ValidationErrorOut,
    401: MessageOut,
    403: MessageOut,
    404: MessageOut,
    422: ValidationErrorOut,
}
# A POST may also meet a key another request holds (409) or a body over the upload limit (413);
# listed so the document declares every status a client can get (schemathesis checks it).
WRITE_REFUSALS: dict[int, Any] = {**REFUSALS, 409: MessageOut, 413: MessageOut}
# Printable ASCII, as HTTP tokens are: the key is stored, and odd bytes would fail there.
KEY_PATTERN = rf"^[\x21-\x7e]{{1,{MAX_KEY_LENGTH}}}$"
IdempotencyKey = Annotated[str | None, param.Header(alias="Idempotency-Key", pattern=KEY_PATTERN)]
HistoryLimit = Annotated[int, param.Query(ge=1, le=1000)]
DeclarationsLimit = Annotated[int, param.Query(ge=1, le=500)]
Work = Callable[[], Outcome]


def _user(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]  # set by BearerToken
    return user


def _is_slug(text: str) -> bool:
    """Checked before any query: a NUL byte, say, is an error in PostgreSQL, not a miss."""
    return re.fullmatch(SLUG_PATTERN, text) is not None


def _organisation(user: User, slug: str) -> Organisation:
    """The organisation, if it exists (404) and the user holds a role in it (403)."""
    if not _is_slug(slug):
        raise Http404(f"no organisation '{slug}'")
    organisation = Organisation.objects.select_related("framework").filter(slug=slug).first()
    if organisation is None:
        raise Http404(f"no organisation '{slug}'")
    require_view(user, organisation)
    return organisation


def _once(request: HttpRequest, key: str | None, work: Work) -> HttpResponse:
    """Run ``work``, or replay it when the Idempotency-Key was seen with the same request.

    The body is serialised by pydantic-core straight from the service's records:
    on a 500-row batch, building and dumping response models would cost more
    than storing the rows. The OpenAPI document still shows the declared schema.
    """
    if key is None:
        outcome = work()
    else:
        digest = request_digest(request.method or "POST", request.path, request.body)
        outcome = run_once(_user(request), key, digest, work, now=timezone.now())
    response = HttpResponse(
        to_json(outcome.body), status=outcome.status, content_type="application/json"
    )
    if outcome.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@router.post("/readings", response={201: ReadingsOut, **WRITE_REFUSALS}, tags=["readings"])
def submit_readings(
    request: HttpRequest,
    payload: ReadingsIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Submit readings for any areas and times you report; all are stored, or none.

    Each row is checked as the reporting form checks it; a refusal names the
    row index and field. Levels come from the organisation's framework in force.
    """
    user, now = _user(request), timezone.now()
    rows = [
        IncomingReading(r.organisation, r.area, r.indicator, r.value, r.observed_at)
        for r in payload.readings
    ]

    def work() -> Outcome:
        stored = ingest_readings(user, rows, now=now)
        return Outcome(201, {"readings": [r._asdict() for r in stored]})

    return _once(request, idempotency_key, work)


@router.get(
    "/organisations", response={200: list[OrganisationOut], 401: MessageOut}, tags=["organisations"]
)
def organisations(request: HttpRequest) -> Any:
    """The organisations you hold a role in."""
    found = visible_organisations(_user(request)).prefetch_related("areas")
    return [outputs.organisation_out(o) for o in found]


@router.get(
    "/organisations/{slug}/status", response={200: StatusOut, **REFUSALS}, tags=["organisations"]
)
def status(request: HttpRequest, slug: str) -> Any:
    """Suggested and declared level, score, and every cell's standing reading."""
    organisation = _organisation(_user(request), slug)
    return outputs.status_out(organisation_status(organisation))


@router.get(
    "/organisations/{slug}/areas/{area}/indicators/{indicator}/history",
    response={200: HistoryOut, **REFUSALS},
    tags=["readings"],
)
def history(
    request: HttpRequest,
    slug: str,
    area: str,
    indicator: str,
    limit: HistoryLimit = 200,
) -> Any:
    """Every reading of one cell, superseded ones included, newest observation first."""
    organisation = _organisation(_user(request), slug)
    place = _area(organisation, area)
    _check_indicator(place, indicator)
    readings = history_page(place, indicator, limit)
    later = _superseded_by(readings)
    return HistoryOut(
        organisation=organisation.slug,
        area=place.slug,
        indicator=indicator,
        readings=[outputs.history_reading_out(r, later.get(r.pk)) for r in readings],
    )


def _superseded_by(readings: list[Reading]) -> dict[int, int]:
    """Which amendment replaced each reading, in one query (the amendment may be off the page)."""
    found = Reading.objects.filter(supersedes__in=readings).values_list("supersedes_id", "pk")
    return {old: new for old, new in found if old is not None}


def _area(organisation: Organisation, slug: str) -> Area:
    """Retired areas included: their history stays readable."""
    found = organisation.areas.filter(slug=slug).first() if _is_slug(slug) else None
    if found is None:
        raise Http404(f"no area '{slug}' in {organisation.slug}")
    return found


def _check_indicator(area: Area, indicator: str) -> None:
    """Known to the pack in force, or reported under an earlier framework."""
    if any(i.id == indicator for i in pack_of(area.organisation.framework).indicators):
        return
    if (
        not _is_slug(indicator)
        or not Reading.objects.filter(area=area, indicator=indicator).exists()
    ):
        raise Http404(f"no indicator '{indicator}' in {area.organisation.slug}/{area.slug}")


@router.get(
    "/organisations/{slug}/declarations",
    response={200: list[DeclarationOut], **REFUSALS},
    tags=["declarations"],
)
def declarations(request: HttpRequest, slug: str, limit: DeclarationsLimit = 50) -> Any:
    """Declared levels, latest first, each with the suggestion it was made against."""
    organisation = _organisation(_user(request), slug)
    found = Declaration.objects.filter(organisation=organisation).latest_first()
    return [
        outputs.declaration_out(d, organisation) for d in found.select_related("framework")[:limit]
    ]


@router.post(
    "/organisations/{slug}/declarations",
    response={201: DeclarationOut, **WRITE_REFUSALS},
    tags=["declarations"],
)
def declare(
    request: HttpRequest,
    slug: str,
    payload: DeclarationIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Declare the organisation's level; a level that differs from the suggestion needs a reason."""
    user, now = _user(request), timezone.now()
    organisation = _organisation(user, slug)

    def work() -> Outcome:
        made = declare_level(user, organisation, payload.level, payload.reason, now=now)
        return Outcome(201, outputs.declaration_out(made, organisation))

    return _once(request, idempotency_key, work)
