"""`ostiary serve` and `ostiary db upgrade|current`."""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import ssl
import tempfile
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ostiary.admin.provision import provision_demo
from ostiary.admin.session import admin_session
from ostiary.cli._common import fail
from ostiary.errors import AdminError
from ostiary.local_ca import ensure_local_tls, trust_hint
from ostiary.logs import configure_logging
from ostiary.metrics import MULTIPROC_ENV, serve_metrics
from ostiary.readiness import database_status
from ostiary.settings import Settings, load_settings
from ostiary.store import migrate
from ostiary.store.db import create_engine
from ostiary.store.key_check import check_key_strength, verify_master_key
from ostiary.store.outage import is_database_unavailable
from ostiary.store.secrets import SecretBox, resolve_master_key
from ostiary.web.http_protocol import GuardedHttpToolsProtocol

db_app = typer.Typer(help="Database schema (Alembic).", no_args_is_help=True)


def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (at least 1).")] = 1,
    migrate_first: Annotated[bool, typer.Option("--migrate", help="Run `db upgrade` before serving.")] = False,
    dev: Annotated[
        bool,
        typer.Option(
            "--dev", help="Local development: migrate, create a demo tenant on an empty database, http issuers."
        ),
    ] = False,
    tls_cert: Annotated[
        Path | None, typer.Option("--tls-cert", metavar="FILE", help="Serve https with this PEM certificate.")
    ] = None,
    tls_key: Annotated[
        Path | None, typer.Option("--tls-key", metavar="FILE", help="The private key of --tls-cert (PEM).")
    ] = None,
    local_tls: Annotated[
        bool,
        typer.Option("--tls", help="Serve https with a certificate from a local CA Ostiary creates on first use."),
    ] = False,
) -> None:
    """Serve the Authentication API with uvicorn, after checking the database and the master key."""
    if workers < 1:
        fail(f"--workers: {workers} is not a number of processes: give 1 or more")
    if (tls_cert is None) != (tls_key is None):
        fail("--tls-cert and --tls-key go together: give both files (or --tls for a local certificate)")
    if tls_cert is not None and local_tls:
        fail("--tls uses Ostiary's local CA: drop it when giving --tls-cert and --tls-key")
    https = local_tls or tls_cert is not None
    if dev:
        # Issuers must name the scheme actually served: http unless this process serves https itself.
        os.environ["OSTIARY_PUBLIC_SCHEME"] = "https" if https else "http"
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    if tls_cert is not None and tls_key is not None:
        _check_tls_pair(tls_cert, tls_key)
    try:
        master_key = resolve_master_key(settings)
        check_key_strength(master_key)
        _check_url(settings.database_url)
        if migrate_first or dev:
            _migrate(settings.database_url)
        asyncio.run(startup_checks(settings, master_key))
        if dev:
            asyncio.run(_bootstrap_demo(settings.public_scheme, host, port))
    except AdminError as exc:
        fail(str(exc))
    # Every worker must use the same key (a generated one included): resolved once here and handed down.
    os.environ["OSTIARY_MASTER_KEY"] = master_key
    if local_tls:
        made = ensure_local_tls([host])
        tls_cert, tls_key = made.cert, made.key
        typer.echo(trust_hint(made.ca_cert), err=True)
    if settings.metrics_port:
        _start_metrics(settings.metrics_host, settings.metrics_port)
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
        http=GuardedHttpToolsProtocol,
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
    )


async def startup_checks(settings: Settings, master_key: str) -> None:
    """Before any traffic: a strong master key, a reachable migrated database, and the key opens its secrets.
    Each failure is an AdminError of one line naming the problem and its fix."""
    check_key_strength(master_key)
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        status = await database_status(engine)
        if status.startswith("unreachable"):
            raise _unreachable(settings.database_url, status.removeprefix("unreachable "))
        if status != "ok":
            raise AdminError(f"database {status} (or start with `ostiary serve --migrate`)")
        await verify_master_key(engine, SecretBox(master_key))
    finally:
        await engine.dispose()


def _check_url(database_url: str) -> None:
    try:
        asyncio.run(create_engine(database_url).dispose())
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise AdminError(
            f"OSTIARY_DATABASE_URL is not a URL Ostiary can use ({str(exc).splitlines()[0][:160]}): give "
            "sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST/DB"
        ) from exc


def _unreachable(database_url: str, detail: str) -> AdminError:
    where = make_url(database_url).render_as_string(hide_password=True)
    return AdminError(f"database unreachable at {where} {detail}: start it, or fix OSTIARY_DATABASE_URL")


def _migrate(database_url: str) -> None:
    try:
        migrate.upgrade(database_url)
    except Exception as exc:
        if is_database_unavailable(exc):
            raise _unreachable(database_url, f"({type(exc).__name__}: {str(exc)[:160]})") from exc
        raise


def _check_tls_pair(cert: Path, key: Path) -> None:
    """Load the pair as the workers will, so a wrong file is one line here rather than a traceback per worker."""
    for path, option in ((cert, "--tls-cert"), (key, "--tls-key")):
        try:
            path.read_bytes()
        except OSError as exc:
            fail(f"{option}: cannot read {path} ({exc.strerror})")
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(cert, key)
    except ssl.SSLError as exc:
        fail(f"--tls-cert/--tls-key: {cert} and {key} are not a PEM certificate and its private key ({exc.reason})")


def _start_metrics(host: str, port: int) -> None:
    """Workers write their samples into one fresh directory; this process serves their sum on host:port."""
    directory = tempfile.mkdtemp(prefix="ostiary-metrics-")
    atexit.register(shutil.rmtree, directory, True)
    os.environ[MULTIPROC_ENV] = directory
    try:
        serve_metrics(host, port)
    except OSError as exc:
        fail(f"OSTIARY_METRICS_PORT: cannot listen on {host}:{port} ({exc.strerror}): choose a free port")


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
