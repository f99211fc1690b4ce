"""`ostiary roles create|list|show|update|delete` and `ostiary roles permissions add|remove|list` (RBAC).

Every command calls admin/roles.py, the use cases import and the Management API call too.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ostiary import entities
from ostiary.admin import roles as rbac
from ostiary.admin.session import AdminSession
from ostiary.cli._common import JsonOpt, TenantOpt, done, emit, run_admin

app = typer.Typer(help="RBAC roles and their permissions.", no_args_is_help=True)
permissions_app = typer.Typer(help="A role's permissions (scopes of an API).", no_args_is_help=True)
app.add_typer(permissions_app, name="permissions")

RoleArg = Annotated[str, typer.Argument(help="The role's name or id (rol_...).")]
DescriptionOpt = Annotated[str | None, typer.Option("--description", help="What the role is for.")]
ApiOpt = Annotated[str, typer.Option("--api", help="The API's identifier.")]
PermissionOpt = Annotated[list[str], typer.Option("--permission", help="A scope of that API (repeatable).")]


def permissions_of(api: str, scopes: list[str]) -> list[entities.Permission]:
    """--api and --permission options as permissions. Used by: these commands and `ostiary users permissions`."""
    return [entities.Permission(resource_server_identifier=api, permission_name=s) for s in scopes]


def role_text(r: entities.Role) -> str:
    return f"{r.id}\t{r.name}\t{r.description}"


def permission_text(p: entities.Permission) -> str:
    return f"{p.resource_server_identifier}\t{p.permission_name}"


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="The role's name (unique in the tenant).")],
    tenant: TenantOpt,
    description: DescriptionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a role; prints its id."""

    async def go(admin: AdminSession) -> entities.Role:
        _, repos = await admin.tenant_repos(tenant)
        return await rbac.create_role(repos, name=name, description=description or "")

    emit(run_admin(go), as_json=as_json, text=role_text)


@app.command("list")
def list_(tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    """List roles (id, name, description)."""

    async def go(admin: AdminSession) -> list[entities.Role]:
        _, repos = await admin.tenant_repos(tenant)
        return await repos.roles.all()

    emit(run_admin(go), as_json=as_json, text=lambda rs: "\n".join(role_text(r) for r in rs))


@app.command("show")
def show(role: RoleArg, tenant: TenantOpt, as_json: JsonOpt = True) -> None:
    """One role with its permissions and the user_ids holding it, as JSON."""

    async def go(admin: AdminSession) -> dict[str, Any]:
        _, repos = await admin.tenant_repos(tenant)
        found = await rbac.find_role(repos, role)
        return {
            "id": found.id,
            "name": found.name,
            "description": found.description,
            "permissions": [rbac.permission_dict(p) for p in await repos.roles.permissions(found.id)],
            "users": await rbac.role_user_ids(repos, found.id),
        }

    emit(run_admin(go), as_json=True)


@app.command("update")
def update(
    role: RoleArg,
    tenant: TenantOpt,
    name: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    description: DescriptionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rename a role or change its description."""

    async def go(admin: AdminSession) -> entities.Role:
        _, repos = await admin.tenant_repos(tenant)
        return await rbac.update_role(repos, role, name=name, description=description)

    emit(run_admin(go), as_json=as_json, text=role_text)


@app.command("delete")
def delete(role: RoleArg, tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    """Delete a role: its permissions and every user's assignment of it go too."""

    async def go(admin: AdminSession) -> entities.Role:
        _, repos = await admin.tenant_repos(tenant)
        return await rbac.delete_role(repos, role)

    deleted = run_admin(go)
    done(f"deleted role {deleted.name}", as_json=as_json, deleted=deleted)


@permissions_app.command("add")
def add_permissions(
    role: RoleArg, tenant: TenantOpt, api: ApiOpt, permission: PermissionOpt, as_json: JsonOpt = False
) -> None:
    """Give a role scopes of an API (each must be one the API defines)."""

    async def go(admin: AdminSession) -> int:
        _, repos = await admin.tenant_repos(tenant)
        return await rbac.add_role_permissions(repos, role, permissions_of(api, permission))

    added = run_admin(go)
    done(f"added {added} permission(s) to {role}", as_json=as_json, added=added)


@permissions_app.command("remove")
def remove_permissions(
    role: RoleArg, tenant: TenantOpt, api: ApiOpt, permission: PermissionOpt, as_json: JsonOpt = False
) -> None:
    """Take scopes of an API from a role."""

    async def go(admin: AdminSession) -> None:
        _, repos = await admin.tenant_repos(tenant)
        await rbac.remove_role_permissions(repos, role, permissions_of(api, permission))

    run_admin(go)
    done(f"removed permission(s) from {role}", as_json=as_json, removed=permission)


@permissions_app.command("list")
def list_permissions(role: RoleArg, tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    """A role's permissions (API identifier, scope)."""

    async def go(admin: AdminSession) -> list[entities.Permission]:
        _, repos = await admin.tenant_repos(tenant)
        return await repos.roles.permissions((await rbac.find_role(repos, role)).id)

    emit(run_admin(go), as_json=as_json, text=lambda ps: "\n".join(permission_text(p) for p in ps))
