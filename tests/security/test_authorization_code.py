"""Security catalogue 1.3 (AC): a code is single-use, short-lived, bound to its client, user and request."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import select

from ostiary.clock import FrozenClock
from ostiary.store.models import AuthorizationCode
from tests.security._helpers import assert_bearer_error, assert_token_error, code_for, sibling
from tests.support.browser_login import API, CALLBACK, WebApp, exchange_code, web_app
from tests.support.factories import TenantFixture
from tests.support.jwks import verify

OIDC_API = {"scope": "openid profile offline_access read:things", "audience": API}


async def _refresh(app: WebApp, token: str) -> object:
    return await app.http.post("/oauth/token", data={
        "grant_type": "refresh_token", "client_id": app.client.client_id,
        "client_secret": app.client.client_secret or "", "refresh_token": token,
    })


async def test_AC01_second_redemption_is_invalid_grant_now_and_after_30s(
    tenant: TenantFixture, clock: FrozenClock
) -> None:
    app = await web_app(tenant)
    code = await code_for(app)
    assert (await exchange_code(app, code)).status_code == 200
    assert_token_error(await exchange_code(app, code), 403, "invalid_grant")
    clock.advance(30)
    assert_token_error(await exchange_code(app, code), 403, "invalid_grant")


async def test_AC02_replayed_code_revokes_the_first_redemptions_tokens(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    code = await code_for(app, **OIDC_API)
    first = (await exchange_code(app, code)).json()
    userinfo = {"authorization": f"Bearer {first['access_token']}"}
    assert (await app.http.get("/userinfo", headers=userinfo)).status_code == 200
    assert_token_error(await exchange_code(app, code), 403, "invalid_grant")
    assert_bearer_error(await app.http.get("/userinfo", headers=userinfo), 401, "invalid_token")
    assert_token_error(await _refresh(app, first["refresh_token"]), 403, "invalid_grant")  # type: ignore[arg-type]


async def test_AC03_of_thirty_simultaneous_redemptions_one_wins_then_its_tokens_die(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    code = await code_for(app, **OIDC_API)
    responses = await asyncio.gather(*(exchange_code(app, code) for _ in range(30)))
    winners = [r for r in responses if r.status_code == 200]
    assert len(winners) == 1, [r.status_code for r in responses]
    for loser in responses:
        if loser is not winners[0]:
            assert_token_error(loser, 403, "invalid_grant")
    # A later replay (AC-02) kills what the winner got.
    assert_token_error(await exchange_code(app, code), 403, "invalid_grant")
    token = winners[0].json()["access_token"]
    response = await app.http.get("/userinfo", headers={"authorization": f"Bearer {token}"})
    assert_bearer_error(response, 401, "invalid_token")


async def test_AC04_code_of_client_a_redeemed_by_client_b_gets_nothing(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    other = await sibling(app)
    code = await code_for(app)
    response = await exchange_code(other, code)
    assert_token_error(response, 403, "invalid_grant")
    assert "access_token" not in response.text
    # The rightful client can still redeem it (an attacker's failed attempt does not burn it).
    assert (await exchange_code(app, code)).status_code == 200


async def test_AC05_confidential_client_redeeming_with_client_id_only_is_unauthorized(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    code = await code_for(app)
    response = await app.http.post("/oauth/token", data={
        "grant_type": "authorization_code", "client_id": app.client.client_id, "code": code,
        "redirect_uri": CALLBACK,
    })
    # Auth0's wire format for a failed client authentication: 401 access_denied "Unauthorized".
    assert_token_error(response, 401, "access_denied")


async def test_AC06_code_past_its_lifetime_is_invalid_grant(tenant: TenantFixture, clock: FrozenClock) -> None:
    app = await web_app(tenant)
    code = await code_for(app)
    clock.advance(60 + 1)
    assert_token_error(await exchange_code(app, code), 403, "invalid_grant")


async def test_AC07_mangled_codes_fail_and_codes_are_random_and_stored_hashed(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    codes = [await code_for(app) for _ in range(5)]
    assert len(set(codes)) == len(codes)
    for code in codes:
        # 32 random bytes, base64url: 256 bits, at least the 128 the catalogue asks for.
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", code), code
    code = codes[0]
    for mangled in (code[:-1], code[:20], code.swapcase(), code + "A", " " + code, "x" * 43):
        assert_token_error(await exchange_code(app, mangled), 403, "invalid_grant")
    # IN-13: a NUL never reaches a lookup.
    assert_token_error(await exchange_code(app, "\x00" + code), 400, "invalid_request")

    async def stored(repos: object) -> list[tuple[object, ...]]:
        rows = await repos.session.execute(  # type: ignore[attr-defined]
            select(AuthorizationCode).where(AuthorizationCode.tenant_id == tenant.tenant.id)
        )
        return [tuple(vars(row).values()) for row in rows.scalars().all()]

    for row in await tenant.repos_call(stored):
        assert not any(isinstance(v, str) and c in v for v in row for c in codes), "a code is stored in clear"
    assert (await exchange_code(app, code)).status_code == 200


async def test_AC08_client_without_the_grant_gets_auth0s_403_unauthorized_client(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    code = await code_for(app)
    await tenant.update_client(app.client.client_id, grant_types=["implicit", "client_credentials"])
    body = assert_token_error(await exchange_code(app, code), 403, "unauthorized_client")
    assert body["error_description"] == "Grant type 'authorization_code' not allowed for the client."


async def test_AC09_user_deleted_between_authorize_and_token_is_invalid_grant(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    code = await code_for(app)
    await tenant.repos_call(lambda r: r.users.delete(app.user.user_id))
    assert_token_error(await exchange_code(app, code), 403, "invalid_grant")


async def test_AC10_scope_audience_and_resource_at_the_token_endpoint_never_widen(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    await tenant.api("https://api-b.example", scopes=["admin"])
    code = await code_for(app, scope="openid read:things", audience=API)
    response = await exchange_code(app, code, scope="openid read:things write:things admin",
                                   audience="https://api-b.example", resource="https://api-b.example")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scope"] == "openid read:things"
    claims = await verify(tenant.http, body["access_token"], audience=API, issuer=tenant.issuer)
    assert "https://api-b.example" not in claims["aud"] and claims["scope"] == "openid read:things"
