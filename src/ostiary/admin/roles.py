"""RBAC use cases: roles, their permissions, users' roles and direct permissions.

The one door for every caller (the CLI, `ostiary import`, the Management API): the same checks and the same
error wording. Roles are named by id (rol_...) or name; users by user_id; a permission is
{permission_name, resource_server_identifier} and must name a scope its API defines.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ostiary import entities
from ostiary.errors import AdminConflictError, AdminError, AdminNotFoundError
from ostiary.store.repos import Repos
from ostiary.store.repositories.roles import ApiScope

MAX_NAME = 255
MAX_DESCRIPTION = 1024
REQUIRED_PERMISSION_KEYS = frozenset({"permission_name", "resource_server_identifier"})
# What Auth0's Management API adds when it lists permissions; accepted so its output can be fed back, ignored.
PERMISSION_KEYS = REQUIRED_PERMISSION_KEYS | {"description", "resource_server_name"}


def _text(field: str, value: Any, *, limit: int, required: bool) -> str:
    if not isinstance(value, str) or (required and not value.strip()):
        raise AdminError(f"{field}: required (a non-empty string)" if required else f"{field}: expected a string")
    if len(value) > limit:
        raise AdminError(f"{field}: at most {limit} characters")
    return value.strip() if required else value


def parse_permissions(field: str, value: Any) -> list[entities.Permission]:
    """Auth0's shape: [{permission_name, resource_server_identifier}, ...] (description and
    resource_server_name, which Auth0 adds when it lists permissions, are accepted and ignored)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise AdminError(f"{field}: expected a list of {{permission_name, resource_server_identifier}}")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or not REQUIRED_PERMISSION_KEYS <= set(item) <= PERMISSION_KEYS:
            raise AdminError(f"{field}[{i}]: expected {{permission_name, resource_server_identifier}}, got {item!r}")
        out.append(entities.Permission(
            resource_server_identifier=_text(f"{field}[{i}].resource_server_identifier",
                                             item["resource_server_identifier"], limit=1024, required=True),
            permission_name=_text(f"{field}[{i}].permission_name", item["permission_name"], limit=1024,
                                  required=True),
        ))
    return out


def parse_permission_list(field: str, value: Any) -> list[entities.Permission]:
    """A non-empty list of permissions (the Management API's {"permissions": [...]} bodies)."""
    permissions = parse_permissions(field, value)
    if not permissions:
        raise AdminError(f"{field}: expected a non-empty list of {{permission_name, resource_server_identifier}}")
    return permissions


def parse_ids(field: str, value: Any) -> list[str]:
    """A non-empty list of ids (Auth0's {"roles": [...]} and {"users": [...]} bodies)."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise AdminError(f"{field}: expected a non-empty list of ids")
    return value


def permission_dict(permission: entities.Permission) -> dict[str, str]:
    return {"permission_name": permission.permission_name,
            "resource_server_identifier": permission.resource_server_identifier}


async def _api_scopes(repos: Repos, field: str, permissions: Iterable[entities.Permission]) -> list[ApiScope]:
    """(API key, scope) for each permission; an unknown API or a scope the API does not define fails naming it."""
    out = []
    for p in permissions:
        api = await repos.resource_servers.by_identifier(p.resource_server_identifier)
        if api is None:
            raise AdminError(f"{field}: no API with identifier {p.resource_server_identifier!r}")
        if p.permission_name not in api.scopes:
            raise AdminError(
                f"{field}: {p.permission_name!r} is not a scope of {api.identifier} "
                f"(its scopes: {', '.join(api.scopes) or 'none'})"
            )
        out.append((api.id, p.permission_name))
    return out


# -- roles ------------------------------------------------------------------------------------------------

async def find_role(repos: Repos, ref: str, *, field: str = "role") -> entities.Role:
    """A role by id (rol_...) or by name."""
    role = await repos.roles.by_id(ref) or await repos.roles.by_name(ref)
    if role is None:
        raise AdminNotFoundError(f"{field}: no role named {ref!r} in this tenant", kind="role")
    return role


async def create_role(repos: Repos, *, name: Any, description: Any = "") -> entities.Role:
    name = _text("role.name", name, limit=MAX_NAME, required=True)
    description = _text("role.description", description or "", limit=MAX_DESCRIPTION, required=False)
    if await repos.roles.by_name(name):
        raise AdminConflictError(f"role.name: {name!r} exists already")
    return await repos.roles.create(name=name, description=description)


async def update_role(repos: Repos, ref: str, *, name: Any = None, description: Any = None) -> entities.Role:
    role = await find_role(repos, ref)
    if name is not None:
        name = _text("role.name", name, limit=MAX_NAME, required=True)
        other = await repos.roles.by_name(name)
        if other is not None and other.id != role.id:
            raise AdminConflictError(f"role.name: {name!r} exists already")
    if description is not None:
        description = _text("role.description", description, limit=MAX_DESCRIPTION, required=False)
    return await repos.roles.update(role.id, name=name, description=description)


async def delete_role(repos: Repos, ref: str) -> entities.Role:
    """The role goes, and with it its permissions and every user's assignment of it."""
    role = await find_role(repos, ref)
    await repos.roles.delete(role.id)
    return role


