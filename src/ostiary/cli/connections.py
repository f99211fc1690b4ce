"""`ostiary connections create|list|show|update|delete` (database, social and token-exchange connections)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ostiary import entities
from ostiary.admin import references
from ostiary.admin.session import AdminSession
from ostiary.cli._common import (
    JsonOpt,
    TenantOpt,
    done,
    emit,
    fail,
    given,
    parse_assignments,
    parse_json_option,
    run_admin,
)
from ostiary.store.repos import Repos

app = typer.Typer(help="Connections: where identities come from.", no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(help="Connection name.")]
StrategyOpt = Annotated[
    str | None, typer.Option(
        "--strategy",
        help="auth0, google-oauth2, apple, facebook, github, windowslive, linkedin, twitter, weibo, oidc, okta, "
        "waad, custom-token-exchange",
    )
]
OptionOpt = Annotated[
    list[str] | None, typer.Option("--option", help="One option as KEY=VALUE (string value; repeatable).")
]
OptionsOpt = Annotated[str | None, typer.Option("--options", help="All options as one JSON object.")]
EnabledOpt = Annotated[
    list[str] | None,
    typer.Option("--enabled-client", help="A client (name or client_id) that may use it (repeatable)."),
]


def _options(option: list[str] | None, options: str | None) -> dict[str, Any] | None:
    if option is None and options is None:
        return None
    merged = parse_json_option("--options", options) or {}
    if not isinstance(merged, dict):
        fail("connection.options: expected a JSON object")
    merged.update(parse_assignments("--option", option, json_values=False))
    return merged


def _text(c: entities.Connection) -> str:
    return f"{c.name}\t{c.strategy}\t{len(c.enabled_clients)} client(s)"


async def _fields(
    admin: AdminSession, tenant: str, *, strategy: str | None, options: dict[str, Any] | None,
    enabled_client: list[str] | None,
) -> tuple[Repos, dict[str, Any]]:
    _, repos = await admin.tenant_repos(tenant)
    enabled = None
    if enabled_client is not None:
        enabled = await references.client_ids(repos, "connection.enabled_clients", enabled_client)
    return repos, given(strategy=strategy, options=options, enabled_clients=enabled)


@app.command("create")
def create(
    name: NameArg,
    tenant: TenantOpt,
    strategy: StrategyOpt = None,
    option: OptionOpt = None,
    options: OptionsOpt = None,
    enabled_client: EnabledOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a connection."""
    opts = _options(option, options)

    async def go(admin: AdminSession) -> entities.Connection:
        repos, fields = await _fields(admin, tenant, strategy=strategy, options=opts, enabled_client=enabled_client)
        return await repos.connections.create(name=name, **fields)

    emit(run_admin(go), as_json=as_json, text=_text)


@app.command("list")
def list_(tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    """List connections (name, strategy, enabled clients)."""

    async def go(admin: AdminSession) -> list[entities.Connection]:
        _, repos = await admin.tenant_repos(tenant)
        return await repos.connections.all()

    emit(run_admin(go), as_json=as_json, text=lambda cs: "\n".join(_text(c) for c in cs))


@app.command("show")
def show(name: NameArg, tenant: TenantOpt, as_json: JsonOpt = True) -> None:
    """Show one connection, options included."""

    async def go(admin: AdminSession) -> entities.Connection:
        _, repos = await admin.tenant_repos(tenant)
        return await repos.connections.require(name)

    emit(run_admin(go), as_json=True)


@app.command("update")
def update(
    name: NameArg,
    tenant: TenantOpt,
    option: OptionOpt = None,
    options: OptionsOpt = None,
    enabled_client: EnabledOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a connection: --option keys are merged into its options, --options replaces them all,
    --enabled-client replaces the list."""

    async def go(admin: AdminSession) -> entities.Connection:
        repos, fields = await _fields(admin, tenant, strategy=None, options=None, enabled_client=enabled_client)
        if options is not None or option is not None:
            base = {} if options is not None else dict((await repos.connections.require(name)).options)
            fields["options"] = {**base, **(_options(option, options) or {})}
        return await repos.connections.update(name, **fields)

    emit(run_admin(go), as_json=as_json, text=_text)


@app.command("delete")
def delete(name: NameArg, tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    """Delete a connection."""

    async def go(admin: AdminSession) -> None:
        _, repos = await admin.tenant_repos(tenant)
        await repos.connections.delete(name)

    run_admin(go)
    done(f"deleted connection {name}", as_json=as_json, deleted=name)


ClientOpt = Annotated[str, typer.Option("--client", "-c", help="The client (name or client_id).")]


def _set_enabled(name: str, tenant: str, client: str, enabled: bool, as_json: bool) -> None:
    async def go(admin: AdminSession) -> entities.Connection:
        _, repos = await admin.tenant_repos(tenant)
        (client_id,) = await references.client_ids(repos, "--client", [client])
        return await repos.connections.set_enabled(name, client_id, enabled)

    emit(run_admin(go), as_json=as_json, text=_text)


@app.command("enable")
def enable(name: NameArg, tenant: TenantOpt, client: ClientOpt, as_json: JsonOpt = False) -> None:
    """Enable one client on a connection (the other clients stay as they are)."""
    _set_enabled(name, tenant, client, True, as_json)


@app.command("disable")
def disable(name: NameArg, tenant: TenantOpt, client: ClientOpt, as_json: JsonOpt = False) -> None:
    """Disable one client on a connection (the other clients stay as they are)."""
    _set_enabled(name, tenant, client, False, as_json)
