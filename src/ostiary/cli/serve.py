"""`ostiary serve` and `ostiary db upgrade|current`."""

from __future__ import annotations

import asyncio
import os
from typing import Annotated

import typer
import uvicorn

from ostiary.admin.provision import provision_demo
from ostiary.admin.session import admin_session
from ostiary.cli._common import fail
from ostiary.errors import AdminError
from ostiary.logs import configure_logging
from ostiary.settings import load_settings
from ostiary.store import migrate
from ostiary.store.db import create_engine
from ostiary.web.coalesce import CoalescingHttpToolsProtocol

db_app = typer.Typer(help="Database schema (Alembic).", no_args_is_help=True)


def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    migrate_first: Annotated[bool, typer.Option("--migrate", help="Run `db upgrade` before serving.")] = False,
    dev: Annotated[
        bool,
        typer.Option("--dev", help="Local development: migrate, and create a demo tenant on an empty database."),
    ] = False,
) -> None:
    """Serve the Authentication API with uvicorn."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    try:
        if migrate_first or dev:
            migrate.upgrade(settings.database_url)
        if dev:
            asyncio.run(_bootstrap_demo(settings.public_scheme, host, port))
    except AdminError as exc:
        fail(str(exc))
    if settings.is_sqlite and settings.sqlite_path is not None and not settings.master_key:
        # Every worker must use the same generated key: resolve it once here and hand it down.
        from ostiary.store.secrets import resolve_master_key

        os.environ["OSTIARY_MASTER_KEY"] = resolve_master_key(settings)
    uvicorn.run(
        "ostiary.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        server_header=False,
        # uvicorn restarts a worker that does not answer its supervisor within this many seconds; its default (5)
        # kills workers still importing on a loaded machine, over and over.
        timeout_worker_healthcheck=30,
        http=CoalescingHttpToolsProtocol,
    )


async def _bootstrap_demo(scheme: str, host: str, port: int) -> None:
    async with admin_session(load_settings()) as admin:
        if await admin.tenants.count():
            return
        demo = await provision_demo(admin, scheme=scheme, host=host, port=port)
    typer.echo(
        "\n".join(
            [
                "Created the demo tenant (first start, empty database):",
                f"  issuer          {demo.issuer}",
                f"  web client      client_id={demo.web_client.client_id}",
                f"                  client_secret={demo.web_client.client_secret}",
                f"  machine client  client_id={demo.m2m_client.client_id}",
                f"                  client_secret={demo.m2m_client.client_secret}",
                f"  API             {demo.api.identifier} (scopes: {' '.join(demo.api.scopes)})",
                f"  user            {demo.user_email} / {demo.user_password}",
                "",
            ]
        )
    )


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply migrations up to REVISION (default: head)."""
    migrate.upgrade(load_settings().database_url, revision)
    typer.echo(f"database at {revision}")


@db_app.command("current")
def db_current() -> None:
    """Print the database's current revision."""

    async def current() -> str | None:
        engine = create_engine(load_settings().database_url)
        try:
            return await migrate.current_revision(engine)
        finally:
            await engine.dispose()

    typer.echo(asyncio.run(current()) or "none (empty database: run `ostiary db upgrade`)")
