"""`ostiary users roles assign|remove|list` and `ostiary users permissions add|remove|list` (RBAC).

`users permissions list` shows the user's effective permissions, each with where it comes from: the role's
name, or `direct`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ostiary import entities
from ostiary.admin import roles as rbac
from ostiary.admin.session import AdminSession
from ostiary.cli._common import JsonOpt, TenantOpt, done, emit, run_admin
from ostiary.cli.roles import ApiOpt, PermissionOpt, permission_text, permissions_of, role_text

roles_app = typer.Typer(help="A user's roles.", no_args_is_help=True)
permissions_app = typer.Typer(help="A user's permissions: direct ones, and all with their source.",
                              no_args_is_help=True)

UserIdArg = Annotated[str, typer.Argument(help="The user_id, e.g. auth0|65f0....")]
RolesOpt = Annotated[list[str], typer.Option("--role", help="A role's name or id (repeatable).")]


@roles_app.command("assign")
def assign(user_id: UserIdArg, tenant: TenantOpt, role: RolesOpt, as_json: JsonOpt = False) -> None:
    """Give a user roles."""

    async def go(admin: AdminSession) -> int:
        _, repos = await admin.tenant_repos(tenant)
        return await rbac.assign_user_roles(repos, user_id, role)

    added = run_admin(go)
    done(f"assigned {added} role(s) to {user_id}", as_json=as_json, assigned=added)


@roles_app.command("remove")
def remove(user_id: UserIdArg, tenant: TenantOpt, role: RolesOpt, as_json: JsonOpt = False) -> None:
    """Take roles from a user."""

    async def go(admin: AdminSession) -> None:
        _, repos = await admin.tenant_repos(tenant)
        await rbac.remove_user_roles(repos, user_id, role)

    run_admin(go)
    done(f"removed role(s) from {user_id}", as_json=as_json, removed=role)


@roles_app.command("list")
def list_roles(user_id: UserIdArg, tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    """A user's roles (id, name, description)."""

    async def go(admin: AdminSession) -> list[entities.Role]:
        _, repos = await admin.tenant_repos(tenant)
        return await rbac.user_roles(repos, user_id)

    emit(run_admin(go), as_json=as_json, text=lambda rs: "\n".join(role_text(r) for r in rs))


@permissions_app.command("add")
def add(
    user_id: UserIdArg, tenant: TenantOpt, api: ApiOpt, permission: PermissionOpt, as_json: JsonOpt = False
) -> None:
    """Give a user scopes of an API directly (each must be one the API defines)."""

    async def go(admin: AdminSession) -> int:
        _, repos = await admin.tenant_repos(tenant)
        return await rbac.add_user_permissions(repos, user_id, permissions_of(api, permission))

    added = run_admin(go)
    done(f"added {added} permission(s) to {user_id}", as_json=as_json, added=added)


@permissions_app.command("remove")
def remove_permissions(
    user_id: UserIdArg, tenant: TenantOpt, api: ApiOpt, permission: PermissionOpt, as_json: JsonOpt = False
) -> None:
    """Take a user's direct permissions (those held through a role stay: remove the role)."""

    async def go(admin: AdminSession) -> None:
        _, repos = await admin.tenant_repos(tenant)
        await rbac.remove_user_permissions(repos, user_id, permissions_of(api, permission))

    run_admin(go)
    done(f"removed permission(s) from {user_id}", as_json=as_json, removed=permission)


def _source_text(p: entities.PermissionSource) -> str:
    return f"{permission_text(p.permission)}\t{p.role.name if p.role else 'direct'}"


@permissions_app.command("list")
def list_permissions(user_id: UserIdArg, tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    """A user's effective permissions: API identifier, scope, and the role it comes from (or `direct`)."""

    async def go(admin: AdminSession) -> list[entities.PermissionSource]:
        _, repos = await admin.tenant_repos(tenant)
        return await rbac.effective_permissions(repos, user_id)

    found = run_admin(go)
    emit(rbac.permissions_with_sources(found) if as_json else found, as_json=as_json,
         text=lambda ps: "\n".join(_source_text(p) for p in ps))
