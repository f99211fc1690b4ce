"""Hook settings: OSTIARY_HOOK_TIMEOUT_SECONDS through POST /oauth/token, and the per-process hook cache."""

from __future__ import annotations

import time

import pytest
from tests.conftest import TEST_MASTER_KEY
from tests.support.factories import TenantFixture
from tests.support.hooks import add_hook

from ostiary.settings import Settings

API = "https://api.example.com"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, public_scheme="https", master_key=TEST_MASTER_KEY,
        log_format="text", hook_timeout_seconds=0.1, cache_ttl_seconds=60, _env_file=None,  # type: ignore[call-arg]
    )


@pytest.mark.parametrize(
    "hook",
    [
        {"code": "import asyncio\nasync def on_execute_credentials_exchange(event, api):\n"
                 "    await asyncio.sleep(5)\n"},
        {"module_path": "tests.support.hook_examples:sync_sleeper"},
    ],
    ids=["async", "plain-def"],
)
async def test_hook_over_the_time_limit_is_access_denied(tenant: TenantFixture, hook: dict[str, str]) -> None:
    await tenant.api(API)
    client = await tenant.client(app_type="non_interactive")
    await tenant.client_grant(client.client_id, API, ["read:things"])
    await add_hook(tenant, "slow", "credentials-exchange", **hook)
    started = time.monotonic()
    response = await tenant.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client.client_id,
              "client_secret": client.client_secret, "audience": API},
    )
    assert time.monotonic() - started < 2
    assert response.status_code == 403
    assert response.json() == {
        "error": "access_denied", "error_description": "The request was denied because a hook failed",
    }


async def test_hook_list_is_looked_up_once_per_cache_ttl(tenant: TenantFixture) -> None:
    from sqlalchemy import event as sa_event

    from ostiary.actions import registry
    from ostiary.oauth.context import TenantContext

    await add_hook(tenant, "one", "post-login", module_path="tests.support.hook_examples:sync_claim")
    selects: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "FROM actions" in statement:
            selects.append(statement)

    engine = tenant.state.engine.sync_engine
    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        async with tenant.state.sessionmaker() as session:
            ctx = TenantContext(state=tenant.state, tenant=tenant.tenant, host=tenant.domain, scheme="https",
                                repos=tenant.state.repos(session, tenant.tenant.id), ip="127.0.0.1")
            first = await registry.hooks_for(ctx, "post-login")
            for _ in range(5):
                assert await registry.hooks_for(ctx, "post-login") is first
            assert await registry.hooks_for(ctx, "credentials-exchange") == ()
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    assert [h.name for h in first] == ["one"]
    assert len(selects) == 2  # one per trigger, then served from the cache
