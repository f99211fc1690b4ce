"""grant_type=refresh_token with rotation: new token each use, reuse detection, leeway, lifetimes, scopes."""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.factories import TenantFixture
from tests.support.jwks import verify
from tests.support.refresh import (
    API_ID,
    FULL_SCOPES,
    ROTATING,
    family_of,
    login,
    record_of,
    refresh_form,
    seed,
)

from ostiary.clock import FrozenClock

INVALID = {"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}


def rotating(**overrides: Any) -> dict[str, Any]:
    return {**ROTATING, **overrides}


async def refresh(tenant: TenantFixture, client: Any, token: str, **extra: str) -> Any:
    return await tenant.http.post("/oauth/token", data=refresh_form(client, token, **extra))


def assert_invalid(response: Any) -> None:
    assert response.status_code == 403, response.text
    assert response.json() == INVALID
    assert response.headers["cache-control"] == "no-store"


async def test_rotation_returns_new_tokens_and_spends_the_presented_one(
    tenant: TenantFixture, clock: FrozenClock
) -> None:
    s = await seed(tenant, refresh_token=rotating())
    logged_in = await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)
    auth_time = clock.now()
    clock.advance(30)

    response = await refresh(tenant, s.client, logged_in.refresh_token)

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "id_token", "refresh_token", "scope", "expires_in", "token_type"}
    assert body["refresh_token"] != logged_in.refresh_token and body["refresh_token"].startswith("v1.")
    assert body["scope"] == "openid profile offline_access read:things"
    assert body["expires_in"] == 86400 and body["token_type"] == "Bearer"
    at = await verify(tenant.http, body["access_token"], audience=API_ID, issuer=tenant.issuer, verify_iat=False)
    assert at["sub"] == s.user.user_id and at["azp"] == s.client.client_id
    assert at["scope"] == "openid profile offline_access read:things"
    id_token = await verify(
        tenant.http, body["id_token"], audience=s.client.client_id, issuer=tenant.issuer, verify_iat=False
    )
    assert id_token["sub"] == s.user.user_id
    # OIDC Core §12.2: auth_time is the original authentication's, not the refresh's.
    assert id_token["auth_time"] == int(auth_time) and id_token["sid"] == "sid-1"
    assert id_token["name"] == "Alice Example"

    old = await record_of(tenant, logged_in.refresh_token)
    new = await record_of(tenant, body["refresh_token"])
    assert old.used_at == clock.now() and old.revoked_at is None
    assert (new.parent_id, new.family_id, new.grant_id) == (old.id, old.family_id, old.grant_id)
    assert new.used_at is None and new.rotating
    assert_invalid(await refresh(tenant, s.client, "v1.not-a-token"))


async def test_reuse_outside_leeway_revokes_the_family_and_the_grant(tenant: TenantFixture) -> None:
    s = await seed(tenant, refresh_token=rotating())
    rt1 = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
    rt2 = (await refresh(tenant, s.client, rt1)).json()["refresh_token"]

    assert_invalid(await refresh(tenant, s.client, rt1))
    # The legitimate holder's newer token dies with the family (Auth0 breach detection, RT-02).
    assert_invalid(await refresh(tenant, s.client, rt2))
    first = await record_of(tenant, rt1)
    rows = await family_of(tenant, first.family_id)
    assert len(rows) == 2 and all(r.revoked_at is not None for r in rows)
    assert await tenant.repos_call(lambda r: r.grants.is_revoked(first.grant_id))


async def test_previous_token_inside_leeway_gets_a_fresh_child_and_the_family_moves_on(
    tenant: TenantFixture, clock: FrozenClock
) -> None:
    s = await seed(tenant, refresh_token=rotating(leeway=30))
    rt1 = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
    rt2 = (await refresh(tenant, s.client, rt1)).json()["refresh_token"]
    clock.advance(30)

    again = await refresh(tenant, s.client, rt1)

    assert again.status_code == 200, again.text
    rt2b = again.json()["refresh_token"]
    assert rt2b not in (rt1, rt2) and again.json()["id_token"]
    siblings = (await record_of(tenant, rt2), await record_of(tenant, rt2b))
    assert siblings[0].parent_id == siblings[1].parent_id == (await record_of(tenant, rt1)).id
    # Using one sibling moves the family on; the other sibling is revoked, without a breach.
    rt3 = (await refresh(tenant, s.client, rt2b)).json()["refresh_token"]
    assert_invalid(await refresh(tenant, s.client, rt2))
    assert (await refresh(tenant, s.client, rt3)).status_code == 200


