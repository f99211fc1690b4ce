"""Signing keys as Auth0 rotates them, and every algorithm a token can be signed with, verified via the JWKS."""

from __future__ import annotations

from typing import Any

import jwt
from tests.support.factories import TenantFixture
from tests.support.jwks import oidc_half_hash, verify
from tests.support.minting import user_tokens

from ostiary import entities
from ostiary.admin.session import AdminSession
from ostiary.store.repositories.signing_keys import SigningKeys
from ostiary.tokens import signer as signer_module


async def _m2m_client(t: TenantFixture, audience: str) -> entities.Client:
    client = await t.client(app_type="non_interactive")
    await t.client_grant(client.client_id, audience, ["read:things"])
    return client


async def _m2m_token(t: TenantFixture, audience: str, client: entities.Client | None = None) -> str:
    client = client or await _m2m_client(t, audience)
    response = await t.http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials", "client_id": client.client_id,
            "client_secret": client.client_secret, "audience": audience,
        },
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def _jwks(t: TenantFixture) -> list[dict[str, Any]]:
    response = await t.http.get("/.well-known/jwks.json")
    assert response.status_code == 200
    keys: list[dict[str, Any]] = response.json()["keys"]
    return keys


async def _statuses(t: TenantFixture) -> dict[str, str]:
    rows = await t.repos_call(lambda r: r.signing_keys.all())
    return {row.kid: row.status for row in rows}


async def _rotate(t: TenantFixture, alg: str = "RS256") -> None:
    """Rotate in a separate transaction, as `ostiary keys rotate` does from another process."""
    async with t.state.sessionmaker() as session:
        await SigningKeys(session, t.tenant.id, box=t.state.box, clock=t.state.clock).rotate(alg)
        await session.commit()


async def test_new_tenant_publishes_current_and_next_rs256(tenant: TenantFixture) -> None:
    statuses = await _statuses(tenant)
    assert sorted(statuses.values()) == ["current", "next"]
    keys = await _jwks(tenant)
    assert [k["kid"] for k in keys] == [
        next(kid for kid, s in statuses.items() if s == "current"),
        next(kid for kid, s in statuses.items() if s == "next"),
    ]
    assert {k["alg"] for k in keys} == {"RS256"}


async def test_rotation_keeps_old_tokens_valid_until_revoke(tenant: TenantFixture) -> None:
    await tenant.api("https://api.example.com")
    before = await _m2m_token(tenant, "https://api.example.com")
    old_kid = jwt.get_unverified_header(before)["kid"]
    next_kid = next(kid for kid, s in (await _statuses(tenant)).items() if s == "next")

    await _rotate(tenant)
    statuses = await _statuses(tenant)
    assert statuses[old_kid] == "previous" and statuses[next_kid] == "current"
    assert len([s for s in statuses.values() if s == "next"]) == 1
    assert [k["kid"] for k in await _jwks(tenant)][:1] == [next_kid]
    assert old_kid in [k["kid"] for k in await _jwks(tenant)]
    # A token signed before the rotation still verifies; a new one carries the new kid.
    await verify(tenant.http, before, audience="https://api.example.com", issuer=tenant.issuer)
    after = await _m2m_token(tenant, "https://api.example.com")
    assert jwt.get_unverified_header(after)["kid"] == next_kid
    await verify(tenant.http, after, audience="https://api.example.com", issuer=tenant.issuer)

    await tenant.repos_call(lambda r: r.signing_keys.revoke(old_kid))
    assert old_kid not in [k["kid"] for k in await _jwks(tenant)]
    try:
        await verify(tenant.http, before, audience="https://api.example.com", issuer=tenant.issuer)
    except AssertionError as exc:
        assert "not in the published JWKS" in str(exc)
    else:
        raise AssertionError("a token signed by a revoked key still verified")


async def test_revoked_key_tokens_stop_working_at_userinfo(tenant: TenantFixture) -> None:
    await tenant.connection()
    api = await tenant.api("https://api.example.com")
    client = await tenant.client()
    user = await tenant.user()
    issued = await user_tokens(tenant, client=client, user=user, api=api, scopes=["openid"])
    headers = {"Authorization": f"Bearer {issued.access_token}"}
    await _rotate(tenant)
    assert (await tenant.http.get("/userinfo", headers=headers)).status_code == 200
    await tenant.repos_call(lambda r: r.signing_keys.revoke(jwt.get_unverified_header(issued.access_token)["kid"]))
    assert (await tenant.http.get("/userinfo", headers=headers)).status_code == 401


async def test_a_process_with_a_cached_key_set_still_mints_verifiable_tokens(tenant: TenantFixture) -> None:
    await tenant.api("https://api.example.com")
    client = await _m2m_client(tenant, "https://api.example.com")
    tenant.state.caches.keys.ttl = 3600
    first = await _m2m_token(tenant, "https://api.example.com", client)
    await _rotate(tenant)
    # Within OSTIARY_CACHE_TTL_SECONDS the process still signs with the key it cached (now previous)...
    stale = await _m2m_token(tenant, "https://api.example.com", client)
    assert jwt.get_unverified_header(stale)["kid"] == jwt.get_unverified_header(first)["kid"]
    tenant.state.caches.keys.clear()
    tenant.state.caches.keys.ttl = 0
    # ...and that key stays published, so the token verifies against the fresh JWKS.
    await verify(tenant.http, stale, audience="https://api.example.com", issuer=tenant.issuer)
    fresh = await _m2m_token(tenant, "https://api.example.com")
    assert jwt.get_unverified_header(fresh)["kid"] != jwt.get_unverified_header(first)["kid"]


