"""A real `ostiary serve --workers N` process on a free loopback port, for tests that must cross processes."""

from __future__ import annotations

import os
import secrets
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from ostiary.admin.provision import provision_tenant
from ostiary.admin.session import admin_session
from ostiary.settings import Settings
from tests.support.tls import TlsFiles

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    port: int
    log_path: Path
    proc: subprocess.Popen[bytes]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")




@contextmanager
def live_server(
    *,
    database_url: str,
    master_key: str,
    workers: int = 2,
    extra_env: dict[str, str] | None = None,
    log_dir: Path,
    args: tuple[str, ...] = (),
    scheme: str = "http",
    verify: ssl.SSLContext | bool = True,
    port: int | None = None,
    tls: TlsFiles | None = None,
) -> Iterator[LiveServer]:
    """Start the server, wait until every worker answers /healthz, stop it afterwards (SIGTERM, then kill).
    `args`: more `ostiary serve` options (--tls-cert ..., with scheme="https" and verify= the CA file); `tls`:
    serve https with that certificate (the same options, scheme and verify filled in)."""
    port = port or free_port()
    if tls is not None:
        args = (*args, "--tls-cert", str(tls.cert), "--tls-key", str(tls.key))
        scheme, verify = "https", tls.client_context()
    env = {
        **os.environ,
        "OSTIARY_DATABASE_URL": database_url,
        "OSTIARY_MASTER_KEY": master_key,
        "OSTIARY_PUBLIC_SCHEME": "http",
        "OSTIARY_LOG_FORMAT": "json",
        "OSTIARY_CACHE_TTL_SECONDS": "0",
        **(extra_env or {}),
    }
    log_path = log_dir / f"live-{port}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "ostiary", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(workers), *args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(base_url=f"{scheme}://127.0.0.1:{port}", port=port, log_path=log_path, proc=proc)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"ostiary serve exited with {proc.returncode}:\n{server.log()}")
            try:
                if httpx.get(f"{server.base_url}/healthz", timeout=1, verify=verify).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"ostiary serve did not become ready:\n{server.log()}")
            time.sleep(0.2)
        # uvicorn answers as soon as one worker is up; wait for the others' start-up too.
        while server.log().count("Application startup complete") < workers:
            if time.monotonic() > deadline:
                raise RuntimeError(f"not every ostiary worker started:\n{server.log()}")
            time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


LIVE_API = "https://live.example"


async def seed_m2m_tenant(settings: Settings, prefix: str) -> tuple[str, dict[str, str]]:
    """A fresh tenant named after its domain, with one API and a machine client holding a grant for it.

    Returns the domain (send it as Host) and the client_credentials form; delete the tenant by that name after.
    """
    domain = f"{prefix}-{secrets.token_hex(4)}.test"
    async with admin_session(settings) as admin:
        tenant = await provision_tenant(admin, name=domain, domains=[domain])
        repos = admin.repos(tenant)
        api = await repos.resource_servers.create(identifier=LIVE_API, scopes=["read:x"])
        client = await repos.clients.create(name="m2m", app_type="non_interactive")
        await repos.client_grants.upsert(client_id=client.client_id, audience=api.identifier, scope=["read:x"])
    form = {"grant_type": "client_credentials", "client_id": client.client_id,
            "client_secret": client.client_secret or "", "audience": api.identifier}
    return domain, form
