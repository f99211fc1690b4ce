"""20 parallel refreshes with one token against `ostiary serve --workers 2` on PostgreSQL (RT-04, R-03)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ostiary.app import create_app
from ostiary.runtime import close_state, open_state
from ostiary.settings import Settings
from tests.conftest import TEST_MASTER_KEY
from tests.support.factories import TenantFixture, make_tenant
from tests.support.live import LiveServer, live_server
from tests.support.refresh import FULL_SCOPES, ROTATING, family_of, login, record_of, refresh_form, seed

pytestmark = pytest.mark.live

INVALID = {"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}
PARALLEL = 20


@pytest.fixture
async def pg_tenant(postgres_db: str) -> AsyncIterator[TenantFixture]:
    """A tenant seeded through the repositories in the PostgreSQL database the live server will use."""
    settings = Settings(
        database_url=postgres_db, master_key=TEST_MASTER_KEY, cache_ttl_seconds=0.0,
        _env_file=None,  # type: ignore[call-arg]
    )
    state = await open_state(settings)
    tenant = await make_tenant(state, create_app(state=state))
    try:
        yield tenant
    finally:
        await tenant.http.aclose()
        await close_state(state)


@pytest.fixture(scope="module")
def server(postgres_db: str, test_output_dir: Path) -> Any:
    with live_server(database_url=postgres_db, master_key=TEST_MASTER_KEY, log_dir=test_output_dir) as srv:
        yield srv


async def burst(srv: LiveServer, domain: str, form: dict[str, str]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=PARALLEL)
    async with httpx.AsyncClient(base_url=srv.base_url, headers={"Host": domain}, limits=limits) as http:
        await asyncio.gather(*(http.get("/healthz") for _ in range(PARALLEL)))  # open the connections first
        return list(await asyncio.gather(*(http.post("/oauth/token", data=form) for _ in range(PARALLEL))))


async def post(srv: LiveServer, domain: str, form: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(base_url=srv.base_url, headers={"Host": domain}) as http:
        return await http.post("/oauth/token", data=form)


async def test_parallel_refreshes_across_workers_have_one_winner(
    pg_tenant: TenantFixture, server: LiveServer
) -> None:
    s = await seed(pg_tenant, refresh_token=ROTATING)
    token = (await login(pg_tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token

    responses = await burst(server, pg_tenant.domain, refresh_form(s.client, token))

    assert Counter(r.status_code for r in responses) == {200: 1, 403: PARALLEL - 1}, server.log()[-3000:]
    assert all(r.json() == INVALID for r in responses if r.status_code == 403)
    root = await record_of(pg_tenant, token)
    rows = await family_of(pg_tenant, root.family_id)
    assert len(rows) == 2 and rows[1].parent_id == root.id  # exactly one new token
    # The losers were reuse of a spent token: the family (with the winner's token) is revoked.
    assert all(r.revoked_at is not None for r in rows)
    winner = next(r for r in responses if r.status_code == 200).json()["refresh_token"]
    assert (await post(server, pg_tenant.domain, refresh_form(s.client, winner))).json() == INVALID


async def test_reuse_after_a_rotation_revokes_the_family_across_workers(
    pg_tenant: TenantFixture, server: LiveServer
) -> None:
    s = await seed(pg_tenant, refresh_token=ROTATING)
    rt1 = (await login(pg_tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
    first = await post(server, pg_tenant.domain, refresh_form(s.client, rt1))
    assert first.status_code == 200, first.text
    rt2 = first.json()["refresh_token"]

    reuse = await post(server, pg_tenant.domain, refresh_form(s.client, rt1))
    after = await post(server, pg_tenant.domain, refresh_form(s.client, rt2))

    assert (reuse.status_code, reuse.json()) == (403, INVALID)
    assert (after.status_code, after.json()) == (403, INVALID)


async def test_parallel_refreshes_inside_leeway_stay_in_one_family(
    pg_tenant: TenantFixture, server: LiveServer
) -> None:
    s = await seed(pg_tenant, refresh_token={**ROTATING, "leeway": 60})
    token = (await login(pg_tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token

    responses = await burst(server, pg_tenant.domain, refresh_form(s.client, token))

    assert [r.status_code for r in responses] == [200] * PARALLEL, server.log()[-3000:]
    root = await record_of(pg_tenant, token)
    rows = await family_of(pg_tenant, root.family_id)
    assert len(rows) == PARALLEL + 1
    assert all(r.parent_id == root.id for r in rows if r.id != root.id)
    children = [r.json()["refresh_token"] for r in responses]
    moved = await post(server, pg_tenant.domain, refresh_form(s.client, children[0]))
    assert moved.status_code == 200
    live = [r for r in await family_of(pg_tenant, root.family_id) if r.revoked_at is None and r.used_at is None]
    assert len(live) == 1
