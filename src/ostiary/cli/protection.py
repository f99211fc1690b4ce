"""`ostiary protection unblock USER [--ip IP]`: lift brute-force blocks (Auth0's "unblock" for a user)."""

from __future__ import annotations

from typing import Annotated

import typer

from ostiary.admin.session import AdminSession
from ostiary.cli._common import JsonOpt, TenantOpt, emit, run_admin
from ostiary.protection.admin import unblock_user
from ostiary.protection.state import build_protection
from ostiary.settings import load_settings

app = typer.Typer(help="Attack protection: brute-force blocks.", no_args_is_help=True)


def unblock(
    user: Annotated[str, typer.Argument(help="user_id (auth0|...), or the email/username that was tried.")],
    tenant: TenantOpt,
    ip: Annotated[str | None, typer.Option("--ip", help="Only the block from this IP (default: every IP).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Unblock USER after too many failed logins (from --ip, or from every IP)."""

    async def go(admin: AdminSession) -> dict[str, object]:
        _, repos = await admin.tenant_repos(tenant)
        protection = build_protection(load_settings(), admin.clock)
        try:
            removed = await unblock_user(repos, protection, user=user, ip=ip)
        finally:
            await protection.close()
        return {"user": user, "ip": ip, "records_removed": removed}

    emit(run_admin(go), as_json=as_json, text=lambda r: f"unblocked {r['user']}: {r['records_removed']} record(s)")


app.command("unblock")(unblock)
