"""AdminSession: one transaction over the store, for one CLI command or one import (all or nothing)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from ostiary import entities
from ostiary.clock import Clock, SystemClock
from ostiary.settings import Settings, load_settings
from ostiary.store.db import create_engine, create_sessionmaker
from ostiary.store.repos import Repos
from ostiary.store.repositories.tenants import Tenants
from ostiary.store.secrets import SecretBox, resolve_master_key


@dataclass
class AdminSession:
    session: AsyncSession
    box: SecretBox
    clock: Clock
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
async def admin_session(settings: Settings, *, clock: Clock | None = None) -> AsyncIterator[AdminSession]:
    """Commit when the block ends normally, roll back on any error: a failed command writes nothing."""
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            box = SecretBox(resolve_master_key(settings))
            admin = AdminSession(session=session, box=box, clock=clock or SystemClock(), settings=settings)
            try:
                yield admin
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
    finally:
        await engine.dispose()
