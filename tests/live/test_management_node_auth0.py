"""node-auth0 (`auth0` 7.x) ManagementClient over https against a running server: users (pagination to the end
of 250), clients, resource servers, client grants, connections (tests/node/management.mjs)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ostiary.admin.management_client import management_access
from ostiary.admin.provision import DEFAULT_DATABASE_CONNECTION, provision_tenant
from ostiary.admin.session import admin_session
from ostiary.settings import Settings
from tests.conftest import TEST_MASTER_KEY
from tests.support.live import ROOT, free_port, live_server
from tests.support.tls import make_tls

pytestmark = pytest.mark.live
NODE_DIR = ROOT / "tests" / "node"


def node_unavailable_reason() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (NODE_DIR / "node_modules" / "auth0").is_dir():
        return "auth0 (node) is not installed: npm install --prefix tests/node (.ci/run does it)"
    return None


@pytest.fixture
def node() -> str:
    reason = node_unavailable_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return str(shutil.which("node"))


async def test_node_auth0_management_client(
    settings: Settings, test_output_dir: Path, tmp_path: Path, node: str
) -> None:
    tls = make_tls(tmp_path)
    port = free_port()
    domain = f"localhost:{port}"
    name = f"node-{port}"
    async with admin_session(settings) as admin:
        tenant = await provision_tenant(admin, name=name, domains=[domain])
        repos = admin.repos(tenant)
        assert await repos.connections.by_name(DEFAULT_DATABASE_CONNECTION)  # provisioning creates it
        for i in range(250):
            await repos.users.create(connection=DEFAULT_DATABASE_CONNECTION, email=f"page{i:03d}@example.com")
        access = await management_access(repos, tenant, client_name="node-sdk", scopes=None, scheme="https",
                                         now=admin.clock.now())
    try:
        with live_server(database_url=settings.database_url, master_key=TEST_MASTER_KEY, log_dir=test_output_dir,
                         workers=1, port=port, tls=tls, extra_env={"OSTIARY_PUBLIC_SCHEME": "https"}):
            env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(tls.ca)}
            done = await asyncio.to_thread(
                subprocess.run, [node, str(NODE_DIR / "management.mjs"), domain, access.access_token],
                cwd=NODE_DIR, env=env, capture_output=True, text=True, timeout=120,
            )
        assert done.returncode == 0, done.stderr + done.stdout
        seen = json.loads(done.stdout.strip().splitlines()[-1])
        assert seen == {"paged": 250, "deletedStatus": 404, "ok": True}
    finally:
        async with admin_session(settings) as admin:
            await admin.tenants.delete(name)
