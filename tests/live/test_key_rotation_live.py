"""A rotation made by another process (the CLI) reaches every worker within OSTIARY_CACHE_TTL_SECONDS,
and tokens signed on either side of it keep verifying against the JWKS."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import jwt
import pytest

from ostiary.admin.session import admin_session
from ostiary.settings import Settings
from tests.conftest import TEST_MASTER_KEY
from tests.support.jwks import verify
from tests.support.live import LIVE_API, live_server, seed_m2m_tenant

pytestmark = pytest.mark.live

TTL_SECONDS = 1.0


async def test_workers_pick_up_a_rotation_within_the_cache_ttl(settings: Settings, test_output_dir: Path) -> None:
    domain, form = await seed_m2m_tenant(settings, "rot")
    issuer = f"http://{domain}/"
    try:
        with live_server(
            database_url=settings.database_url, master_key=TEST_MASTER_KEY, log_dir=test_output_dir,
            extra_env={"OSTIARY_CACHE_TTL_SECONDS": str(TTL_SECONDS)},
        ) as srv:
            async with httpx.AsyncClient(base_url=srv.base_url, headers={"Host": domain}) as http:

                async def mint(n: int) -> list[str]:
                    tokens = []
                    for _ in range(n):
                        response = await http.post("/oauth/token", data=form)
                        assert response.status_code == 200, response.text
                        tokens.append(response.json()["access_token"])
                    return tokens

                before = await mint(10)
                old_kids = {jwt.get_unverified_header(t)["kid"] for t in before}
                assert len(old_kids) == 1
                async with admin_session(settings) as admin:
                    _, repos = await admin.tenant_repos(domain)
                    new_current = await repos.signing_keys.rotate()
                await asyncio.sleep(TTL_SECONDS + 0.5)  # the bound under test is wall-clock, across processes
                after = await mint(20)
                assert {jwt.get_unverified_header(t)["kid"] for t in after} == {new_current.kid}
                for token in (*before, *after):
                    await verify(http, token, audience=LIVE_API, issuer=issuer)
    finally:
        async with admin_session(settings) as admin:
            await admin.tenants.delete(domain)
