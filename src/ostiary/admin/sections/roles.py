"""`roles:` — RBAC roles as Auth0's Deploy CLI writes them, upserted by name; a role's `permissions`, when given,
are set to exactly the listed ones (each must name a scope its API defines)."""

from __future__ import annotations

from typing import Any

from ostiary.admin import roles as rbac
from ostiary.admin.sections.base import AdminContext, apply_each, required_str
from ostiary.store.repositories import _validate as v

KEY = "roles"


async def _apply_one(ctx: AdminContext, item: dict[str, Any]) -> None:
    v.reject_unknown("role", item, ("name", "description", "permissions"))
    name = required_str("role.name", item.get("name"))
    # Absent: the role's permissions are left as they are; given: exactly these.
    permissions = rbac.parse_permissions("role.permissions", item["permissions"]) if "permissions" in item else None
    repos = ctx.repos
    existing = await repos.roles.by_name(name)
    if existing is None:
        role = await rbac.create_role(repos, name=name, description=item.get("description", ""))
        await rbac.set_role_permissions(repos, role, permissions or [])
        ctx.note(KEY, "created")
        return
    description = item.get("description")
    changed = description is not None and description != existing.description
    if changed:
        await rbac.update_role(repos, existing.id, description=description)
    if permissions is not None and await rbac.set_role_permissions(repos, existing, permissions):
        changed = True
    if changed:
        ctx.note(KEY, "updated")
    else:
        ctx.note(KEY, "unchanged")


async def apply(ctx: AdminContext, items: Any) -> None:
    await apply_each(ctx, KEY, items, _apply_one)


async def export(ctx: AdminContext) -> list[dict[str, Any]]:
    repos = ctx.repos
    return [
        {
            "name": role.name,
            "description": role.description,
            "permissions": [rbac.permission_dict(p) for p in await repos.roles.permissions(role.id)],
        }
        for role in await repos.roles.all()
    ]