async def test_keys_are_parsed_once_per_process(tenant: TenantFixture) -> None:
    one = await tenant.repos_call(lambda r: r.signing_keys.published())
    two = await tenant.repos_call(lambda r: r.signing_keys.published())
    assert one.keys[0].private_key is two.keys[0].private_key
    assert signer_module._parsed_keys[one.keys[0].kid] is one.keys[0].private_key


async def test_ps256_api_is_signed_with_the_rsa_key(tenant: TenantFixture) -> None:
    await tenant.api("https://ps.example.com", signing_alg="PS256")
    token = await _m2m_token(tenant, "https://ps.example.com")
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "PS256"
    current = next(kid for kid, s in (await _statuses(tenant)).items() if s == "current")
    assert header["kid"] == current
    await verify(tenant.http, token, audience="https://ps.example.com", issuer=tenant.issuer)


async def test_es256_api_creates_ec_keys_and_signs_with_them(tenant: TenantFixture) -> None:
    await tenant.api("https://es.example.com", signing_alg="ES256")
    ec_keys = [k for k in await _jwks(tenant) if k["kty"] == "EC"]
    assert len(ec_keys) == 2
    for key in ec_keys:
        assert list(key) == ["alg", "kty", "use", "crv", "x", "y", "kid", "x5t", "x5c"]
        assert key["alg"] == "ES256" and key["crv"] == "P-256" and key["use"] == "sig"
    token = await _m2m_token(tenant, "https://es.example.com")
    assert jwt.get_unverified_header(token)["alg"] == "ES256"
    await verify(tenant.http, token, audience="https://es.example.com", issuer=tenant.issuer)
    discovery = (await tenant.http.get("/.well-known/openid-configuration")).json()
    assert discovery["id_token_signing_alg_values_supported"] == ["HS256", "RS256", "PS256", "ES256"]
    await _rotate(tenant, "ES256")
    assert len([k for k in await _jwks(tenant) if k["kty"] == "EC"]) == 3
    await verify(tenant.http, token, audience="https://es.example.com", issuer=tenant.issuer)


async def test_hs256_api_token_is_signed_with_its_secret_and_has_a_single_audience(tenant: TenantFixture) -> None:
    await tenant.connection()
    api = await tenant.api("https://hs.example.com", signing_alg="HS256", signing_secret="s" * 48)
    client = await tenant.client()
    user = await tenant.user()
    issued = await user_tokens(tenant, client=client, user=user, api=api, scopes=["openid"])
    header = jwt.get_unverified_header(issued.access_token)
    assert header == {"alg": "HS256", "typ": "JWT"}
    claims = jwt.decode(issued.access_token, "s" * 48, algorithms=["HS256"], audience=api.identifier)
    # Auth0: the userinfo audience only on asymmetric tokens.
    assert claims["aud"] == api.identifier


async def test_id_token_algorithms_follow_the_client_jwt_configuration(tenant: TenantFixture) -> None:
    await tenant.connection()
    user = await tenant.user(name="Ada")
    hs = await tenant.client(jwt_configuration={"alg": "HS256", "lifetime_in_seconds": 600})
    es = await tenant.client(jwt_configuration={"alg": "ES256"})
    ps = await tenant.client(jwt_configuration={"alg": "PS256"})

    issued = await user_tokens(tenant, client=hs, user=user, api=None, scopes=["openid"], nonce="n-1")
    assert issued.id_token is not None
    claims = jwt.decode(issued.id_token, hs.client_secret, algorithms=["HS256"], audience=hs.client_id)
    assert claims["exp"] - claims["iat"] == 600
    assert claims["nonce"] == "n-1"
    assert claims["at_hash"] == oidc_half_hash(issued.access_token)

    for client, alg in ((es, "ES256"), (ps, "PS256")):
        issued = await user_tokens(tenant, client=client, user=user, api=None, scopes=["openid"])
        assert issued.id_token is not None
        assert jwt.get_unverified_header(issued.id_token)["alg"] == alg
        claims = await verify(tenant.http, issued.id_token, audience=client.client_id, issuer=tenant.issuer)
        assert claims["exp"] - claims["iat"] == 36000
        assert claims["sub"] == user.user_id


async def test_provisioning_twice_does_not_add_keys(tenant: TenantFixture) -> None:
    async with tenant.state.sessionmaker() as session:
        admin = AdminSession(session=session, box=tenant.state.box, clock=tenant.state.clock)
        await admin.repos(tenant.tenant).signing_keys.ensure("RS256")
        await session.commit()
    assert len(await _statuses(tenant)) == 2
