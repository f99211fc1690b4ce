"""Two `ostiary serve` processes on one database, each caching for 5 minutes: a rotated secret, a removed grant,
a revoked key and a deleted client take effect on both as soon as the CLI command returns (issue 22)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from ostiary.admin.session import admin_session
from ostiary.settings import Settings
from tests.conftest import TEST_MASTER_KEY
from tests.support.cli import Cli
from tests.support.live import LIVE_API, live_server, seed_m2m_tenant

pytestmark = pytest.mark.live

LONG_CACHE = {"OSTIARY_CACHE_TTL_SECONDS": "300"}


async def test_admin_changes_reach_every_process_at_once(settings: Settings, test_output_dir: Path) -> None:
    domain, form = await seed_m2m_tenant(settings, "feed")
    url = settings.database_url
    cli = Cli(url)
    try:
        with (
            live_server(database_url=url, master_key=TEST_MASTER_KEY, workers=1, extra_env=LONG_CACHE,
                        log_dir=test_output_dir) as one,
            live_server(database_url=url, master_key=TEST_MASTER_KEY, workers=1, extra_env=LONG_CACHE,
                        log_dir=test_output_dir) as two,
        ):
            servers = [httpx.AsyncClient(base_url=s.base_url, headers={"Host": domain}) for s in (one, two)]

            async def statuses(data: dict[str, str]) -> list[int]:
                return [(await http.post("/oauth/token", data=data)).status_code for http in servers]

            async def kids() -> list[set[str]]:
                return [{k["kid"] for k in (await http.get("/.well-known/jwks.json")).json()["keys"]}
                        for http in servers]

            assert await statuses(form) == [200, 200]  # both processes have the client and its grant cached
            before = await kids()

            rotated = json.loads(cli.subprocess("clients", "rotate-secret", "m2m", "--tenant", domain,
                                                "--json").stdout)
            new_form = {**form, "client_secret": rotated["client_secret"]}
            assert await statuses(form) == [401, 401]
            assert await statuses(new_form) == [200, 200]
            if settings.is_sqlite:  # the rest takes the same path; PostgreSQL runs it all
                for http in servers:
                    await http.aclose()
                return

            keys = json.loads(cli.subprocess("keys", "list", "--tenant", domain, "--json").stdout)
            assert cli.subprocess("keys", "rotate", "--tenant", domain).exit_code == 0
            previous = next(k["kid"] for k in keys if k["status"] == "current")
            assert cli.subprocess("keys", "revoke", "--tenant", domain, "--", previous).exit_code == 0
            after = await kids()
            assert all(previous in k for k in before) and all(previous not in k for k in after), (before, after)
            assert after[0] == after[1]

            removed = cli.subprocess("grants", "delete", "--tenant", domain, "--client", form["client_id"],
                                     "--audience", LIVE_API)
            assert removed.exit_code == 0, removed.stderr
            assert await statuses(new_form) == [403, 403]

            assert cli.subprocess("clients", "delete", "m2m", "--tenant", domain).exit_code == 0
            assert await statuses(new_form) == [401, 401]
            for http in servers:
                await http.aclose()
    finally:
        async with admin_session(settings) as admin:
            await admin.tenants.delete(domain)
