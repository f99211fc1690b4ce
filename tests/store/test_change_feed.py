"""The PostgreSQL change feed: a committed admin change clears a process's caches through LISTEN/NOTIFY, and
the listener comes back (dropping the caches) after its connection is killed."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable

import asyncpg

from ostiary.admin.provision import provision_tenant
from ostiary.admin.session import admin_session
from ostiary.runtime import close_state, open_state
from ostiary.store.change_feed import PgChangeFeed
from ostiary.store.raw_pg import asyncpg_dsn
from tests.conftest import settings_for


async def _cleared(cached: Callable[[], object]) -> bool:
    """True once cached() is None (the cache was dropped), within 5 s."""
    for _ in range(250):
        if cached() is None:
            return True
        await asyncio.sleep(0.02)
    return False


async def test_a_notify_clears_the_caches_and_the_listener_survives_a_killed_connection(postgres_db: str) -> None:
    settings = settings_for(postgres_db, cache_ttl_seconds=300)
    state = await open_state(settings)
    try:
        feed = state.changes
        assert isinstance(feed, PgChangeFeed)
        await asyncio.wait_for(feed.listening.wait(), 10)

        async def change() -> None:
            async with admin_session(settings) as admin:
                name = f"feed-{secrets.token_hex(4)}"
                await provision_tenant(admin, name=name, domains=[f"{name}.test"])

        state.caches.keys.set("t", object())  # type: ignore[arg-type]
        await change()
        assert await _cleared(lambda: state.caches.keys.get("t"))

        dsn = asyncpg_dsn(postgres_db)
        assert dsn is not None
        admin_conn = await asyncpg.connect(dsn)
        try:
            killed = await admin_conn.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE '%LISTEN%'"
            )
        finally:
            await admin_conn.close()
        assert killed == 1
        for _ in range(200):  # the listener notices the lost connection...
            if not feed.listening.is_set():
                break
            await asyncio.sleep(0.05)
        assert not feed.listening.is_set()
        await asyncio.wait_for(feed.listening.wait(), 15)  # ...and listens again (dropping the caches on the way)
        state.caches.keys.set("t", object())  # type: ignore[arg-type]
        await change()
        assert await _cleared(lambda: state.caches.keys.get("t"))
    finally:
        await close_state(state)
