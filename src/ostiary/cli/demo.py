"""`ostiary demo`: the demo tenant's credentials again (`make run` prints them only on first start)."""

from __future__ import annotations

import typer

from ostiary.admin.provision import DemoTenant, describe_demo, reveal_demo
from ostiary.admin.session import AdminSession
from ostiary.cli._common import run_admin


def demo() -> None:
    """Print the demo tenant's issuer, clients, API and user; the user gets a new password (only its hash is
    stored)."""

    async def go(admin: AdminSession) -> DemoTenant:
        # The demo tenant is served by `ostiary serve --dev`, over http.
        return await reveal_demo(admin, scheme="http")

    typer.echo(describe_demo(run_admin(go), heading="The demo tenant (the user's password is new):"))
