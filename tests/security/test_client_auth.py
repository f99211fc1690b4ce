"""Security catalogue 1.6 (CA): client authentication at /oauth/token, in Auth0's wire format.

Auth0 answers a failed client authentication with 401 {"error": "access_denied", "error_description":
"Unauthorized"} where RFC 6749 §5.2 says invalid_client; Ostiary copies Auth0 (same status, no weaker).
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote_plus

import httpx

from ostiary import entities
from ostiary.app import create_app
from ostiary.clock import FrozenClock
from ostiary.runtime import close_state, open_state
from ostiary.settings import Settings
from tests.security._helpers import assert_token_error
from tests.support.factories import TenantFixture, make_tenant

API = "https://api.example.com"
UNAUTHORIZED = {"error": "access_denied", "error_description": "Unauthorized"}


def basic(client_id: str, secret: str, scheme: str = "Basic") -> dict[str, str]:
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"Authorization": f"{scheme} {base64.b64encode(raw).decode()}"}


async def m2m(t: TenantFixture, **fields: Any) -> entities.Client:
    if not await t.repos_call(lambda r: r.resource_servers.by_identifier(API)):
        await t.api(API)
    fields.setdefault("app_type", "non_interactive")
    client = await t.client(**fields)
    await t.client_grant(client.client_id, API, ["read:things"])
    return client


def cc(client: entities.Client, **extra: str) -> dict[str, str]:
    return {"grant_type": "client_credentials", "client_id": client.client_id,
            "client_secret": client.client_secret or "", "audience": API, **extra}


async def test_CA04_basic_for_one_client_body_client_id_of_another_is_invalid_request(tenant: TenantFixture) -> None:
    a = await m2m(tenant, token_endpoint_auth_method="client_secret_basic")
    b = await m2m(tenant)
    response = await tenant.http.post(
        "/oauth/token", data={"grant_type": "client_credentials", "client_id": b.client_id, "audience": API},
        headers=basic(a.client_id, a.client_secret or ""),
    )
    assert_token_error(response, 400, "invalid_request")
    assert "access_token" not in response.text


async def test_CA07_basic_decoding_scheme_case_and_non_ascii(tenant: TenantFixture) -> None:
    secret = "s:e%c+r ét" + "x" * 32  # special characters to decode; 32+ characters (HK-04)
    client = await m2m(tenant, token_endpoint_auth_method="client_secret_basic", client_secret=secret)
    form = {"grant_type": "client_credentials", "audience": API}
    for scheme in ("Basic", "basic", "BASIC"):
        ok = await tenant.http.post("/oauth/token", data=form, headers=basic(client.client_id, secret, scheme))
        assert ok.status_code == 200, (scheme, ok.text)
    # Not form-urlencoded first: `%c` is not a valid escape and `+` would become a space.
    raw = base64.b64encode(f"{client.client_id}:{secret}".encode()).decode()
    wrong = await tenant.http.post("/oauth/token", data=form, headers={"Authorization": f"Basic {raw}"})
    assert wrong.status_code in (400, 401) and wrong.status_code != 500
    for header in ("Basic", "Basic ", "Basic ====", "Basic a!b", "Basic " + base64.b64encode(b"\xff:\xfe").decode(),
                   "Basic " + base64.b64encode(b"nocolon").decode()):
        response = await tenant.http.post("/oauth/token", data=form, headers={"Authorization": header})
        assert_token_error(response, 400, "invalid_request")


async def test_CA10_unknown_client_and_other_tenants_client_look_like_a_wrong_secret(
    tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    client = await m2m(tenant)
    foreign = await m2m(other_tenant)
    wrong_secret = await tenant.http.post("/oauth/token", data=cc(client, client_secret="wrong"))
    unknown = await tenant.http.post("/oauth/token", data={**cc(client), "client_id": "nobody"})
    cross_tenant = await tenant.http.post("/oauth/token", data=cc(foreign))
    for response in (wrong_secret, unknown, cross_tenant):
        assert_token_error(response, 401, "access_denied")
        assert response.json() == UNAUTHORIZED
    # The foreign client still works at its own tenant.
    assert (await other_tenant.http.post("/oauth/token", data=cc(foreign))).status_code == 200


async def test_CA11_wrong_secrets_from_one_ip_are_throttled_others_unaffected(
    settings: Settings, clock: FrozenClock
) -> None:
    state = await open_state(settings.model_copy(update={"rate_limit_per_minute": 5}), clock=clock)
    try:
        app = create_app(state=state)
        t = await make_tenant(state, app)
        client = await m2m(t)
        attacker = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 4000)),
                                     base_url=str(t.http.base_url))
        statuses = [(await attacker.post("/oauth/token", data=cc(client, client_secret="guess"))).status_code
                    for _ in range(8)]
        assert statuses[:5] == [401] * 5 and statuses[5:] == [429] * 3, statuses
        legit = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("198.51.100.9", 4000)),
                                  base_url=str(t.http.base_url))
        assert (await legit.post("/oauth/token", data=cc(client))).status_code == 200
        await attacker.aclose()
        await legit.aclose()
        await t.http.aclose()
    finally:
        await close_state(state)


async def test_CA13_client_credentials_for_an_ungranted_api_is_auth0s_403_and_never_user_tokens(
    tenant: TenantFixture,
) -> None:
    client = await m2m(tenant)
    await tenant.api("https://api-b.example")
    response = await tenant.http.post("/oauth/token", data=cc(client, audience="https://api-b.example"))
    # Auth0: 403 access_denied "Client is not authorized to access ..." (catalogue: invalid_scope/invalid_target).
    assert_token_error(response, 403, "access_denied")
    ok = await tenant.http.post("/oauth/token", data=cc(client, scope="openid offline_access read:things"))
    assert ok.status_code == 200 and not {"refresh_token", "id_token"} & set(ok.json())
