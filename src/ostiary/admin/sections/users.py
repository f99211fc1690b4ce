"""`users:` (self-hosting addition) — database users matched by email within their connection; a plain
`password` is hashed on import and only re-hashed when it no longer matches. `roles` (names) and `permissions`
({permission_name, resource_server_identifier}), when given, are what the user holds afterwards, exactly."""

from __future__ import annotations

from typing import Any

from ostiary import entities
from ostiary.admin import references
from ostiary.admin import roles as rbac
from ostiary.admin import users as admin_users
from ostiary.admin.provision import DEFAULT_DATABASE_CONNECTION
from ostiary.admin.sections.base import AdminContext, apply_each, changes, required_str, without_none
from ostiary.errors import AdminError
from ostiary.passwords import verify_password
from ostiary.store.repositories import _validate as v
from ostiary.store.repositories.users import PROFILE_FIELDS

KEY = "users"
DATABASE_PROVIDER = "auth0"
ACCESS_FIELDS = ("roles", "permissions")


def to_auth0(user: entities.User, connection: str) -> dict[str, Any]:
    profile = {k: getattr(user, k) for k in PROFILE_FIELDS}
    return without_none({"user_id": user.user_id, "connection": connection, **profile})


async def _apply_one(ctx: AdminContext, item: dict[str, Any]) -> None:
    v.reject_unknown("user", item, (*PROFILE_FIELDS, "user_id", "connection", "password", *ACCESS_FIELDS))
    email = required_str("user.email", item.get("email"))
    connection = item.get("connection", DEFAULT_DATABASE_CONNECTION)
    required_str("user.connection", connection)
    repos = ctx.repos
    await references.database_connection(repos, "user.connection", connection)
    admin_users.check_email(email)
    password = item.get("password")
    fields = {k: val for k, val in item.items() if k in PROFILE_FIELDS}
    user_id = item.get("user_id")
    existing = await repos.users.by_login(connection, email)
    if existing is None:
        external_id = None
        if user_id is not None:
            provider, sep, external_id = required_str("user.user_id", user_id).partition("|")
            if provider != DATABASE_PROVIDER or not sep or not external_id:
                raise AdminError(f"user.user_id: {user_id!r} is not an auth0|... id")
        created = await admin_users.create_database_user(
            repos, connection=connection, external_id=external_id, password=password, **fields
        )
        await _set_access(ctx, created.user_id, item)
        ctx.note(KEY, "created")
        return
    if user_id is not None and user_id != existing.user_id:
        raise AdminError(f"user.user_id: {email!r} in {connection} is {existing.user_id}, not {user_id!r}")
    fields.pop("email")  # the match key (compared case-insensitively), never rewritten
    diff = changes(to_auth0(existing, connection), fields)
    new_password = None
    if password is not None and not verify_password(await repos.users.password_hash(existing.user_id), password):
        new_password = password
    access_changed = await _set_access(ctx, existing.user_id, item)
    if diff or new_password is not None:
        await admin_users.update_user(repos, existing.user_id, password=new_password, **diff)
        ctx.note(KEY, "updated")
    elif access_changed:
        ctx.note(KEY, "updated")
    else:
        ctx.note(KEY, "unchanged")


async def _set_access(ctx: AdminContext, user_id: str, item: dict[str, Any]) -> bool:
    if not any(key in item for key in ACCESS_FIELDS):
        return False
    roles = v.string_list("user.roles", item["roles"]) if "roles" in item else None
    permissions = rbac.parse_permissions("user.permissions", item["permissions"]) if "permissions" in item else None
    return await rbac.set_user_access(ctx.repos, user_id, roles=roles, permissions=permissions)


async def apply(ctx: AdminContext, items: Any) -> None:
    await apply_each(ctx, KEY, items, _apply_one)


async def export(ctx: AdminContext) -> list[dict[str, Any]]:
    """Database users only (social users come back by logging in); never a password or its hash."""
    out = []
    for user in await ctx.repos.users.all(limit=1_000_000):
        database = [i for i in user.identities if i.provider == DATABASE_PROVIDER]
        if database and user.email:
            out.append({**to_auth0(user, database[0].connection), **await _access(ctx, user.user_id)})
    return out


async def _access(ctx: AdminContext, user_id: str) -> dict[str, Any]:
    """The user's roles and direct permissions, when there are any (absent keys leave them alone on import)."""
    out: dict[str, Any] = {}
    if roles := await rbac.user_roles(ctx.repos, user_id):
        out["roles"] = [r.name for r in roles]
    if permissions := await rbac.user_direct_permissions(ctx.repos, user_id):
        out["permissions"] = [rbac.permission_dict(p) for p in permissions]
    return out
