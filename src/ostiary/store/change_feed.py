"""Admin changes reach every server process at once.

Each server process caches tenants, clients, APIs, client grants, hook lists and key sets
(OSTIARY_CACHE_TTL_SECONDS). A committed admin change (a CLI command, an import) announces itself in its own
transaction: it increments the one-row `admin_changes` counter and, on PostgreSQL, sends a NOTIFY that the
database delivers at commit. Every server process then drops its caches:
- PostgreSQL: a listener task per process holds one connection LISTENing on the channel (no work on the request
  path). When that connection is lost the caches are dropped on reconnect; meanwhile the TTL still bounds them.
- SQLite (one machine): the request path reads the counter at most once per SQLITE_POLL_SECONDS, and the
  admin command waits that long after its commit before it returns.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import asyncpg
from sqlalchemy import event, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session

from ostiary.store.models import AdminChange
from ostiary.store.raw_pg import asyncpg_dsn
from ostiary.store.raw_sqlite import sqlite_path

log = logging.getLogger("ostiary.change_feed")

CHANNEL = "ostiary_admin_changes"
SQLITE_POLL_SECONDS = 0.1
# How long a command waits after announcing, so that every process has dropped its caches when it returns:
# a poll interval on SQLite; on PostgreSQL the time a listener needs to receive the NOTIFY.
SETTLE_SECONDS = {"sqlite": SQLITE_POLL_SECONDS + 0.05, "postgresql": 0.05}
_WROTE = "ostiary_wrote"


def track_writes(session: AsyncSession) -> None:
    """Record in the session whether it changed any row (flushed objects or INSERT/UPDATE/DELETE statements)
    since its last rollback."""
    sync = session.sync_session

    @event.listens_for(sync, "before_flush")
    def _flushing(s: Session, _context: Any, _instances: Any) -> None:
        if s.new or s.deleted or any(s.is_modified(obj) for obj in s.dirty):
            s.info[_WROTE] = True

    @event.listens_for(sync, "do_orm_execute")
    def _executing(state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            state.session.info[_WROTE] = True

    @event.listens_for(sync, "after_rollback")
    def _rolled_back(s: Session) -> None:  # a dry run's writes are gone: nothing to announce
        s.info.pop(_WROTE, None)


def wrote(session: AsyncSession) -> bool:
    return bool(session.info.get(_WROTE))


async def announce(session: AsyncSession) -> None:
    """Inside the change's transaction: bump the counter and (PostgreSQL) NOTIFY, both effective at commit."""
    await session.execute(
        update(AdminChange).where(AdminChange.id == 1).values(generation=AdminChange.generation + 1)
    )
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_notify(CHANNEL, "")))


class ChangeFeed(Protocol):
    def pending(self) -> Awaitable[None] | None:
        """On the request path, before any cached lookup: None (nothing to do: the common case costs no
        coroutine), or something to await first."""

    async def close(self) -> None: ...


class PgChangeFeed:
    """A task that LISTENs on one connection of its own and calls on_change for every notification."""

    def __init__(self, dsn: str, on_change: Callable[[], None]) -> None:
        self._dsn = dsn
        self._on_change = on_change
        self.listening = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="ostiary-change-feed")

    def pending(self) -> None:
        return None

    async def _run(self) -> None:
        delay = 0.5
        while True:
            try:
                await self._listen()
                delay = 0.5
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure: drop the connection, keep the TTL as backstop, retry
                log.warning("admin change listener lost its connection; retrying in %.1f s (%s)", delay, exc)
            self.listening.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)

    async def _listen(self) -> None:
        conn = await asyncpg.connect(self._dsn, timeout=10)
        lost = asyncio.Event()
        try:
            conn.add_termination_listener(lambda _conn: lost.set())
            await conn.add_listener(CHANNEL, lambda *_args: self._on_change())
            self._on_change()  # whatever was announced while nobody listened
            self.listening.set()
            while not lost.is_set():
                try:
                    await asyncio.wait_for(lost.wait(), timeout=30)
                except TimeoutError:
                    await conn.execute("SELECT 1")  # a half-open connection fails here
        finally:
            await conn.close(timeout=2)

    async def close(self) -> None:
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass


class SqliteChangeFeed:
    """Reads the counter at most once per SQLITE_POLL_SECONDS, on a sqlite3 connection of its own in a worker
    thread (WAL: the read never waits for a writer); requests arriving during a read wait for it."""

    def __init__(self, path: str, on_change: Callable[[], None]) -> None:
        self._path = path
        self._on_change = on_change
        self._connection: sqlite3.Connection | None = None
        self._seen: int | None = None
        self._checked_at = float("-inf")
        self._reading: asyncio.Future[None] | None = None

    def pending(self) -> Awaitable[None] | None:
        if self._reading is None:
            if time.monotonic() - self._checked_at < SQLITE_POLL_SECONDS:
                return None
            self._checked_at = time.monotonic()
            self._reading = asyncio.ensure_future(self._read())
            self._reading.add_done_callback(self._done)
        return asyncio.shield(self._reading)

    def _done(self, _future: asyncio.Future[None]) -> None:
        self._reading = None

    def _generation(self) -> int | None:
        if self._connection is None:
            self._connection = sqlite3.connect(self._path, timeout=5, check_same_thread=False)
        row = self._connection.execute("SELECT generation FROM admin_changes WHERE id = 1").fetchone()
        return int(row[0]) if row else None

    async def _read(self) -> None:
        try:
            generation = await asyncio.to_thread(self._generation)
        except sqlite3.Error as exc:  # the request itself will meet the database problem; the TTL still holds
            log.debug("admin change counter unreadable: %s", exc)
            return
        if generation != self._seen:
            if self._seen is not None:
                self._on_change()
            self._seen = generation

    async def close(self) -> None:
        if self._reading is not None:
            await asyncio.shield(self._reading)
        if self._connection is not None:
            self._connection.close()


def start_change_feed(database_url: str, on_change: Callable[[], None]) -> ChangeFeed | None:
    """The feed for this database; None for an in-memory SQLite database (one process: nothing to tell)."""
    dsn = asyncpg_dsn(database_url)
    if dsn is not None:
        return PgChangeFeed(dsn, on_change)
    path = sqlite_path(database_url)
    return SqliteChangeFeed(path, on_change) if path is not None else None
