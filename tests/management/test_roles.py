"""Roles, their permissions and members, and a user's roles and permissions through /api/v2 (admin/roles.py)."""

from __future__ import annotations

import httpx

from tests.management.conftest import MintToken, mint
from tests.management.test_access import assert_auth0_error
from tests.support.factories import TenantFixture

READ = {"permission_name": "read:things", "resource_server_identifier": "https://api.example.com"}
WRITE = {"permission_name": "write:things", "resource_server_identifier": "https://api.example.com"}


async def _role(api: httpx.AsyncClient, name: str = "reader", description: str = "Reads") -> dict[str, str]:
    response = await api.post("/api/v2/roles", json={"name": name, "description": description})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_role_crud_list_filter_and_totals(api: httpx.AsyncClient) -> None:
    role = await _role(api)
    assert role["id"].startswith("rol_") and role == {"id": role["id"], "name": "reader", "description": "Reads"}
    await _role(api, "Writer", "Writes")
    assert [r["name"] for r in (await api.get("/api/v2/roles", params={"name_filter": "writ"})).json()] == ["Writer"]
    page = (await api.get("/api/v2/roles", params={"include_totals": "true", "per_page": "1", "page": "1"})).json()
    assert set(page) == {"start", "limit", "length", "total", "roles"}
    assert page["total"] == 2 and page["start"] == 1 and [r["name"] for r in page["roles"]] == ["reader"]
    assert (await api.get(f"/api/v2/roles/{role['id']}")).json() == role
    patched = await api.patch(f"/api/v2/roles/{role['id']}", json={"description": "Reads things"})
    assert patched.status_code == 200 and patched.json()["description"] == "Reads things"
    assert patched.json()["name"] == "reader"
    deleted = await api.delete(f"/api/v2/roles/{role['id']}")
    assert deleted.status_code == 200
    assert_auth0_error(await api.get(f"/api/v2/roles/{role['id']}"), 404, "inexistent_role")


async def test_bad_role_bodies_use_the_cli_wording(api: httpx.AsyncClient) -> None:
    await _role(api)
    body = assert_auth0_error(await api.post("/api/v2/roles", json={"name": ""}), 400, "invalid_body")
    assert str(body["message"]).startswith("role.name: required")
    body = assert_auth0_error(await api.post("/api/v2/roles", json={"name": "reader"}), 409, "conflict")
    assert body["message"] == "role.name: 'reader' exists already"
    assert_auth0_error(await api.patch("/api/v2/roles/rol_nope", json={"name": "x"}), 404, "inexistent_role")
    assert_auth0_error(await api.post("/api/v2/roles", content=b"[1]"), 400, "invalid_body")


async def test_role_permissions_round_trip(tenant: TenantFixture, api: httpx.AsyncClient) -> None:
    await tenant.api(name="Things API", scopes=[{"value": "read:things", "description": "Read things"},
                                                 {"value": "write:things", "description": "Write things"}])
    role = await _role(api)
    path = f"/api/v2/roles/{role['id']}/permissions"
    added = await api.post(path, json={"permissions": [READ, WRITE]})
    assert added.status_code == 201
    listed = (await api.get(path)).json()
    assert {"permission_name": "read:things", "description": "Read things", "resource_server_name": "Things API",
            "resource_server_identifier": "https://api.example.com"} in listed
    assert len(listed) == 2
    assert (await api.request("DELETE", path, json={"permissions": [WRITE]})).status_code == 200
    assert [p["permission_name"] for p in (await api.get(path)).json()] == ["read:things"]


async def test_unknown_scope_or_api_is_refused_naming_the_field(tenant: TenantFixture, api: httpx.AsyncClient) -> None:
    await tenant.api()
    role = await _role(api)
    path = f"/api/v2/roles/{role['id']}/permissions"
    bad = {"permission_name": "delete:things", "resource_server_identifier": "https://api.example.com"}
    body = assert_auth0_error(await api.post(path, json={"permissions": [bad]}), 400, "invalid_body")
    assert "'delete:things' is not a scope of https://api.example.com" in str(body["message"])
    body = assert_auth0_error(await api.post(path, json={"permissions": []}), 400, "invalid_body")
    assert str(body["message"]).startswith("role.permissions: expected a non-empty list")
    body = assert_auth0_error(await api.post(path, json={"permissions": [{"permission_name": "x"}]}), 400,
                              "invalid_body")
    assert str(body["message"]).startswith("role.permissions[0]:")
    assert (await api.get(path)).json() == []


