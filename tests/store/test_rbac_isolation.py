"""RBAC rows never cross tenants: ids of one tenant mean nothing in another's repositories and use cases."""

from __future__ import annotations

from typing import Any

import pytest

from ostiary import entities
from ostiary.admin import roles as rbac
from ostiary.errors import AdminError
from ostiary.store.repos import Repos
from tests.support.factories import TenantFixture

API = "https://api.example.com"


async def _seed(t: TenantFixture) -> tuple[entities.User, entities.Api, entities.Role]:
    api = await t.api(API)
    user = await t.user()

    async def go(r: Repos) -> entities.Role:
        role = await rbac.create_role(r, name="reader")
        await rbac.add_role_permissions(r, "reader", [entities.Permission(API, "read:things")])
        await rbac.assign_user_roles(r, user.user_id, ["reader"])
        await rbac.add_user_permissions(r, user.user_id, [entities.Permission(API, "write:things")])
        return role

    return user, api, await t.repos_call(go)


async def test_another_tenants_ids_find_nothing(tenant: TenantFixture, other_tenant: TenantFixture) -> None:
    user, api, role = await _seed(tenant)
    other_user, other_api, other_role = await _seed(other_tenant)
    assert role.id != other_role.id

    async def from_other(r: Repos) -> dict[str, Any]:
        return {
            "authorization": await r.roles.authorization(user.id, api.id),
            "effective": await r.roles.effective(user.id),
            "role": await r.roles.by_id(role.id),
            "users": await r.roles.user_ids(role.id),
        }

    seen = await other_tenant.repos_call(from_other)
    assert seen == {"authorization": entities.UserAuthorization(), "effective": [], "role": None, "users": []}
    own = await tenant.repos_call(lambda r: r.roles.authorization(user.id, api.id))
    assert own == entities.UserAuthorization(roles=("reader",), permissions=frozenset({"read:things", "write:things"}))

    async def cross(r: Repos) -> None:
        await rbac.assign_user_roles(r, other_user.user_id, [role.id])

    with pytest.raises(AdminError, match="no role named"):
        await other_tenant.repos_call(cross)


async def test_changes_in_one_tenant_leave_the_other(tenant: TenantFixture, other_tenant: TenantFixture) -> None:
    user, api, _ = await _seed(tenant)
    other_user, other_api, _ = await _seed(other_tenant)
    await tenant.repos_call(lambda r: r.resource_servers.update(API, scopes=[]))
    await tenant.repos_call(lambda r: rbac.delete_role(r, "reader"))
    assert await tenant.repos_call(lambda r: r.roles.authorization(user.id, api.id)) == entities.UserAuthorization()
    kept = await other_tenant.repos_call(lambda r: r.roles.authorization(other_user.id, other_api.id))
    assert kept == entities.UserAuthorization(roles=("reader",), permissions=frozenset({"read:things", "write:things"}))
