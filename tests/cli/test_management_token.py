"""`ostiary management token`: the machine client, its grant on the Management API, and a token that works."""

from __future__ import annotations

import asyncio
import json
import time

from ostiary.clock import FrozenClock
from tests.support.cli import Cli
from tests.support.factories import TenantFixture
from tests.support.jwks import verify


async def test_prints_a_token_the_management_api_accepts(
    tenant: TenantFixture, database_url: str, clock: FrozenClock
) -> None:
    cli = Cli(database_url)
    name = tenant.tenant.name
    token = (await asyncio.to_thread(cli.ok, "management", "token", "-t", name)).strip()
    clock.advance(time.time() + 1 - clock.now())  # the server's frozen clock catches up with the CLI's
    audience = f"https://{tenant.domain}/api/v2/"
    claims = await verify(tenant.http, token, audience=audience, issuer=tenant.issuer)
    assert claims["gty"] == "client-credentials" and "read:users" in claims["scope"].split()
    response = await tenant.http.get("/api/v2/clients", headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert [c["name"] for c in response.json() if not c["global"]] == ["Ostiary Management Client"]

    narrow = json.loads(await asyncio.to_thread(
        cli.ok, "management", "token", "-t", name, "--scope", "read:users", "--json"))
    assert narrow["scope"] == "read:users"
    response = await tenant.http.get("/api/v2/clients", headers={"authorization": f"Bearer {narrow['access_token']}"})
    assert response.status_code == 403
    assert (await tenant.http.get("/api/v2/clients", headers={"authorization": f"Bearer {token}"})).status_code == 200
    again = await asyncio.to_thread(cli, "management", "token", "-t", name, "--scope", "read:nothing")
    assert again.exit_code == 2 and "clientGrant.scope" in again.stderr
