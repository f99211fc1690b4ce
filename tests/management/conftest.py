"""A tenant with a machine client granted the Management API, and a helper minting its token by
client_credentials at the real /oauth/token."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest

from ostiary.admin.system_api import management_audience
from tests.support.factories import TenantFixture

MintToken = Callable[..., Coroutine[Any, Any, str]]


async def mint(tenant: TenantFixture, scopes: list[str]) -> str:
    """A client_credentials token for the tenant's Management API with exactly `scopes`."""
    client = await tenant.client(app_type="non_interactive")
    audience = management_audience(tenant.tenant)
    await tenant.client_grant(client.client_id, audience, scopes)
    response = await tenant.http.post("/oauth/token", data={
        "grant_type": "client_credentials", "client_id": client.client_id, "client_secret": client.client_secret,
        "audience": audience,
    })
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@pytest.fixture
def token_for(tenant: TenantFixture) -> MintToken:
    async def make(*scopes: str) -> str:
        return await mint(tenant, list(scopes))

    return make


@pytest.fixture
async def api(tenant: TenantFixture) -> httpx.AsyncClient:
    """The tenant's HTTP client with a token holding every scope the served endpoints use."""
    from ostiary.admin.system_api import MANAGEMENT_SCOPES

    token = await mint(tenant, list(MANAGEMENT_SCOPES))
    tenant.http.headers["authorization"] = f"Bearer {token}"
    return tenant.http
