"""Security catalogue 1.8 (AU): tokens are only accepted where they are meant to be; subjects never collide."""

from __future__ import annotations

import pytest

from ostiary.errors import AdminError
from tests.security._helpers import assert_bearer_error, code_for
from tests.support.browser_login import API, exchange_code, web_app
from tests.support.factories import TenantFixture
from tests.support.jwks import verify


async def test_AU04_client_ids_cannot_mimic_a_user_subject(tenant: TenantFixture) -> None:
    user = await tenant.user(name="Alice")
    provider, _, external = user.user_id.partition("|")
    for client_id in (user.user_id, f"{provider}|{external}", "x@clients", "auth0|abc", " "):
        with pytest.raises(AdminError, match="client.client_id"):
            await tenant.client(client_id=client_id, app_type="non_interactive")
    await tenant.api(API)
    machine = await tenant.client(app_type="non_interactive")
    await tenant.client_grant(machine.client_id, API, ["read:things"])
    response = await tenant.http.post("/oauth/token", data={
        "grant_type": "client_credentials", "client_id": machine.client_id,
        "client_secret": machine.client_secret or "", "audience": API})
    token = response.json()["access_token"]
    claims = await verify(tenant.http, token, audience=API, issuer=tenant.issuer)
    # A resource server can tell the two apart: a machine `sub` has no `|`, a user's always has one.
    assert claims["sub"] == f"{machine.client_id}@clients" and "|" not in claims["sub"]
    assert claims["gty"] == "client-credentials"
    userinfo = await tenant.http.get("/userinfo", headers={"authorization": f"Bearer {token}"})
    assert_bearer_error(userinfo, 401, "invalid_token")


async def test_AU05_undefined_scopes_are_dropped_and_the_response_says_what_was_granted(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    code = await code_for(app, audience=API, scope="openid read:things delete:everything admin")
    body = (await exchange_code(app, code)).json()
    assert body["scope"] == "openid read:things"
    claims = await verify(tenant.http, body["access_token"], audience=API, issuer=tenant.issuer)
    assert claims["scope"] == "openid read:things"
