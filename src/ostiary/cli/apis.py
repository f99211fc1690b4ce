"""`ostiary apis create|list|show|update|delete` (resource servers: the audiences tokens are minted for)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ostiary import entities
from ostiary.admin.session import AdminSession
from ostiary.cli._common import JsonOpt, TenantOpt, done, emit, given, parse_assignments, run_admin

app = typer.Typer(help="APIs (resource servers).", no_args_is_help=True)

IdentifierArg = Annotated[str, typer.Argument(help="The API's identifier (its audience).")]
NameOpt = Annotated[str | None, typer.Option("--name", help="Display name.")]
ScopeOpt = Annotated[
    list[str] | None, typer.Option("--scope", help="A scope, `value` or `value=description` (repeatable).")
]
AlgOpt = Annotated[str | None, typer.Option("--signing-alg", help="RS256 or HS256.")]
LifetimeOpt = Annotated[int | None, typer.Option("--token-lifetime", help="Access token lifetime (seconds).")]
WebLifetimeOpt = Annotated[
    int | None, typer.Option("--token-lifetime-for-web", help="Lifetime for implicit/SPA tokens (seconds).")
]
OfflineOpt = Annotated[
    bool | None, typer.Option("--allow-offline-access/--no-offline-access", help="Allow refresh tokens.")
]
SetOpt = Annotated[list[str] | None, typer.Option("--set", help="Any other Auth0 API field as KEY=JSON.")]


def _fields(
    name: str | None, scope: list[str] | None, signing_alg: str | None, token_lifetime: int | None,
    token_lifetime_for_web: int | None, allow_offline_access: bool | None, sets: list[str] | None,
) -> dict[str, Any]:
    fields = parse_assignments("--set", sets, json_values=True)
    scopes = None
    if scope is not None:
        scopes = [{"value": s.partition("=")[0], "description": s.partition("=")[2]} for s in scope]
    fields.update(
        given(
            name=name, scopes=scopes, signing_alg=signing_alg, token_lifetime=token_lifetime,
            token_lifetime_for_web=token_lifetime_for_web, allow_offline_access=allow_offline_access,
        )
    )
    return fields


def _text(a: entities.Api) -> str:
    return f"{a.identifier}\t{a.name}\t{' '.join(a.scopes)}"


@app.command("create")
def create(
    tenant: TenantOpt,
    identifier: Annotated[str, typer.Option("--identifier", help="The audience, usually a URL.")],
    name: NameOpt = None,
    scope: ScopeOpt = None,
    signing_alg: AlgOpt = None,
    token_lifetime: LifetimeOpt = None,
    token_lifetime_for_web: WebLifetimeOpt = None,
    allow_offline_access: OfflineOpt = None,
    set_: SetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an API."""
    fields = _fields(name, scope, signing_alg, token_lifetime, token_lifetime_for_web, allow_offline_access, set_)

    async def go(admin: AdminSession) -> entities.Api:
        _, repos = await admin.tenant_repos(tenant)
        return await repos.resource_servers.create(identifier=identifier, **fields)

    emit(run_admin(go), as_json=as_json, text=_text)


@app.command("list")
def list_(tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    """List APIs (identifier, name, scopes)."""

    async def go(admin: AdminSession) -> list[entities.Api]:
        _, repos = await admin.tenant_repos(tenant)
        return await repos.resource_servers.all()

    emit(run_admin(go), as_json=as_json, text=lambda apis: "\n".join(_text(a) for a in apis))


@app.command("show")
def show(identifier: IdentifierArg, tenant: TenantOpt, as_json: JsonOpt = True) -> None:
    """Show one API."""

    async def go(admin: AdminSession) -> entities.Api:
        _, repos = await admin.tenant_repos(tenant)
        return await repos.resource_servers.require(identifier)

    emit(run_admin(go), as_json=True)


@app.command("update")
def update(
    identifier: IdentifierArg,
    tenant: TenantOpt,
    name: NameOpt = None,
    scope: ScopeOpt = None,
    signing_alg: AlgOpt = None,
    token_lifetime: LifetimeOpt = None,
    token_lifetime_for_web: WebLifetimeOpt = None,
    allow_offline_access: OfflineOpt = None,
    set_: SetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change the given fields of an API (--scope replaces the whole scope list)."""
    fields = _fields(name, scope, signing_alg, token_lifetime, token_lifetime_for_web, allow_offline_access, set_)

    async def go(admin: AdminSession) -> entities.Api:
        _, repos = await admin.tenant_repos(tenant)
        return await repos.resource_servers.update(identifier, **fields)

    emit(run_admin(go), as_json=as_json, text=_text)


@app.command("delete")
def delete(identifier: IdentifierArg, tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    """Delete an API."""

    async def go(admin: AdminSession) -> None:
        _, repos = await admin.tenant_repos(tenant)
        await repos.resource_servers.delete(identifier)

    run_admin(go)
    done(f"deleted API {identifier}", as_json=as_json, deleted=identifier)
