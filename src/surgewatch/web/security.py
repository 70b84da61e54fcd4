"""Response headers Django 5 does not set itself (a strict Content-Security-Policy and a
Permissions-Policy), and the 12-hour cap on a sign-in (issue 8).

Django's SecurityMiddleware already sends nosniff, the Referrer-Policy and the
Cross-Origin-Opener-Policy, and XFrameOptionsMiddleware sends 'DENY'; HSTS and
the HTTPS redirect are switched on in ``settings/prod.py``. Django has no CSP
before 6.0, hence this middleware.

The policy allows scripts, styles, fonts and images from this site only. Every
page's JavaScript is a static file (nhsuk-frontend, htmx, Chart.js and
``static/surgewatch/*.js``) and every style a stylesheet; there is no inline
script, no inline style attribute and no eval, and tests/browser/test_csp.py
checks pages in Chromium for violations. Chart.js and nhsuk-frontend set styles
through the DOM (``element.style``), which a CSP does not restrict. Images may
be ``data:`` URIs, which nhsuk-frontend's stylesheet uses for small icons, and
fonts come from assets.nhs.uk, where nhsuk-frontend's stylesheet loads Frutiger.
A deployment can change a directive with the ``SURGEWATCH_CSP`` setting (a dict).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

DEFAULT_POLICY: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    # nhsuk-frontend's stylesheet loads the NHS's Frutiger fonts from the NHS's own CDN.
    "font-src": "'self' https://assets.nhs.uk",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    # The header twin of X-Frame-Options: DENY; no page is ever framed.
    "frame-ancestors": "'none'",
}
# Nothing on the site uses these; a compromised script cannot ask for them either.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def policy_text(policy: dict[str, str]) -> str:
    """The header value: directives in the order given, separated by '; '."""
    return "; ".join(f"{name} {sources}" for name, sources in policy.items())


def configured_policy() -> str:
    """The policy, with any directive overridden by ``SURGEWATCH_CSP`` in settings."""
    overrides: dict[str, str] = getattr(settings, "SURGEWATCH_CSP", {})
    return policy_text({**DEFAULT_POLICY, **overrides})


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy and Permissions-Policy to every response that lacks them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = configured_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # A view that needs its own policy sets the header itself, and it is kept.
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


# Seconds since the epoch when the person signed in, kept in their session.
SIGNED_IN_AT = "surgewatch_signed_in_at"


def stamp_sign_in(sender: object, request: HttpRequest | None, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: remember when this sign-in began."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = timezone.now().timestamp()


class SignInLifetimeMiddleware:
    """Ends a sign-in ``SESSION_COOKIE_AGE`` seconds after it began, however busy it was.

    Django moves a session's expiry forward whenever the session is saved; this
    keeps the limit to one shift from the moment of signing in. The person is
    signed out and the page they asked for sends them to the login page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            # A session from before this check has no stamp: its clock starts now.
            began = request.session.setdefault(SIGNED_IN_AT, now)
            if now - began > settings.SESSION_COOKIE_AGE:
                logout(request)
        return self.get_response(request)