async def test_previous_token_after_leeway_is_a_breach(tenant: TenantFixture, clock: FrozenClock) -> None:
    s = await seed(tenant, refresh_token=rotating(leeway=30))
    rt1 = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
    rt2 = (await refresh(tenant, s.client, rt1)).json()["refresh_token"]
    clock.advance(31)

    assert_invalid(await refresh(tenant, s.client, rt1))
    assert_invalid(await refresh(tenant, s.client, rt2))


async def test_second_to_last_token_inside_leeway_is_a_breach(tenant: TenantFixture, clock: FrozenClock) -> None:
    s = await seed(tenant, refresh_token=rotating(leeway=60))
    rt1 = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
    rt2 = (await refresh(tenant, s.client, rt1)).json()["refresh_token"]
    clock.advance(5)
    rt3 = (await refresh(tenant, s.client, rt2)).json()["refresh_token"]
    clock.advance(5)

    # Auth0: "Only the previous token can be reused; if the second-to-last one is exchanged, breach
    # detection will be triggered" (RT-03).
    assert_invalid(await refresh(tenant, s.client, rt1))
    assert_invalid(await refresh(tenant, s.client, rt3))
    assert_invalid(await refresh(tenant, s.client, rt2))


async def test_rotation_never_extends_the_absolute_lifetime(tenant: TenantFixture, clock: FrozenClock) -> None:
    s = await seed(tenant, refresh_token=rotating(token_lifetime=100, idle_token_lifetime=60))
    token = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
    for step in (50, 49):
        clock.advance(step)
        response = await refresh(tenant, s.client, token)
        assert response.status_code == 200, response.text
        token = response.json()["refresh_token"]
    clock.advance(1)  # 100 s after the login: the family's absolute lifetime is over (RT-09)

    assert_invalid(await refresh(tenant, s.client, token))


async def test_idle_lifetime_is_renewed_by_each_use_and_ends_an_unused_token(
    tenant: TenantFixture, clock: FrozenClock
) -> None:
    s = await seed(tenant, refresh_token=rotating(token_lifetime=10_000, idle_token_lifetime=60))
    token = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
    for _ in range(3):  # 177 s in total, never 60 s idle
        clock.advance(59)
        response = await refresh(tenant, s.client, token)
        assert response.status_code == 200, response.text
        token = response.json()["refresh_token"]
    clock.advance(60)

    assert_invalid(await refresh(tenant, s.client, token))


async def test_idle_lifetime_follows_the_current_client_settings(tenant: TenantFixture, clock: FrozenClock) -> None:
    s = await seed(tenant, refresh_token=rotating(idle_token_lifetime=600))
    token = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
    await tenant.update_client(s.client.client_id, refresh_token=rotating(idle_token_lifetime=10))
    clock.advance(5)
    token = (await refresh(tenant, s.client, token)).json()["refresh_token"]
    clock.advance(10)

    assert_invalid(await refresh(tenant, s.client, token))


async def test_scope_may_be_narrowed_and_the_new_token_keeps_the_original_scope(tenant: TenantFixture) -> None:
    s = await seed(tenant, refresh_token=rotating())
    token = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token

    narrow = await refresh(tenant, s.client, token, scope="read:things")

    assert narrow.status_code == 200, narrow.text
    body = narrow.json()
    assert body["scope"] == "read:things" and "id_token" not in body
    at = await verify(tenant.http, body["access_token"], audience=API_ID, issuer=tenant.issuer)
    assert at["scope"] == "read:things"
    full = await refresh(tenant, s.client, body["refresh_token"])
    assert full.json()["scope"] == "openid profile offline_access read:things"


async def test_scope_wider_than_the_grant_is_refused_and_the_token_stays_usable(tenant: TenantFixture) -> None:
    s = await seed(tenant, refresh_token=rotating())
    token = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=["openid", "offline_access"]))
    wide = await refresh(tenant, s.client, token.refresh_token, scope="openid read:things")

    assert wide.status_code == 403
    assert wide.json() == {
        "error": "invalid_scope",
        "error_description": "Scope(s) not granted to the refresh token: read:things",
    }
    assert (await refresh(tenant, s.client, token.refresh_token)).status_code == 200


