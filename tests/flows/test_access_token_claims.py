"""What mint_access_token puts in a token, per API and client settings, verified against the served JWKS."""

from __future__ import annotations

from typing import Any

import jwt
from fastapi import FastAPI
from tests.support.factories import TenantFixture, make_tenant
from tests.support.jwks import verify
from tests.support.minting import context, user_tokens

from ostiary import entities
from ostiary.oauth.issuance import mint_access_token
from ostiary.runtime import AppState


async def _mint(t: TenantFixture, api: entities.Api | None, scopes: list[str], **kwargs: Any) -> tuple[str, int]:
    client = t.clients.get("c") or await t.client()
    t.clients["c"] = client
    async with t.state.sessionmaker() as session:
        token = await mint_access_token(
            context(t, session), client=client, api=api, subject="auth0|u1", scopes=scopes, **kwargs
        )
        await session.commit()
    return token


async def test_lifetimes_come_from_the_api(tenant: TenantFixture) -> None:
    api = await tenant.api("https://api.example.com", token_lifetime=3600, token_lifetime_for_web=600)
    token, expires_in = await _mint(tenant, api, ["read:things"])
    claims = await verify(tenant.http, token, audience=api.identifier, issuer=tenant.issuer)
    assert expires_in == 3600 and claims["exp"] - claims["iat"] == 3600
    token, expires_in = await _mint(tenant, api, ["read:things"], web=True)
    claims = await verify(tenant.http, token, audience=api.identifier, issuer=tenant.issuer)
    assert expires_in == 600 and claims["exp"] - claims["iat"] == 600


async def test_opaque_token_without_audience_has_auth0s_fixed_lifetimes(tenant: TenantFixture) -> None:
    token, expires_in = await _mint(tenant, None, ["openid"])
    assert "." not in token and expires_in == 86400
    _, web_expires_in = await _mint(tenant, None, ["openid"], web=True)
    assert web_expires_in == 7200


async def test_audience_is_an_array_only_with_openid(tenant: TenantFixture) -> None:
    api = await tenant.api("https://api.example.com")
    plain, _ = await _mint(tenant, api, ["read:things"])
    assert jwt.decode(plain, options={"verify_signature": False})["aud"] == api.identifier
    with_openid, _ = await _mint(tenant, api, ["openid", "read:things"])
    claims = await verify(
        tenant.http, with_openid, audience=f"{tenant.issuer}userinfo", issuer=tenant.issuer
    )
    assert claims["aud"] == [api.identifier, f"{tenant.issuer}userinfo"]
    assert claims["scope"] == "openid read:things"


async def test_permissions_only_with_rbac_and_an_authz_dialect(tenant: TenantFixture) -> None:
    """The claim lists every permission held for the API (in the API's scope order), whatever was asked."""
    rbac = await tenant.api("https://rbac.example.com", enforce_policies=True, token_dialect="access_token_authz")
    rbac_plain = await tenant.api("https://plain.example.com", enforce_policies=True)
    rfc = await tenant.api("https://rfc.example.com", enforce_policies=True, token_dialect="rfc9068_profile_authz")
    no_rbac = await tenant.api("https://norbac.example.com", token_dialect="access_token_authz")
    held = ["write:things", "read:things", "not:a-scope-of-the-api"]
    token, _ = await _mint(tenant, rbac, ["openid", "read:things"], permissions=held)
    claims = await verify(tenant.http, token, audience=rbac.identifier, issuer=tenant.issuer)
    assert claims["permissions"] == ["read:things", "write:things"]
    token, _ = await _mint(tenant, rbac, ["openid"])
    assert (await verify(tenant.http, token, audience=rbac.identifier, issuer=tenant.issuer))["permissions"] == []
    for api in (rbac_plain, no_rbac):
        token, _ = await _mint(tenant, api, ["read:things"], permissions=held)
        assert "permissions" not in await verify(tenant.http, token, audience=api.identifier, issuer=tenant.issuer)
    token, _ = await _mint(tenant, rfc, ["read:things"], permissions=["read:things"])
    assert jwt.get_unverified_header(token)["typ"] == "at+jwt"
    claims = await verify(tenant.http, token, audience=rfc.identifier, issuer=tenant.issuer)
    assert claims["permissions"] == ["read:things"]


async def test_header_and_gty(tenant: TenantFixture) -> None:
    api = await tenant.api("https://api.example.com")
    token, _ = await _mint(tenant, api, ["read:things"], gty="password")
    header = jwt.get_unverified_header(token)
    assert header["typ"] == "JWT" and header["alg"] == "RS256" and header["kid"]
    claims = await verify(tenant.http, token, audience=api.identifier, issuer=tenant.issuer)
    assert claims["gty"] == "password"
    assert set(claims) == {"iss", "sub", "aud", "iat", "exp", "scope", "azp", "gty"}


async def test_user_tokens_carry_a_jti_naming_their_grant(tenant: TenantFixture) -> None:
    await tenant.connection()
    api = await tenant.api("https://api.example.com")
    client = await tenant.client()
    user = await tenant.user()
    issued = await user_tokens(tenant, client=client, user=user, api=api, scopes=["read:things"])
    claims = await verify(tenant.http, issued.access_token, audience=api.identifier, issuer=tenant.issuer)
    grant_id, _, nonce = claims["jti"].partition(".")
    assert nonce
    grant = await tenant.repos_call(lambda r: r.grants.find(grant_id))
    assert grant is not None and grant.user_id == user.user_id and grant.client_id == client.client_id
    again = await user_tokens(tenant, client=client, user=user, api=api, scopes=["read:things"])
    assert jwt.decode(again.access_token, options={"verify_signature": False})["jti"] != claims["jti"]


async def test_tenant_default_audience_makes_a_jwt_without_an_audience_parameter(
    state: AppState, app: FastAPI
) -> None:
    t = await make_tenant(state, app, default_audience="https://api.example.com")
    try:
        api = await t.api("https://api.example.com")
        client = await t.client(app_type="non_interactive")
        await t.client_grant(client.client_id, api.identifier, ["read:things"])
        response = await t.http.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials", "client_id": client.client_id,
                "client_secret": client.client_secret,
            },
        )
        assert response.status_code == 200, response.text
        claims = await verify(t.http, response.json()["access_token"], audience=api.identifier, issuer=t.issuer)
        assert claims["sub"] == f"{client.client_id}@clients"
        assert claims["gty"] == "client-credentials"
    finally:
        await t.http.aclose()
