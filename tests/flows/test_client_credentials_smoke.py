"""The token front door end to end with the simplest grant (the full client_credentials suite is its own file)."""

from __future__ import annotations

import base64

from tests.support.factories import TenantFixture
from tests.support.jwks import verify

# Chosen secrets must be at least 32 characters (catalogue HK-04).
SECRET_A = "secret-a".ljust(32, "-")
SECRET_B = "secret-b".ljust(32, "-")


async def test_client_credentials_token_verifies_against_published_jwks(tenant: TenantFixture) -> None:
    api = await tenant.api("https://api.example.com", scopes=["read:things", "write:things"])
    client = await tenant.client(app_type="non_interactive")
    await tenant.client_grant(client.client_id, api.identifier, ["read:things"])

    response = await tenant.http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": client.client_secret,
            "audience": api.identifier,
        },
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "read:things"
    claims = await verify(tenant.http, body["access_token"], audience=api.identifier, issuer=tenant.issuer)
    assert claims["sub"] == f"{client.client_id}@clients"
    assert claims["gty"] == "client-credentials"
    assert claims["azp"] == client.client_id
    assert claims["exp"] - claims["iat"] == 86400


async def test_json_body_and_basic_auth_are_accepted(tenant: TenantFixture) -> None:
    api = await tenant.api()
    client = await tenant.client(app_type="non_interactive", token_endpoint_auth_method="client_secret_basic")
    await tenant.client_grant(client.client_id, api.identifier, ["read:things"])
    basic = base64.b64encode(f"{client.client_id}:{client.client_secret}".encode()).decode()
    response = await tenant.http.post(
        "/oauth/token",
        json={"grant_type": "client_credentials", "audience": api.identifier},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200, response.text


async def test_same_client_id_in_two_tenants_never_mixes(
    tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    for t in (tenant, other_tenant):
        await t.api("https://api.example.com")
    a = await tenant.client(client_id="shared-id", client_secret=SECRET_A, app_type="non_interactive")
    b = await other_tenant.client(client_id="shared-id", client_secret=SECRET_B, app_type="non_interactive")
    await tenant.client_grant(a.client_id, "https://api.example.com", ["read:things"])
    form = {"grant_type": "client_credentials", "client_id": "shared-id", "audience": "https://api.example.com"}
    # Tenant A's secret is refused at tenant B and vice versa.
    wrong = await other_tenant.http.post("/oauth/token", data={**form, "client_secret": SECRET_A})
    assert wrong.status_code == 401
    assert wrong.json() == {"error": "access_denied", "error_description": "Unauthorized"}
    # B has no client grant, A does: the grant of A does not leak into B.
    no_grant = await other_tenant.http.post("/oauth/token", data={**form, "client_secret": b.client_secret})
    assert no_grant.status_code == 403 and no_grant.json()["error"] == "access_denied"
    ok = await tenant.http.post("/oauth/token", data={**form, "client_secret": a.client_secret})
    assert ok.status_code == 200
    token = ok.json()["access_token"]
    claims = await verify(tenant.http, token, audience="https://api.example.com", issuer=tenant.issuer)
    # And B's JWKS does not verify A's token.
    try:
        await verify(other_tenant.http, token, audience="https://api.example.com", issuer=tenant.issuer)
    except AssertionError as exc:
        assert "not in the published JWKS" in str(exc)
    else:
        raise AssertionError("tenant B's JWKS verified tenant A's token")
    assert claims["iss"] == tenant.issuer


async def test_unknown_host_gets_json_404_and_nothing_else(tenant: TenantFixture) -> None:
    response = await tenant.http.get("/.well-known/openid-configuration", headers={"Host": "nobody.test"})
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert tenant.domain not in response.text