async def test_users_roles_members_and_effective_permissions(tenant: TenantFixture, api: httpx.AsyncClient) -> None:
    await tenant.connection("Username-Password-Authentication")
    await tenant.api()
    alice = await tenant.user(email="alice@example.com", name="Alice")
    bob = await tenant.user(email="bob@example.com")
    role = await _role(api)
    await api.post(f"/api/v2/roles/{role['id']}/permissions", json={"permissions": [READ]})
    assigned = await api.post(f"/api/v2/roles/{role['id']}/users", json={"users": [alice.user_id]})
    assert assigned.status_code == 200
    assert (await api.post(f"/api/v2/users/{bob.user_id}/roles", json={"roles": [role["id"]]})).status_code == 204
    members = (await api.get(f"/api/v2/roles/{role['id']}/users")).json()
    assert sorted(m["user_id"] for m in members) == sorted([alice.user_id, bob.user_id])
    assert {"user_id": alice.user_id, "email": "alice@example.com", "name": "Alice"}.items() <= next(
        m for m in members if m["user_id"] == alice.user_id).items()
    checkpoint = (await api.get(f"/api/v2/roles/{role['id']}/users", params={"take": "1"})).json()
    assert len(checkpoint["users"]) == 1 and checkpoint["next"]
    assert (await api.get(f"/api/v2/users/{alice.user_id}/roles")).json() == [role]

    direct = await api.post(f"/api/v2/users/{alice.user_id}/permissions", json={"permissions": [READ, WRITE]})
    assert direct.status_code == 201
    perms = {p["permission_name"]: p for p in (await api.get(f"/api/v2/users/{alice.user_id}/permissions")).json()}
    assert set(perms) == {"read:things", "write:things"}
    assert sorted(s["source_type"] for s in perms["read:things"]["sources"]) == ["DIRECT", "ROLE"]
    assert perms["write:things"]["sources"] == [{"source_id": "", "source_name": "", "source_type": "DIRECT"}]
    assert perms["read:things"]["resource_server_identifier"] == "https://api.example.com"

    removed = await api.request("DELETE", f"/api/v2/users/{alice.user_id}/permissions", json={"permissions": [WRITE]})
    assert removed.status_code == 204
    unassigned = await api.request("DELETE", f"/api/v2/users/{alice.user_id}/roles", json={"roles": [role["id"]]})
    assert unassigned.status_code == 204
    assert (await api.get(f"/api/v2/users/{alice.user_id}/roles")).json() == []
    after = (await api.get(f"/api/v2/users/{alice.user_id}/permissions")).json()
    assert [(p["permission_name"], [s["source_type"] for s in p["sources"]]) for p in after] == [
        ("read:things", ["DIRECT"])]
    body = assert_auth0_error(await api.post(f"/api/v2/users/{bob.user_id}/roles", json={"roles": []}), 400,
                              "invalid_body")
    assert body["message"] == "user.roles: expected a non-empty list of ids"
    assert_auth0_error(await api.post(f"/api/v2/users/{bob.user_id}/roles", json={"roles": ["rol_nope"]}), 404,
                       "inexistent_role")
    assert_auth0_error(await api.get("/api/v2/users/auth0|nobody/roles"), 404, "inexistent_user")


async def test_role_scopes_are_auth0s(tenant: TenantFixture, token_for: MintToken) -> None:
    reader = await token_for("read:roles")
    headers = {"authorization": f"Bearer {reader}"}
    assert (await tenant.http.get("/api/v2/roles", headers=headers)).status_code == 200
    body = assert_auth0_error(await tenant.http.post("/api/v2/roles", json={"name": "x"}, headers=headers), 403,
                              "insufficient_scope")
    assert body["message"] == "Insufficient scope, expected any of: create:roles"
    body = assert_auth0_error(await tenant.http.post("/api/v2/roles/rol_x/users", json={"users": ["a"]},
                                                     headers=headers), 403, "insufficient_scope")
    assert body["message"] == "Insufficient scope, expected any of: create:role_members,update:users"
    members_only = {"authorization": f"Bearer {await token_for('read:role_members')}"}
    assert_auth0_error(await tenant.http.get("/api/v2/roles/rol_x/users", headers=members_only), 404,
                       "inexistent_role")


async def test_roles_of_another_tenant_are_invisible(
    tenant: TenantFixture, other_tenant: TenantFixture, api: httpx.AsyncClient
) -> None:
    other_token = await mint(other_tenant, ["create:roles"])
    created = await other_tenant.http.post("/api/v2/roles", json={"name": "secret"},
                                           headers={"authorization": f"Bearer {other_token}"})
    foreign = created.json()
    assert created.status_code == 200 and foreign["name"] == "secret"
    assert (await api.get("/api/v2/roles")).json() == []
    assert_auth0_error(await api.get(f"/api/v2/roles/{foreign['id']}"), 404, "inexistent_role")
    assert_auth0_error(await api.delete(f"/api/v2/roles/{foreign['id']}"), 404, "inexistent_role")
    assert_auth0_error(await api.get(f"/api/v2/roles/{foreign['id']}/permissions"), 404, "inexistent_role")
    await tenant.connection("Username-Password-Authentication")
    own = await tenant.user()
    assert_auth0_error(await api.post(f"/api/v2/users/{own.user_id}/roles", json={"roles": [foreign["id"]]}), 404,
                       "inexistent_role")
    await _role(api, "secret")  # the name is free here: names are unique per tenant only
