"""Native Facebook sign-in: session-info access token checked with (fake) Graph debug_token; profile from the app."""

from __future__ import annotations

import json

import pytest
from tests.support.factories import TenantFixture
from tests.support.fake_providers import FakeProviders
from tests.support.social import (
    API,
    FACEBOOK_TYPE,
    error,
    exchange,
    fake_server,
    fakes,
    settings,
    social_app,
    users_of,
    verified_tokens,
)

__all__ = ["fake_server", "fakes", "settings"]

PROFILE = json.dumps({"email": "john@example.com", "name": "John Doe"})


def session_token(fakes: FakeProviders, token: str = "XAAGgR4b-session", *, app_id: str | None = None,
                  valid: bool = True) -> str:
    fakes.facebook_tokens[token] = {"debug": {"app_id": app_id or fakes.facebook_app[0], "type": "USER",
                                              "is_valid": valid, "user_id": "10215241773831025"}}
    return token


async def test_session_info_token_signs_in_with_unverified_email(tenant: TenantFixture, fakes: FakeProviders) -> None:
    app = await social_app(tenant, fakes, "facebook")
    response = await exchange(tenant, app.client.client_id, session_token(fakes), FACEBOOK_TYPE, audience=API,
                              scope="openid profile email read:things", user_profile=PROFILE)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scope"] == "openid profile email read:things"
    access, id_claims = await verified_tokens(tenant, body, app.client.client_id)
    assert access["sub"] == id_claims["sub"] == "facebook|10215241773831025"
    assert (id_claims["email"], id_claims["email_verified"], id_claims["name"]) == ("john@example.com", False,
                                                                                    "John Doe")
    [sent] = fakes.received["facebook_debug_token"]
    assert sent["query"] == {"input_token": "XAAGgR4b-session", "access_token": "fb-app-id|fb-app-secret"}
    [user] = await users_of(tenant)
    assert (user.user_id, user.email, user.email_verified, user.logins_count) == (
        "facebook|10215241773831025", "john@example.com", False, 1)


async def test_missing_user_profile_is_invalid_request_before_calling_facebook(
    tenant: TenantFixture, fakes: FakeProviders
) -> None:
    app = await social_app(tenant, fakes, "facebook")
    response = await exchange(tenant, app.client.client_id, session_token(fakes), FACEBOOK_TYPE)
    assert (response.status_code, response.json()) == error(
        400, "invalid_request", "Missing required parameter: user_profile"
    )
    assert "facebook_debug_token" not in fakes.received


@pytest.mark.parametrize(
    ("token_kwargs", "input_token"),
    [({"valid": False}, None), ({"app_id": "another-app"}, None), ({}, "unknown-token")],
    ids=["invalid-token", "token-of-another-app", "unknown-token"],
)
async def test_rejected_session_token_creates_nothing(
    tenant: TenantFixture, fakes: FakeProviders, token_kwargs: dict[str, object], input_token: str | None
) -> None:
    app = await social_app(tenant, fakes, "facebook")
    token = session_token(fakes, **token_kwargs)  # type: ignore[arg-type]
    response = await exchange(tenant, app.client.client_id, input_token or token, FACEBOOK_TYPE, user_profile=PROFILE)
    assert (response.status_code, response.json()) == error(
        403, "invalid_grant", "Invalid Facebook session info access token"
    )
    assert await users_of(tenant) == []


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("slow", error(503, "temporarily_unavailable", "Facebook did not answer in time")),
        ("500", error(503, "temporarily_unavailable", "Facebook is unavailable")),
        ("malformed", error(502, "server_error", "Invalid response from Facebook")),
    ],
    ids=["graph-slow", "graph-500", "graph-not-json"],
)
async def test_graph_outage_is_a_clean_error(
    tenant: TenantFixture, fakes: FakeProviders, fault: str, expected: tuple[int, dict[str, str]]
) -> None:
    app = await social_app(tenant, fakes, "facebook")
    fakes.faults["facebook_debug_token"] = fault
    response = await exchange(tenant, app.client.client_id, session_token(fakes), FACEBOOK_TYPE, user_profile=PROFILE)
    assert (response.status_code, response.json()) == expected
    assert await users_of(tenant) == []


async def test_client_without_native_facebook_is_unauthorized_client(
    tenant: TenantFixture, fakes: FakeProviders
) -> None:
    app = await social_app(tenant, fakes, "facebook", native={"apple": {"enabled": True}})
    response = await exchange(tenant, app.client.client_id, session_token(fakes), FACEBOOK_TYPE, user_profile=PROFILE)
    assert response.status_code == 403 and response.json()["error"] == "unauthorized_client"


async def test_facebook_connection_not_enabled_is_invalid_request(tenant: TenantFixture, fakes: FakeProviders) -> None:
    app = await social_app(tenant, fakes, "facebook", enabled=False)
    response = await exchange(tenant, app.client.client_id, session_token(fakes), FACEBOOK_TYPE, user_profile=PROFILE)
    assert (response.status_code, response.json()) == error(
        400, "invalid_request", "The facebook connection is not enabled for this client"
    )
