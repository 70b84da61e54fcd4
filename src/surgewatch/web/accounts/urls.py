"""Single sign-on addresses, under /accounts/sso/ (404 while single sign-on is off)."""

from __future__ import annotations

from django.urls import URLPattern, path

from surgewatch.web.accounts.views import SsoCallbackView, SsoStartView

urlpatterns: list[URLPattern] = [
    path("start/", SsoStartView.as_view(), name="oidc_authentication_init"),
    # mozilla-django-oidc builds the redirect_uri from this name.
    path("callback/", SsoCallbackView.as_view(), name="oidc_authentication_callback"),
]
