"""The API, mounted at /api/: OpenAPI document at /api/openapi.json, docs at /api/docs."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from ninja import NinjaAPI

from surgewatch.web.api import errors
from surgewatch.web.api.auth import BearerToken
from surgewatch.web.api.views import router

api = NinjaAPI(
    title="Surgewatch API",
    version="1",
    description=(
        "Readings in; levels, status, history and declarations out. Authenticate with "
        "'Authorization: Bearer <token>'; a token acts with its user's roles. POSTs accept an "
        "Idempotency-Key header, so a retried request is answered once and saved once."
    ),
    auth=BearerToken(),
    urls_namespace="api",
)
api.add_router("", router)
errors.install(api)

urlpatterns: list[URLPattern | URLResolver] = [path("", api.urls)]
