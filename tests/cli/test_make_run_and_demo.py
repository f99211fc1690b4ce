"""`make run PORT=9000` serves on that port without the test extras, and `ostiary demo` shows the demo tenant's
credentials again (issue 22)."""

from __future__ import annotations

import asyncio
import re
import subprocess
from pathlib import Path

from ostiary.admin.provision import DEFAULT_DATABASE_CONNECTION, provision_demo
from ostiary.admin.session import admin_session
from ostiary.passwords import verify_password
from tests.conftest import settings_for
from tests.support import databases
from tests.support.cli import Cli
from tests.support.live import ROOT


def test_make_run_takes_a_port_and_installs_no_test_extras(tmp_path: Path) -> None:
    planned = subprocess.run(  # noqa: S603
        ["make", "-n", "run", "PORT=9000", f"VENV={tmp_path / 'venv'}"],  # noqa: S607
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    ).stdout
    assert re.search(r"ostiary serve --dev --host 127\.0\.0\.1 --port 9000$", planned, re.M), planned
    assert re.search(r"pip install --quiet -e \.$", planned, re.M), planned
    assert "[test]" not in planned


def test_ostiary_demo_prints_the_demo_credentials_again(tmp_path: Path) -> None:
    url = databases.migrated(databases.sqlite_url(tmp_path))

    async def make_demo() -> tuple[str, str]:
        async with admin_session(settings_for(url)) as admin:
            demo = await provision_demo(admin, scheme="http", host="127.0.0.1", port=8000)
        return demo.m2m_client.client_id, demo.m2m_client.client_secret or ""

    client_id, secret = asyncio.run(make_demo())
    printed = Cli(url).ok("demo")
    assert "issuer          http://127.0.0.1:8000/" in printed
    assert f"machine client  client_id={client_id}" in printed and f"client_secret={secret}" in printed
    user = re.search(r"user\s+(\S+@\S+) / (\S+)", printed)
    assert user is not None and user.group(1) == "demo@example.com"

    async def stored_hash() -> str | None:
        async with admin_session(settings_for(url)) as admin:
            tenant, repos = await admin.tenant_repos("demo")
            found = await repos.users.by_login(DEFAULT_DATABASE_CONNECTION, "demo@example.com")
            assert found is not None
            return await repos.users.password_hash(found.user_id)

    assert verify_password(asyncio.run(stored_hash()), user.group(2))  # the printed password works