async def role_user_ids(repos: Repos, role_id: str) -> list[str]:
    """The user_ids of the users holding the role."""
    return await repos.roles.user_ids(role_id)


async def add_role_permissions(repos: Repos, ref: str, permissions: list[entities.Permission]) -> int:
    role = await find_role(repos, ref)
    return await repos.roles.add_permissions(role.id, await _api_scopes(repos, "role.permissions", permissions))


async def remove_role_permissions(repos: Repos, ref: str, permissions: list[entities.Permission]) -> None:
    role = await find_role(repos, ref)
    await repos.roles.remove_permissions(role.id, await _api_scopes(repos, "role.permissions", permissions))


async def set_role_permissions(repos: Repos, role: entities.Role, permissions: list[entities.Permission]) -> bool:
    """Make the role hold exactly these permissions (import); returns whether anything changed."""
    wanted = await _api_scopes(repos, "role.permissions", permissions)
    current = set(await _api_scopes(repos, "role.permissions", await repos.roles.permissions(role.id)))
    stale = [p for p in current if p not in set(wanted)]
    if stale:
        await repos.roles.remove_permissions(role.id, stale)
    added = await repos.roles.add_permissions(role.id, wanted)
    return bool(stale) or added > 0


# -- users ------------------------------------------------------------------------------------------------

async def _user_pk(repos: Repos, user_id: str) -> str:
    return (await repos.users.require(user_id)).id


async def user_roles(repos: Repos, user_id: str) -> list[entities.Role]:
    return await repos.roles.of_user(await _user_pk(repos, user_id))


async def assign_user_roles(repos: Repos, user_id: str, refs: Iterable[str], *, field: str = "user.roles") -> int:
    pk = await _user_pk(repos, user_id)
    roles = [await find_role(repos, ref, field=field) for ref in refs]
    return await repos.roles.assign(pk, [r.id for r in roles])


async def remove_user_roles(repos: Repos, user_id: str, refs: Iterable[str], *, field: str = "user.roles") -> None:
    pk = await _user_pk(repos, user_id)
    roles = [await find_role(repos, ref, field=field) for ref in refs]
    await repos.roles.unassign(pk, [r.id for r in roles])


async def user_direct_permissions(repos: Repos, user_id: str) -> list[entities.Permission]:
    return await repos.roles.direct_permissions(await _user_pk(repos, user_id))


async def add_user_permissions(repos: Repos, user_id: str, permissions: list[entities.Permission]) -> int:
    pk = await _user_pk(repos, user_id)
    return await repos.roles.grant_directly(pk, await _api_scopes(repos, "user.permissions", permissions))


async def remove_user_permissions(repos: Repos, user_id: str, permissions: list[entities.Permission]) -> None:
    pk = await _user_pk(repos, user_id)
    await repos.roles.revoke_directly(pk, await _api_scopes(repos, "user.permissions", permissions))


async def effective_permissions(repos: Repos, user_id: str) -> list[entities.PermissionSource]:
    """Every permission the user holds, once per source: each role that gives it, and direct (role None)."""
    return await repos.roles.effective(await _user_pk(repos, user_id))


def permissions_with_sources(sources: list[entities.PermissionSource]) -> list[dict[str, Any]]:
    """Auth0's GET /users/{id}/permissions shape: one entry per permission, with every source of it."""
    out: dict[entities.Permission, dict[str, Any]] = {}
    for s in sources:
        entry = out.setdefault(s.permission, {**permission_dict(s.permission), "sources": []})
        entry["sources"].append(
            {"source_id": s.role.id, "source_name": s.role.name, "source_type": "ROLE"} if s.role
            else {"source_id": "", "source_name": "", "source_type": "DIRECT"}
        )
    return list(out.values())


async def set_user_access(
    repos: Repos, user_id: str, *, roles: list[str] | None, permissions: list[entities.Permission] | None
) -> bool:
    """Make the user hold exactly these roles and direct permissions (import); None leaves that part alone.
    Returns whether anything changed."""
    pk = await _user_pk(repos, user_id)
    changed = False
    if roles is not None:
        wanted = [(await find_role(repos, ref, field="user.roles")).id for ref in roles]
        held = [r.id for r in await repos.roles.of_user(pk)]
        stale = [r for r in held if r not in wanted]
        if stale:
            await repos.roles.unassign(pk, stale)
        changed = await repos.roles.assign(pk, wanted) > 0 or bool(stale)
    if permissions is not None:
        wanted_perms = await _api_scopes(repos, "user.permissions", permissions)
        held_perms = await _api_scopes(repos, "user.permissions", await repos.roles.direct_permissions(pk))
        stale_perms = [p for p in held_perms if p not in wanted_perms]
        if stale_perms:
            await repos.roles.revoke_directly(pk, stale_perms)
        changed = await repos.roles.grant_directly(pk, wanted_perms) > 0 or bool(stale_perms) or changed
    return changed
