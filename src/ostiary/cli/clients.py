"""`ostiary clients create|list|show|update|delete|rotate-secret` (applications, Auth0 field names)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ostiary import entities
from ostiary.admin.clients import create_client
from ostiary.admin.session import AdminSession
from ostiary.cli._common import JsonOpt, TenantOpt, done, emit, given, parse_assignments, run_admin

app = typer.Typer(help="Applications (clients).", no_args_is_help=True)

RefArg = Annotated[str, typer.Argument(help="The client's client_id or name.")]
NameOpt = Annotated[str | None, typer.Option("--name", help="Display name (unique in the tenant).")]
AppTypeOpt = Annotated[
    str | None, typer.Option("--app-type", help="regular_web, spa, native or non_interactive.")
]
CallbackOpt = Annotated[list[str] | None, typer.Option("--callback", help="Allowed callback URL (repeatable).")]
LogoutOpt = Annotated[
    list[str] | None, typer.Option("--allowed-logout-url", help="Allowed logout URL (repeatable).")
]
OriginOpt = Annotated[list[str] | None, typer.Option("--web-origin", help="Allowed web origin (repeatable).")]
GrantOpt = Annotated[list[str] | None, typer.Option("--grant-type", help="Allowed grant type (repeatable).")]
AuthMethodOpt = Annotated[
    str | None,
    typer.Option("--token-endpoint-auth-method", help="client_secret_post, client_secret_basic or none."),
]
FirstPartyOpt = Annotated[
    bool | None, typer.Option("--first-party/--third-party", help="is_first_party.")
]
JwtAlgOpt = Annotated[str | None, typer.Option("--jwt-alg", help="ID token alg: RS256 or HS256.")]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="Any other Auth0 client field as KEY=JSON, e.g. refresh_token='{...}'."),
]


def _fields(
    *,
    name: str | None,
    app_type: str | None,
    callback: list[str] | None,
    allowed_logout_url: list[str] | None,
    web_origin: list[str] | None,
    grant_type: list[str] | None,
    auth_method: str | None,
    first_party: bool | None,
    jwt_alg: str | None,
    sets: list[str] | None,
) -> dict[str, Any]:
    fields = parse_assignments("--set", sets, json_values=True)
    fields.update(
        given(
            name=name,
            app_type=app_type,
            callbacks=callback,
            allowed_logout_urls=allowed_logout_url,
            web_origins=web_origin,
            grant_types=grant_type,
            token_endpoint_auth_method=auth_method,
            is_first_party=first_party,
        )
    )
    if jwt_alg is not None:
        jwt_conf = fields.get("jwt_configuration")
        fields["jwt_configuration"] = {**(jwt_conf if isinstance(jwt_conf, dict) else {}), "alg": jwt_alg}
    return fields


def _text(c: entities.Client) -> str:
    return f"{c.client_id}\t{c.name}\t{c.app_type}"


def _created(c: entities.Client) -> str:
    return f"client_id={c.client_id}\nclient_secret={c.client_secret or ''}"


@app.command("create")
def create(
    tenant: TenantOpt,
    name: NameOpt = None,
    app_type: AppTypeOpt = None,
    callback: CallbackOpt = None,
    allowed_logout_url: LogoutOpt = None,
    web_origin: OriginOpt = None,
    grant_type: GrantOpt = None,
    token_endpoint_auth_method: AuthMethodOpt = None,
    first_party: FirstPartyOpt = None,
    jwt_alg: JwtAlgOpt = None,
    set_: SetOpt = None,
    client_id: Annotated[
        str | None, typer.Option("--client-id", help="Use this client_id instead of a generated one.")
    ] = None,
    client_secret: Annotated[
        str | None, typer.Option("--client-secret", help="Use this secret instead of a generated one.")
    ] = None,
    connections: Annotated[
        bool | None,
        typer.Option(
            "--connections/--no-connections",
            help="Enable it on every connection of the tenant (default: the tenant's enable_client_connections "
            "flag, true unless set to false).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a client; prints its client_id and client_secret."""
    fields = _fields(
        name=name, app_type=app_type, callback=callback, allowed_logout_url=allowed_logout_url,
        web_origin=web_origin, grant_type=grant_type, auth_method=token_endpoint_auth_method,
        first_party=first_party, jwt_alg=jwt_alg, sets=set_,
    )

    async def go(admin: AdminSession) -> entities.Client:
        found, repos = await admin.tenant_repos(tenant)
        return await create_client(
            repos, found, enable_connections=connections, client_id=client_id, client_secret=client_secret, **fields
        )

    emit(run_admin(go), as_json=as_json, text=_created)


@app.command("list")
def list_(tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    """List clients (client_id, name, app_type)."""

    async def go(admin: AdminSession) -> list[entities.Client]:
        _, repos = await admin.tenant_repos(tenant)
        return await repos.clients.all()

    emit(run_admin(go), as_json=as_json, text=lambda cs: "\n".join(_text(c) for c in cs))


@app.command("show")
def show(ref: RefArg, tenant: TenantOpt, as_json: JsonOpt = True) -> None:
    """Show one client, secret included."""

    async def go(admin: AdminSession) -> entities.Client:
        _, repos = await admin.tenant_repos(tenant)
        return await repos.clients.require(ref)

    emit(run_admin(go), as_json=True)


@app.command("update")
def update(
    ref: RefArg,
    tenant: TenantOpt,
    name: NameOpt = None,
    app_type: AppTypeOpt = None,
    callback: CallbackOpt = None,
    allowed_logout_url: LogoutOpt = None,
    web_origin: OriginOpt = None,
    grant_type: GrantOpt = None,
    token_endpoint_auth_method: AuthMethodOpt = None,
    first_party: FirstPartyOpt = None,
    jwt_alg: JwtAlgOpt = None,
    set_: SetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change the given fields of a client (a repeatable option replaces the whole list)."""
    fields = _fields(
        name=name, app_type=app_type, callback=callback, allowed_logout_url=allowed_logout_url,
        web_origin=web_origin, grant_type=grant_type, auth_method=token_endpoint_auth_method,
        first_party=first_party, jwt_alg=jwt_alg, sets=set_,
    )

    async def go(admin: AdminSession) -> entities.Client:
        _, repos = await admin.tenant_repos(tenant)
        if jwt_alg is not None and set(fields["jwt_configuration"]) == {"alg"}:
            current = (await repos.clients.require(ref)).jwt_configuration
            fields["jwt_configuration"] = {"lifetime_in_seconds": current.lifetime_in_seconds, "alg": jwt_alg}
        return await repos.clients.update(ref, **fields)

    emit(run_admin(go), as_json=as_json, text=_text)


@app.command("delete")
def delete(ref: RefArg, tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    """Delete a client and its client grants."""

    async def go(admin: AdminSession) -> None:
        _, repos = await admin.tenant_repos(tenant)
        await repos.clients.delete(ref)

    run_admin(go)
    done(f"deleted client {ref}", as_json=as_json, deleted=ref)


@app.command("rotate-secret")
def rotate_secret(ref: RefArg, tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    """Replace a client's secret; prints the new one (the old one stops working at once)."""

    async def go(admin: AdminSession) -> entities.Client:
        _, repos = await admin.tenant_repos(tenant)
        return await repos.clients.rotate_secret(ref)

    emit(run_admin(go), as_json=as_json, text=_created)
