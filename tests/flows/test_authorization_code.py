"""Authorization code flow (auth0-docs 002): /authorize → login page → code → /oauth/token, and the code's rules."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from tests.support.browser_login import (
    API,
    CALLBACK,
    WebApp,
    authorize_params,
    exchange_code,
    login_round_trip,
    response_params,
    start,
    web_app,
)
from tests.support.factories import TenantFixture
from tests.support.jwks import oidc_half_hash, verify

from ostiary.clock import FrozenClock
from ostiary.store.models import RefreshToken


async def _code(app: WebApp, **overrides: str) -> str:
    params = authorize_params(app, **overrides)
    answer = await login_round_trip(app, params)
    got = response_params(answer)
    assert got["state"] == params["state"]
    return got["code"]


async def test_code_flow_issues_verified_tokens_as_the_walkthrough_describes(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    params = authorize_params(app, audience=API, scope="openid profile email offline_access read:things",
                              nonce="n-0S6_WzA2Mj")
    answer = await login_round_trip(app, params)
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(f"{CALLBACK}?code=")
    got = response_params(answer)
    assert set(got) == {"code", "state", "iss"}
    assert got["state"] == params["state"] and got["iss"] == tenant.issuer

    response = await exchange_code(app, got["code"])
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "id_token", "refresh_token", "scope", "expires_in", "token_type"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 86400
    assert body["scope"] == "openid profile email offline_access read:things"
    access = await verify(tenant.http, body["access_token"], audience=API, issuer=tenant.issuer)
    assert access["aud"] == [API, f"{tenant.issuer}userinfo"]
    assert access["sub"] == app.user.user_id and access["azp"] == app.client.client_id
    id_claims = await verify(tenant.http, body["id_token"], audience=app.client.client_id, issuer=tenant.issuer)
    assert id_claims["nonce"] == "n-0S6_WzA2Mj"
    assert id_claims["at_hash"] == oidc_half_hash(body["access_token"])
    assert id_claims["sub"] == app.user.user_id
    assert id_claims["email"] == app.user.email and id_claims["name"] == "Alice Example"
    assert isinstance(id_claims["auth_time"], int) and id_claims["sid"]
    assert body["refresh_token"].startswith("v1.")


async def test_without_audience_the_access_token_is_opaque_for_userinfo(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    code = await _code(app, scope="openid offline_access")
    body = (await exchange_code(app, code)).json()
    assert body["access_token"].count(".") == 0
    assert body["scope"] == "openid offline_access" and body["refresh_token"].startswith("v1.")


async def test_second_authorize_within_the_session_skips_the_login_page(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    await _code(app)
    again = await start(app.http, authorize_params(app, state="second"))
    assert again.status_code == 302
    got = response_params(again)
    assert got["state"] == "second" and got["code"]
    assert (await exchange_code(app, got["code"])).status_code == 200


async def test_reused_code_is_refused_and_revokes_what_the_first_redemption_got(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    code = await _code(app, audience=API, scope="openid offline_access")
    first = await exchange_code(app, code)
    assert first.status_code == 200 and first.json()["refresh_token"]
    second = await exchange_code(app, code)
    assert second.status_code == 403
    assert second.json() == {"error": "invalid_grant", "error_description": "Invalid authorization code"}

    async def refresh_rows(repos: object) -> list[float | None]:
        rows = await repos.session.scalars(  # type: ignore[attr-defined]
            select(RefreshToken.revoked_at).where(RefreshToken.tenant_id == tenant.tenant.id)
        )
        return list(rows.all())

    revoked = await tenant.repos_call(refresh_rows)
    assert revoked and all(r is not None for r in revoked)


async def test_of_ten_concurrent_redemptions_exactly_one_wins(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    code = await _code(app, audience=API)
    responses = await asyncio.gather(*(exchange_code(app, code) for _ in range(10)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [403] * 9, [r.text for r in responses]
    for r in responses:
        if r.status_code == 403:
            assert r.json()["error"] == "invalid_grant"


async def test_expired_code_is_invalid_grant(tenant: TenantFixture, clock: FrozenClock) -> None:
    app = await web_app(tenant)
    code = await _code(app)
    clock.advance(61)
    response = await exchange_code(app, code)
    assert response.status_code == 403
    assert response.json() == {"error": "invalid_grant", "error_description": "Invalid authorization code"}


async def test_redirect_uri_must_be_repeated_exactly_at_the_token_endpoint(tenant: TenantFixture) -> None:
    app = await web_app(tenant, callbacks=[CALLBACK, "https://app.example/other"])
    code = await _code(app)
    for wrong in ("https://app.example/other", ""):
        response = await exchange_code(app, code, redirect_uri=wrong)
        assert response.status_code == 403
        assert response.json() == {"error": "invalid_grant", "error_description": "Invalid redirect_uri"}
    # The failed attempts did not burn the code for its rightful owner.
    assert (await exchange_code(app, code)).status_code == 200


async def test_code_is_bound_to_the_client_it_was_issued_to(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    other = await tenant.client(callbacks=[CALLBACK])
    code = await _code(app)
    stolen = await tenant.http.post(
        "/oauth/token",
        data={"grant_type": "authorization_code", "client_id": other.client_id, "client_secret": other.client_secret,
              "code": code, "redirect_uri": CALLBACK},
    )
    assert stolen.status_code == 403 and stolen.json()["error"] == "invalid_grant"


async def test_confidential_client_must_authenticate_to_redeem(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    code = await _code(app)
    response = await tenant.http.post(
        "/oauth/token",
        data={"grant_type": "authorization_code", "client_id": app.client.client_id, "code": code,
              "redirect_uri": CALLBACK},
    )
    assert response.status_code == 401
    assert response.json() == {"error": "access_denied", "error_description": "Unauthorized"}


async def test_garbage_and_missing_codes(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    garbage = await exchange_code(app, "not-a-code")
    assert garbage.status_code == 403 and garbage.json()["error"] == "invalid_grant"
    missing = await exchange_code(app, "")
    assert missing.status_code == 400
    assert missing.json() == {"error": "invalid_request", "error_description": "Missing required parameter: code"}


async def test_code_from_tenant_a_is_unknown_at_tenant_b(tenant: TenantFixture, other_tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    code = await _code(app)
    twin = await other_tenant.client(client_id=app.client.client_id, client_secret=app.client.client_secret,
                                     callbacks=[CALLBACK])
    response = await other_tenant.http.post(
        "/oauth/token",
        data={"grant_type": "authorization_code", "client_id": twin.client_id, "client_secret": twin.client_secret,
              "code": code, "redirect_uri": CALLBACK},
    )
    assert response.status_code == 403 and response.json()["error"] == "invalid_grant"


async def test_user_blocked_after_authorize_cannot_redeem(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    code = await _code(app)
    await tenant.repos_call(lambda r: r.users.update(app.user.user_id, blocked=True))
    response = await exchange_code(app, code)
    assert response.status_code == 403
    assert response.json() == {"error": "invalid_grant", "error_description": "user is blocked"}


async def test_sso_session_of_a_blocked_user_sends_unauthorized_to_the_app(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    await _code(app)
    await tenant.repos_call(lambda r: r.users.update(app.user.user_id, blocked=True))
    again = await start(app.http, authorize_params(app, state="second"))
    assert again.status_code == 302 and again.headers["location"].startswith(f"{CALLBACK}?")
    assert response_params(again) == {
        "error": "unauthorized", "error_description": "user is blocked", "state": "second", "iss": tenant.issuer,
    }


async def test_scope_and_audience_sent_at_the_token_endpoint_are_ignored(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    code = await _code(app, scope="openid")
    response = await exchange_code(app, code, scope="openid write:things", audience=API)
    body = response.json()
    assert body["scope"] == "openid" and body["access_token"].count(".") == 0
