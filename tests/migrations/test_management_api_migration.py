"""Migration management_api: a tenant created before it gets its Management API and global client."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from ostiary.admin.session import admin_session
from ostiary.admin.system_api import MANAGEMENT_API_NAME, MANAGEMENT_SCOPES
from ostiary.settings import Settings
from ostiary.store import migrate
from ostiary.store.db import create_engine
from tests.conftest import TEST_MASTER_KEY

TENANT_ID = "0" * 32


async def _seed_old_tenant(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(
                "INSERT INTO tenants (id, name, allowed_logout_urls, session_lifetime, idle_session_lifetime, flags,"
                " created_at) VALUES (:id, 'old', '[]', 168, 72, '{}', 0)"), {"id": TENANT_ID})
            await conn.execute(text(
                "INSERT INTO tenant_domains (id, tenant_id, domain, is_primary) VALUES (:id, :t, 'old.test', :yes)"
            ), {"id": "1" * 32, "t": TENANT_ID, "yes": True})
    finally:
        await engine.dispose()


def test_existing_tenants_get_their_management_api_and_global_client(fresh_url: str) -> None:
    migrate.upgrade(fresh_url, "browser_login")
    asyncio.run(_seed_old_tenant(fresh_url))
    migrate.upgrade(fresh_url)

    async def check() -> None:
        settings = Settings(database_url=fresh_url, master_key=TEST_MASTER_KEY, _env_file=None)  # type: ignore[call-arg]
        async with admin_session(settings) as admin:
            tenant, repos = await admin.tenant_repos("old")
            system = await repos.resource_servers.system()
            assert system is not None and system.identifier == "https://old.test/api/v2/"
            assert system.name == MANAGEMENT_API_NAME and system.scopes == MANAGEMENT_SCOPES
            [global_client] = [c for c in await repos.clients.listing() if c.is_global]
            assert global_client.client_secret is None and global_client.grant_types == ()
            assert await repos.clients.all() == [] and await repos.resource_servers.all() == []
            again = await repos.clients.ensure_global()
            assert again.client_id == global_client.client_id

    asyncio.run(check())
    migrate.downgrade(fresh_url, "browser_login")
    migrate.upgrade(fresh_url)