async def test_another_clients_token_is_refused_and_left_alone(tenant: TenantFixture) -> None:
    s = await seed(tenant, refresh_token=rotating())
    thief = await tenant.client(refresh_token=rotating())
    token = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token

    assert_invalid(await refresh(tenant, thief, token))
    assert (await refresh(tenant, s.client, token)).status_code == 200


async def test_a_token_from_another_tenant_is_unknown_here(
    tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    s = await seed(tenant, refresh_token=rotating())
    assert s.client.client_secret
    twin = await other_tenant.client(
        client_id=s.client.client_id, client_secret=s.client.client_secret, refresh_token=rotating()
    )
    await other_tenant.api(API_ID, allow_offline_access=True)
    token = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token

    at_b = await other_tenant.http.post("/oauth/token", data=refresh_form(twin, token))

    assert_invalid(at_b)
    assert (await refresh(tenant, s.client, token)).status_code == 200


@pytest.mark.parametrize(
    ("change", "status", "description"),
    [
        ("block", 403, "user is blocked"),
        ("delete", 403, "The refresh_token was generated for a user who doesn't exist anymore."),
    ],
    ids=["blocked-user", "deleted-user"],
)
async def test_token_of_a_blocked_or_deleted_user_is_refused(
    tenant: TenantFixture, change: str, status: int, description: str
) -> None:
    s = await seed(tenant, refresh_token=rotating())
    token = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
    if change == "block":
        await tenant.repos_call(lambda r: r.users.update(s.user.user_id, blocked=True))
    else:
        await tenant.repos_call(lambda r: r.users.delete(s.user.user_id))

    response = await refresh(tenant, s.client, token)

    assert response.status_code == status
    assert response.json() == {"error": "invalid_grant", "error_description": description}
    # Refused, not spent: nothing about the family changed.
    assert (await record_of(tenant, token)).used_at is None


async def test_confidential_client_must_authenticate_and_token_is_required(tenant: TenantFixture) -> None:
    s = await seed(tenant, refresh_token=rotating())
    token = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
    form = {"grant_type": "refresh_token", "client_id": s.client.client_id, "refresh_token": token}

    unauthenticated = await tenant.http.post("/oauth/token", data=form)
    missing = await tenant.http.post("/oauth/token", data=refresh_form(s.client, ""))

    assert unauthenticated.status_code == 401
    assert unauthenticated.json() == {"error": "access_denied", "error_description": "Unauthorized"}
    assert missing.status_code == 400
    assert missing.json() == {
        "error": "invalid_request", "error_description": "Missing required parameter: refresh_token"
    }
    assert (await record_of(tenant, token)).used_at is None


async def test_userinfo_only_login_refreshes_to_an_opaque_access_token(tenant: TenantFixture) -> None:
    s = await seed(tenant, refresh_token=rotating())
    token = (await login(tenant, client=s.client, user=s.user, api=None, scopes=["openid", "offline_access"]))

    response = await refresh(tenant, s.client, token.refresh_token)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["expires_in"] == 86400 and body["access_token"].count(".") == 0
    info = await tenant.repos_call(lambda r: r.opaque_access_tokens.find(body["access_token"]))
    assert info.grant_id == (await record_of(tenant, token.refresh_token)).grant_id


async def test_spa_refreshes_from_the_browser_with_client_id_only(tenant: TenantFixture) -> None:
    origin = "https://spa.example.com"
    s = await seed(tenant, refresh_token=rotating(), app_type="spa", web_origins=[origin])
    token = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
    form = {"grant_type": "refresh_token", "client_id": s.client.client_id, "refresh_token": token}

    response = await tenant.http.post("/oauth/token", json=form, headers={"Origin": origin})
    foreign = await tenant.http.post("/oauth/token", json=form, headers={"Origin": "https://evil.example"})

    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == origin
    assert response.json()["refresh_token"] != token
    assert foreign.status_code == 403 and foreign.text == "Origin https://evil.example is not allowed."
