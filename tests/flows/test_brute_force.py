"""Brute-force protection like Auth0's: 10 consecutive failures per user and IP block that user from that IP.

Runs with the database counters on SQLite and PostgreSQL, and (where marked) with the Redis counters.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from tests.conftest import TEST_MASTER_KEY
from tests.support.fast_passwords import fast_passwords  # noqa: F401
from tests.support.firstparty import (
    API,
    PASSWORD,
    REALM,
    TOO_MANY_ATTEMPTS_BODY,
    WRONG_PASSWORD_BODY,
    Rop,
    fail_logins,
    make_rop,
)
from tests.support.redis_prefix import REDIS_URL, unique_prefix
from typer.testing import CliRunner

from ostiary.app import create_app
from ostiary.cli import app as cli_app
from ostiary.clock import FrozenClock
from ostiary.protection.admin import unblock_user
from ostiary.runtime import close_state, open_state
from ostiary.settings import Settings

pytestmark = pytest.mark.usefixtures("fast_passwords")
BOTH_BACKENDS = pytest.mark.parametrize("counters", ["db", "redis"], indirect=True)


@pytest.fixture
async def counters(request: pytest.FixtureRequest) -> AsyncIterator[dict[str, Any]]:
    """Settings overrides selecting the counter backend: the database unless a test asks for both."""
    if getattr(request, "param", "db") == "db":
        yield {}
        return
    async with unique_prefix() as prefix:
        yield {"redis_url": REDIS_URL, "redis_prefix": prefix}


@pytest.fixture
async def rop(settings: Settings, clock: FrozenClock, counters: dict[str, Any]) -> AsyncIterator[Rop]:
    st = await open_state(settings.model_copy(update=counters), clock=clock)
    setup = await make_rop(st, create_app(state=st))
    trusted = await setup.t.client(app_type="regular_web", grant_types=["password", REALM],
                                   is_token_endpoint_ip_header_trusted=True)
    await setup.t.repos_call(lambda r: r.connections.update(
        "Username-Password-Authentication", enabled_clients=[setup.web.client_id, setup.native.client_id,
                                                             trusted.client_id]))
    setup.t.clients["trusted"] = trusted
    yield setup
    await setup.t.http.aclose()
    await close_state(st)


@BOTH_BACKENDS
async def test_tenth_failure_blocks_even_the_right_password(rop: Rop) -> None:
    await fail_logins(rop, 10)
    for password in (PASSWORD, "wrong"):
        response = await rop.token(audience=API, password=password)
        assert response.status_code == 429
        assert response.json() == TOO_MANY_ATTEMPTS_BODY
        assert response.headers["cache-control"] == "no-store"


async def test_nine_failures_then_success_resets_the_count(rop: Rop) -> None:
    await fail_logins(rop, 9)
    assert (await rop.token(audience=API)).status_code == 200
    await fail_logins(rop, 9)
    assert (await rop.token(audience=API)).status_code == 200


@BOTH_BACKENDS
async def test_concurrent_failures_are_all_counted(rop: Rop) -> None:
    responses = await asyncio.gather(*(rop.token(password="wrong", audience=API) for _ in range(10)))
    assert [r.status_code for r in responses] == [403] * 10
    assert (await rop.token(audience=API)).status_code == 429


@BOTH_BACKENDS
async def test_unknown_users_are_counted_and_answered_the_same(rop: Rop) -> None:
    await fail_logins(rop, 10, username="ghost@example.com")
    response = await rop.token(audience=API, username="GHOST@example.com", password="wrong")
    assert response.status_code == 429 and response.json() == TOO_MANY_ATTEMPTS_BODY
    # The real user from the same IP is not affected (per identifier and IP).
    assert (await rop.token(audience=API)).status_code == 200


async def test_admin_unblock_lifts_the_block(rop: Rop) -> None:
    await fail_logins(rop, 10)
    removed = await rop.t.repos_call(
        lambda r: unblock_user(r, rop.t.state.protection, user=rop.user.user_id, ip=None)
    )
    assert removed == 1
    assert (await rop.token(audience=API)).status_code == 200


@BOTH_BACKENDS
async def test_password_change_lifts_the_block(rop: Rop, clock: FrozenClock) -> None:
    await fail_logins(rop, 10)
    clock.advance(1)
    await rop.t.repos_call(lambda r: r.users.update(rop.user.user_id, password="a brand new password"))
    response = await rop.token(audience=API, password="a brand new password")
    assert response.status_code == 200, response.text
    # And the count starts again from zero.
    await fail_logins(rop, 9)
    assert (await rop.token(audience=API, password="a brand new password")).status_code == 200


async def test_block_expires_after_thirty_days_without_failures(rop: Rop, clock: FrozenClock) -> None:
    await fail_logins(rop, 10)
    clock.advance(29 * 86400)
    assert (await rop.token(audience=API)).status_code == 429
    clock.advance(2 * 86400)
    assert (await rop.token(audience=API)).status_code == 200


async def test_connection_with_brute_force_protection_off_never_blocks(rop: Rop) -> None:
    await rop.t.repos_call(lambda r: r.connections.update(
        "Username-Password-Authentication", options={"brute_force_protection": False}))
    await fail_logins(rop, 11)
    assert (await rop.token(audience=API)).status_code == 200


# auth0-forwarded-for: (client, whether the header counts)
HEADER_TRUST = [("native", False), ("web", False), ("trusted", True)]


@pytest.mark.parametrize(("client_name", "honoured"), HEADER_TRUST,
                         ids=["public-ignored", "untrusted-confidential-ignored", "trusted-confidential-honoured"])
async def test_forwarded_for_is_honoured_only_from_a_trusted_confidential_client(
    rop: Rop, client_name: str, honoured: bool
) -> None:
    client = {"native": rop.native, "web": rop.web, "trusted": rop.t.clients.get("trusted")}[client_name]
    assert client is not None
    # The attacker rotates the header on every attempt, from one socket address.
    for i in range(10):
        response = await rop.token(client, audience=API, password="wrong",
                                   headers={"auth0-forwarded-for": f"203.0.113.{i}"})
        assert response.status_code == 403 and response.json() == WRONG_PASSWORD_BODY
    after = await rop.token(client, audience=API, headers={"auth0-forwarded-for": "203.0.113.200"})
    if honoured:
        assert after.status_code == 200, after.text
    else:
        assert after.status_code == 429 and after.json() == TOO_MANY_ATTEMPTS_BODY


@BOTH_BACKENDS
async def test_trusted_forwarded_ip_blocks_that_ip_only(rop: Rop) -> None:
    trusted = rop.t.clients["trusted"]
    for _ in range(10):
        await rop.token(trusted, audience=API, password="wrong", headers={"auth0-forwarded-for": "198.51.100.7"})
    blocked = await rop.token(trusted, audience=API, headers={"auth0-forwarded-for": "198.51.100.7"})
    assert blocked.status_code == 429 and blocked.json() == TOO_MANY_ATTEMPTS_BODY
    assert (await rop.token(trusted, audience=API, headers={"auth0-forwarded-for": "198.51.100.8"})).status_code == 200
    # The server's own address was never blocked.
    assert (await rop.token(trusted, audience=API)).status_code == 200


@pytest.mark.parametrize("value", ["1.1.1.1, 2.2.2.2", "999.1.1.1", "x" * 10_000, ""])
async def test_malformed_forwarded_for_is_ignored(rop: Rop, value: str) -> None:
    trusted = rop.t.clients["trusted"]
    response = await rop.token(trusted, audience=API, headers={"auth0-forwarded-for": value})
    assert response.status_code == 200, response.text


@BOTH_BACKENDS
async def test_unblock_command_clears_one_ip(rop: Rop, settings: Settings, counters: dict[str, Any],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    trusted = rop.t.clients["trusted"]
    for ip in ("198.51.100.1", "198.51.100.2"):
        for _ in range(10):
            await rop.token(trusted, audience=API, password="wrong", headers={"auth0-forwarded-for": ip})
    env = {"OSTIARY_DATABASE_URL": settings.database_url, "OSTIARY_MASTER_KEY": TEST_MASTER_KEY,
           "OSTIARY_REDIS_URL": counters.get("redis_url", ""), "OSTIARY_REDIS_PREFIX": counters.get("redis_prefix",
                                                                                                  "ostiary:")}
    args = ["protection", "unblock", rop.user.email or "", "--tenant", rop.t.tenant.name, "--ip", "198.51.100.1",
            "--json"]
    result = await asyncio.to_thread(CliRunner().invoke, cli_app, args, env=env)
    assert result.exit_code == 0, result.output
    assert '"records_removed": 1' in result.output
    assert (await rop.token(trusted, audience=API, headers={"auth0-forwarded-for": "198.51.100.1"})).status_code == 200
    still = await rop.token(trusted, audience=API, headers={"auth0-forwarded-for": "198.51.100.2"})
    assert still.status_code == 429


async def test_redis_outage_fails_closed(settings: Settings, clock: FrozenClock) -> None:
    st = await open_state(settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"}), clock=clock)
    try:
        setup = await make_rop(st, create_app(state=st))
        response = await setup.token(audience=API)
        assert response.status_code == 503
        assert response.json() == {"error": "temporarily_unavailable",
                                   "error_description": "Service temporarily unavailable"}
        await setup.t.http.aclose()
    finally:
        await close_state(st)


async def test_an_oversized_unknown_username_is_counted_not_a_500(rop: Rop) -> None:
    huge = "x" * 5000 + "@example.com"
    await fail_logins(rop, 10, username=huge)
    response = await rop.token(audience=API, username=huge)
    assert response.status_code == 429 and response.json() == TOO_MANY_ATTEMPTS_BODY
