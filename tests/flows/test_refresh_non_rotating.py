"""Non-rotating refresh tokens: the same token keeps working; idle expiry renewed; absolute expiry holds."""

from __future__ import annotations

import asyncio

from tests.support.factories import TenantFixture
from tests.support.refresh import FULL_SCOPES, login, record_of, refresh_form, seed

from ostiary.clock import FrozenClock

INVALID = {"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}
EXPIRING = {
    "rotation_type": "non-rotating",
    "expiration_type": "expiring",
    "token_lifetime": 1000,
    "idle_token_lifetime": 100,
    "infinite_token_lifetime": False,
    "infinite_idle_token_lifetime": False,
}


async def test_same_token_works_again_and_no_new_token_is_returned(tenant: TenantFixture, clock: FrozenClock) -> None:
    s = await seed(tenant)  # Auth0 defaults: non-rotating, non-expiring
    token = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token

    for _ in range(3):
        clock.advance(365 * 86400)
        response = await tenant.http.post("/oauth/token", data=refresh_form(s.client, token))
        assert response.status_code == 200, response.text
        body = response.json()
        assert "refresh_token" not in body and body["id_token"]
    stored = await record_of(tenant, token)
    assert stored.used_at is None and stored.revoked_at is None


async def test_idle_expiry_is_renewed_by_use_and_ends_an_unused_token(
    tenant: TenantFixture, clock: FrozenClock
) -> None:
    s = await seed(tenant, refresh_token=EXPIRING)
    token = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
    for _ in range(3):
        clock.advance(99)
        assert (await tenant.http.post("/oauth/token", data=refresh_form(s.client, token))).status_code == 200
    assert (await record_of(tenant, token)).idle_expires_at == clock.now() + 100
    clock.advance(100)

    response = await tenant.http.post("/oauth/token", data=refresh_form(s.client, token))

    assert response.status_code == 403 and response.json() == INVALID


async def test_absolute_expiry_ends_a_token_used_regularly(tenant: TenantFixture, clock: FrozenClock) -> None:
    s = await seed(tenant, refresh_token=EXPIRING)
    token = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
    for _ in range(10):
        clock.advance(99)
        assert (await tenant.http.post("/oauth/token", data=refresh_form(s.client, token))).status_code == 200
    clock.advance(10)  # 1000 s after the login

    response = await tenant.http.post("/oauth/token", data=refresh_form(s.client, token))

    assert response.status_code == 403 and response.json() == INVALID


async def test_concurrent_uses_of_a_non_rotating_token_all_succeed(tenant: TenantFixture) -> None:
    s = await seed(tenant, refresh_token=EXPIRING)
    token = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token

    responses = await asyncio.gather(
        *(tenant.http.post("/oauth/token", data=refresh_form(s.client, token)) for _ in range(10))
    )

    assert [r.status_code for r in responses] == [200] * 10
    assert all("refresh_token" not in r.json() for r in responses)


async def test_enabling_rotation_swaps_the_token_and_deletes_the_users_non_rotating_tokens(
    tenant: TenantFixture,
) -> None:
    s = await seed(tenant)
    first = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
    second = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
    await tenant.update_client(s.client.client_id, refresh_token={"rotation_type": "rotating", "leeway": 0})

    swapped = await tenant.http.post("/oauth/token", data=refresh_form(s.client, first))

    # Auth0: exchanging a non-rotating token issues a rotating one and deletes all non-rotating tokens of the
    # same client, API and user.
    assert swapped.status_code == 200, swapped.text
    rotating = swapped.json()["refresh_token"]
    stored = await record_of(tenant, rotating)
    assert stored.rotating and stored.absolute_expires_at is not None and stored.idle_expires_at is not None
    for old in (first, second):
        response = await tenant.http.post("/oauth/token", data=refresh_form(s.client, old))
        assert response.status_code == 403 and response.json() == INVALID
    rotated = await tenant.http.post("/oauth/token", data=refresh_form(s.client, rotating))
    assert rotated.status_code == 200 and rotated.json()["refresh_token"] != rotating


async def test_disabling_rotation_swaps_the_token_and_revokes_the_rotating_family(tenant: TenantFixture) -> None:
    s = await seed(tenant, refresh_token={"rotation_type": "rotating", "leeway": 0})
    rt1 = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
    rt2 = (await tenant.http.post("/oauth/token", data=refresh_form(s.client, rt1))).json()["refresh_token"]
    await tenant.update_client(s.client.client_id, refresh_token={"rotation_type": "non-rotating"})

    swapped = await tenant.http.post("/oauth/token", data=refresh_form(s.client, rt2))

    assert swapped.status_code == 200, swapped.text
    plain = swapped.json()["refresh_token"]
    assert not (await record_of(tenant, plain)).rotating
    for old in (rt1, rt2):
        response = await tenant.http.post("/oauth/token", data=refresh_form(s.client, old))
        assert response.status_code == 403 and response.json() == INVALID
    for _ in range(2):
        again = await tenant.http.post("/oauth/token", data=refresh_form(s.client, plain))
        assert again.status_code == 200 and "refresh_token" not in again.json()
