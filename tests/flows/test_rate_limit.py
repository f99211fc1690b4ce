"""Per-IP rate limit on /oauth/token and the login page: 429 too_many_requests, Retry-After, X-RateLimit-*."""

from __future__ import annotations

import math

import httpx
import pytest
from tests.support.browser_login import PASSWORD, authorize_params, open_login_page, start, submit_login, web_app
from tests.support.factories import TenantFixture, make_tenant
from tests.support.redis_prefix import REDIS_URL, unique_prefix
from tests.support.states import StateFactory, state_factory

from ostiary.app import create_app
from ostiary.clock import FrozenClock
from ostiary.settings import Settings

LIMIT = 3
TOO_MANY = {"error": "too_many_requests", "error_description": "Too many requests"}


@pytest.fixture
def limited(settings: Settings, clock: FrozenClock) -> StateFactory:
    return state_factory(settings, clock, rate_limit_per_minute=LIMIT)


async def m2m_form(t: TenantFixture) -> dict[str, str]:
    api = await t.api()
    client = await t.client(app_type="non_interactive")
    await t.client_grant(client.client_id, api.identifier, ["read:things"])
    return {"grant_type": "client_credentials", "client_id": client.client_id,
            "client_secret": client.client_secret or "", "audience": api.identifier}


async def test_limit_per_ip_then_429_with_retry_after(limited: StateFactory, clock: FrozenClock) -> None:
    async with limited() as st:
        t = await make_tenant(st, create_app(state=st))
        form = await m2m_form(t)
        for remaining in (2, 1, 0):
            ok = await t.http.post("/oauth/token", data=form)
            assert ok.status_code == 200, ok.text
            assert ok.headers["x-ratelimit-limit"] == str(LIMIT)
            assert ok.headers["x-ratelimit-remaining"] == str(remaining)
            assert "retry-after" not in ok.headers
        refused = await t.http.post("/oauth/token", data=form)
        assert refused.status_code == 429
        assert refused.json() == TOO_MANY
        assert refused.headers["retry-after"] == "20"  # one request per 60/LIMIT seconds
        assert refused.headers["x-ratelimit-remaining"] == "0"
        assert int(refused.headers["x-ratelimit-reset"]) == math.ceil(clock.now() + 60)
        assert refused.headers["cache-control"] == "no-store"
        clock.advance(20)
        assert (await t.http.post("/oauth/token", data=form)).status_code == 200
        assert (await t.http.post("/oauth/token", data=form)).status_code == 429
        await t.http.aclose()


async def test_every_request_counts_even_a_malformed_one(limited: StateFactory) -> None:
    async with limited() as st:
        t = await make_tenant(st, create_app(state=st))
        for _ in range(LIMIT):
            bad = await t.http.post("/oauth/token", data={"grant_type": "client_credentials"})
            assert bad.status_code == 400
            assert bad.headers["x-ratelimit-limit"] == str(LIMIT)
        refused = await t.http.post("/oauth/token", data={"grant_type": "client_credentials"})
        assert refused.status_code == 429 and refused.json() == TOO_MANY
        await t.http.aclose()


async def test_tenants_have_separate_allowances(limited: StateFactory) -> None:
    async with limited() as st:
        app = create_app(state=st)
        a, b = await make_tenant(st, app), await make_tenant(st, app)
        for _ in range(LIMIT + 1):
            await a.http.post("/oauth/token", data={})
        assert (await a.http.post("/oauth/token", data={})).status_code == 429
        assert (await b.http.post("/oauth/token", data={})).status_code == 400
        await a.http.aclose()
        await b.http.aclose()


async def test_zero_turns_the_limit_off(limited: StateFactory) -> None:
    async with limited(rate_limit_per_minute=0) as st:
        t = await make_tenant(st, create_app(state=st))
        for _ in range(LIMIT + 2):
            response = await t.http.post("/oauth/token", data={})
            assert response.status_code == 400
            assert "x-ratelimit-limit" not in response.headers
        await t.http.aclose()


async def test_redis_limit_is_shared_by_every_process(limited: StateFactory, clock: FrozenClock) -> None:
    """Two AppStates stand for two server processes: with Redis they draw from one window."""
    async with unique_prefix() as prefix, limited(redis_url=REDIS_URL, redis_prefix=prefix) as one, \
            limited(redis_url=REDIS_URL, redis_prefix=prefix) as two:
        t1 = await make_tenant(one, create_app(state=one))
        # The same tenant and host, served by the second "process".
        http2 = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(state=two)), base_url=t1.http.base_url)
        t2 = TenantFixture(state=two, tenant=t1.tenant, http=http2)
        statuses = [(await (t1 if i % 2 else t2).http.post("/oauth/token", data={})).status_code
                    for i in range(LIMIT + 1)]
        assert statuses == [400] * LIMIT + [429]
        refused = await t1.http.post("/oauth/token", data={})
        window_end = (int(clock.now() // 60) + 1) * 60
        assert refused.json() == TOO_MANY
        assert refused.headers["x-ratelimit-reset"] == str(window_end)
        assert refused.headers["retry-after"] == str(max(1, math.ceil(window_end - clock.now())))
        await t1.http.aclose()
        await t2.http.aclose()


async def test_login_page_is_limited_per_ip_with_its_own_budget(limited: StateFactory) -> None:
    async with limited() as st:
        t = await make_tenant(st, create_app(state=st))
        app = await web_app(t)
        first = await start(app.http, authorize_params(app))
        state, csrf = await open_login_page(app.http, first.headers["location"])
        assert (await submit_login(app.http, state, csrf, app.user.email or "", "wrong")).status_code == 400
        assert (await app.http.get(first.headers["location"])).status_code == 200
        for refused in (
            await app.http.get(first.headers["location"]),
            await submit_login(app.http, state, csrf, app.user.email or "", PASSWORD),
        ):
            assert refused.status_code == 429
            assert refused.headers["content-type"].startswith("text/html")
            assert "too_many_requests" in refused.text
            assert refused.headers["retry-after"] == "20"
            assert refused.headers["x-ratelimit-remaining"] == "0"
        # /oauth/token counts in its own bucket: this one is answered (400), not refused.
        assert (await t.http.post("/oauth/token", data={})).status_code == 400
        await t.http.aclose()
