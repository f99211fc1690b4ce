"""Shared CLI plumbing: run one async admin command in one transaction, print, fail with one line."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer

from ostiary.admin.session import AdminSession, admin_session
from ostiary.errors import AdminError
from ostiary.settings import load_settings

T = TypeVar("T")

TenantOpt = Annotated[str, typer.Option("--tenant", "-t", help="Tenant name.", envvar="OSTIARY_TENANT")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def run_admin(fn: Callable[[AdminSession], Awaitable[T]]) -> T:
    """Run fn in one transaction; AdminError (bad input) prints one line and exits 2, writing nothing."""

    async def main() -> T:
        async with admin_session(load_settings()) as admin:
            return await fn(admin)

    try:
        return asyncio.run(main())
    except AdminError as exc:
        fail(str(exc))
        raise  # unreachable: fail() exits


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
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
