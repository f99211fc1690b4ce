"""Security catalogue 1.14 (TN): two tenants on two hosts never see each other's clients, users, counters,
hooks or hosts. Codes, refresh tokens, access tokens, keys, sessions and CORS across tenants are covered in
tests/flows (see tests/security/COVERAGE-2.md)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ostiary.runtime import AppState
from tests.support.browser_login import (
    API,
    authorize_params,
    exchange_code,
    login_round_trip,
    response_params,
    start,
    web_app,
)
from tests.support.factories import TenantFixture
from tests.support.firstparty import PASSWORD, TOO_MANY_ATTEMPTS_BODY, WRONG_PASSWORD_BODY, make_rop
from tests.support.hooks import add_hook
from tests.support.jwks import verify

GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
STT = "https://ext.example.com/legacy-token"
EXCHANGE_HOOK = """
def on_execute_custom_token_exchange(event, api):
    api.authentication.setUserByConnection(
        'legacy-db', {'user_id': 'x1', 'email': 'x1@example.com'},
        {'creationBehavior': 'create_if_not_exists', 'updateBehavior': 'none'},
    )
"""
CLAIM_HOOK = """
def on_execute_post_login(event, api):
    api.access_token.set_custom_claim('https://a.example/tenant', 'A')
"""


def _page_text(response: httpx.Response) -> str:
    """The visible error text, without per-response nonces."""
    return re.sub(r'nonce="[^"]*"', "", response.text)


async def test_TN01_a_client_of_tenant_a_at_tenant_b_is_an_unknown_client(
    tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    app = await web_app(tenant)
    at_b = await start(other_tenant.http, authorize_params(app))
    unknown = await start(other_tenant.http, authorize_params(app, client_id="no-such-client"))
    for response in (at_b, unknown):
        assert response.status_code == 400 and "location" not in response.headers
    assert _page_text(at_b).replace(app.client.client_id, "X") == _page_text(unknown).replace("no-such-client", "X")
    assert app.client.name not in at_b.text


async def test_TN07_users_and_brute_force_counters_are_per_tenant(state: AppState, app: FastAPI) -> None:
    a = await make_rop(state, app)
    b = await make_rop(state, app)
    # The same email at B, with another password: A's password is wrong there.
    twin = await b.t.user(email=f"twin-{a.user.email}", password="b's own password 123")
    await a.t.user(email=twin.email, password=PASSWORD)
    assert (await b.token(username=twin.email or "", password=PASSWORD)).json() == WRONG_PASSWORD_BODY
    # Ten failures for the shared email at A block it at A only.
    for _ in range(10):
        wrong = await a.token(username=twin.email or "", password="nope")
        assert wrong.status_code == 403
    blocked = await a.token(username=twin.email or "")
    assert blocked.status_code == 429 and blocked.json() == TOO_MANY_ATTEMPTS_BODY
    at_b = await b.token(username=twin.email or "", password="b's own password 123")
    assert at_b.status_code == 200, at_b.text


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "[::1]", "{domain}:8443", "{domain}:80", "", "{domain}.", "x.{domain}"],
    ids=["ipv4", "ipv6", "odd-port", "http-port-on-https", "no-host", "trailing-dot", "subdomain"],
)
async def test_TN08_hosts_that_are_no_tenant_domain_pick_no_tenant(
    tenant: TenantFixture, app: FastAPI, host: str
) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://unused.test") as http:
        header = host.format(domain=tenant.domain)
        response = await http.get("/.well-known/openid-configuration", headers={"Host": header})
        assert response.status_code == 404, (header, response.text)
        assert response.json() == {"error": "not_found", "error_description": "Unknown host"}
        assert tenant.domain not in response.text
        # The default port spelled out is the same host, and the issuer does not change with it.
        same = await http.get("/.well-known/openid-configuration", headers={"Host": f"{tenant.domain}:443"})
        assert same.status_code == 200 and same.json()["issuer"] == tenant.issuer


async def _exchange_client(t: TenantFixture) -> dict[str, Any]:
    client = await t.client(app_type="native", token_endpoint_auth_method="none", grant_types=[GRANT])
    await t.connection("legacy-db", enabled_clients=[client.client_id])
    return {"grant_type": GRANT, "client_id": client.client_id, "subject_token_type": STT, "subject_token": "t"}


async def test_TN09_hooks_and_exchange_profiles_of_tenant_a_never_run_for_tenant_b(
    tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    await add_hook(tenant, "legacy-exchange", "custom-token-exchange", code=EXCHANGE_HOOK, bind=False)
    await tenant.repos_call(lambda r: r.token_exchange_profiles.create(
        name="legacy", subject_token_type=STT, action_name="legacy-exchange"))
    await add_hook(tenant, "claims", "post-login", code=CLAIM_HOOK)
    form_a = await _exchange_client(tenant)
    form_b = await _exchange_client(other_tenant)
    at_a = await tenant.http.post("/oauth/token", data=form_a)
    assert at_a.status_code == 200, at_a.text
    at_b = await other_tenant.http.post("/oauth/token", data=form_b)
    assert at_b.status_code == 400, at_b.text
    assert at_b.json()["error"] in ("invalid_request", "unsupported_grant_type")
    assert await other_tenant.repos_call(lambda r: r.users.by_user_id("auth0|x1")) is None
    # A's post-login hook never touches B's tokens.
    b_app = await web_app(other_tenant)
    answer = await login_round_trip(b_app, authorize_params(b_app, audience=API))
    tokens = (await exchange_code(b_app, response_params(answer)["code"])).json()
    claims = await verify(other_tenant.http, tokens["access_token"], audience=API, issuer=other_tenant.issuer)
    assert "https://a.example/tenant" not in claims and claims["sub"] == b_app.user.user_id
