"""Native Sign in with Apple: code exchanged at (fake) Apple with an ES256 client secret, ID token verified."""

from __future__ import annotations

import json
from typing import Any

import jwt
import pytest
from tests.support.factories import TenantFixture
from tests.support.fake_providers import APPLE_ISSUER, FakeProviders, SigningKey, closed_port_url
from tests.support.jwks import verify
from tests.support.social import (
    API,
    APPLE_KID,
    APPLE_SIGNING_KEY,
    APPLE_TYPE,
    BUNDLE_ID,
    TEAM_ID,
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

NAME = json.dumps({"name": {"firstName": "John", "lastName": "Smith"}})


def apple_claims(clock: FrozenClock, **overrides: Any) -> dict[str, Any]:
    now = int(clock.now())
    claims = {"iss": APPLE_ISSUER, "aud": BUNDLE_ID, "sub": "001234.abcdef.0042", "iat": now, "exp": now + 600,
              "email": "john@privaterelay.appleid.com", "email_verified": "true", "is_private_email": "true"}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


async def test_apple_code_signs_in_a_new_user_with_the_first_login_name(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock
) -> None:
    app = await social_app(tenant, fakes, "apple")
    code = fakes.apple_code("code-1", apple_claims(clock))
    response = await exchange(tenant, app.client.client_id, code, APPLE_TYPE, audience=API,
                              scope="openid profile email offline_access", user_profile=NAME)

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "id_token", "refresh_token", "scope", "expires_in", "token_type"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 86400
    assert body["scope"] == "openid profile email offline_access read:things write:things"
    access, id_claims = await verified_tokens(tenant, body, app.client.client_id)
    assert access["sub"] == id_claims["sub"] == "apple|001234.abcdef.0042"
    assert access["azp"] == app.client.client_id
    assert id_claims["name"] == "John Smith" and id_claims["given_name"] == "John"
    assert id_claims["email"] == "john@privaterelay.appleid.com" and id_claims["email_verified"] is True
    assert body["refresh_token"].startswith("v1.")

    # What Apple received: the code, the bundle id, and an ES256 client secret per Apple's spec.
    sent = fakes.received["apple_token"][0]["form"]
    assert sent["code"] == "code-1" and sent["client_id"] == BUNDLE_ID and sent["grant_type"] == "authorization_code"
    assert jwt.get_unverified_header(sent["client_secret"]) == {"alg": "ES256", "kid": APPLE_KID, "typ": "JWT"}
    secret = jwt.decode(sent["client_secret"], APPLE_SIGNING_KEY.public_key(), algorithms=["ES256"],
                        audience="https://appleid.apple.com", issuer=TEAM_ID)
    assert secret["sub"] == BUNDLE_ID and 0 < secret["exp"] - secret["iat"] <= 15_777_000

    [user] = await users_of(tenant)
    assert user.user_id == "apple|001234.abcdef.0042" and user.logins_count == 1 and user.last_login is not None
    assert (user.name, user.given_name, user.family_name) == ("John Smith", "John", "Smith")
    assert [i.as_auth0() for i in user.identities] == [
        {"connection": "apple", "provider": "apple", "user_id": "001234.abcdef.0042", "isSocial": True}
    ]


async def test_apple_name_applies_on_first_login_only_and_profile_refreshes(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock
) -> None:
    app = await social_app(tenant, fakes, "apple")
    await exchange(tenant, app.client.client_id, fakes.apple_code("c1", apple_claims(clock)), APPLE_TYPE,
                   scope="openid profile", user_profile=NAME)
    second = await exchange(
        tenant, app.client.client_id, fakes.apple_code("c2", apple_claims(clock, email="new@example.com")),
        APPLE_TYPE, scope="openid", user_profile=json.dumps({"name": {"firstName": "Mallory", "lastName": "X"}}),
    )
    assert second.status_code == 200, second.text
    assert second.json()["scope"] == "openid"
    [user] = await users_of(tenant)
    assert user.name == "John Smith" and user.email == "new@example.com" and user.logins_count == 2


async def test_no_scope_means_every_scope_of_the_audience_and_dpop_is_ignored(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock
) -> None:
    app = await social_app(tenant, fakes, "apple")
    response = await exchange(tenant, app.client.client_id, fakes.apple_code("c", apple_claims(clock)), APPLE_TYPE,
                              audience=API, dpop="eyJhbGciOiJFUzI1NiJ9.e30.sig")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scope"] == "read:things write:things" and body["token_type"] == "Bearer"
    assert "id_token" not in body and "refresh_token" not in body


async def test_replayed_apple_code_is_invalid_grant_and_logs_in_once(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock
) -> None:
    app = await social_app(tenant, fakes, "apple")
    code = fakes.apple_code("once", apple_claims(clock))
    first = await exchange(tenant, app.client.client_id, code, APPLE_TYPE, scope="openid")
    assert first.status_code == 200
    again = await exchange(tenant, app.client.client_id, code, APPLE_TYPE, scope="openid")
    assert (again.status_code, again.json()) == error(403, "invalid_grant", "Invalid authorization code")
    [user] = await users_of(tenant)
    assert user.logins_count == 1


OTHER_KEY = SigningKey("apple-kid-1")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"aud": "com.attacker.app"}, error(403, "invalid_grant", "Invalid Apple ID token: audience")),
        ({"iss": "https://evil.example"}, error(403, "invalid_grant", "Invalid Apple ID token: issuer")),
        ({"exp": -3600}, error(403, "invalid_grant", "Invalid Apple ID token: expired")),
        ({"_key": OTHER_KEY}, error(403, "invalid_grant", "Invalid Apple ID token: signature")),
        ({"_key": SigningKey("unknown-kid")}, error(403, "invalid_grant", "Invalid Apple ID token: signature")),
        ({"nonce": "n-0S6_WzA2Mj"}, error(400, "invalid_request", "Error from Apple connection.")),
    ],
    ids=["wrong-audience", "wrong-issuer", "expired", "bad-signature", "unknown-kid", "nonce-present"],
)
async def test_rejected_apple_id_token_creates_nothing(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock, overrides: dict[str, Any],
    expected: tuple[int, dict[str, str]],
) -> None:
    app = await social_app(tenant, fakes, "apple")
    if "exp" in overrides:
        overrides = {"exp": int(clock.now()) + overrides["exp"]}
    code = fakes.apple_code("c", {**apple_claims(clock), **overrides})
    response = await exchange(tenant, app.client.client_id, code, APPLE_TYPE, scope="openid", user_profile=NAME)
    assert (response.status_code, response.json()) == expected
    assert response.headers["cache-control"] == "no-store"
    assert await users_of(tenant) == []


