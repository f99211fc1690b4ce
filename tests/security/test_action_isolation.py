"""Tenant code cannot reach another tenant or the server, and its limits end it without slowing anyone else.

Each test fails on the code before JavaScript Actions: there, a tenant's Python source ran inside the server
(and could read every tenant's signing keys from memory), a plain-def hook that never returned kept a thread of
the shared pool forever, and nothing could run JavaScript.
"""

from __future__ import annotations

import asyncio
import http.server
import json
import os
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ostiary.actions.threads import MAX_THREADS_PER_TENANT, alive_count
from ostiary.admin.actions import ActionSource, deploy_action
from ostiary.admin.provision import DEFAULT_DATABASE_CONNECTION
from ostiary.errors import AdminError
from ostiary.runtime import AppState
from ostiary.settings import Settings
from tests.conftest import settings_for
from tests.support.browser_login import API, WebApp, web_app
from tests.support.factories import TenantFixture, make_tenant
from tests.support.hooks import add_action, add_hook
from tests.support.jwks import verify

TRIGGER = "post-login"
GRANTS = ["password"]
LIMIT = 2.0

# What tenant B's Python source did on the old code: find every tenant's private signing keys in memory.
READ_KEYS_FROM_MEMORY = """
import gc
def on_execute_post_login(event, api):
    keys = [o for o in gc.get_objects() if type(o).__name__ == "SigningMaterial"]
    api.access_token.set_custom_claim("https://x/stolen", [k.kid for k in keys])
"""
PROBE = """
exports.onExecutePostLogin = async (event, api) => {
  const attempt = (fn) => { try { return String(fn()); } catch (e) { return 'refused: ' + e.message; } };
  const reach = (url) => fetch(url).then((r) => 'reached ' + r.status, (e) => 'refused: ' + e.message);
  api.accessToken.setCustomClaim('https://x/probe', {
    process: typeof process,
    fs: attempt(() => require('fs')),
    child_process: attempt(() => require('child_process')),
    net: attempt(() => require('net')),
    loopback: await reach('http://127.0.0.1:5432/'),
    localhost: await reach('http://localhost:6379/'),
    metadata: await reach('http://169.254.169.254/latest/meta-data/'),
    private: await reach('http://10.1.2.3/'),
    file: await reach('file:///etc/passwd'),
  });
};
"""
SPIN = "exports.onExecutePostLogin = async (event, api) => { while (true) {} };"
SPIN_AFTER_AWAIT = "exports.onExecutePostLogin = async (event, api) => { await null; while (true) {} };"
HOG_MEMORY = """
exports.onExecutePostLogin = async (event, api) => {
  const hoard = [];
  while (true) hoard.push(new Array(100000).fill(Math.random()));
};
"""
HARMLESS = """
exports.onExecutePostLogin = async (event, api) => { api.accessToken.setCustomClaim('https://x/ok', true); };
"""


@pytest.fixture
def settings(database_url: str) -> Settings:
    # The defaults that matter here: Python source refused, fetch to private addresses refused.
    return settings_for(database_url, trust_tenant_python=False, hook_timeout_seconds=LIMIT, actions_memory_mb=32)


async def _tenant(state: AppState, app: FastAPI) -> TenantFixture:
    return await make_tenant(state, app, default_directory=DEFAULT_DATABASE_CONNECTION)


@pytest.fixture
async def tenant_a(state: AppState, app: FastAPI) -> AsyncIterator[TenantFixture]:
    t = await _tenant(state, app)
    yield t
    await t.http.aclose()


@pytest.fixture
async def tenant_b(state: AppState, app: FastAPI) -> AsyncIterator[TenantFixture]:
    t = await _tenant(state, app)
    yield t
    await t.http.aclose()


async def login(app: WebApp) -> httpx.Response:
    assert app.client.client_secret is not None
    return await app.http.post("/oauth/token", data={
        "grant_type": "password", "client_id": app.client.client_id, "client_secret": app.client.client_secret,
        "username": app.user.email or "", "password": app.password, "audience": API, "scope": "openid",
    })


