"""Clients, resource servers, client grants, connections, tenant settings and keys through /api/v2."""

from __future__ import annotations

import httpx

from ostiary.admin.system_api import management_audience
from tests.support.factories import TenantFixture


async def test_every_tenant_has_one_global_client_listed_by_the_api_only(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/v2/clients", params={"is_global": "true"})
    assert response.status_code == 200
    [global_client] = response.json()
    assert global_client["global"] is True and global_client["name"] == "All Applications"
    delete = await api.delete(f"/api/v2/clients/{global_client['client_id']}")
    assert delete.status_code == 403 and delete.json()["errorCode"] == "operation_not_supported"


async def test_client_crud_and_write_statuses(api: httpx.AsyncClient) -> None:
    created = await api.post("/api/v2/clients", json={"name": "Backend", "app_type": "non_interactive"})
    assert created.status_code == 201
    client_id = created.json()["client_id"]
    assert created.json()["client_secret"]
    page = (await api.get("/api/v2/clients", params={"include_totals": "true", "per_page": "1", "page": "0"})).json()
    assert set(page) == {"start", "limit", "length", "total", "clients"}
    assert page["limit"] == 1 and page["length"] == 1 and page["total"] >= 3
    patched = await api.patch(f"/api/v2/clients/{client_id}", json={"description": "the back end"})
    assert patched.status_code == 200 and patched.json()["description"] == "the back end"
    rotated = await api.post(f"/api/v2/clients/{client_id}/rotate-secret")
    assert rotated.status_code == 200 and rotated.json()["client_secret"] != created.json()["client_secret"]
    only = (await api.get(f"/api/v2/clients/{client_id}", params={"fields": "name,client_id"})).json()
    assert only == {"name": "Backend", "client_id": client_id}
    assert (await api.delete(f"/api/v2/clients/{client_id}")).status_code == 204
    missing = await api.get(f"/api/v2/clients/{client_id}")
    assert missing.status_code == 404 and missing.json()["errorCode"] == "inexistent_client"


async def test_a_value_the_cli_refuses_the_api_refuses_with_the_same_line(api: httpx.AsyncClient) -> None:
    response = await api.post("/api/v2/clients", json={"name": "X", "callbacks": ["javascript:alert(1)"]})
    body = response.json()
    assert response.status_code == 400 and body["errorCode"] == "invalid_body"
    assert body["message"].startswith("client.callbacks:")
    duplicate = await api.post("/api/v2/clients", json={"name": "All Applications"})
    assert duplicate.status_code == 409


async def test_system_api_is_listed_and_cannot_be_deleted(tenant: TenantFixture, api: httpx.AsyncClient) -> None:
    apis = (await api.get("/api/v2/resource-servers")).json()
    [system] = [a for a in apis if a["is_system"]]
    assert system["identifier"] == management_audience(tenant.tenant)
    assert {"read:users", "update:users", "read:client_keys", "read:users_app_metadata"} <= {
        s["value"] for s in system["scopes"]}
    response = await api.delete(f"/api/v2/resource-servers/{system['id']}")
    assert response.status_code == 403
    created = await api.post("/api/v2/resource-servers", json={"identifier": "https://orders", "scopes": [
        {"value": "read:orders", "description": "Read"}]})
    assert created.status_code == 201
    assert (await api.post("/api/v2/resource-servers", json={"identifier": "https://orders"})).status_code == 409
    patched = await api.patch(f"/api/v2/resource-servers/{created.json()['id']}", json={"token_lifetime": 600})
    assert patched.json()["token_lifetime"] == 600
    assert (await api.delete(f"/api/v2/resource-servers/{created.json()['id']}")).status_code == 204


async def test_client_grants_by_checkpoint_ignore_include_totals(tenant: TenantFixture, api: httpx.AsyncClient) -> None:
    await api.post("/api/v2/resource-servers", json={"identifier": "https://orders", "scopes": ["read:orders"]})
    ids = []
    for i in range(3):
        client = (await api.post("/api/v2/clients", json={"name": f"m2m-{i}", "app_type": "non_interactive"})).json()
        grant = await api.post("/api/v2/client-grants", json={
            "client_id": client["client_id"], "audience": "https://orders", "scope": ["read:orders"]})
        assert grant.status_code == 201
        ids.append(grant.json()["id"])
    seen: list[str] = []
    params = {"take": "2", "include_totals": "true", "audience": "https://orders"}
    for _ in range(5):
        body = (await api.get("/api/v2/client-grants", params=params)).json()
        seen += [g["id"] for g in body["client_grants"]]
        if not body.get("next"):
            break
        params["from"] = body["next"]
    assert sorted(seen) == sorted(ids)
    bad = await api.post("/api/v2/client-grants", json={
        "client_id": "nope", "audience": "https://orders", "scope": ["read:orders"]})
    assert bad.status_code == 400 and bad.json()["message"].startswith("clientGrant.client_id")
    assert (await api.patch(f"/api/v2/client-grants/{ids[0]}", json={"scope": []})).json()["scope"] == []
    assert (await api.delete(f"/api/v2/client-grants/{ids[0]}")).status_code == 204


async def test_connections_and_their_clients(api: httpx.AsyncClient) -> None:
    client = (await api.post("/api/v2/clients", json={"name": "web"})).json()
    created = await api.post("/api/v2/connections", json={"name": "db", "strategy": "auth0"})
    assert created.status_code == 201
    conn_id = created.json()["id"]
    listed = (await api.get("/api/v2/connections", params={"strategy": "auth0", "take": "50"})).json()
    assert [c["name"] for c in listed["connections"]] == ["db"]
    toggled = await api.patch(f"/api/v2/connections/{conn_id}/clients",
                              json=[{"client_id": client["client_id"], "status": True}])
    assert toggled.status_code == 204
    clients = (await api.get(f"/api/v2/connections/{conn_id}/clients", params={"take": "10"})).json()
    assert clients == {"clients": [{"client_id": client["client_id"]}]}
    assert (await api.delete(f"/api/v2/connections/{conn_id}")).status_code == 202
    assert (await api.get(f"/api/v2/connections/{conn_id}")).json()["errorCode"] == "inexistent_connection"


async def test_tenant_settings_and_signing_keys(api: httpx.AsyncClient) -> None:
    patched = await api.patch("/api/v2/tenants/settings", json={"friendly_name": "Acme"})
    assert patched.status_code == 200
    assert (await api.get("/api/v2/tenants/settings")).json()["friendly_name"] == "Acme"
    bad = await api.patch("/api/v2/tenants/settings", json={"session_lifetime": -1})
    assert bad.status_code == 400 and bad.json()["message"].startswith("tenant.session_lifetime")
    keys = (await api.get("/api/v2/keys/signing")).json()
    current = [k["kid"] for k in keys if k["current"]]
    rotated = await api.post("/api/v2/keys/signing/rotate")
    assert rotated.status_code == 201 and rotated.json()["kid"] not in current
    revoked = await api.put(f"/api/v2/keys/signing/{current[0]}/revoke")
    assert revoked.status_code == 200


async def test_tenant_settings_take_lifetimes_in_minutes_as_a0deploy_sends_them(api: httpx.AsyncClient) -> None:
    patched = await api.patch("/api/v2/tenants/settings", json={
        "session_lifetime_in_minutes": 90, "idle_session_lifetime_in_minutes": 30})
    assert patched.status_code == 200
    assert patched.json()["session_lifetime"] == 1.5 and patched.json()["idle_session_lifetime"] == 0.5
    assert "domains" not in patched.json()
    both = await api.patch("/api/v2/tenants/settings", json={"session_lifetime": 1, "session_lifetime_in_minutes": 60})
    assert both.status_code == 400 and both.json()["message"].startswith("tenant.session_lifetime_in_minutes")
