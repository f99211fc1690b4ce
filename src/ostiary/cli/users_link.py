"""`ostiary users link PRIMARY_USER_ID SECONDARY_USER_ID`: merge a secondary account's identities into a primary.

Auth0 "Link user accounts": the primary keeps its user_id, profile and metadata; the secondary user is deleted
and its identities now sign in as the primary. Mount with `users_app.command("link")(users_link.link)`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ostiary import entities
from ostiary.admin.session import AdminSession
from ostiary.cli._common import JsonOpt, TenantOpt, emit, run_admin


def _text(user: entities.User) -> str:
    identities = ", ".join(f"{i.provider}|{i.user_id} ({i.connection})" for i in user.identities)
    return f"{user.user_id}\tidentities: {identities}"


def link(
    primary_user_id: Annotated[str, typer.Argument(help="User that keeps its id and profile, e.g. auth0|65...")],
    secondary_user_id: Annotated[str, typer.Argument(help="User whose identities move, e.g. apple|0012...")],
    tenant: TenantOpt,
    as_json: JsonOpt = False,
) -> None:
    """Link SECONDARY into PRIMARY: its identities move to PRIMARY and the SECONDARY user is deleted."""

    async def go(admin: AdminSession) -> entities.User:
        _, repos = await admin.tenant_repos(tenant)
        return await repos.users.link(primary_user_id, secondary_user_id)

    emit(run_admin(go), as_json=as_json, text=_text)
