"""`ostiary keys list|rotate|revoke KID`: a tenant's signing keys (next → current → previous → revoked)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ostiary.admin.session import AdminSession
from ostiary.cli._common import JsonOpt, TenantOpt, done, emit, run_admin
from ostiary.store.models import SigningKey

app = typer.Typer(help="Signing keys.", no_args_is_help=True)


def _view(row: SigningKey) -> dict[str, Any]:
    return {
        "kid": row.kid,
        "alg": row.alg,
        "status": row.status,
        "created_at": row.created_at,
        "current_since": row.current_since,
        "current_until": row.current_until,
        "revoked_at": row.revoked_at,
    }


def _text(keys: list[dict[str, Any]]) -> str:
    return "\n".join(f"{k['kid']}\t{k['alg']}\t{k['status']}" for k in keys)


@app.command("list")
def list_(tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    """List keys (kid, alg, status), revoked ones included."""

    async def go(admin: AdminSession) -> list[dict[str, Any]]:
        _, repos = await admin.tenant_repos(tenant)
        return [_view(r) for r in await repos.signing_keys.all()]

    emit(run_admin(go), as_json=as_json, text=_text)


@app.command("rotate")
def rotate(
    tenant: TenantOpt,
    alg: Annotated[str, typer.Option("--alg", help="Key algorithm.")] = "RS256",
    as_json: JsonOpt = False,
) -> None:
    """Make the next key current, the current key previous, and generate a new next key."""

    async def go(admin: AdminSession) -> list[dict[str, Any]]:
        _, repos = await admin.tenant_repos(tenant)
        await repos.signing_keys.rotate(alg)
        return [_view(r) for r in await repos.signing_keys.all(include_revoked=False)]

    emit(run_admin(go), as_json=as_json, text=_text)


@app.command("revoke")
def revoke(
    kid: Annotated[str, typer.Argument(help="kid of a previous key.")], tenant: TenantOpt, as_json: JsonOpt = False
) -> None:
    """Revoke a previous key: it leaves the JWKS and tokens it signed stop verifying."""

    async def go(admin: AdminSession) -> None:
        _, repos = await admin.tenant_repos(tenant)
        await repos.signing_keys.revoke(kid)

    run_admin(go)
    done(f"revoked key {kid}", as_json=as_json, revoked=kid)
