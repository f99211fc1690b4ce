"""`ostiary management token`: the machine client, its Management API grant and a ready-to-use token."""

from __future__ import annotations

from typing import Annotated

import typer

from ostiary.admin.management_client import DEFAULT_CLIENT_NAME, ManagementAccess, management_access
from ostiary.admin.session import AdminSession
from ostiary.cli._common import JsonOpt, TenantOpt, emit, run_admin
from ostiary.settings import load_settings

app = typer.Typer(help="Auth0 Management API v2 access.", no_args_is_help=True)


@app.command("token")
def token(
    tenant: TenantOpt,
    client: Annotated[str, typer.Option("--client", help="The machine client's name (created if missing).")] = (
        DEFAULT_CLIENT_NAME
    ),
    scope: Annotated[
        list[str] | None, typer.Option("--scope", help="A granted scope (repeatable); default: every scope.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create (or reuse) a machine client with a grant on https://{domain}/api/v2/ and print an access token."""
    scheme = load_settings().public_scheme

    async def go(admin: AdminSession) -> ManagementAccess:
        found, repos = await admin.tenant_repos(tenant)
        return await management_access(
            repos, found, client_name=client, scopes=scope, scheme=scheme, now=admin.clock.now()
        )

    emit(run_admin(go), as_json=as_json, text=lambda access: access.access_token)
