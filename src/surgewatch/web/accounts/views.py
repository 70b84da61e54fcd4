"""Signing in: the password form, and single sign-on when it is configured.

The single sign-on views are mozilla-django-oidc's, answering 404 while single
sign-on is off (no ``OIDC_RP_CLIENT_ID``), so the addresses exist in every
deployment but only work in one that has an identity provider.
"""

from __future__ import annotations

import logging
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import View
from mozilla_django_oidc.views import (  # type: ignore[import-untyped]
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

log = logging.getLogger(__name__)


def sso_enabled() -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False))


class SignInView(auth_views.LoginView):
    """Django's login form, offering single sign-on beside it when that is on."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["sso_enabled"] = sso_enabled()
        return context


class SsoStartView(OIDCAuthenticationRequestView):  # type: ignore[misc]
    """Sends the browser to the identity provider, with state, nonce and PKCE challenge."""

    def __init__(self, **kwargs: Any) -> None:
        # mozilla's __init__ reads the provider's settings, which exist only when it is on.
        if sso_enabled():
            super().__init__(**kwargs)
        else:
            View.__init__(self, **kwargs)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not sso_enabled():
            raise Http404("single sign-on is not configured")
        response: HttpResponse = super().dispatch(request, *args, **kwargs)
        return response


class SsoCallbackView(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """Where the provider sends the browser back; signs in, or says it could not."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not sso_enabled():
            raise Http404("single sign-on is not configured")
        response: HttpResponse = super().dispatch(request, *args, **kwargs)
        return response

    def get(self, request: HttpRequest) -> HttpResponse:
        # A forged, expired or replayed answer, or a provider that is down, is a failed
        # sign-in with a message, never a 400 or 500 page.
        try:
            response: HttpResponse = super().get(request)
        except (SuspiciousOperation, jwt.PyJWTError, requests.RequestException) as problem:
            log.warning("single sign-on refused: %s", problem)
            return self.login_failure()
        return response

    def login_failure(self) -> HttpResponse:
        messages.error(
            self.request,
            "Single sign-on did not sign you in. Try again, or ask your Surgewatch "
            "administrator to check your account.",
        )
        return HttpResponseRedirect(reverse("login"))
