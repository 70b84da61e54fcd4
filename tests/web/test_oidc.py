"""Single sign-on against a small OpenID Connect provider on loopback (issue 8).

The stub provider runs in a thread for each test: discovery document, an
authorisation endpoint that signs in whoever the test says, a token endpoint
that checks the client secret and the PKCE verifier and returns an ID token
signed RS256 with a key made here, userinfo and JWKS. Surgewatch talks to it
over real HTTP, exactly as to Keycloak or Microsoft Entra ID.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from surgewatch.web.accounts.models import SsoIdentity, User
from surgewatch.web.accounts.oidc import Grant, parse_group
from surgewatch.web.accounts.sso_settings import oidc_settings
from surgewatch.web.notify.models import Preference
from surgewatch.web.notify.services import add_channel, choose_channels
from surgewatch.web.orgs.models import Area, Membership, Organisation
from surgewatch.web.security import SIGNED_IN_AT

if TYPE_CHECKING:  # the test client's response type exists only in django-stubs
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

MakeUser = Callable[..., User]
CLIENT_ID = "surgewatch"
CLIENT_SECRET = "stub-client-secret"
BACKEND = "surgewatch.web.accounts.oidc.RoleMappingBackend"


# --- the provider --------------------------------------------------------------------------


def _private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


PROVIDER_KEY = _private_key()  # made once: a 2048-bit key takes a while


@dataclass
class Provider:
    """What the stub knows: its key, who signs in next, and the codes and tokens it issued."""

    url: str = ""
    key: rsa.RSAPrivateKey = PROVIDER_KEY
    signing_key: rsa.RSAPrivateKey | None = None  # set to sign with a key not in the JWKS
    next_claims: dict[str, Any] = field(default_factory=dict)
    userinfo_claims: dict[str, Any] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    nonce_override: str | None = None
    lifetime: int = 300  # seconds the ID token is valid for

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": "stub-1", "alg": "RS256", "use": "sig"}]}

    def authorize(self, query: dict[str, str]) -> str:
        """The person signs in at the provider; the browser goes back with a code."""
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**query, "claims": dict(self.next_claims)}
        back = {"code": code, "state": query["state"]}
        return f"{query['redirect_uri']}?{urlencode(back)}"

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        issued = self.codes.pop(form.get("code", ""), None)
        if form.get("client_secret") != CLIENT_SECRET or issued is None:
            return 400, {"error": "invalid_grant"}
        if _challenge(form.get("code_verifier", "")) != issued.get("code_challenge"):
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        access = secrets.token_urlsafe(16)
        self.tokens[access] = issued["claims"]
        return 200, {"access_token": access, "token_type": "Bearer", "id_token": self._id(issued)}

    def _id(self, issued: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {
            **issued["claims"],
            "iss": self.url,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + self.lifetime,
            "nonce": self.nonce_override or issued.get("nonce"),
        }
        key = self.signing_key or self.key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "stub-1"})

    def userinfo(self, token: str) -> tuple[int, dict[str, Any]]:
        claims = self.tokens.get(token)
        if claims is None:
            return 401, {"error": "invalid_token"}
        return 200, {"sub": claims["sub"], **self.userinfo_claims}


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/.well-known/openid-configuration":
                self._json(200, provider.discovery())
            elif parts.path == "/jwks":
                self._json(200, provider.jwks())
            elif parts.path == "/authorize":
                self.send_response(302)
                self.send_header("Location", provider.authorize(query))
                self.end_headers()
            elif parts.path == "/userinfo":
                bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
                self._json(*provider.userinfo(bearer))
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            self._json(*provider.token(form))

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test's own assertions say what happened."""

    return Handler


@pytest.fixture
def provider() -> Iterator[Provider]:
    stub = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield stub
    server.shutdown()
    server.server_close()


