"""Security catalogue 1.9 (JW): JWTs the server accepts — /userinfo access tokens and /oidc/logout id_token_hint.

The /userinfo attacks of JW-02..07 live in tests/flows/test_userinfo_jose.py; this module adds the other
entry point (id_token_hint), `alg: none` in every spelling, the time and issuer checks that file leaves out,
token-type confusion and the ID-token algorithm rules. Tokens are checked against the published JWKS only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from jwt.algorithms import RSAAlgorithm

from ostiary.ids import b64url
from ostiary.runtime import AppState
from tests.support.browser_login import (
    API,
    WebApp,
    authorize_params,
    exchange_code,
    login_round_trip,
    response_params,
    start,
    web_app,
)
from tests.support.factories import TenantFixture
from tests.support.firstparty import make_rop
from tests.support.jwks import verify

INVALID = 'Bearer error="invalid_token", error_description="Invalid access token"'


def _segment(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value).encode())


async def _logged_in(tenant: TenantFixture) -> tuple[WebApp, dict[str, str]]:
    """A browser session plus the code flow's tokens (ID token for the client, access token for the API)."""
    app = await web_app(tenant)
    got = response_params(await login_round_trip(app, authorize_params(app, audience=API, scope="openid profile")))
    tokens = await exchange_code(app, got["code"])
    assert tokens.status_code == 200, tokens.text
    return app, tokens.json()


async def _logout_with_hint(app: WebApp, hint: str) -> httpx.Response:
    """Without post_logout_redirect_uri: the hint is the only thing that can make the request fail."""
    return await app.http.get("/oidc/logout", params={"id_token_hint": hint})


async def _assert_hint_refused(app: WebApp, hint: str) -> None:
    response = await _logout_with_hint(app, hint)
    assert response.status_code == 400, response.text
    assert "location" not in response.headers
    assert "invalid_request" in response.text
    # The session survived the refused logout.
    silent = await start(app.http, authorize_params(app, prompt="none"))
    assert "code" in response_params(silent)


def _unsigned(token: str, alg: str) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    header = jwt.get_unverified_header(token)
    return f"{_segment({**header, 'alg': alg})}.{_segment(claims)}."


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
async def test_JW01_alg_none_rejected(tenant: TenantFixture, alg: str) -> None:
    app, tokens = await _logged_in(tenant)
    unsigned = _unsigned(tokens["access_token"], alg)
    info = await tenant.http.get("/userinfo", headers={"Authorization": f"Bearer {unsigned}"})
    assert info.status_code == 401 and info.headers["www-authenticate"] == INVALID
    await _assert_hint_refused(app, _unsigned(tokens["id_token"], alg))


async def test_JW02_hs256_keyed_with_the_public_key_is_refused_as_id_token_hint(tenant: TenantFixture) -> None:
    app, tokens = await _logged_in(tenant)
    jwks = (await tenant.http.get("/.well-known/jwks.json")).json()["keys"]
    kid = jwt.get_unverified_header(tokens["id_token"])["kid"]
    jwk = next(k for k in jwks if k["kid"] == kid)
    public = RSAAlgorithm.from_jwk(json.dumps(jwk))
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)  # type: ignore[union-attr]
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)  # type: ignore[union-attr]
    ssh = public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)  # type: ignore[union-attr]
    claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    for secret in (pem, der, ssh, json.dumps(jwk).encode(), jwk["n"].encode()):
        signing_input = f"{_segment({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{_segment(claims)}"
        signature = b64url(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())
        await _assert_hint_refused(app, f"{signing_input}.{signature}")


async def _current_key(t: TenantFixture) -> Any:
    keys = await t.repos_call(lambda r: r.signing_keys.published())
    return keys.current()


