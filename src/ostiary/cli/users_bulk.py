"""`ostiary users import FILE --connection NAME` and `ostiary users export` (Auth0's bulk formats)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from ostiary.admin import bulk_users, users_export, users_import
from ostiary.admin.session import AdminSession
from ostiary.cli._common import JsonOpt, TenantOpt, emit, fail, run_admin, to_jsonable

ConnectionOpt = Annotated[str, typer.Option("--connection", help="The database connection the users belong to.")]


def _read_records(path: Path, what: str) -> list[Any]:
    try:
        return bulk_users.parse_records(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        fail(f"{what} {path}: {exc}")
        raise  # unreachable: fail() exits


class _ProgressBar:
    """One line on stderr, redrawn per batch: a bar, users done of total, users per second."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        rate = done / max(time.monotonic() - self.started, 1e-6)
        filled = int(30 * done / max(total, 1))
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} users  {rate:,.0f} users/s")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _summary_text(summary: users_import.Summary) -> str:
    lines = [
        f"users[{f.index}] {f.email or ''}: {f.code}: {f.message}" for f in summary.failures
    ]
    rate = summary.total / summary.seconds if summary.seconds else 0.0
    lines.append(
        f"total {summary.total}, inserted {summary.inserted}, updated {summary.updated}, failed {summary.failed}"
        f" in {summary.seconds:.1f} s ({rate:,.0f} users/s)"
    )
    return "\n".join(lines)


def import_(
    file: Annotated[Path, typer.Argument(help="Auth0's bulk import file (JSON array) or an export (NDJSON).")],
    tenant: TenantOpt,
    connection: ConnectionOpt,
    upsert: Annotated[bool, typer.Option("--upsert", help="Update users that exist (Auth0's upsert).")] = False,
    auth0_hashes: Annotated[
        Path | None, typer.Option("--auth0-hashes", help="Auth0 support's password-hash export (NDJSON).")
    ] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Progress bar on stderr.")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Import users with their password hashes (bcrypt, custom_password_hash); no hashing at import time."""
    records = _read_records(file, "users file")
    if auth0_hashes is not None:
        merged = bulk_users.merge_password_hashes(records, _read_records(auth0_hashes, "--auth0-hashes"))
        typer.echo(f"password hashes merged from {auth0_hashes}: {merged}", err=True)
    bar = _ProgressBar(progress and sys.stderr.isatty())

    async def go(admin: AdminSession) -> users_import.Summary:
        return await users_import.import_users(admin, tenant, connection, records, upsert=upsert, progress=bar)

    summary = run_admin(go)
    emit(summary, as_json=as_json, text=_summary_text)
    if summary.failed:
        raise typer.Exit(1)


def export(
    tenant: TenantOpt,
    connection: ConnectionOpt,
    include_hashes: Annotated[
        bool, typer.Option("--include-hashes", help="Also the password hashes and MFA factors (a backup).")
    ] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
) -> None:
    """Write a connection's users as NDJSON (Auth0's export field names); `users import` reads it back."""

    async def go(admin: AdminSession) -> int:
        out = output.open("w", encoding="utf-8") if output else sys.stdout
        count = 0
        try:
            async for record in users_export.export_users(admin, tenant, connection, include_hashes=include_hashes):
                out.write(json.dumps(to_jsonable(record), separators=(",", ":")) + "\n")
                count += 1
        finally:
            if output:
                out.close()
        return count

    count = run_admin(go)
    if output:
        typer.echo(f"exported {count} users to {output}", err=True)
