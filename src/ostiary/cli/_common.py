"""Shared CLI plumbing: run one async admin command in one transaction, print, fail with one line."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError

from ostiary.admin.session import AdminSession, admin_session
from ostiary.errors import AdminError
from ostiary.settings import Settings, load_settings
from ostiary.store import change_feed, problems

T = TypeVar("T")

TenantOpt = Annotated[str, typer.Option("--tenant", "-t", help="Tenant name.", envvar="OSTIARY_TENANT")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def fail(message: str) -> None:
    """Print `error: ...` (one line per error: an import reports all it found) and exit with status 2."""
    for line in message.splitlines() or [""]:
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(2)


def settings_problem(exc: ValidationError) -> str:
    """A bad setting as one line naming its variable."""
    first = exc.errors()[0]
    field = "_".join(str(part) for part in first["loc"]).upper()
    return f"OSTIARY_{field}: {first['msg'].removeprefix('Value error, ')}"


def settings_or_fail() -> Settings:
    """The settings, or one line naming the bad variable (exit 2)."""
    try:
        return load_settings()
    except ValidationError as exc:
        fail(settings_problem(exc))
        raise  # unreachable: fail() exits


def existing_database(settings: Settings) -> Settings:
    """Admin commands never create a database: a SQLite file that is not there is an error with the fix."""
    path = settings.sqlite_path
    if path is not None and not path.exists():
        fail(
            f"no database at {path}: run `ostiary db upgrade` (or `make run`) to create it, "
            "or set OSTIARY_DATABASE_URL"
        )
    return settings


def run_admin(fn: Callable[[AdminSession], Awaitable[T]]) -> T:
    """Run fn in one transaction on a migrated database; AdminError (bad input) and any database problem print
    one line and exit 2, writing nothing."""
    settings = existing_database(settings_or_fail())

    async def main() -> T:
        async with admin_session(settings, require_migrated=True) as admin:
            result = await fn(admin)
        if admin.announced:  # return only once every server process has dropped its caches
            await asyncio.sleep(change_feed.SETTLE_SECONDS["sqlite" if settings.is_sqlite else "postgresql"])
        return result

    try:
        return asyncio.run(main())
    except AdminError as exc:
        fail(str(exc))
        raise  # unreachable: fail() exits
    except Exception as exc:
        problem = problems.describe(exc, settings.database_url)
        if problem is None:
            raise
        fail(str(problem))
        raise  # unreachable: fail() exits


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "unused"}
        # Auth0 fields stored but unused (entities.JwtConfiguration.unused) print where Auth0 has them.
        return {**out, **to_jsonable(getattr(value, "unused", {}))}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value


def emit(value: Any, *, as_json: bool, text: Callable[[Any], str] | None = None) -> None:
    if as_json or text is None:
        sys.stdout.write(json.dumps(to_jsonable(value), indent=2, default=str) + "\n")
    else:
        sys.stdout.write(text(value) + "\n")


def parse_json_option(name: str, raw: str | None) -> Any:
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        fail(f"{name}: not valid JSON ({exc.msg})")


def parse_assignments(option: str, pairs: list[str] | None, *, json_values: bool) -> dict[str, Any]:
    """`KEY=VALUE` pairs (VALUE parsed as JSON when json_values) into a dict; a bad pair fails naming it."""
    out: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            fail(f"{option}: {pair!r} is not KEY=VALUE")
        out[key.strip()] = parse_json_option(f"{option} {key.strip()}", raw) if json_values else raw
    return out


def given(**fields: Any) -> dict[str, Any]:
    """Only the options the user gave (None means "not given")."""
    return {k: v for k, v in fields.items() if v is not None}


def done(message: str, *, as_json: bool, **facts: Any) -> None:
    """The outcome of a command that returns nothing: one line, or `facts` as JSON with --json."""
    emit(facts, as_json=as_json, text=lambda _: message)
