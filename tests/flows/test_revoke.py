"""POST /oauth/revoke: RFC 7009 as Auth0 serves it (empty 200), family and grant revocation (RT-10)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from tests.support.factories import TenantFixture, make_tenant
from tests.support.jwks import verify
from tests.support.refresh import (
    API_ID,
    FULL_SCOPES,
    ROTATING,
    family_of,
    login,
    record_of,
    refresh_form,
    revoke_form,
    seed,
)

from ostiary.runtime import AppState

INVALID = {"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}


def assert_empty_ok(response: Any) -> None:
    assert response.status_code == 200, response.text
    assert response.content == b""
    assert response.headers["cache-control"] == "no-store"


async def assert_refused(tenant: TenantFixture, client: Any, token: str) -> None:
    response = await tenant.http.post("/oauth/token", data=refresh_form(client, token))
    assert response.status_code == 403 and response.json() == INVALID


async def test_revoking_a_token_kills_its_family_and_grant(tenant: TenantFixture) -> None:
    s = await seed(tenant, refresh_token=ROTATING)
    rt1 = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
    rt2 = (await tenant.http.post("/oauth/token", data=refresh_form(s.client, rt1))).json()["refresh_token"]

    # Revoking the spent ancestor revokes the whole family, including the live descendant.
    assert_empty_ok(await tenant.http.post("/oauth/revoke", data=revoke_form(s.client, rt1)))

    await assert_refused(tenant, s.client, rt2)
    root = await record_of(tenant, rt1)
    assert all(r.revoked_at is not None for r in await family_of(tenant, root.family_id))
    assert await tenant.repos_call(lambda r: r.grants.is_revoked(root.grant_id))


async def test_access_tokens_of_the_grant_are_revoked_with_it(tenant: TenantFixture) -> None:
    s = await seed(tenant)
    logged_in = await login(tenant, client=s.client, user=s.user, api=None, scopes=["openid", "offline_access"])
    opaque = await tenant.repos_call(lambda r: r.opaque_access_tokens.find(logged_in.issued.access_token))
    assert not await tenant.repos_call(lambda r: r.grants.is_revoked(opaque.grant_id))

    response = await tenant.http.post("/oauth/revoke", json=revoke_form(s.client, logged_in.refresh_token))

    assert_empty_ok(response)
    # /userinfo refuses access tokens whose grant is revoked (Grants.is_revoked on the token's grant id).
    assert await tenant.repos_call(lambda r: r.grants.is_revoked(opaque.grant_id))
    await assert_refused(tenant, s.client, logged_in.refresh_token)


async def test_unknown_token_gets_the_same_empty_200(tenant: TenantFixture) -> None:
    s = await seed(tenant)

    assert_empty_ok(await tenant.http.post("/oauth/revoke", data=revoke_form(s.client, "v1.nothing-like-this")))


async def test_another_clients_token_is_not_revoked(tenant: TenantFixture) -> None:
    s = await seed(tenant, refresh_token=ROTATING)
    other = await tenant.client()
    token = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token

    # RFC 7009 §2.1: the token was not issued to this client: nothing is revoked; Auth0-style empty 200.
    assert_empty_ok(await tenant.http.post("/oauth/revoke", data=revoke_form(other, token)))

    assert (await record_of(tenant, token)).revoked_at is None
    assert (await tenant.http.post("/oauth/token", data=refresh_form(s.client, token))).status_code == 200


async def test_public_client_revokes_with_client_id_only(tenant: TenantFixture) -> None:
    s = await seed(tenant, refresh_token=ROTATING, app_type="spa")
    assert s.client.token_endpoint_auth_method == "none"
    token = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token

    response = await tenant.http.post("/oauth/revoke", data={"client_id": s.client.client_id, "token": token})

    assert_empty_ok(response)
    await assert_refused(tenant, s.client, token)


async def test_missing_token_and_bad_client_authentication_are_errors(tenant: TenantFixture) -> None:
    s = await seed(tenant)
    assert s.client.client_secret
    token = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token

    missing = await tenant.http.post("/oauth/revoke", data=revoke_form(s.client, ""))
    wrong_secret = await tenant.http.post(
        "/oauth/revoke", data={"client_id": s.client.client_id, "client_secret": "nope", "token": token}
    )
    no_secret = await tenant.http.post("/oauth/revoke", data={"client_id": s.client.client_id, "token": token})

    assert missing.status_code == 400
    assert missing.json() == {"error": "invalid_request", "error_description": "Missing required parameter: token"}
    for response in (wrong_secret, no_secret):
        assert response.status_code == 401
        assert response.json() == {"error": "access_denied", "error_description": "Unauthorized"}
        assert response.headers["cache-control"] == "no-store"
    assert (await record_of(tenant, token)).revoked_at is None


async def test_a_token_from_another_tenant_is_not_revoked(
    tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    s = await seed(tenant)
    assert s.client.client_secret
    twin = await other_tenant.client(client_id=s.client.client_id, client_secret=s.client.client_secret)
    token = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token

    assert_empty_ok(await other_tenant.http.post("/oauth/revoke", data=revoke_form(twin, token)))

    assert (await record_of(tenant, token)).revoked_at is None


async def two_logins(tenant: TenantFixture) -> tuple[Any, str, str]:
    s = await seed(tenant)
    first = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
    second = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
    return s, first, second


async def test_without_the_tenant_flag_other_families_of_the_user_survive(tenant: TenantFixture) -> None:
    s, first, second = await two_logins(tenant)

    assert_empty_ok(await tenant.http.post("/oauth/revoke", data=revoke_form(s.client, first)))

    await assert_refused(tenant, s.client, first)
    assert (await tenant.http.post("/oauth/token", data=refresh_form(s.client, second))).status_code == 200


async def test_tenant_flag_revokes_every_token_of_user_client_and_audience(state: AppState, app: FastAPI) -> None:
    tenant = await make_tenant(state, app, flags={"revoke_refresh_token_grant": True})
    try:
        s, first, second = await two_logins(tenant)
        other_api = await tenant.api("https://other.example.com", allow_offline_access=True)
        elsewhere = await login(tenant, client=s.client, user=s.user, api=other_api, scopes=FULL_SCOPES)

        assert_empty_ok(await tenant.http.post("/oauth/revoke", data=revoke_form(s.client, first)))

        await assert_refused(tenant, s.client, first)
        await assert_refused(tenant, s.client, second)
        # Another audience is another grant: it survives.
        ok = await tenant.http.post("/oauth/token", data=refresh_form(s.client, elsewhere.refresh_token))
        assert ok.status_code == 200
        claims = await verify(tenant.http, ok.json()["access_token"], audience=other_api.identifier,
                              issuer=tenant.issuer)
        assert API_ID not in claims["aud"]
    finally:
        await tenant.http.aclose()
