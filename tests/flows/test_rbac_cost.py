"""The issue's budget: a user token for an RBAC API costs at most one more indexed read than without RBAC, and
post-login hooks reading event.authorization.roles share that read instead of adding another.

Statements are counted at the engine (every session statement of the request but BEGIN); the one-statement
refresh and code paths on their raw connections are the same with and without RBAC, so the difference is the
RBAC read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event as sa_event
from tests.flows.test_hooks_every_flow import World, password_form, tenant, world
from tests.support.browser_login import API, authorize_params, exchange_code, login_round_trip, response_params
from tests.support.hooks import add_hook
from tests.support.refresh import ROTATING
from tests.support.social import fake_server, fakes, settings

from ostiary.admin import roles as rbac
from ostiary.entities import Permission

__all__ = ["fake_server", "fakes", "settings", "tenant", "world"]

ROLES_HOOK = """
def on_execute_post_login(event, api):
    api.access_token.set_custom_claim("https://hooks.test/roles", list(event.authorization.roles))
"""


@asynccontextmanager
async def statements(world: World) -> AsyncIterator[list[str]]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    engine = world.tenant.state.engine.sync_engine
    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)


async def set_rbac(world: World, on: bool) -> None:
    await world.tenant.repos_call(lambda r: r.resource_servers.update(
        API, enforce_policies=on, token_dialect="access_token_authz"))


async def counted(world: World, request: Callable[[], Awaitable[httpx.Response]]) -> list[str]:
    async with statements(world) as seen:
        response = await request()
    assert response.status_code == 200, response.text
    # Reads, not transaction starts: a read made before the request's own transaction has begun runs in a
    # read-only session of its own, whose BEGIN (SQLite) comes with it, as for every other cache miss.
    return [s for s in seen if s.strip().upper() != "BEGIN"]


def rbac_reads(seen: list[str]) -> int:
    return sum("UNION ALL" in s.upper() and "USER_ROLES" in s.upper() for s in seen)


@pytest.fixture
async def holder(world: World) -> World:
    async def grant(r: Any) -> None:
        await rbac.create_role(r, name="reader")
        await rbac.add_role_permissions(r, "reader", [Permission(API, "read:things")])
        await rbac.assign_user_roles(r, world.app.user.user_id, ["reader"])

    await world.tenant.repos_call(grant)
    return world


@pytest.mark.parametrize("hooked", [False, True], ids=["no-hook", "roles-hook"])
async def test_password_grant_costs_one_more_read_with_rbac_shared_with_hooks(holder: World, hooked: bool) -> None:
    world = holder
    if hooked:
        await add_hook(world.tenant, "roles", "post-login", code=ROLES_HOOK)

    def login() -> Awaitable[httpx.Response]:
        return world.tenant.http.post("/oauth/token", data=password_form(world))

    without = await counted(world, login)
    await set_rbac(world, True)
    with_rbac = await counted(world, login)
    assert rbac_reads(with_rbac) == 1
    if hooked:  # the hooks already needed the roles: RBAC adds nothing
        assert rbac_reads(without) == 1 and len(with_rbac) == len(without)
    else:
        assert rbac_reads(without) == 0 and len(with_rbac) == len(without) + 1


async def test_rotating_refresh_costs_one_more_read_with_rbac(holder: World) -> None:
    world = holder
    await world.tenant.update_client(world.app.client.client_id, refresh_token=ROTATING)
    client = world.app.client
    login = await world.tenant.http.post("/oauth/token", data=password_form(
        world, scope="openid read:things offline_access"))
    token = login.json()["refresh_token"]

    async def refresh() -> httpx.Response:
        nonlocal token
        response = await world.tenant.http.post("/oauth/token", data={
            "grant_type": "refresh_token", "client_id": client.client_id,
            "client_secret": client.client_secret or "", "refresh_token": token})
        token = response.json().get("refresh_token", token)
        return response

    without = await counted(world, refresh)
    await set_rbac(world, True)
    with_rbac = await counted(world, refresh)
    assert rbac_reads(without) == 0 and rbac_reads(with_rbac) == 1
    assert len(with_rbac) == len(without) + 1


async def test_code_exchange_costs_one_more_read_with_rbac(holder: World) -> None:
    world = holder

    async def code() -> str:
        world.tenant.http.cookies.clear()
        answer = response_params(await login_round_trip(world.app, authorize_params(
            world.app, audience=API, scope="openid read:things")))
        return answer["code"]

    first = await code()
    without = await counted(world, lambda: exchange_code(world.app, first))
    await set_rbac(world, True)
    second = await code()
    with_rbac = await counted(world, lambda: exchange_code(world.app, second))
    assert rbac_reads(without) == 0 and rbac_reads(with_rbac) == 1
    assert len(with_rbac) == len(without) + 1
