"""`ostiary serve --workers 2` over a socket: tokens minted by either worker verify against the same JWKS."""

from __future__ import annotations

from pathlib import Path

import httpx
import jwt
import pytest

from ostiary.admin.session import admin_session
from ostiary.settings import Settings
from tests.conftest import TEST_MASTER_KEY
from tests.support.live import live_server, seed_m2m_tenant

pytestmark = pytest.mark.live


async def test_two_workers_share_keys_and_tenants(settings: Settings, test_output_dir: Path) -> None:
    domain, form = await seed_m2m_tenant(settings, "live")
    try:
        url = settings.database_url
        with live_server(database_url=url, master_key=TEST_MASTER_KEY, log_dir=test_output_dir) as srv:
            # The tenant is chosen by Host, so the socket address and the tenant's domain differ.
            async with httpx.AsyncClient(base_url=srv.base_url, headers={"Host": domain}) as http:
                kids = {k["kid"] for k in (await http.get("/.well-known/jwks.json")).json()["keys"]}
                for _ in range(20):  # enough requests to reach both workers
                    response = await http.post("/oauth/token", data=form)
                    assert response.status_code == 200, response.text
                    assert jwt.get_unverified_header(response.json()["access_token"])["kid"] in kids
                    assert response.headers["x-request-id"]
    finally:
        async with admin_session(settings) as admin:
            await admin.tenants.delete(domain)
