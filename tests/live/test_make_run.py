"""`make run`'s path: `ostiary serve --dev` on an empty SQLite file (no master key set) migrates, prints the
demo tenant, and a client_credentials token for the demo machine client works over the socket."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.jwks import verify
from tests.support.live import ROOT, free_port

pytestmark = pytest.mark.live


def test_serve_dev_on_an_empty_database_prints_a_working_demo_tenant(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSTIARY_")}
    env |= {"OSTIARY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'ostiary.db'}",
            "OSTIARY_PUBLIC_SCHEME": "http", "OSTIARY_LOG_FORMAT": "text"}
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "ostiary", "serve", "--dev", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log_path.read_text()
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        printed = log_path.read_text()
        issuer = re.search(r"issuer\s+(\S+)", printed)
        machine = re.search(r"machine client\s+client_id=(\S+)\s+client_secret=(\S+)", printed)
        api = re.search(r"API\s+(\S+) \(scopes: ([^)]*)\)", printed)
        user = re.search(r"user\s+(\S+@\S+) / (\S+)", printed)
        assert issuer and machine and api and user and "web client" in printed, printed
        assert issuer.group(1) == f"http://127.0.0.1:{port}/"
        assert (tmp_path / "ostiary.db.masterkey").exists()

        asyncio.run(_token_works(base, machine.group(1), machine.group(2), api.group(1), api.group(2),
                                 issuer.group(1)))
    finally:
        proc.terminate()
        proc.wait(timeout=15)


async def _token_works(base: str, client_id: str, secret: str, audience: str, scope: str, issuer: str) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        response = await http.post("/oauth/token", data={
            "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
            "audience": audience,
        })
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["scope"] == scope
        claims = await verify(http, body["access_token"], audience=audience, issuer=issuer)
        assert claims["sub"] == f"{client_id}@clients"
        discovery = (await http.get("/.well-known/openid-configuration")).json()
        assert discovery["issuer"] == issuer
