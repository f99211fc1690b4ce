"""RawPool: a plain asyncpg pool beside SQLAlchemy's engine, for the token endpoint's one-statement paths.

On PostgreSQL the refresh and code grants' common cases are each one statement that is a whole transaction by
itself (autocommit: no BEGIN/COMMIT round trips). Through SQLAlchemy's async session every statement also
paid for greenlet hops, compiled-cache lookups, result processing and the transaction's own BEGIN and COMMIT:
issue 9's profile of refresh rotation showed that machinery at several times asyncpg's own cost. Nothing here
shares a transaction with a session: a statement sent through this pool commits on its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import make_url

_NAMED = re.compile(r"(?<![:\w]):([a-z_]+)\b")


def asyncpg_dsn(database_url: str) -> str | None:
    """The libpq-style DSN for a postgresql+asyncpg:// URL; None for any other database."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def _json_codec(connection: asyncpg.Connection) -> None:
    # JSON columns come back as Python objects and go in from Python objects, as through SQLAlchemy.
    await connection.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _keep_as_is(connection: asyncpg.Connection) -> None:
    """Instead of asyncpg's reset on release (a round trip of RESET ALL, UNLISTEN, ... after every statement):
    only single autocommit statements run here, so a released connection holds no state to reset."""


class PgStatement:
    """A Core statement rendered once for asyncpg and set into a hand-written frame: `{statement}` in the
    frame is replaced by the statement's SQL, each `:name` by a positional parameter after the statement's own.
    The conditions live once, in the Core statement the session and SQLite paths use too."""

    def __init__(self, frame: str, statement: Any) -> None:
        compiled = statement.compile(dialect=asyncpg_dialect())  # type: ignore[no-untyped-call]
        names = list(compiled.positiontup or ())

        def number(match: re.Match[str]) -> str:
            if match.group(1) not in names:
                names.append(match.group(1))
            return f"${names.index(match.group(1)) + 1}"

        self.sql = _NAMED.sub(number, frame).replace("{statement}", str(compiled))
        self.names = tuple(names)

    def args(self, values: Mapping[str, Any]) -> list[Any]:
        return [values[name] for name in self.names]


class RawPool:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @classmethod
    async def open(cls, database_url: str, *, max_size: int) -> RawPool | None:
        """A lazily connecting pool for PostgreSQL URLs (no connection is made here); None otherwise."""
        dsn = asyncpg_dsn(database_url)
        if dsn is None:
            return None
        pool = asyncpg.create_pool(dsn, min_size=0, max_size=max_size, init=_json_codec, reset=_keep_as_is)
        await pool  # with min_size=0 this opens no connection
        return cls(pool)

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        """Run one statement in its own transaction (asyncpg prepares and caches it per connection)."""
        async with self._pool.acquire() as connection:
            return await connection.fetchrow(sql, *args)

    async def execute(self, sql: str, *args: Any) -> None:
        """Like fetchrow, for a statement that returns nothing."""
        async with self._pool.acquire() as connection:
            await connection.execute(sql, *args)

    async def close(self) -> None:
        await self._pool.close()
