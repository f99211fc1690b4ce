"""The /oauth/token hot path: a plain Starlette route with per-process caches (see bench/ and README)."""

from __future__ import annotations

from sqlalchemy import delete
from tests.support.factories import TenantFixture

from ostiary.runtime import Caches
from ostiary.store.models import ClientGrant as ClientGrantRow


async def test_unknown_host_at_the_token_endpoint_gets_json_404(tenant: TenantFixture) -> None:
    response = await tenant.http.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers={"Host": "nobody.test"}
    )
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert tenant.domain not in response.text


async def test_token_response_is_compact_json_with_no_store(tenant: TenantFixture) -> None:
    api = await tenant.api()
    client = await tenant.client(app_type="non_interactive")
    await tenant.client_grant(client.client_id, api.identifier, ["read:things"])
    response = await tenant.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client.client_id,
              "client_secret": client.client_secret, "audience": api.identifier},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    assert response.text.startswith('{"access_token":"') and ", " not in response.text


async def test_client_grant_is_cached_per_process_until_its_ttl(tenant: TenantFixture) -> None:
    api = await tenant.api()
    client = await tenant.client(app_type="non_interactive")
    await tenant.client_grant(client.client_id, api.identifier, ["read:things"])
    tenant.state.caches = Caches(60.0)
    form = {"grant_type": "client_credentials", "client_id": client.client_id,
            "client_secret": client.client_secret, "audience": api.identifier}
    assert (await tenant.http.post("/oauth/token", data=form)).status_code == 200
    async with tenant.state.sessionmaker() as session:
        await session.execute(delete(ClientGrantRow).where(ClientGrantRow.tenant_id == tenant.tenant.id))
        await session.commit()
    # Within the TTL the process still serves the grant it saw (the bound settings.cache_ttl_seconds documents).
    assert (await tenant.http.post("/oauth/token", data=form)).status_code == 200
    tenant.state.caches.clear()
    refused = await tenant.http.post("/oauth/token", data=form)
    assert refused.status_code == 403
    assert refused.json()["error"] == "access_denied"