@pytest.mark.parametrize(
    ("fault", "endpoint", "expected"),
    [
        ("down", "token_endpoint", error(503, "temporarily_unavailable", "Apple is unreachable")),
        ("slow", "apple_token", error(503, "temporarily_unavailable", "Apple did not answer in time")),
        ("500", "apple_token", error(503, "temporarily_unavailable", "Apple is unavailable")),
        ("malformed", "apple_token", error(502, "server_error", "Invalid response from Apple")),
        ("malformed", "apple_keys", error(502, "server_error", "Invalid response from Apple")),
        ("down", "jwks_uri", error(503, "temporarily_unavailable", "Apple is unreachable")),
    ],
    ids=["token-endpoint-down", "token-endpoint-slow", "token-endpoint-500", "token-endpoint-not-json",
         "jwks-not-json", "jwks-down"],
)
async def test_apple_outages_are_clean_errors_and_create_nothing(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock, fault: str, endpoint: str,
    expected: tuple[int, dict[str, str]],
) -> None:
    options = {endpoint: closed_port_url()} if fault == "down" else {}
    if fault != "down":
        fakes.faults[endpoint] = fault
    app = await social_app(tenant, fakes, "apple", options=options)
    response = await exchange(tenant, app.client.client_id, fakes.apple_code("c", apple_claims(clock)), APPLE_TYPE)
    assert (response.status_code, response.json()) == expected
    assert await users_of(tenant) == []


async def test_client_without_native_apple_is_unauthorized_client(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock
) -> None:
    app = await social_app(tenant, fakes, "apple", native={"google": {"enabled": True}})
    response = await exchange(tenant, app.client.client_id, fakes.apple_code("c", apple_claims(clock)), APPLE_TYPE)
    assert (response.status_code, response.json()) == error(
        403, "unauthorized_client",
        "Grant type 'urn:ietf:params:oauth:grant-type:token-exchange' with subject_token_type "
        "'http://auth0.com/oauth/token-type/apple-authz-code' not allowed for the client.",
    )
    assert "apple_token" not in fakes.received


