"""Every refusal as JSON with the status a client can act on; bad input is never a 500.

Field errors share one shape, ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}``,
whether pydantic or a service found them; ``loc`` starts with where the value
was (``body``, ``query``, ``path``, ``header``), then the field path, with the
row index for readings: ``["body", "readings", 3, "value"]``; a body that is
not JSON is a 400 in the same shape. Other refusals are ``{"detail": "message"}``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    ValidationError,
)
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from surgewatch.web.api.idempotency import KeyInUseError, KeyReusedError
from surgewatch.web.api.ingest import RowValidationError

Loc = list[str | int]
Reply = tuple[int, dict[str, Any]]
Handler = Callable[[Any], Reply]
NinjaHandler = Callable[[HttpRequest, Exception | type[Exception]], HttpResponse]


def install(api: NinjaAPI) -> None:
    """Register the handlers; the most specific class wins (ninja walks the MRO)."""
    handlers: dict[type[Exception], Handler] = {
        SchemaError: _schema_error,
        RowValidationError: _row_errors,
        ValidationError: _service_error,
        KeyReusedError: _key_reused,
        KeyInUseError: _key_in_use,
        PermissionDenied: _forbidden,
        Http404: _not_found,
        ObjectDoesNotExist: _not_found,
        AuthenticationError: _unauthorised,
        HttpError: _http_error,
        RequestDataTooBig: _too_big,
    }
    for exc_class, handler in handlers.items():
        api.add_exception_handler(exc_class, _bound(api, handler))


def _bound(api: NinjaAPI, handler: Handler) -> NinjaHandler:
    def respond(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
        status, body = handler(exc)
        response = api.create_response(request, body, status=status)
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="surgewatch"'
        return response

    return respond


def _item(loc: Sequence[str | int], msg: str, kind: str) -> dict[str, Any]:
    return {"loc": list(loc), "msg": msg, "type": kind}


def _schema_error(exc: SchemaError) -> Reply:
    items = [
        _item(_public_loc(e.get("loc", ())), str(e.get("msg", "")), str(e.get("type", "")))
        for e in exc.errors
    ]
    return 422, {"detail": items}


def _public_loc(loc: Sequence[Any]) -> Loc:
    """Drop the view's parameter name, ours, not the client's: body.payload.x -> body.x.

    Every view names its one body parameter ``payload``; no schema has a field of that name.
    """
    parts: Loc = [p if isinstance(p, int) else str(p) for p in loc]
    if parts[:2] == ["body", "payload"]:
        del parts[1]
    return parts


def _row_errors(exc: RowValidationError) -> Reply:
    items = [_item(["body", "readings", e.row, e.column], e.message, "invalid") for e in exc.rows]
    return 422, {"detail": items}


def _service_error(exc: ValidationError) -> Reply:
    if not hasattr(exc, "error_dict"):
        return 422, {"detail": [_item(["body"], m, "invalid") for m in exc.messages]}
    items = [
        _item(["body"] if field == NON_FIELD_ERRORS else ["body", field], message, "invalid")
        for field, messages in exc.message_dict.items()
        for message in messages
    ]
    return 422, {"detail": items}


def _key_reused(exc: KeyReusedError) -> Reply:
    return 422, {"detail": [_item(["header", "Idempotency-Key"], str(exc), "key_reused")]}


def _key_in_use(exc: KeyInUseError) -> Reply:
    return 409, {"detail": str(exc)}


def _forbidden(exc: PermissionDenied) -> Reply:
    return 403, {"detail": str(exc) or "outside your roles"}


def _not_found(exc: Exception) -> Reply:
    return 404, {"detail": str(exc) or "not found"}


def _unauthorised(exc: AuthenticationError) -> Reply:
    message = "no valid API token; fix: send 'Authorization: Bearer <token>' with a live token"
    return 401, {"detail": message}


def _http_error(exc: HttpError) -> Reply:
    """Ninja's own refusals; a body that is not JSON says why (ninja keeps the parser's error)."""
    if exc.status_code == 400 and exc.__cause__ is not None:
        reason = f"{exc}: {exc.__cause__}; fix: send a JSON object"
        return 400, {"detail": [_item(["body"], reason, "json_invalid")]}
    return exc.status_code, {"detail": str(exc)}


def _too_big(exc: RequestDataTooBig) -> Reply:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return 413, {"detail": f"body over {limit} bytes; fix: send fewer readings per request"}
