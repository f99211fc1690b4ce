"""Issue 22: Prometheus metrics summed across `--workers 2` on their own listener (never on a tenant's
domain); structured logs carry the authentication events and none of uvicorn's color_message escape codes."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import httpx
import pytest

from ostiary.admin.session import admin_session
from tests.conftest import TEST_MASTER_KEY, settings_for
from tests.support.live import free_port, live_server, seed_m2m_tenant

pytestmark = pytest.mark.live


def _sample(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}", 1)[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def test_metrics_sum_both_workers_on_their_own_port(sqlite_db: str, test_output_dir: Path) -> None:
    settings = settings_for(sqlite_db)
    domain, form = await seed_m2m_tenant(settings, "metrics")
    metrics_port = free_port()
    env = {"OSTIARY_METRICS_PORT": str(metrics_port)}
    try:
        with live_server(database_url=sqlite_db, master_key=TEST_MASTER_KEY, log_dir=test_output_dir,
                         extra_env=env) as srv:
            async with httpx.AsyncClient(base_url=srv.base_url, headers={"Host": domain}) as http:
                for _ in range(20):
                    assert (await http.post("/oauth/token", data=form)).status_code == 200
                bad = {**form, "client_secret": "wrong"}
                for _ in range(3):
                    assert (await http.post("/oauth/token", data=bad)).status_code == 401
                # The tenant's domain has no metrics page.
                assert (await http.get("/metrics")).status_code == 404
            await asyncio.sleep(0.5)
            async with httpx.AsyncClient() as scraper:
                text = (await scraper.get(f"http://127.0.0.1:{metrics_port}/metrics")).text
            log = srv.log()
    finally:
        async with admin_session(settings) as admin:
            await admin.tenants.delete(domain)

    # 20 requests spread over two worker processes, each writing its own samples: the listener sums them.
    assert _sample(text, "ostiary_http_requests_total", route="/oauth/token", status="200") == 20, text
    assert _sample(text, "ostiary_http_requests_total", route="/oauth/token", status="401") == 3
    assert _sample(text, "ostiary_http_requests_total", route="other", status="404") == 1
    assert _sample(text, "ostiary_tokens_total", grant_type="client_credentials", outcome="success") == 20
    assert _sample(text, "ostiary_tokens_total", grant_type="client_credentials", outcome="access_denied") == 3
    assert _sample(text, "ostiary_http_request_duration_seconds_count", route="/oauth/token") == 23
    assert _sample(text, "ostiary_auth_events_total", type="seccft") == 20
    assert "ostiary_db_pool_connections_in_use" in text

    assert "color_message" not in log
    assert "\x1b[" not in log
    lines = log.splitlines()
    events = [json.loads(line) for line in lines if line.startswith("{") and '"logger": "ostiary.auth"' in line]
    assert [e["type"] for e in events].count("seccft") == 20
    assert [e["type"] for e in events].count("feccft") == 3
    for event in events:
        assert event["tenant"] == domain and event["client_id"] == form["client_id"] and event["ip"]
    assert form["client_secret"] not in log and "wrong" not in log.replace("wrong_", "")
