"""RawSqlite: one plain sqlite3 connection on one thread per process, for the token endpoint's short writes.

The SQLite counterpart of raw_pg.py. Through SQLAlchemy and aiosqlite each statement of a refresh rotation
is several hops between the event loop and aiosqlite's thread, and the write lock taken at BEGIN IMMEDIATE
is held across all of them: ~4 ms a refresh even one at a time, and seconds of p99 when 64 requests queue in
SQLite's busy handler. Here the whole transaction is one function run on this thread in one hop, holding the
write lock for well under a millisecond; this process's writes queue on the thread instead of in the busy
handler. Nothing here shares a transaction with a session.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy import JSON, Boolean, Table
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.engine import make_url

T = TypeVar("T")


def sqlite_path(database_url: str) -> str | None:
    """The file of a sqlite:// URL; None for another database or an in-memory one."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return url.database


class Declined(Exception):
    """Raised by a transaction's work to roll it back because its fast path does not apply."""


class RawSqlite:
    def __init__(self, path: str) -> None:
        self._path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ostiary-sqlite")
        self._connection: sqlite3.Connection | None = None

    @classmethod
    def open(cls, database_url: str) -> RawSqlite | None:
        """For a SQLite file (the connection opens on first use); None otherwise."""
        path = sqlite_path(database_url)
        return cls(path) if path is not None else None

    async def transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """work(connection) between BEGIN IMMEDIATE and COMMIT (ROLLBACK if it raises), on this thread."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._in_transaction, work)

    def _in_transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        connection = self._connect()
        connection.execute("BEGIN IMMEDIATE")
        try:
            result = work(connection)
            connection.execute("COMMIT")
        except BaseException:
            # Also when COMMIT itself failed: the connection must not stay inside a transaction.
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        return result

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            # The same settings as the engine's connections (store/db.py _tune_sqlite).
            connection = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False, timeout=30)
            connection.row_factory = sqlite3.Row
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000", "foreign_keys=ON"):
                connection.execute(f"PRAGMA {pragma}")
            self._connection = connection
        return self._connection

    async def close(self) -> None:
        if self._connection is not None:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._close)
        self._executor.shutdown(wait=False)

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class Compiled:
    """A SQLAlchemy Core statement rendered once for sqlite3: its SQL and its parameters' names in order."""

    def __init__(self, statement: Any) -> None:
        compiled = statement.compile(dialect=sqlite_dialect())
        self.sql = str(compiled)
        self.names: tuple[str, ...] = tuple(compiled.positiontup or ())

    def run(self, connection: sqlite3.Connection, values: Mapping[str, Any]) -> sqlite3.Cursor:
        return connection.execute(self.sql, tuple(_to_sqlite(values[name]) for name in self.names))


def _to_sqlite(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, dict | list) else value


def row_values(table: Table, row: sqlite3.Row) -> dict[str, Any]:
    """A row's values as SQLAlchemy would return them: JSON decoded, booleans as bool."""
    out = dict(zip(row.keys(), tuple(row), strict=True))
    for column in table.c:
        value = out.get(column.name)
        if value is None:
            continue
        if isinstance(column.type, JSON):
            out[column.name] = json.loads(value)
        elif isinstance(column.type, Boolean):
            out[column.name] = bool(value)
    return out
