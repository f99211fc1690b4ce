"""Security catalogue 1.10 (TX): native social token exchange and custom token exchange, against the loopback
fake providers. Audience/issuer/expiry/signature of upstream ID tokens, code replay, outages and token
substitution live in tests/flows/test_token_exchange_*.py and test_access_token_endpoint.py."""

from __future__ import annotations

import json
from typing import Any

import jwt
import pytest
from jwt.algorithms import RSAAlgorithm

from ostiary.clock import FrozenClock
from ostiary.ids import b64url
from tests.support.factories import TenantFixture
from tests.support.fake_providers import GOOGLE_ISSUER, FakeProviders
from tests.support.hooks import add_hook
from tests.support.social import (
    API,
    APPLE_TYPE,
    GOOGLE_CLIENT_ID,
    GOOGLE_TYPE,
    TOKEN_EXCHANGE,
    exchange,
    fake_server,
    fakes,
    settings,
    social_app,
    users_of,
    verified_tokens,
)

__all__ = ["fake_server", "fakes", "settings"]

STT = "https://ext.example.com/legacy-token"
EXCHANGE_HOOK = """
def on_execute_custom_token_exchange(event, api):
    api.authentication.setUserByConnection(
        'legacy-db', {'user_id': 'u-' + event.transaction.subject_token, 'email': 'x@example.com'},
        {'creationBehavior': 'create_if_not_exists', 'updateBehavior': 'none'},
    )
"""


def _google_claims(clock: FrozenClock) -> dict[str, Any]:
    now = int(clock.now())
    return {"iss": GOOGLE_ISSUER, "aud": GOOGLE_CLIENT_ID, "sub": "1101694844743862", "iat": now,
            "exp": now + 3600, "email": "ada@gmail.com", "email_verified": True, "name": "Ada"}


def _apple_claims(clock: FrozenClock, **overrides: Any) -> dict[str, Any]:
    now = int(clock.now())
    return {"iss": "https://appleid.apple.com", "aud": "com.example.app", "sub": "001234.apple.0001",
            "iat": now, "exp": now + 600, "email": "ann@privaterelay.appleid.com", "email_verified": "true",
            **overrides}


@pytest.mark.parametrize("alg", ["none", "None", "HS256-with-google-jwk"])
async def test_TX02_unsigned_or_hmac_upstream_id_tokens_are_refused(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock, alg: str
) -> None:
    app = await social_app(tenant, fakes, "google-oauth2")
    claims = _google_claims(clock)
    kid = fakes.google_key.kid
    if alg.startswith("HS256"):
        # The HMAC "secret" is Google's own public key material, as an attacker would try (RFC 8725 §2.1).
        jwk = json.loads(RSAAlgorithm.to_jwk(fakes.google_key.key.public_key()))
        token = jwt.encode(claims, jwk["n"], algorithm="HS256", headers={"kid": kid})
    else:
        header = b64url(json.dumps({"alg": alg, "kid": kid}).encode())
        token = f"{header}.{b64url(json.dumps(claims).encode())}."
    response = await exchange(tenant, app.client.client_id, token, GOOGLE_TYPE)
    assert response.status_code == 403, response.text
    assert response.json() == {"error": "invalid_grant", "error_description": "Invalid Google ID token: signature"}
    assert await users_of(tenant) == []


async def test_TX05_missing_or_unregistered_subject_token_types_are_invalid_request(
    tenant: TenantFixture, fakes: FakeProviders
) -> None:
    app = await social_app(tenant, fakes, "apple", grant_types=[TOKEN_EXCHANGE])
    base = {"grant_type": TOKEN_EXCHANGE, "client_id": app.client.client_id, "subject_token": "x"}
    missing = await tenant.http.post("/oauth/token", data=base)
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    for reserved in ("urn:ietf:params:oauth:token-type:jwt", "https://auth0.com/x", "urn:auth0:anything",
                     "http://auth0.com/oauth/token-type/github-token"):
        response = await tenant.http.post("/oauth/token", data={**base, "subject_token_type": reserved})
        assert response.status_code == 400, response.text
        assert response.json()["error"] == "invalid_request"
    assert await users_of(tenant) == []


async def test_TX07_user_profile_is_data_and_applies_only_the_name_at_first_sign_up(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock
) -> None:
    app = await social_app(tenant, fakes, "apple")
    script = "<script>alert(1)</script>"
    profile = json.dumps({"name": {"firstName": script, "lastName": "Smith"}, "email": "victim@example.com",
                          "email_verified": True})
    first = await exchange(tenant, app.client.client_id, fakes.apple_code("c1", _apple_claims(clock)), APPLE_TYPE,
                           audience=API, scope="openid profile email", user_profile=profile)
    assert first.status_code == 200, first.text
    _, id_claims = await verified_tokens(tenant, first.json(), app.client.client_id)
    # Stored and returned verbatim as JSON data; the e-mail comes from Apple's signed token, never the profile.
    assert id_claims["given_name"] == script
    assert id_claims["email"] == "ann@privaterelay.appleid.com"
    [user] = await users_of(tenant)
    assert user.email == "ann@privaterelay.appleid.com" and user.given_name == script
    # A later user_profile never renames the existing user.
    again = await exchange(tenant, app.client.client_id, fakes.apple_code("c2", _apple_claims(clock)), APPLE_TYPE,
                           audience=API, scope="openid profile",
                           user_profile=json.dumps({"name": {"firstName": "Mallory", "lastName": "X"}}))
    assert again.status_code == 200, again.text
    [user] = await users_of(tenant)
    assert user.given_name == script and user.email == "ann@privaterelay.appleid.com"
    big = await exchange(tenant, app.client.client_id, fakes.apple_code("c3", _apple_claims(clock)), APPLE_TYPE,
                         user_profile=json.dumps({"name": {"firstName": "x" * 1_000_000}}))
    assert big.status_code in (400, 413) and big.json()["error"] == "invalid_request"


async def test_TX09_actor_tokens_are_refused_and_give_no_refresh_token(tenant: TenantFixture) -> None:
    await tenant.api(API, scopes=["read:things"], allow_offline_access=True)
    client = await tenant.client(app_type="native", token_endpoint_auth_method="none",
                                 grant_types=[TOKEN_EXCHANGE, "refresh_token"])
    await tenant.connection("legacy-db", enabled_clients=[client.client_id])
    await add_hook(tenant, "legacy-exchange", "custom-token-exchange", code=EXCHANGE_HOOK, bind=False)
    await tenant.repos_call(lambda r: r.token_exchange_profiles.create(
        name="legacy", subject_token_type=STT, action_name="legacy-exchange"))
    form = {"grant_type": TOKEN_EXCHANGE, "client_id": client.client_id, "subject_token_type": STT,
            "subject_token": "alice", "audience": API, "scope": "openid offline_access"}
    plain = await tenant.http.post("/oauth/token", data=form)
    assert plain.status_code == 200 and "refresh_token" in plain.json(), plain.text
    delegated = await tenant.http.post("/oauth/token", data={
        **form, "actor_token": "service-x", "actor_token_type": "urn:ietf:params:oauth:token-type:access_token"})
    assert delegated.status_code == 400, delegated.text
    assert delegated.json() == {"error": "invalid_request", "error_description": "actor_token is not supported"}
    assert "refresh_token" not in delegated.text
