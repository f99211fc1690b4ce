"""/api/v2/users: create, search with q, by email, metadata merge, delete, linking, blocks."""

from __future__ import annotations

import httpx

from tests.support.factories import TenantFixture


async def _db(tenant: TenantFixture) -> None:
    await tenant.connection("Username-Password-Authentication")


async def test_user_lifecycle_with_metadata_merge(tenant: TenantFixture, api: httpx.AsyncClient) -> None:
    await _db(tenant)
    created = await api.post("/api/v2/users", json={
        "connection": "Username-Password-Authentication", "email": "Ann@Example.com", "password": "a long password",
        "app_metadata": {"plan": "free", "seats": 1}, "user_metadata": {"theme": "dark"}})
    assert created.status_code == 201, created.text
    user_id = created.json()["user_id"]
    assert user_id.startswith("auth0|")
    assert created.json()["identities"][0]["connection"] == "Username-Password-Authentication"
    patched = await api.patch(f"/api/v2/users/{user_id}", json={
        "app_metadata": {"plan": "pro", "seats": None}, "user_metadata": {"lang": "fr"}, "blocked": True})
    body = patched.json()
    assert patched.status_code == 200
    assert body["app_metadata"] == {"plan": "pro"}
    assert body["user_metadata"] == {"theme": "dark", "lang": "fr"}
    assert body["blocked"] is True
    cleared = (await api.patch(f"/api/v2/users/{user_id}", json={"user_metadata": {}})).json()
    assert cleared["user_metadata"] == {}
    duplicate = await api.post("/api/v2/users", json={
        "connection": "Username-Password-Authentication", "email": "ann@example.com", "password": "x" * 12})
    assert duplicate.status_code == 409
    assert (await api.delete(f"/api/v2/users/{user_id}")).status_code == 204
    missing = await api.get(f"/api/v2/users/{user_id}")
    assert missing.status_code == 404 and missing.json()["errorCode"] == "inexistent_user"


async def test_bad_user_fields_name_the_field(tenant: TenantFixture, api: httpx.AsyncClient) -> None:
    await _db(tenant)
    response = await api.post("/api/v2/users", json={"connection": "Username-Password-Authentication",
                                                       "email": "b@example.com", "email_verified": "yes"})
    assert response.status_code == 400 and response.json()["message"].startswith("user.email_verified")
    response = await api.post("/api/v2/users", json={"connection": "nope", "email": "b@example.com"})
    assert response.status_code == 400 and response.json()["message"].startswith("user.connection")


async def test_search_with_q_and_by_email(tenant: TenantFixture, api: httpx.AsyncClient) -> None:
    await _db(tenant)
    for i, plan in enumerate(("pro", "free", "pro")):
        await tenant.user(email=f"u{i}@example.com", name=f"User {i}", app_metadata={"plan": plan})
    async def search(q: str) -> list[str]:
        response = await api.get("/api/v2/users", params={"q": q, "search_engine": "v3", "sort": "email:1"})
        assert response.status_code == 200, response.text
        return [u["email"] for u in response.json()]
    assert await search('email:"u1@example.com"') == ["u1@example.com"]
    assert await search('app_metadata.plan:"pro"') == ["u0@example.com", "u2@example.com"]
    assert await search('app_metadata.plan:"pro" AND NOT email:u0@example.com') == ["u2@example.com"]
    assert await search("name:User* AND (email:u0@example.com OR email:u1@example.com)") == [
        "u0@example.com", "u1@example.com"]
    assert await search("_exists_:app_metadata.plan AND logins_count:[0 TO 5]") == [
        "u0@example.com", "u1@example.com", "u2@example.com"]
    paged = (await api.get("/api/v2/users", params={"per_page": "2", "page": "1", "include_totals": "true"})).json()
    assert paged["total"] == 3 and paged["start"] == 2 and paged["length"] == 1 and len(paged["users"]) == 1
    too_many = await api.get("/api/v2/users", params={"per_page": "101"})
    assert too_many.status_code == 400 and too_many.json()["errorCode"] == "invalid_query_string"
    taken = await api.patch(f"/api/v2/users/{(await tenant.user(email='x@example.com')).user_id}",
                            json={"email": "U1@example.com"})
    assert taken.status_code == 409 and taken.json()["message"].startswith("user.email")
    bad = await api.get("/api/v2/users", params={"q": "name:jo~2"})
    assert bad.status_code == 400 and bad.json()["errorCode"] == "invalid_query_string"
    assert "jo~2" in bad.json()["message"]
    by_email = (await api.get("/api/v2/users-by-email", params={"email": "U2@example.com"})).json()
    assert [u["email"] for u in by_email] == ["u2@example.com"]


async def test_users_of_another_tenant_are_invisible(
    tenant: TenantFixture, other_tenant: TenantFixture, api: httpx.AsyncClient
) -> None:
    await other_tenant.connection("Username-Password-Authentication")
    foreign = await other_tenant.user(email="secret@example.com")
    assert (await api.get("/api/v2/users-by-email", params={"email": "secret@example.com"})).json() == []
    assert (await api.get("/api/v2/users", params={"q": 'email:"secret@example.com"'})).json() == []
    assert (await api.get(f"/api/v2/users/{foreign.user_id}")).status_code == 404
    assert (await api.delete(f"/api/v2/users/{foreign.user_id}")).status_code == 404


async def test_link_and_unlink_identities(tenant: TenantFixture, api: httpx.AsyncClient) -> None:
    await _db(tenant)
    primary = await tenant.user(email="p@example.com")
    secondary = await tenant.user(email="s@example.com")
    provider, external = secondary.user_id.split("|")
    linked = await api.post(f"/api/v2/users/{primary.user_id}/identities",
                            json={"provider": provider, "user_id": external})
    assert linked.status_code == 201 and len(linked.json()) == 2
    assert (await api.get(f"/api/v2/users/{secondary.user_id}")).status_code == 404
    unlinked = await api.delete(f"/api/v2/users/{primary.user_id}/identities/{provider}/{external}")
    assert unlinked.status_code == 200 and len(unlinked.json()) == 1
    assert (await api.get(f"/api/v2/users/{secondary.user_id}")).status_code == 200


async def test_sessions_refresh_tokens_and_blocks(tenant: TenantFixture, api: httpx.AsyncClient) -> None:
    await _db(tenant)
    user = await tenant.user(email="q@example.com")
    assert (await api.delete(f"/api/v2/users/{user.user_id}/refresh-tokens")).status_code == 202
    assert (await api.delete(f"/api/v2/users/{user.user_id}/sessions")).status_code == 202
    assert (await api.delete(f"/api/v2/user-blocks/{user.user_id}")).status_code == 204
    assert (await api.delete("/api/v2/user-blocks", params={"identifier": "q@example.com"})).status_code == 204
