"""Two tenants holding objects with the same client_id, API identifier, connection name and user email:
every tenant-bound repository sees only its own tenant's rows, and deleting in one leaves the other."""

from __future__ import annotations

from typing import Any

import pytest

from ostiary.errors import AdminError
from ostiary.store.repos import Repos
from tests.support.factories import TenantFixture

SHARED_CLIENT_ID = "same-client-id-in-both-tenants"
API = "https://api.shared.example"
EMAIL = "same@example.com"
CONNECTION = "Username-Password-Authentication"


def _secret(label: str) -> str:
    return f"secret-{label}".ljust(32, "-")  # chosen secrets are at least 32 characters


async def _seed(t: TenantFixture, label: str) -> dict[str, Any]:
    client = await t.client(name=f"client {label}", client_id=SHARED_CLIENT_ID, client_secret=_secret(label),
                            app_type="non_interactive")
    api = await t.api(API, name=f"api {label}", scopes=[f"scope:{label}"])
    await t.client_grant(client.client_id, api.identifier, [f"scope:{label}"])
    await t.connection(CONNECTION, options={"label": label}, enabled_clients=[SHARED_CLIENT_ID])
    user = await t.user(connection=CONNECTION, email=EMAIL, name=f"user {label}", password=f"pw-{label}")
    return {"user_id": user.user_id}


async def _view(repos: Repos) -> dict[str, Any]:
    client = await repos.clients.by_client_id(SHARED_CLIENT_ID)
    api = await repos.resource_servers.by_identifier(API)
    grant = await repos.client_grants.find(SHARED_CLIENT_ID, API)
    conn = await repos.connections.by_name(CONNECTION)
    user = await repos.users.by_login(CONNECTION, EMAIL)
    return {
        "client": client and (client.name, client.client_secret),
        "clients": [c.name for c in await repos.clients.all()],
        "api": api and api.name,
        "apis": [a.name for a in await repos.resource_servers.all()],
        "grant": grant and grant.scope,
        "grants": len(await repos.client_grants.all()),
        "connection": conn and conn.options,
        "connections": len(await repos.connections.all()),
        "user": user and user.name,
        "users": [u.name for u in await repos.users.all()],
        "kids": {k.kid for k in await repos.signing_keys.all()},
    }


async def test_same_identifiers_in_two_tenants_never_mix(tenant: TenantFixture, other_tenant: TenantFixture) -> None:
    a_ids = await _seed(tenant, "a")
    b_ids = await _seed(other_tenant, "b")
    a = await tenant.repos_call(_view)
    b = await other_tenant.repos_call(_view)
    assert {k: v for k, v in a.items() if k != "kids"} == {
        "client": ("client a", _secret("a")), "clients": ["client a"], "api": "api a", "apis": ["api a"],
        "grant": ("scope:a",), "grants": 1, "connection": {"label": "a"}, "connections": 1,
        "user": "user a", "users": ["user a"],
    }
    assert b["client"] == ("client b", _secret("b")) and b["users"] == ["user b"] and b["grant"] == ("scope:b",)
    assert a["kids"] and b["kids"] and not a["kids"] & b["kids"]
    assert await tenant.repos_call(lambda r: r.users.by_user_id(b_ids["user_id"])) is None
    assert await other_tenant.repos_call(lambda r: r.users.by_user_id(a_ids["user_id"])) is None


async def test_deleting_in_one_tenant_leaves_the_other(tenant: TenantFixture, other_tenant: TenantFixture) -> None:
    a_ids = await _seed(tenant, "a")
    await _seed(other_tenant, "b")

    async def delete_all(repos: Repos) -> None:
        await repos.users.delete(a_ids["user_id"])
        await repos.connections.delete(CONNECTION)
        await repos.client_grants.delete(SHARED_CLIENT_ID, API)
        await repos.clients.delete(SHARED_CLIENT_ID)
        await repos.resource_servers.delete(API)
        await repos.signing_keys.rotate()

    await tenant.repos_call(delete_all)
    a = await tenant.repos_call(_view)
    b = await other_tenant.repos_call(_view)
    assert (a["client"], a["api"], a["grant"], a["connection"], a["user"]) == (None,) * 5
    assert b["client"] == ("client b", _secret("b")) and b["api"] == "api b" and b["grant"] == ("scope:b",)
    assert b["connection"] == {"label": "b"} and b["user"] == "user b"
    assert len(b["kids"]) == 2


async def test_revoking_a_kid_of_another_tenant_is_refused(tenant: TenantFixture, other_tenant: TenantFixture) -> None:
    await other_tenant.repos_call(lambda r: r.signing_keys.rotate())
    rows = await other_tenant.repos_call(lambda r: r.signing_keys.all())
    previous = next(k.kid for k in rows if k.status == "previous")
    with pytest.raises(AdminError, match="is not a previous key of this tenant"):
        await tenant.repos_call(lambda r: r.signing_keys.revoke(previous))
    statuses = {k.kid: k.status for k in await other_tenant.repos_call(lambda r: r.signing_keys.all())}
    assert statuses[previous] == "previous"
