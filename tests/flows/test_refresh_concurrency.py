"""Many simultaneous refreshes with one rotating token, in process, on SQLite and PostgreSQL (RT-04, R-03)."""

from __future__ import annotations

import asyncio
from collections import Counter

from tests.support.factories import TenantFixture
from tests.support.refresh import FULL_SCOPES, ROTATING, family_of, login, record_of, refresh_form, seed

INVALID = {"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}
PARALLEL = 10


async def test_one_winner_and_reuse_detection_without_leeway(tenant: TenantFixture) -> None:
    s = await seed(tenant, refresh_token=ROTATING)
    token = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token

    responses = await asyncio.gather(
        *(tenant.http.post("/oauth/token", data=refresh_form(s.client, token)) for _ in range(PARALLEL))
    )

    assert Counter(r.status_code for r in responses) == {200: 1, 403: PARALLEL - 1}
    assert all(r.json() == INVALID for r in responses if r.status_code == 403)
    # Family consistent: exactly one child; the losers were reuse, so the family and grant are revoked
    # (Auth0 breach detection: a concurrent second use is indistinguishable from a thief's).
    root = await record_of(tenant, token)
    rows = await family_of(tenant, root.family_id)
    assert len(rows) == 2 and rows[1].parent_id == root.id
    assert all(r.revoked_at is not None for r in rows)
    assert await tenant.repos_call(lambda r: r.grants.is_revoked(root.grant_id))


async def test_inside_leeway_every_request_gets_a_child_in_the_same_family(tenant: TenantFixture) -> None:
    s = await seed(tenant, refresh_token={**ROTATING, "leeway": 30})
    token = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token

    responses = await asyncio.gather(
        *(tenant.http.post("/oauth/token", data=refresh_form(s.client, token)) for _ in range(PARALLEL))
    )

    assert [r.status_code for r in responses] == [200] * PARALLEL
    children = [r.json()["refresh_token"] for r in responses]
    assert len(set(children)) == PARALLEL
    root = await record_of(tenant, token)
    rows = await family_of(tenant, root.family_id)
    # One child per winner, all children of the presented token, all in its family.
    assert len(rows) == PARALLEL + 1
    assert sorted(r.parent_id or "" for r in rows) == ["", *[root.id] * PARALLEL]
    # The first child used moves the family on and retires its siblings (no breach).
    nxt = await tenant.http.post("/oauth/token", data=refresh_form(s.client, children[3]))
    assert nxt.status_code == 200
    sibling = await tenant.http.post("/oauth/token", data=refresh_form(s.client, children[0]))
    assert sibling.status_code == 403 and sibling.json() == INVALID
    live = [r for r in await family_of(tenant, root.family_id) if r.revoked_at is None and r.used_at is None]
    assert len(live) == 1
    again = await tenant.http.post("/oauth/token", data=refresh_form(s.client, nxt.json()["refresh_token"]))
    assert again.status_code == 200