async def test_JW06_iat_in_the_future_and_foreign_issuer_are_refused(
    tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    app, tokens = await _logged_in(tenant)
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    key = await _current_key(tenant)

    def signed(**overrides: Any) -> str:
        return jwt.encode({**claims, **overrides}, key.private_key, algorithm="RS256", headers={"kid": key.kid})

    control = await tenant.http.get("/userinfo", headers={"Authorization": f"Bearer {signed()}"})
    assert control.status_code == 200, control.text
    now = int(tenant.state.clock.now())
    for token in (signed(iat=now + 86_400), signed(iss=other_tenant.issuer)):
        response = await tenant.http.get("/userinfo", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')


async def test_JW08_access_token_is_not_an_id_token_hint_and_id_token_is_not_an_access_token(
    tenant: TenantFixture,
) -> None:
    app, tokens = await _logged_in(tenant)
    # An access token (aud = the API and /userinfo) signed by the same key is not an ID token.
    await _assert_hint_refused(app, tokens["access_token"])
    api_only = response_params(await start(app.http, authorize_params(app, audience=API, scope="read:things")))
    api_token = (await exchange_code(app, api_only["code"])).json()["access_token"]
    await _assert_hint_refused(app, api_token)
    # And an ID token is not a bearer token for /userinfo.
    info = await tenant.http.get("/userinfo", headers={"Authorization": f"Bearer {tokens['id_token']}"})
    assert info.status_code == 401 and info.headers["www-authenticate"] == INVALID
    # Positive control: the real ID token is a valid hint.
    response = await _logout_with_hint(app, tokens["id_token"])
    assert response.status_code == 200 and "logged out" in response.text
    silent = await start(app.http, authorize_params(app, prompt="none"))
    assert response_params(silent)["error"] == "login_required"


async def test_JW09_hs256_id_token_needs_a_client_secret_and_none_is_never_offered(
    state: AppState, app: Any
) -> None:
    rop = await make_rop(state, app)
    await rop.t.update_client(rop.native.client_id, jwt_configuration={"alg": "HS256"})
    await rop.t.update_client(rop.web.client_id, jwt_configuration={"alg": "HS256"})
    issuer = rop.t.issuer
    # A public client has no secret to key HS256 with: its ID token is RS256, verifiable with the JWKS.
    public = await rop.token(rop.native, scope="openid", audience=API)
    assert public.status_code == 200, public.text
    public_id = public.json()["id_token"]
    assert jwt.get_unverified_header(public_id)["alg"] == "RS256"
    await verify(rop.t.http, public_id, audience=rop.native.client_id, issuer=issuer)
    # A confidential client's HS256 ID token is keyed by its generated (high-entropy) secret.
    confidential = await rop.token(rop.web, scope="openid", audience=API)
    hs_id = confidential.json()["id_token"]
    assert jwt.get_unverified_header(hs_id)["alg"] == "HS256"
    assert rop.web.client_secret and len(rop.web.client_secret) >= 43
    jwt.decode(hs_id, rop.web.client_secret, algorithms=["HS256"], audience=rop.web.client_id, issuer=issuer)
    # Discovery never offers unsigned ID tokens, and no client can be registered for them.
    discovery = (await rop.t.http.get("/.well-known/openid-configuration")).json()
    assert "none" not in discovery["id_token_signing_alg_values_supported"]
    with pytest.raises(Exception, match="alg"):
        await rop.t.update_client(rop.web.client_id, jwt_configuration={"alg": "none"})


async def test_JW04_header_keys_are_never_fetched(tenant: TenantFixture) -> None:
    """jku/x5u pointing at a live listener: the server never calls it (no SSRF), the token is refused."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    try:
        app, tokens = await _logged_in(tenant)
        claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
        header = {"alg": "RS256", "kid": "attacker", "jku": f"http://127.0.0.1:{port}/jwks",
                  "x5u": f"http://127.0.0.1:{port}/cert"}
        token = f"{_segment(header)}.{_segment(claims)}.{b64url(b'x' * 256)}"
        response = await tenant.http.get("/userinfo", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        await _assert_hint_refused(app, token)
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()
