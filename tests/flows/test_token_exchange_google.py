"""Native Google sign-in: a Google ID token verified against (fake) Google's JWKS, aud = the connection's client_id."""

from __future__ import annotations

import asyncio
from typing import Any

import jwt
import pytest
from tests.support.factories import TenantFixture
from tests.support.fake_providers import GOOGLE_ISSUER, FakeProviders, SigningKey
from tests.support.social import (
    API,
    GOOGLE_CLIENT_ID,
    GOOGLE_TYPE,
    error,
    exchange,
    fake_server,
    fakes,
    settings,
    social_app,
    users_of,
    verified_tokens,
)

from ostiary.clock import FrozenClock

__all__ = ["fake_server", "fakes", "settings"]


def google_claims(clock: FrozenClock, **overrides: Any) -> dict[str, Any]:
    now = int(clock.now())
    claims = {"iss": GOOGLE_ISSUER, "aud": GOOGLE_CLIENT_ID, "azp": "android-client.apps.googleusercontent.com",
              "sub": "110169484474386276334", "iat": now, "exp": now + 3600, "email": "ada@gmail.com",
              "email_verified": True, "name": "Ada Lovelace", "given_name": "Ada", "family_name": "Lovelace",
              "picture": "https://lh3.googleusercontent.com/a/ada"}
    claims.update(overrides)
    return claims


async def test_google_id_token_signs_in_and_refreshes_profile_on_next_login(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock
) -> None:
    app = await social_app(tenant, fakes, "google-oauth2")
    token = fakes.google_id_token(google_claims(clock))
    response = await exchange(tenant, app.client.client_id, token, GOOGLE_TYPE, audience=API,
                              scope="openid profile email read:things")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scope"] == "openid profile email read:things" and "refresh_token" not in body
    access, id_claims = await verified_tokens(tenant, body, app.client.client_id)
    assert access["sub"] == "google-oauth2|110169484474386276334"
    assert (id_claims["email"], id_claims["email_verified"], id_claims["name"]) == ("ada@gmail.com", True,
                                                                                    "Ada Lovelace")
    again = await exchange(tenant, app.client.client_id,
                           fakes.google_id_token(google_claims(clock, name="Ada King")), GOOGLE_TYPE, scope="openid")
    assert again.status_code == 200, again.text
    [user] = await users_of(tenant)
    assert user.user_id == "google-oauth2|110169484474386276334"
    assert user.name == "Ada King" and user.logins_count == 2 and user.email_verified is True
    assert [i.as_auth0() for i in user.identities] == [
        {"connection": "google-oauth2", "provider": "google-oauth2", "user_id": "110169484474386276334",
         "isSocial": True}
    ]
    assert len(fakes.received["google_certs"]) == 1, "the JWKS is cached between logins"


async def test_plain_issuer_form_is_accepted(tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock) -> None:
    app = await social_app(tenant, fakes, "google-oauth2")
    token = fakes.google_id_token(google_claims(clock, iss="accounts.google.com"))
    response = await exchange(tenant, app.client.client_id, token, GOOGLE_TYPE)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("overrides", "signing", "expected"),
    [
        ({"aud": "someone-else.apps.googleusercontent.com"}, {}, "audience"),
        ({"iss": "https://accounts.google.com.evil"}, {}, "issuer"),
        ({"exp": -7200}, {}, "expired"),
        ({}, {"key": SigningKey("google-kid-1")}, "signature"),
        ({}, {"alg": "HS256"}, "signature"),
        ({}, {"kid": "rotated-away"}, "signature"),
    ],
    ids=["wrong-audience", "wrong-issuer", "expired", "bad-signature", "hs256", "unknown-kid"],
)
async def test_rejected_google_id_token_creates_nothing(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock, overrides: dict[str, Any],
    signing: dict[str, Any], expected: str,
) -> None:
    app = await social_app(tenant, fakes, "google-oauth2")
    if "exp" in overrides:
        overrides = {"exp": int(clock.now()) + overrides["exp"]}
    claims = google_claims(clock, **overrides)
    if signing.get("alg") == "HS256":
        token = jwt.encode(claims, "x" * 32, algorithm="HS256", headers={"kid": fakes.google_key.kid})
    else:
        token = fakes.google_id_token(claims, **signing)
    response = await exchange(tenant, app.client.client_id, token, GOOGLE_TYPE)
    assert (response.status_code, response.json()) == error(
        403, "invalid_grant", f"Invalid Google ID token: {expected}"
    )
    assert await users_of(tenant) == []


