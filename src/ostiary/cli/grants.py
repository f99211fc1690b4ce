"""`ostiary grants create|list|delete`: client grants (which client may get client_credentials tokens for
which API, with which scopes)."""

from __future__ import annotations

from typing import Annotated

import typer

from ostiary import entities
from ostiary.admin import references
from ostiary.admin.session import AdminSession
from ostiary.cli._common import JsonOpt, TenantOpt, done, emit, run_admin

app = typer.Typer(help="Client grants (client_credentials authorisations).", no_args_is_help=True)

ClientOpt = Annotated[str, typer.Option("--client", help="The client's name or client_id.")]
AudienceOpt = Annotated[str, typer.Option("--audience", help="The API identifier.")]


def _text(g: entities.ClientGrant) -> str:
    return f"{g.client_id}\t{g.audience}\t{' '.join(g.scope)}"


@app.command("create")
def create(
    tenant: TenantOpt,
    client: ClientOpt,
    audience: AudienceOpt,
    scope: Annotated[list[str] | None, typer.Option("--scope", help="A granted scope (repeatable).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Grant a client an API's scopes (replaces the scopes of an existing grant)."""

    async def go(admin: AdminSession) -> entities.ClientGrant:
        _, repos = await admin.tenant_repos(tenant)
        [client_id] = await references.client_ids(repos, "clientGrant.client_id", [client])
        return await repos.client_grants.upsert(client_id=client_id, audience=audience, scope=scope or [])

    emit(run_admin(go), as_json=as_json, text=_text)


@app.command("list")
def list_(
    tenant: TenantOpt,
    client: Annotated[str | None, typer.Option("--client", help="Only this client's grants.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List client grants (client_id, audience, scopes)."""

    async def go(admin: AdminSession) -> list[entities.ClientGrant]:
        _, repos = await admin.tenant_repos(tenant)
        ids = await references.client_ids(repos, "clientGrant.client_id", [client]) if client else [None]
        return await repos.client_grants.all(ids[0])

    emit(run_admin(go), as_json=as_json, text=lambda gs: "\n".join(_text(g) for g in gs))


@app.command("delete")
def delete(tenant: TenantOpt, client: ClientOpt, audience: AudienceOpt, as_json: JsonOpt = False) -> None:
    """Remove a client's grant for an API."""

    async def go(admin: AdminSession) -> None:
        _, repos = await admin.tenant_repos(tenant)
        [client_id] = await references.client_ids(repos, "clientGrant.client_id", [client])
        await repos.client_grants.delete(client_id, audience)

    run_admin(go)
    done(f"deleted grant {client} → {audience}", as_json=as_json, deleted={"client": client, "audience": audience})
