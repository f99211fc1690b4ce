"""/api/v2/user-blocks: the brute-force blocks of a user (by user_id or by the identifier tried), and lifting them;
with the database counters and with the Redis ones."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from ostiary.app import create_app
from ostiary.clock import FrozenClock
from ostiary.runtime import close_state, open_state
from ostiary.settings import Settings
from tests.management.conftest import mint
from tests.support.fast_passwords import fast_passwords  # noqa: F401
from tests.support.firstparty import API, Rop, fail_logins, make_rop
from tests.support.redis_prefix import REDIS_URL, unique_prefix

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture(params=["db", "redis"])
async def rop(request: pytest.FixtureRequest, settings: Settings, clock: FrozenClock) -> AsyncIterator[Rop]:
    overrides: dict[str, Any] = {}
    async with unique_prefix() as prefix:
        if request.param == "redis":
            overrides = {"redis_url": REDIS_URL, "redis_prefix": prefix}
        st = await open_state(settings.model_copy(update=overrides), clock=clock)
        setup = await make_rop(st, create_app(state=st))
        yield setup
        await setup.t.http.aclose()
        await close_state(st)


async def test_blocks_are_listed_and_lifted(rop: Rop) -> None:
    await fail_logins(rop, 10)
    assert (await rop.token(audience=API)).status_code == 429
    headers = {"authorization": f"Bearer {await mint(rop.t, ['read:users', 'update:users'])}"}
    http = rop.t.http
    listed = await http.get(f"/api/v2/user-blocks/{rop.user.user_id}", headers=headers)
    assert listed.status_code == 200
    [block] = listed.json()["blocked_for"]
    assert block["identifier"] == rop.user.user_id and block["ip"]
    by_identifier = await http.get("/api/v2/user-blocks", params={"identifier": rop.user.email}, headers=headers)
    assert by_identifier.json()["blocked_for"] == [{"identifier": rop.user.email, "ip": block["ip"]}]
    assert (await http.delete(f"/api/v2/user-blocks/{rop.user.user_id}", headers=headers)).status_code == 204
    assert (await http.get(f"/api/v2/user-blocks/{rop.user.user_id}", headers=headers)).json() == {"blocked_for": []}
    assert (await rop.token(audience=API)).status_code == 200
