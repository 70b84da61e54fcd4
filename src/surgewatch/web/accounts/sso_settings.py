"""Single sign-on settings from the environment (OpenID Connect, mozilla-django-oidc).

Read by ``settings/base.py`` before Django starts, so this module imports no
models. Single sign-on is on only when ``OIDC_RP_CLIENT_ID`` is set; then the
client secret and the provider's endpoints are required, either each one
(``OIDC_OP_AUTHORIZATION_ENDPOINT``, ``OIDC_OP_TOKEN_ENDPOINT``,
``OIDC_OP_USER_ENDPOINT``, ``OIDC_OP_JWKS_ENDPOINT``) or all at once from the
provider's discovery document (``OIDC_OP_DISCOVERY_URL``, fetched at start-up).
Anything missing or unreadable stops start-up with a message naming the variable.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
DISCOVERY_TIMEOUT_SECONDS = 10


def oidc_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """The OIDC_* Django settings for this environment; ``OIDC_ENABLED`` False when unset."""
    client_id = environ.get("OIDC_RP_CLIENT_ID", "").strip()
    if not client_id:
        return {"OIDC_ENABLED": False}
    secret = environ.get("OIDC_RP_CLIENT_SECRET", "").strip()
    if not secret:
        raise ImproperlyConfigured(
            "OIDC_RP_CLIENT_SECRET is not set but OIDC_RP_CLIENT_ID is; fix: export the client "
            "secret your identity provider issued, or unset OIDC_RP_CLIENT_ID"
        )
    return {
        "OIDC_ENABLED": True,
        "OIDC_RP_CLIENT_ID": client_id,
        "OIDC_RP_CLIENT_SECRET": secret,
        "OIDC_RP_SIGN_ALGO": environ.get("OIDC_RP_SIGN_ALGO", "RS256").strip(),
        "OIDC_RP_SCOPES": environ.get("OIDC_RP_SCOPES", "openid email profile").strip(),
        "OIDC_ROLES_CLAIM": environ.get("OIDC_ROLES_CLAIM", "groups").strip(),
        "OIDC_ROLE_MAP": role_map(environ.get("OIDC_ROLE_MAP", "")),
        # The code exchange also proves it is the same browser (RFC 7636).
        "OIDC_USE_PKCE": True,
        "OIDC_TIMEOUT": DISCOVERY_TIMEOUT_SECONDS,
        **endpoints(environ),
    }


def role_map(text: str) -> dict[str, str]:
    """``OIDC_ROLE_MAP``: a JSON object from a provider's group name to 'org:role[:area]'."""
    if not text.strip():
        return {}
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(f"OIDC_ROLE_MAP is not JSON: {error}") from None
    if not isinstance(parsed, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in parsed.items()
    ):
        raise ImproperlyConfigured(
            'OIDC_ROLE_MAP must be a JSON object of strings, like {"a1b2c3": '
            '"kcc-asch:stp-team-manager:dgs"}'
        )
    return parsed


def endpoints(environ: Mapping[str, str]) -> dict[str, str]:
    """The provider's endpoints: each from its variable, the rest from discovery."""
    given = {name: environ.get(name, "").strip() for name in ENDPOINTS}
    missing = [name for name, value in given.items() if not value]
    if not missing:
        return given
    discovery_url = environ.get("OIDC_OP_DISCOVERY_URL", "").strip()
    if not discovery_url:
        raise ImproperlyConfigured(
            f"{', '.join(missing)} not set; fix: export OIDC_OP_DISCOVERY_URL (the provider's "
            ".well-known/openid-configuration address) or each endpoint"
        )
    document = discover(discovery_url)
    found = {name: given[name] or str(document.get(key, "")) for name, key in ENDPOINTS.items()}
    absent = [ENDPOINTS[name] for name, value in found.items() if not value]
    if absent:
        raise ImproperlyConfigured(
            f"{discovery_url} does not give {', '.join(absent)}; fix: set the matching OIDC_OP_* "
            "variables"
        )
    return found


def discover(url: str) -> dict[str, Any]:
    """The provider's discovery document, or a start-up error naming the address."""
    try:
        with urllib.request.urlopen(url, timeout=DISCOVERY_TIMEOUT_SECONDS) as response:
            document = json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(
            f"OIDC_OP_DISCOVERY_URL {url} could not be read ({error}); fix: check the address "
            "and that this server can reach the identity provider"
        ) from None
    if not isinstance(document, dict):
        raise ImproperlyConfigured(f"OIDC_OP_DISCOVERY_URL {url} is not a JSON object")
    return document
