"""Process-wide state built once (create_app lifespan, or a CLI command): engine, sessions, caches, HTTP client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ostiary import entities
from ostiary.actions.js.pool import JsPool
from ostiary.cache import TTLCache
from ostiary.clock import Clock
from ostiary.metrics import Metrics, build_metrics
from ostiary.protection.state import Protection, build_protection
from ostiary.settings import Settings
from ostiary.store.change_feed import ChangeFeed, start_change_feed
from ostiary.store.outage import DatabaseOutage
from ostiary.store.raw_pg import RawPool
from ostiary.store.raw_sqlite import RawSqlite
from ostiary.store.repos import Repos
from ostiary.store.secrets import SecretBox
from ostiary.tokens.signer import TenantKeys


@dataclass
class Caches:
    ttl: float
    tenants_by_host: TTLCache[str, entities.Tenant | None] = field(init=False)
    clients: TTLCache[tuple[str, str], entities.Client | None] = field(init=False)
    apis: TTLCache[tuple[str, str], entities.Api | None] = field(init=False)
    client_grants: TTLCache[tuple[str, str, str], entities.ClientGrant] = field(init=False)
    keys: TTLCache[str, TenantKeys] = field(init=False)
    # Loaded hooks per (tenant id, trigger): ostiary.actions.registry.Hook tuples.
    hooks: TTLCache[tuple[str, str], tuple[Any, ...]] = field(init=False)

    def __post_init__(self) -> None:
        self.tenants_by_host = TTLCache(self.ttl)
        self.clients = TTLCache(self.ttl)
        self.apis = TTLCache(self.ttl)
        self.client_grants = TTLCache(self.ttl)
        self.keys = TTLCache(self.ttl)
        self.hooks = TTLCache(self.ttl)

    def clear(self) -> None:
        for cache in (self.tenants_by_host, self.clients, self.apis, self.client_grants, self.keys, self.hooks):
            cache.clear()


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    # Sessions that only read (tenant and cache lookups, /userinfo): no write lock on SQLite.
    reader: async_sessionmaker[AsyncSession]
    box: SecretBox
    clock: Clock
    http: httpx.AsyncClient
    caches: Caches
    protection: Protection
    # The token endpoint's one-statement paths: an asyncpg pool on PostgreSQL (store/raw_pg.py), one sqlite3
    # connection on its own thread on a SQLite file (store/raw_sqlite.py).
    raw: RawPool | RawSqlite | None = None
    outage: DatabaseOutage = field(default_factory=lambda: DatabaseOutage(_never))
    metrics: Metrics | None = None
    # Drops `caches` when an admin change commits in any process (store/change_feed.py); None when nothing
    # is cached (OSTIARY_CACHE_TTL_SECONDS=0).
    changes: ChangeFeed | None = None
    # JavaScript Actions' worker processes (started on first use).
    js: JsPool | None = None

    def repos(self, session: AsyncSession | Callable[[], AsyncSession], tenant_id: str) -> Repos:
        return Repos(session, tenant_id, box=self.box, clock=self.clock, raw=self.raw)


async def _never() -> None:
    raise RuntimeError("no database probe")


async def open_state(
    settings: Settings, *, clock: Clock | None = None, metrics: Metrics | None = None
) -> AppState:
    """Build the process-wide state; the caller closes it with close_state(). `metrics`: the app's, if it
    has some (create_app builds them before the lifespan opens the state); else built from the settings."""
    from ostiary.clock import SystemClock
    from ostiary.store.db import create_engine, create_reader_sessionmaker, create_sessionmaker
    from ostiary.store.secrets import resolve_master_key

    engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
    clock = clock or SystemClock()
    timeout = httpx.Timeout(settings.upstream_timeout_seconds, connect=min(5.0, settings.upstream_timeout_seconds))
    metrics = metrics or build_metrics(settings)
    if metrics is not None:
        metrics.watch_pool(engine)

    async def probe() -> None:
        async with engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")

    state = AppState(
        settings=settings,
        engine=engine,
        sessionmaker=create_sessionmaker(engine),
        reader=create_reader_sessionmaker(engine),
        box=SecretBox(resolve_master_key(settings)),
        clock=clock,
        http=httpx.AsyncClient(timeout=timeout, follow_redirects=False),
        caches=Caches(settings.cache_ttl_seconds),
        protection=build_protection(settings, clock),
        raw=await RawPool.open(settings.database_url, max_size=settings.db_pool_size)
        or RawSqlite.open(settings.database_url),
        outage=DatabaseOutage(probe),
        metrics=metrics,
        js=JsPool(settings),
    )
    if settings.cache_ttl_seconds > 0:
        state.changes = start_change_feed(settings.database_url, lambda: state.caches.clear())
    return state


async def close_state(state: AppState) -> None:
    if state.js is not None:
        await state.js.close()
    await state.outage.close()
    if state.changes is not None:
        await state.changes.close()
    await state.http.aclose()
    await state.protection.close()
    if state.raw is not None:
        await state.raw.close()
    await state.engine.dispose()