async def test_client_without_any_native_social_cannot_use_the_grant(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock
) -> None:
    app = await social_app(tenant, fakes, "apple", native={})
    response = await exchange(tenant, app.client.client_id, "code", APPLE_TYPE)
    assert response.status_code == 403
    assert response.json()["error"] == "unauthorized_client"


async def test_apple_connection_not_enabled_for_the_client_is_invalid_request(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock
) -> None:
    app = await social_app(tenant, fakes, "apple", enabled=False)
    response = await exchange(tenant, app.client.client_id, fakes.apple_code("c", apple_claims(clock)), APPLE_TYPE)
    assert (response.status_code, response.json()) == error(
        400, "invalid_request", "The apple connection is not enabled for this client"
    )
    assert "apple_token" not in fakes.received


@pytest.mark.parametrize(
    ("user_profile", "description"),
    [
        ("not json", "user_profile must be a JSON object"),
        ("[1, 2]", "user_profile must be a JSON object"),
        (json.dumps({"name": {"firstName": {"deep": "x"}}}),
         "user_profile.name must be a string or an object of strings"),
        (json.dumps({"name": {"firstName": "x" * 5000}}), "user_profile is too large"),
    ],
    ids=["not-json", "not-object", "nested", "too-large"],
)
async def test_malformed_user_profile_is_invalid_request(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock, user_profile: str, description: str
) -> None:
    app = await social_app(tenant, fakes, "apple")
    response = await exchange(tenant, app.client.client_id, fakes.apple_code("c", apple_claims(clock)), APPLE_TYPE,
                              user_profile=user_profile)
    assert (response.status_code, response.json()) == error(400, "invalid_request", description)


async def test_verified_email_of_an_existing_user_is_not_linked_automatically(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock
) -> None:
    app = await social_app(tenant, fakes, "apple")
    await tenant.connection("Username-Password-Authentication", enabled_clients=[app.client.client_id])
    existing = await tenant.user(email="john@example.com", email_verified=True, password="Correct-Horse-1")
    code = fakes.apple_code("c", apple_claims(clock, email="john@example.com"))
    response = await exchange(tenant, app.client.client_id, code, APPLE_TYPE, scope="openid")
    assert response.status_code == 200, response.text
    users = {u.user_id: u for u in await users_of(tenant)}
    assert set(users) == {existing.user_id, "apple|001234.abcdef.0042"}
    assert len(users[existing.user_id].identities) == 1


async def test_unknown_subject_token_type_goes_to_custom_token_exchange(
    tenant: TenantFixture, fakes: FakeProviders
) -> None:
    app = await social_app(tenant, fakes, "apple")
    response = await exchange(tenant, app.client.client_id, "tok", "urn:acme:legacy-token")
    assert (response.status_code, response.json()) == error(
        400, "invalid_request", "Unsupported subject_token_type: urn:acme:legacy-token"
    )


async def test_linked_apple_identity_signs_in_as_the_primary_without_rewriting_its_profile(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock
) -> None:
    app = await social_app(tenant, fakes, "apple")
    await tenant.connection("Username-Password-Authentication", enabled_clients=[app.client.client_id])
    primary = await tenant.user(email="john@example.com", email_verified=True, name="John Primary")
    first = await exchange(tenant, app.client.client_id, fakes.apple_code("c1", apple_claims(clock)), APPLE_TYPE)
    assert first.status_code == 200
    await tenant.repos_call(lambda r: r.users.link(primary.user_id, "apple|001234.abcdef.0042"))
    again = await exchange(tenant, app.client.client_id, fakes.apple_code("c2", apple_claims(clock)), APPLE_TYPE,
                           scope="openid profile email")
    assert again.status_code == 200, again.text
    id_claims = await verify(tenant.http, again.json()["id_token"], audience=app.client.client_id,
                             issuer=tenant.issuer)
    assert id_claims["sub"] == primary.user_id
    assert (id_claims["name"], id_claims["email"]) == ("John Primary", "john@example.com")
    [user] = await users_of(tenant)
    assert user.logins_count == 1 and [i.provider for i in user.identities] == ["auth0", "apple"]