async def test_garbage_subject_token_is_invalid_grant(tenant: TenantFixture, fakes: FakeProviders) -> None:
    app = await social_app(tenant, fakes, "google-oauth2")
    response = await exchange(tenant, app.client.client_id, "not-a-jwt", GOOGLE_TYPE)
    assert (response.status_code, response.json()) == error(403, "invalid_grant", "Invalid Google ID token: malformed")


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("slow", error(503, "temporarily_unavailable", "Google did not answer in time")),
        ("500", error(503, "temporarily_unavailable", "Google is unavailable")),
        ("malformed", error(502, "server_error", "Invalid response from Google")),
    ],
    ids=["jwks-slow", "jwks-500", "jwks-not-json"],
)
async def test_google_jwks_outage_is_a_clean_error(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock, fault: str, expected: tuple[int, dict[str, str]]
) -> None:
    app = await social_app(tenant, fakes, "google-oauth2")
    fakes.faults["google_certs"] = fault
    response = await exchange(tenant, app.client.client_id, fakes.google_id_token(google_claims(clock)), GOOGLE_TYPE)
    assert (response.status_code, response.json()) == expected
    assert await users_of(tenant) == []


async def test_client_without_native_google_is_unauthorized_client(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock
) -> None:
    app = await social_app(tenant, fakes, "google-oauth2", native={"apple": {"enabled": True}})
    response = await exchange(tenant, app.client.client_id, fakes.google_id_token(google_claims(clock)), GOOGLE_TYPE)
    assert response.status_code == 403 and response.json()["error"] == "unauthorized_client"


async def test_google_connection_not_enabled_is_invalid_request(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock
) -> None:
    app = await social_app(tenant, fakes, "google-oauth2", enabled=False)
    response = await exchange(tenant, app.client.client_id, fakes.google_id_token(google_claims(clock)), GOOGLE_TYPE)
    assert (response.status_code, response.json()) == error(
        400, "invalid_request", "The google-oauth2 connection is not enabled for this client"
    )


async def test_concurrent_first_logins_of_one_identity_create_one_user(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock
) -> None:
    app = await social_app(tenant, fakes, "google-oauth2")
    token = fakes.google_id_token(google_claims(clock))
    responses = await asyncio.gather(
        *(exchange(tenant, app.client.client_id, token, GOOGLE_TYPE, scope="openid") for _ in range(3))
    )
    assert [r.status_code for r in responses] == [200, 200, 200], [r.text for r in responses]
    [user] = await users_of(tenant)
    assert user.user_id == "google-oauth2|110169484474386276334" and user.logins_count == 3


async def test_blocked_user_is_unauthorized_and_the_login_is_not_counted(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock
) -> None:
    app = await social_app(tenant, fakes, "google-oauth2")
    first = await exchange(tenant, app.client.client_id, fakes.google_id_token(google_claims(clock)), GOOGLE_TYPE)
    assert first.status_code == 200, first.text
    [user] = await users_of(tenant)
    await tenant.repos_call(lambda r: r.users.update(user.user_id, blocked=True))
    again = await exchange(tenant, app.client.client_id, fakes.google_id_token(google_claims(clock)), GOOGLE_TYPE)
    assert again.status_code == 401
    assert again.json() == {"error": "unauthorized", "error_description": "user is blocked"}
    [user] = await users_of(tenant)
    assert user.logins_count == 1
