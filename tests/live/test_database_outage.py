"""Issue 22: a PostgreSQL outage under `ostiary serve --workers 2`. JSON endpoints answer 503
temporarily_unavailable with Retry-After, browser pages an HTML 503, /readyz names the database while /healthz
stays live; each worker logs one line when the outage starts and one when it ends (no traceback per request);
service comes back without a restart."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from ostiary.admin.session import admin_session
from tests.conftest import TEST_MASTER_KEY, settings_for
from tests.support import databases
from tests.support.live import live_server, seed_m2m_tenant
from tests.support.tcp_proxy import tcp_proxy

pytestmark = pytest.mark.live


@pytest.fixture
def pg_url() -> str:
    reason = databases.postgres_unavailable_reason()
    if reason:
        if databases.REQUIRE_PG:
            pytest.fail(reason)
        pytest.skip(reason)
    with databases.postgres_database("ostiary_outage") as url:
        yield databases.migrated(url)


def _events(log: str, name: str) -> list[dict[str, object]]:
    out = []
    for line in log.splitlines():
        if line.startswith("{") and f'"{name}"' in line:
            out.append(json.loads(line))
    return out


async def test_outage_is_503_with_one_log_line_each_way_and_recovers_without_restart(
    pg_url: str, test_output_dir: Path
) -> None:
    settings = settings_for(pg_url)
    domain, form = await seed_m2m_tenant(settings, "outage")
    target = make_url(pg_url)
    try:
        with tcp_proxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
            through_proxy = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
            with live_server(database_url=through_proxy, master_key=TEST_MASTER_KEY, log_dir=test_output_dir) as srv:
                async with httpx.AsyncClient(base_url=srv.base_url, headers={"Host": domain}, timeout=20) as http:
                    assert (await http.post("/oauth/token", data=form)).status_code == 200
                    assert (await http.get("/readyz")).status_code == 200

                    proxy.cut()
                    refused = 0
                    for _ in range(12):  # enough to reach both workers
                        response = await http.post("/oauth/token", data=form)
                        assert response.status_code == 503, response.text
                        assert response.json()["error"] == "temporarily_unavailable"
                        assert int(response.headers["retry-after"]) > 0
                        refused += 1
                    page = await http.get("/authorize", params={"client_id": form["client_id"],
                                                                "response_type": "code"})
                    assert page.status_code == 503
                    assert page.headers["content-type"].startswith("text/html")
                    assert "temporarily unavailable" in page.text
                    assert page.headers["retry-after"]
                    ready = await http.get("/readyz")
                    assert ready.status_code == 503
                    assert ready.json()["error"] == "temporarily_unavailable"
                    assert ready.json()["checks"]["database"].startswith("unreachable")
                    assert "database" in ready.json()["error_description"]
                    assert (await http.get("/healthz")).status_code == 200

                    proxy.open()
                    deadline = time.monotonic() + 30
                    while True:  # the pools reconnect by themselves
                        response = await http.post("/oauth/token", data=form)
                        if response.status_code == 200:
                            break
                        assert response.status_code == 503, response.text
                        assert time.monotonic() < deadline, "no recovery within 30 s"
                        await asyncio.sleep(0.3)
                    for _ in range(6):
                        assert (await http.post("/oauth/token", data=form)).status_code == 200
                    ended_by = time.monotonic() + 15
                    while len(_events(srv.log(), "database_outage_ended")) < len(
                        _events(srv.log(), "database_outage_started")
                    ):
                        assert time.monotonic() < ended_by, srv.log()[-3000:]
                        await asyncio.sleep(0.3)
                log = srv.log()
    finally:
        async with admin_session(settings) as admin:
            await admin.tenants.delete(domain)
    started, ended = _events(log, "database_outage_started"), _events(log, "database_outage_ended")
    assert 1 <= len(started) <= 2, started  # one per worker that met the outage
    assert len(ended) == len(started)
    assert sum(int(str(e["refused_requests"])) for e in ended) >= refused
    assert all(float(str(e["outage_seconds"])) >= 0 for e in ended)
    assert "Traceback" not in log
    assert "unhandled error" not in log
    assert "server error response" not in log
