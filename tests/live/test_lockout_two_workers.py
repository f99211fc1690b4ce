"""Brute-force lockout and unblock across server processes (`ostiary serve --workers 2`, twice), on PostgreSQL
with the database counters and, when Redis answers on 127.0.0.1:6379, with the Redis counters.

Two servers on two ports make the crossing certain: failures alternate between them, so neither process
alone ever sees the ten failures that block the user.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from ostiary.admin.provision import DEFAULT_DATABASE_CONNECTION, provision_tenant
from ostiary.admin.session import admin_session
from ostiary.settings import Settings
from tests.conftest import TEST_MASTER_KEY
from tests.support.firstparty import PASSWORD, TOO_MANY_ATTEMPTS_BODY, WRONG_PASSWORD_BODY
from tests.support.live import ROOT, live_server
from tests.support.redis_prefix import REDIS_URL, unique_prefix

pytestmark = pytest.mark.live


@pytest.fixture(params=["db", "redis"])
async def counter_env(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[dict[str, str]]:
    if settings.is_sqlite:
        pytest.skip("the cross-process lockout test runs on PostgreSQL")
    if request.param == "db":
        yield {}
        return
    async with unique_prefix() as prefix:
        yield {"OSTIARY_REDIS_URL": REDIS_URL, "OSTIARY_REDIS_PREFIX": prefix}


async def test_lockout_and_unblock_across_processes(
    settings: Settings, counter_env: dict[str, str], test_output_dir: Path
) -> None:
    domain = f"live-bf-{secrets.token_hex(4)}.test"
    email = f"alice-{secrets.token_hex(3)}@example.com"
    async with admin_session(settings) as admin:
        tenant = await provision_tenant(admin, name=domain, domains=[domain],
                                        default_directory=DEFAULT_DATABASE_CONNECTION)
        repos = admin.repos(tenant)
        client = await repos.clients.create(name="rop", app_type="regular_web", grant_types=["password"])
        await repos.connections.set_enabled(DEFAULT_DATABASE_CONNECTION, client.client_id, True)
        await repos.users.create(connection=DEFAULT_DATABASE_CONNECTION, email=email, password=PASSWORD)
    form: dict[str, Any] = {"grant_type": "password", "client_id": client.client_id,
                            "client_secret": client.client_secret, "username": email}
    env = {"OSTIARY_DATABASE_URL": settings.database_url, "OSTIARY_MASTER_KEY": TEST_MASTER_KEY, **counter_env}
    try:
        with ExitStack() as stack:
            servers = [
                stack.enter_context(live_server(database_url=settings.database_url, master_key=TEST_MASTER_KEY,
                                                extra_env=counter_env, log_dir=test_output_dir))
                for _ in range(2)
            ]
            clients = [httpx.AsyncClient(base_url=s.base_url, headers={"Host": domain}, timeout=30) for s in servers]
            try:
                for attempt in range(10):
                    response = await clients[attempt % 2].post("/oauth/token", data={**form, "password": "wrong"})
                    assert response.status_code == 403, response.text
                    assert response.json() == WRONG_PASSWORD_BODY
                for http in clients:
                    blocked = await http.post("/oauth/token", data={**form, "password": PASSWORD})
                    assert blocked.status_code == 429, blocked.text
                    assert blocked.json() == TOO_MANY_ATTEMPTS_BODY
                unblock = await asyncio.to_thread(
                    subprocess.run,  # noqa: S603
                    [sys.executable, "-m", "ostiary", "protection", "unblock", email, "--tenant", domain],
                    cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
                )
                assert unblock.returncode == 0, unblock.stderr
                assert "1 record(s)" in unblock.stdout
                for http in clients:
                    ok = await http.post("/oauth/token", data={**form, "password": PASSWORD})
                    assert ok.status_code == 200, ok.text
                    assert ok.json()["access_token"]
            finally:
                for http in clients:
                    await http.aclose()
    finally:
        async with admin_session(settings) as admin:
            await admin.tenants.delete(tenant.name)
