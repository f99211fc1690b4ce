"""A database that cannot be used, said in one line with its fix (the CLI prints it and exits 2)."""

from __future__ import annotations

import socket

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from ostiary.errors import AdminError


class DatabaseProblem(AdminError):
    """The configured database is missing, unreachable, unmigrated or not one Ostiary can use."""


def _where(database_url: str) -> str:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return f"SQLite file {url.database}"
    return f"PostgreSQL database {url.database!r} on {url.host or 'localhost'}:{url.port or 5432}"


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in chain:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        chain.append(exc.orig)
    return chain


def describe(exc: BaseException, database_url: str) -> DatabaseProblem | None:
    """The one-line problem behind a failure to open or query the database; None when it is something else."""
    where = _where(database_url)
    for cause in _causes(exc):
        name = type(cause).__name__
        text = str(cause).strip().splitlines()[0] if str(cause).strip() else name
        if name == "InvalidCatalogNameError":
            return DatabaseProblem(f"{where} does not exist: create it (createdb), then run `ostiary db upgrade`")
        if name in ("InvalidPasswordError", "InvalidAuthorizationSpecificationError"):
            return DatabaseProblem(f"{where}: the server refused the login ({text}); check OSTIARY_DATABASE_URL")
        if isinstance(cause, ConnectionRefusedError | socket.gaierror | TimeoutError) or name in (
            "CannotConnectNowError", "ConnectionDoesNotExistError", "TooManyConnectionsError",
        ):
            return DatabaseProblem(f"{where} is unreachable ({text}); is the server running?")
        if isinstance(cause, OSError) and "connect" in text.lower():
            return DatabaseProblem(f"{where} is unreachable ({text}); is the server running?")
        if name == "OperationalError" and "unable to open database file" in text:
            return DatabaseProblem(f"{where} cannot be opened ({text}); check the folder exists and is writable")
        if name in ("UndefinedTableError", "UndefinedColumnError") or (
            name == "OperationalError" and ("no such table" in text or "no such column" in text)
        ):
            return DatabaseProblem(f"{where} is not migrated: run `ostiary db upgrade`")
        if isinstance(cause, NoSuchModuleError | ArgumentError):
            return DatabaseProblem(f"OSTIARY_DATABASE_URL: {text}")
    return None
