"""When a login comes with a refresh token (Auth0 "Get Refresh Tokens"; RT-12, RT-13) and how long it lives."""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.factories import TenantFixture
from tests.support.refresh import API_ID, FULL_SCOPES, ROTATING, login, record_of

from ostiary.clock import FrozenClock

CASES: list[tuple[str, dict[str, Any], dict[str, Any], list[str], bool, bool]] = [
    # id, client fields, api fields, scopes, with API?, refresh token expected?
    ("offline-access-granted", {}, {"allow_offline_access": True}, FULL_SCOPES, True, True),
    ("no-offline-access-scope", {}, {"allow_offline_access": True}, ["openid", "read:things"], True, False),
    ("api-disallows-offline", {}, {"allow_offline_access": False}, FULL_SCOPES, True, False),
    ("client-lacks-refresh-grant", {"grant_types": ["authorization_code"]}, {"allow_offline_access": True},
     FULL_SCOPES, True, False),
    ("userinfo-only-no-api", {}, {}, ["openid", "offline_access"], False, True),
    ("spa-without-rotation", {"app_type": "spa"}, {"allow_offline_access": True}, FULL_SCOPES, True, False),
    ("spa-with-rotation", {"app_type": "spa", "refresh_token": ROTATING}, {"allow_offline_access": True},
     FULL_SCOPES, True, True),
]


@pytest.mark.parametrize(
    ("client_fields", "api_fields", "scopes", "with_api", "expected"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
async def test_refresh_token_is_issued_only_when_auth0_would(
    tenant: TenantFixture,
    client_fields: dict[str, Any],
    api_fields: dict[str, Any],
    scopes: list[str],
    with_api: bool,
    expected: bool,
) -> None:
    api = await tenant.api(API_ID, **api_fields)
    client = await tenant.client(**client_fields)
    user = await tenant.user()

    issued = (await login(tenant, client=client, user=user, api=api if with_api else None, scopes=scopes)).issued

    assert (issued.refresh_token is not None) is expected
    if expected:
        assert issued.refresh_token is not None and issued.refresh_token.startswith("v1.")
        assert len(issued.refresh_token) >= 43  # ≥ 256 bits of entropy (RT-14)


EXPIRY: list[tuple[str, dict[str, Any], tuple[float | None, float | None]]] = [
    ("default-non-rotating-never-expires", {}, (None, None)),
    ("non-expiring-ignores-lifetimes", {"token_lifetime": 100, "infinite_token_lifetime": False}, (None, None)),
    ("expiring-non-rotating", {"expiration_type": "expiring", "token_lifetime": 100, "idle_token_lifetime": 50,
                               "infinite_token_lifetime": False, "infinite_idle_token_lifetime": False}, (100, 50)),
    ("expiring-infinite-idle", {"expiration_type": "expiring", "token_lifetime": 100,
                                "infinite_token_lifetime": False}, (100, None)),
    ("rotating-always-expires", {**ROTATING, "token_lifetime": 100, "idle_token_lifetime": 50,
                                 "infinite_token_lifetime": True, "infinite_idle_token_lifetime": True}, (100, 50)),
]


@pytest.mark.parametrize(("policy", "limits"), [e[1:] for e in EXPIRY], ids=[e[0] for e in EXPIRY])
async def test_family_lifetimes_follow_the_client_settings(
    tenant: TenantFixture, clock: FrozenClock, policy: dict[str, Any], limits: tuple[float | None, float | None]
) -> None:
    api = await tenant.api(API_ID, allow_offline_access=True)
    client = await tenant.client(refresh_token=policy)
    user = await tenant.user()

    token = (await login(tenant, client=client, user=user, api=api, scopes=FULL_SCOPES)).refresh_token
    stored = await record_of(tenant, token)

    now = clock.now()
    relative = tuple(None if at is None else at - now for at in (stored.absolute_expires_at, stored.idle_expires_at))
    assert relative == limits
    assert stored.rotating is (policy.get("rotation_type") == "rotating")