async def access_claims(app: WebApp, response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return await verify(app.http, response.json()["access_token"], audience=API, issuer=app.tenant.issuer)


async def test_python_source_of_a_tenant_is_refused_and_never_runs(
    tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    await web_app(tenant_a, grant_types=GRANTS)
    app_b = await web_app(tenant_b, grant_types=GRANTS)
    with pytest.raises(AdminError, match="OSTIARY_TRUST_TENANT_PYTHON"):
        await tenant_b.repos_call(lambda r: deploy_action(
            r, tenant_b.state.settings, "steal", supported_triggers=[TRIGGER],
            source=ActionSource(code=READ_KEYS_FROM_MEMORY, runtime="python"),
        ))
    # Stored before the operator turned trust off (or written around the admin use case): it fails closed.
    await add_hook(tenant_b, "steal", TRIGGER, code=READ_KEYS_FROM_MEMORY)
    response = await login(app_b)
    assert response.status_code == 403
    assert "stolen" not in response.text


async def test_javascript_reaches_neither_the_server_nor_private_networks(tenant_b: TenantFixture) -> None:
    app = await web_app(tenant_b, grant_types=GRANTS)
    await add_action(tenant_b, "probe", TRIGGER, PROBE)
    probe = (await access_claims(app, await login(app)))["https://x/probe"]
    assert probe["process"] == "undefined"
    for module in ("fs", "child_process", "net"):
        assert probe[module] == f"refused: Cannot find module '{module}'"
    for target in ("loopback", "localhost", "metadata", "private"):
        assert probe[target].startswith("refused: fetch failed:") and "non-public address" in probe[target], probe
    assert probe["file"] == "refused: fetch failed: only http and https URLs can be fetched, not 'file:///etc/passwd'"


async def test_each_tenant_runs_in_its_own_process_without_the_servers_environment(
    tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    app_a, app_b = await web_app(tenant_a, grant_types=GRANTS), await web_app(tenant_b, grant_types=GRANTS)
    await add_action(tenant_a, "ok", TRIGGER, HARMLESS)
    await add_action(tenant_b, "ok", TRIGGER, HARMLESS)
    assert (await access_claims(app_a, await login(app_a)))["https://x/ok"] is True
    assert (await access_claims(app_b, await login(app_b)))["https://x/ok"] is True
    pool = tenant_a.state.js
    assert pool is not None
    workers = {w.tenant_id: w.proc.pid for w in pool._all}
    assert set(workers) == {tenant_a.tenant.id, tenant_b.tenant.id}
    assert len(set(workers.values())) == 2 and os.getpid() not in workers.values()
    for pid in workers.values():
        environ = (await asyncio.to_thread(Path(f"/proc/{pid}/environ").read_bytes)).split(b"\0")
        names = {e.split(b"=", 1)[0].decode() for e in environ if e}
        assert names <= {"PYTHONPATH", "PATH", "LANG", "LC_CTYPE"}, names


async def _healthz_latencies(http: httpx.AsyncClient, until: asyncio.Task[Any]) -> list[float]:
    latencies = []
    while not until.done() and len(latencies) < 40:
        start = time.perf_counter()
        assert (await http.get("/healthz")).status_code == 200
        latencies.append(time.perf_counter() - start)
        await asyncio.sleep(0.05)
    return latencies


@pytest.mark.parametrize("code", [SPIN, SPIN_AFTER_AWAIT], ids=["spin", "spin-after-await"])
async def test_spinning_action_is_ended_at_the_limit_and_nobody_else_waits(
    tenant_a: TenantFixture, tenant_b: TenantFixture, code: str
) -> None:
    if tenant_a.state.settings.is_sqlite:
        pytest.skip("SQLite has one writer: a login whose hooks run holds it, so logins queue whatever the hook")
    app_a, app_b = await web_app(tenant_a, grant_types=GRANTS), await web_app(tenant_b, grant_types=GRANTS)
    await add_action(tenant_a, "ok", TRIGGER, HARMLESS)
    await add_action(tenant_b, "spin", TRIGGER, code)
    assert (await login(app_a)).status_code == 200  # tenant A's worker is warm

    start = time.perf_counter()
    spinning = asyncio.ensure_future(asyncio.gather(*(login(app_b) for _ in range(4))))
    await asyncio.sleep(0.3)
    a_start = time.perf_counter()
    a_response = await login(app_a)
    a_elapsed = time.perf_counter() - a_start
    b_busy = not spinning.done()
    latencies = await _healthz_latencies(tenant_a.http, spinning)
    results = await spinning
    elapsed = time.perf_counter() - start

    assert [r.status_code for r in results] == [403] * 4, [r.text for r in results]
    assert all(r.json()["error_description"] == "The request was denied because a hook failed" for r in results), [
        r.text for r in results]
    # Two workers per tenant: two executions run, two wait; each ends at its own limit.
    assert elapsed < LIMIT * 2 + 3, elapsed
    assert latencies and max(latencies) < 0.5, max(latencies)
    # Tenant A's login finished while B's Actions were still spinning: it did not wait for B's limit.
    assert b_busy
    assert a_response.status_code == 200 and a_elapsed < LIMIT, (a_response.text, a_elapsed)


async def test_memory_hog_is_ended_by_the_heap_limit(tenant_b: TenantFixture) -> None:
    app = await web_app(tenant_b, grant_types=GRANTS)
    await add_action(tenant_b, "hog", TRIGGER, HOG_MEMORY)
    start = time.perf_counter()
    response = await login(app)
    assert response.status_code == 403
    assert time.perf_counter() - start < LIMIT + 1.5


async def test_a_plain_def_hook_that_never_returns_does_not_starve_other_tenants(
    tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    app_a, app_b = await web_app(tenant_a, grant_types=GRANTS), await web_app(tenant_b, grant_types=GRANTS)
    await add_hook(tenant_a, "sync", TRIGGER, module_path="tests.support.hook_examples:sync_claim")
    await add_hook(tenant_b, "spin", TRIGGER, module_path="tests.support.hook_examples:spin_forever")
    await add_hook(tenant_b, "sleep", TRIGGER, module_path="tests.support.hook_examples:sleep_forever", bind=False)
    spins = await asyncio.gather(*(login(app_b) for _ in range(4)))
    assert [r.status_code for r in spins] == [403] * 4
    await tenant_b.repos_call(lambda r: r.actions.bind(TRIGGER, ["sleep"]))
    tenant_b.state.caches.clear()
    sleeps = await asyncio.gather(*(login(app_b) for _ in range(8)))
    assert [r.status_code for r in sleeps] == [403] * 8
    # Tenant A's plain-def hook still gets a thread and runs.
    claims = await access_claims(app_a, await login(app_a))
    assert claims.get("https://example.com/sync") is True, claims
    # The spinning threads were ended; the sleeping ones are counted against tenant B only, whose next
    # plain-def hook fails at once instead of adding a thread.
    await asyncio.sleep(0.2)
    assert alive_count(tenant_b.tenant.id) == MAX_THREADS_PER_TENANT
    assert alive_count(tenant_a.tenant.id) == 0
    start = time.perf_counter()
    assert (await login(app_b)).status_code == 403
    assert time.perf_counter() - start < LIMIT


class _Echo(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = json.dumps({"path": self.path}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def echo_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_fetch_reaches_a_private_address_only_when_the_operator_allows_it(
    tenant_b: TenantFixture, echo_server: str
) -> None:
    app = await web_app(tenant_b, grant_types=GRANTS)
    code = f"""
exports.onExecutePostLogin = async (event, api) => {{
  const r = await fetch('{echo_server}/hello?x=1');
  api.accessToken.setCustomClaim('https://x/fetched', {{ status: r.status, body: await r.json() }});
}};
"""
    await add_action(tenant_b, "fetcher", TRIGGER, code)
    assert (await login(app)).status_code == 403  # refused by default
    tenant_b.state.settings.actions_fetch_allow_private = True
    try:
        claims = await access_claims(app, await login(app))
    finally:
        tenant_b.state.settings.actions_fetch_allow_private = False
    assert claims["https://x/fetched"] == {"status": 200, "body": {"path": "/hello?x=1"}}
