"""AdminSession: one transaction over the store, for one CLI command or one import (all or nothing)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from ostiary import entities
from ostiary.clock import Clock, SystemClock
from ostiary.settings import Settings, load_settings
from ostiary.store import change_feed
from ostiary.store.db import create_engine, create_sessionmaker
from ostiary.store.migrate import require_head
from ostiary.store.repos import Repos
from ostiary.store.repositories.tenants import Tenants
from ostiary.store.secrets import SecretBox, resolve_master_key


@dataclass
class AdminSession:
    session: AsyncSession
    box: SecretBox
    clock: Clock
    # Set when the session committed a change that server processes were told about (store/change_feed.py).
    announced: bool = False
    # Admin use cases that depend on the operator's settings (deploying actions) read them here.
    settings: Settings = field(default_factory=load_settings)

    @property
    def tenants(self) -> Tenants:
        return Tenants(self.session, clock=self.clock)

    def repos(self, tenant: entities.Tenant) -> Repos:
        return Repos(self.session, tenant.id, box=self.box, clock=self.clock)

    async def tenant_repos(self, name: str) -> tuple[entities.Tenant, Repos]:
        tenant = await self.tenants.require(name)
        return tenant, self.repos(tenant)


@asynccontextmanager
async def admin_session(
    settings: Settings, *, clock: Clock | None = None, require_migrated: bool = False
) -> AsyncIterator[AdminSession]:
    """Commit when the block ends normally, roll back on any error: a failed command writes nothing.
    With require_migrated, a database not at the migration head is a DatabaseProblem before anything runs."""
    engine = create_engine(settings.database_url)
    try:
        if require_migrated:
            await require_head(engine)
        async with create_sessionmaker(engine)() as session:
            box = SecretBox(resolve_master_key(settings))
            admin = AdminSession(session=session, box=box, clock=clock or SystemClock(), settings=settings)
            change_feed.track_writes(session)
            try:
                yield admin
                await session.flush()
                if change_feed.wrote(session):
                    await change_feed.announce(session)
                await session.commit()
                admin.announced = change_feed.wrote(session)
            except BaseException:
                await session.rollback()
                raise
    finally:
        await engine.dispose()
