"""AC-03 across processes: 20 simultaneous redemptions of one code at `ostiary serve --workers 2` on PostgreSQL."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.live.test_refresh_concurrency import PARALLEL, burst, pg_tenant, post, server  # noqa: F401
from tests.security._helpers import code_for
from tests.support.browser_login import CALLBACK, web_app
from tests.support.factories import TenantFixture
from tests.support.live import LiveServer

pytestmark = pytest.mark.live


async def test_AC03_parallel_redemptions_across_workers_have_one_winner(
    pg_tenant: TenantFixture, server: LiveServer  # noqa: F811
) -> None:
    app = await web_app(pg_tenant)
    code = await code_for(app, scope="openid offline_access")
    form = {"grant_type": "authorization_code", "client_id": app.client.client_id,
            "client_secret": app.client.client_secret or "", "code": code, "redirect_uri": CALLBACK}

    responses = await burst(server, pg_tenant.domain, form)

    assert Counter(r.status_code for r in responses) == {200: 1, 403: PARALLEL - 1}, server.log()[-3000:]
    assert all(r.json()["error"] == "invalid_grant" for r in responses if r.status_code == 403)
    # The losers were replays: the winner's refresh token is revoked with its grant (AC-02).
    winner = next(r for r in responses if r.status_code == 200).json()
    refresh = {"grant_type": "refresh_token", "client_id": app.client.client_id,
               "client_secret": app.client.client_secret or "", "refresh_token": winner["refresh_token"]}
    assert (await post(server, pg_tenant.domain, refresh)).status_code == 403