ENV = {"OIDC_RP_CLIENT_ID": CLIENT_ID, "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET}


@pytest.fixture
def sso(provider: Provider, settings: Settings, kcc: Organisation) -> Provider:
    """Single sign-on switched on as an operator would: environment variables and discovery."""
    env = {**ENV, "OIDC_OP_DISCOVERY_URL": f"{provider.url}/.well-known/openid-configuration"}
    for name, value in oidc_settings(env).items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
    return provider


def _claims(sub: str, username: str, *groups: str, **more: Any) -> dict[str, Any]:
    return {"sub": sub, "preferred_username": username, "groups": list(groups), **more}


def _sign_in(client: Client, provider: Provider, claims: dict[str, Any]) -> Response:
    """Start, go through the provider (real HTTP), and come back with the code."""
    provider.next_claims = claims
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302
    assert start["Location"].startswith(f"{provider.url}/authorize?")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == reverse("oidc_authentication_callback")
    return client.get(f"{back.path}?{back.query}")


def _roles(user: User) -> set[tuple[str, str, str | None]]:
    found = Membership.objects.filter(user=user).select_related("organisation", "area")
    return {(m.organisation.slug, m.role, m.area.slug if m.area else None) for m in found}


# --- off by default ------------------------------------------------------------------------


def test_without_oidc_variables_single_sign_on_is_off(db: None) -> None:
    assert oidc_settings({}) == {"OIDC_ENABLED": False}
    page = Client().get(reverse("login")).content.decode()
    assert "Sign in with single sign-on" not in page
    assert Client().get(reverse("oidc_authentication_init")).status_code == 404
    assert Client().get(reverse("oidc_authentication_callback")).status_code == 404


def test_a_client_id_without_its_secret_stops_start_up() -> None:
    with pytest.raises(ImproperlyConfigured, match="OIDC_RP_CLIENT_SECRET is not set"):
        oidc_settings({"OIDC_RP_CLIENT_ID": CLIENT_ID})


def test_endpoints_come_from_discovery_or_start_up_says_which_are_missing(
    provider: Provider,
) -> None:
    discovered = oidc_settings(
        {**ENV, "OIDC_OP_DISCOVERY_URL": f"{provider.url}/.well-known/openid-configuration"}
    )
    assert discovered["OIDC_OP_TOKEN_ENDPOINT"] == f"{provider.url}/token"
    assert discovered["OIDC_OP_JWKS_ENDPOINT"] == f"{provider.url}/jwks"
    with pytest.raises(ImproperlyConfigured, match="OIDC_OP_AUTHORIZATION_ENDPOINT"):
        oidc_settings(ENV)
    with pytest.raises(ImproperlyConfigured, match="could not be read"):
        oidc_settings({**ENV, "OIDC_OP_DISCOVERY_URL": f"{provider.url}/nothing-here"})
    with pytest.raises(ImproperlyConfigured, match="OIDC_ROLE_MAP is not JSON"):
        oidc_settings({**ENV, "OIDC_ROLE_MAP": "{not json"})


@pytest.mark.parametrize(
    ("group", "grant"),
    [
        ("kcc-asch:stp-team-manager:dgs", Grant("kcc-asch", "stp-team-manager", "dgs")),
        ("kcc-asch:viewer", Grant("kcc-asch", "viewer")),
        ("kcc-asch", None),
        ("kcc-asch::dgs", None),
        ("a:b:c:d", None),
    ],
)
def test_groups_read_as_organisation_role_and_area(group: str, grant: Grant | None) -> None:
    assert parse_group(group, {}) == grant


# --- signing in ----------------------------------------------------------------------------


def test_the_login_page_offers_single_sign_on_when_it_is_on(sso: Provider) -> None:
    page = Client().get(reverse("login")).content.decode()
    assert "Sign in with single sign-on" in page
    assert reverse("oidc_authentication_init") in page


def test_the_first_sign_in_creates_the_person_with_the_roles_the_claims_give(
    sso: Provider, dgs: Area
) -> None:
    client = Client()
    claims = _claims(
        "u-101",
        "dee.gee",
        "kcc-asch:stp-team-manager:dgs",
        "kcc-asch:viewer",
        "finance-app-users",  # another application's group: ignored
        "kcc-asch:no-such-role",  # not a role of the pack: ignored
        "kcc-asch:stp-team-manager:nowhere",  # not an area: ignored
        "elsewhere:viewer",  # not an organisation here: ignored
        email="dee.gee@kent.example",
        given_name="Dee",
        is_staff=True,  # claims never make anyone staff
    )
    response = _sign_in(client, sso, claims)
    assert response.status_code == 302
    assert response["Location"] == reverse("board")
    user = User.objects.get(username="dee.gee")
    assert (user.email, user.first_name) == ("dee.gee@kent.example", "Dee")
    assert (user.is_staff, user.is_superuser, user.has_usable_password()) == (False, False, False)
    assert user.sso_identity.subject == "u-101"
    assert _roles(user) == {("kcc-asch", "stp-team-manager", "dgs"), ("kcc-asch", "viewer", None)}
    assert client.get(reverse("report", args=["kcc-asch", "dgs"])).status_code == 200
    assert client.session[SIGNED_IN_AT] > 0  # the 12-hour clock runs for SSO too


def test_later_sign_ins_follow_the_claims_and_keep_what_stays(
    sso: Provider, dgs: Area, kcc: Organisation
) -> None:
    _sign_in(Client(), sso, _claims("u-101", "dee.gee", "kcc-asch:stp-team-manager:dgs"))
    user = User.objects.get(username="dee.gee")
    kept = Membership.objects.get(user=user)
    channel = add_channel(user, "email", "dee@kent.example", kept.organisation.framework.loaded_at)
    choose_channels(user, {kept.pk: [channel.pk]})

    groups = ("kcc-asch:stp-team-manager:dgs", "kcc-asch:stp-service-manager")
    client = Client()
    assert _sign_in(client, sso, _claims("u-101", "dee.gee", *groups)).status_code == 302
    assert _roles(user) == {
        ("kcc-asch", "stp-team-manager", "dgs"),
        ("kcc-asch", "stp-service-manager", None),
    }
    assert Membership.objects.filter(pk=kept.pk).exists()  # the same row, not remade
    assert Preference.objects.filter(membership=kept, channel=channel).exists()

    _sign_in(Client(), sso, _claims("u-101", "dee.gee"))
    assert _roles(user) == set()  # removed from every group: no role left
    assert User.objects.filter(username="dee.gee").count() == 1


def test_groups_in_the_userinfo_answer_count_too(sso: Provider, dgs: Area) -> None:
    sso.userinfo_claims = {"groups": ["kcc-asch:director-asc"], "email": "d@kent.example"}
    _sign_in(Client(), sso, _claims("u-7", "director"))
    assert _roles(User.objects.get(username="director")) == {("kcc-asch", "director-asc", None)}


def test_a_role_map_translates_the_providers_group_ids(
    sso: Provider, settings: Settings, dgs: Area
) -> None:
    settings.OIDC_ROLE_MAP = {
        "6f0c1d2e-entra-group": "kcc-asch:stp-service-manager",
        "a81b-entra-group": "kcc-asch:stp-team-manager:dgs",
    }
    claims = _claims("u-9", "sam", "6f0c1d2e-entra-group", "kcc-asch:viewer")
    _sign_in(Client(), sso, claims)
    # With a map, only mapped groups count: the plain-text one is ignored.
    assert _roles(User.objects.get(username="sam")) == {("kcc-asch", "stp-service-manager", None)}


# --- refusals ------------------------------------------------------------------------------


def _refused(response: Response, client: Client) -> None:
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    page = client.get(reverse("login")).content.decode()
    assert "Single sign-on did not sign you in" in page
    assert client.get(reverse("board")).status_code == 302


def test_an_id_token_signed_with_another_key_signs_nobody_in(sso: Provider) -> None:
    sso.signing_key = _private_key()
    client = Client()
    _refused(
        _sign_in(client, sso, _claims("u-1", "mallory", "kcc-asch:stp-service-manager")), client
    )
    assert not User.objects.filter(username="mallory").exists()


def test_an_expired_id_token_signs_nobody_in(sso: Provider) -> None:
    sso.lifetime = -60
    client = Client()
    _refused(_sign_in(client, sso, _claims("u-1", "mallory", "kcc-asch:viewer")), client)
    assert not User.objects.filter(username="mallory").exists()


def test_a_token_for_another_sign_in_is_refused(sso: Provider) -> None:
    sso.nonce_override = "not-the-nonce-we-sent"
    client = Client()
    _refused(_sign_in(client, sso, _claims("u-1", "mallory", "kcc-asch:viewer")), client)
    assert not User.objects.filter(username="mallory").exists()


def test_a_code_the_provider_refuses_is_a_failed_sign_in_not_an_error(sso: Provider) -> None:
    client = Client()
    sso.next_claims = _claims("u-5", "pat", "kcc-asch:viewer")
    start = client.get(reverse("oidc_authentication_init"))
    answer = requests.get(start["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    sso.codes.clear()  # the provider has forgotten the code: its token endpoint answers 400
    _refused(client.get(f"{back.path}?{back.query}"), client)


def test_the_provider_cannot_take_over_a_local_account(
    sso: Provider, make_user: MakeUser, dgs: Area
) -> None:
    local = make_user("service-manager", "stp-service-manager")
    client = Client()
    response = _sign_in(client, sso, _claims("u-2", "service-manager", "kcc-asch:viewer"))
    _refused(response, client)
    assert _roles(local) == {("kcc-asch", "stp-service-manager", None)}
    assert not SsoIdentity.objects.exists()


def test_a_code_is_used_once(sso: Provider) -> None:
    client = Client()
    sso.next_claims = _claims("u-3", "pat", "kcc-asch:viewer")
    start = client.get(reverse("oidc_authentication_init"))
    back = urlsplit(
        requests.get(start["Location"], allow_redirects=False, timeout=10).headers["Location"]
    )
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    replay = Client()
    _refused(replay.get(f"{back.path}?{back.query}"), replay)


def test_a_deactivated_person_is_not_signed_in(sso: Provider) -> None:
    _sign_in(Client(), sso, _claims("u-4", "leaver", "kcc-asch:viewer"))
    User.objects.filter(username="leaver").update(is_active=False)
    client = Client()
    _refused(_sign_in(client, sso, _claims("u-4", "leaver", "kcc-asch:viewer")), client)


def test_password_sign_in_still_works_beside_it(sso: Provider, make_user: MakeUser) -> None:
    user = make_user("local-person", "viewer")
    user.set_password("a-long-test-password-42")
    user.save()
    client = Client()
    response = client.post(
        reverse("login"), {"username": "local-person", "password": "a-long-test-password-42"}
    )
    assert response.status_code == 302
    assert client.get(reverse("board")).status_code == 200
