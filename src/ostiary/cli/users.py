"""`ostiary users create|list|show|update|delete` (database-connection users, passwords hashed with argon2id)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ostiary import entities
from ostiary.admin import users as admin_users
from ostiary.admin.provision import DEFAULT_DATABASE_CONNECTION
from ostiary.admin.session import AdminSession
from ostiary.cli import mfa, protection, user_access, users_bulk, users_link
from ostiary.cli._common import JsonOpt, TenantOpt, done, emit, given, parse_assignments, run_admin

app = typer.Typer(help="Users of database connections.", no_args_is_help=True)

UserArg = Annotated[
    str, typer.Argument(metavar="USER", help="The user_id (auth0|65f0...) or the user's email.")
]
EmailOpt = Annotated[str | None, typer.Option("--email", help="Email address.")]
PasswordOpt = Annotated[str | None, typer.Option("--password", help="Password (stored as an argon2id hash).")]
NameOpt = Annotated[str | None, typer.Option("--name", help="Full name.")]
UsernameOpt = Annotated[str | None, typer.Option("--username", help="Username.")]
VerifiedOpt = Annotated[bool | None, typer.Option("--email-verified/--email-unverified", help="email_verified.")]
BlockedOpt = Annotated[bool | None, typer.Option("--blocked/--unblocked", help="Block or unblock logins.")]
SetOpt = Annotated[
    list[str] | None, typer.Option("--set", help="Any other profile field as KEY=JSON (e.g. app_metadata).")
]


def _text(u: entities.User) -> str:
    return f"{u.user_id}\t{u.email or u.username or ''}\t{u.name or ''}"


def _fields(**options: Any) -> dict[str, Any]:
    sets = options.pop("sets")
    fields = parse_assignments("--set", sets, json_values=True)
    fields.update(given(**options))
    return fields


@app.command("create")
def create(
    tenant: TenantOpt,
    email: EmailOpt = None,
    password: PasswordOpt = None,
    connection: Annotated[
        str, typer.Option("--connection", help="Database connection.")
    ] = DEFAULT_DATABASE_CONNECTION,
    name: NameOpt = None,
    username: UsernameOpt = None,
    email_verified: VerifiedOpt = None,
    set_: SetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a database user; prints its user_id."""
    fields = _fields(email=email, name=name, username=username, email_verified=email_verified, sets=set_)

    async def go(admin: AdminSession) -> entities.User:
        _, repos = await admin.tenant_repos(tenant)
        return await admin_users.create_database_user(repos, connection=connection, password=password, **fields)

    emit(run_admin(go), as_json=as_json, text=_text)


@app.command("list")
def list_(tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    """List users (user_id, email, name)."""

    async def go(admin: AdminSession) -> list[entities.User]:
        _, repos = await admin.tenant_repos(tenant)
        return await repos.users.all()

    emit(run_admin(go), as_json=as_json, text=lambda us: "\n".join(_text(u) for u in us))


@app.command("show")
def show(user: UserArg, tenant: TenantOpt, as_json: JsonOpt = True) -> None:
    """Show one user with its identities (never the password hash)."""

    async def go(admin: AdminSession) -> entities.User:
        _, repos = await admin.tenant_repos(tenant)
        return await admin_users.find_user(repos, user)

    emit(run_admin(go), as_json=True)


@app.command("update")
def update(
    user: UserArg,
    tenant: TenantOpt,
    email: EmailOpt = None,
    password: PasswordOpt = None,
    name: NameOpt = None,
    username: UsernameOpt = None,
    email_verified: VerifiedOpt = None,
    blocked: BlockedOpt = None,
    set_: SetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change the given fields of a user (and its password)."""
    fields = _fields(
        email=email, name=name, username=username, email_verified=email_verified, blocked=blocked, sets=set_
    )

    async def go(admin: AdminSession) -> entities.User:
        _, repos = await admin.tenant_repos(tenant)
        found = await admin_users.find_user(repos, user)
        return await admin_users.update_user(repos, found.user_id, password=password, **fields)

    emit(run_admin(go), as_json=as_json, text=_text)


@app.command("delete")
def delete(user: UserArg, tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    """Delete a user and its identities."""

    async def go(admin: AdminSession) -> str:
        _, repos = await admin.tenant_repos(tenant)
        found = await admin_users.find_user(repos, user)
        await repos.users.delete(found.user_id)
        return found.user_id

    user_id = run_admin(go)
    done(f"deleted user {user_id}", as_json=as_json, deleted=user_id)


# Commands that live beside their feature: account linking, Auth0 bulk import/export, brute-force unblock, RBAC.
app.command("link")(users_link.link)
app.command("import")(users_bulk.import_)
app.command("export")(users_bulk.export)
app.command("unblock")(protection.unblock)
app.add_typer(user_access.roles_app, name="roles")
app.add_typer(user_access.permissions_app, name="permissions")
app.add_typer(mfa.users_app, name="mfa")
