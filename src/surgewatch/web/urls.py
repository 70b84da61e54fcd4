"""Top-level URLs: each domain app brings its own."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView

from surgewatch.web.accounts.views import SignInView
from surgewatch.web.health import healthz

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),  # the load suite's peer (issue 8)
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/sso/", include("surgewatch.web.accounts.urls")),
    path("api/", include("surgewatch.web.api.urls")),
    path("", include("surgewatch.web.escalation.urls")),
    path("", include("surgewatch.web.reporting.urls")),
    path("", include("surgewatch.web.actions.urls")),
    path("", include("surgewatch.web.notify.urls")),
    path("", include("surgewatch.web.decisions.urls")),
    path("", include("surgewatch.web.sitrep.urls")),
    path("", include("surgewatch.web.calls.urls")),
    path("", include("surgewatch.web.audit.urls")),
    path("", include("surgewatch.web.plans.urls")),
    path("", include("surgewatch.web.exercises.urls")),  # exercise mode (issue 7)
    path("", include("surgewatch.web.improve.urls")),  # HICM self-assessment (issue 7)
    path("", include("surgewatch.web.casework.urls")),  # placement and case timers (issue 7)
    path("", include("surgewatch.web.governance.urls")),
    path("", include("surgewatch.web.washup.urls")),
    # nhsuk-frontend's stylesheet asks for its icons at /assets/...; serve them from static.
    path(
        "assets/<path:name>",
        RedirectView.as_view(url=static("nhsuk/assets/") + "%(name)s", permanent=False),
    ),
]
