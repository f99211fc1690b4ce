"""Security catalogue 1.5 (MX): one issuer string everywhere (RFC 9207 iss included); no host poisoning."""

from __future__ import annotations

import httpx

from tests.support.browser_login import (
    API,
    CALLBACK,
    authorize_params,
    exchange_code,
    login_round_trip,
    response_params,
    start,
    web_app,
)
from tests.support.factories import TenantFixture
from tests.support.jwks import verify

EVIL = "evil.example"


async def _issuer(tenant: TenantFixture) -> str:
    issuer = str((await tenant.http.get("/.well-known/openid-configuration")).json()["issuer"])
    assert issuer == f"https://{tenant.domain}/"
    return issuer


async def test_MX01_error_responses_carry_iss_in_every_mode(tenant: TenantFixture) -> None:
    """Successes in every type and mode: tests/flows/test_implicit.py; here the errors, in each mode."""
    app = await web_app(tenant, grant_types=["authorization_code", "implicit"])
    issuer = await _issuer(tenant)
    for response_type, mode in (("code", "query"), ("code", "fragment"), ("code", "form_post"),
                                ("token", "fragment"), ("id_token", "form_post"), ("code id_token", "fragment")):
        params = authorize_params(app, response_type=response_type, response_mode=mode, prompt="none",
                                  nonce="n", state="s")
        got = response_params(await start(app.http, params))
        assert got["error"] == "login_required" and got["iss"] == issuer, (response_type, mode, got)
    assert (await tenant.http.get("/.well-known/openid-configuration")).json()[
        "authorization_response_iss_parameter_supported"] is True


async def test_MX02_discovery_id_token_access_token_and_response_iss_are_one_string(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    issuer = await _issuer(tenant)
    got = response_params(await login_round_trip(app, authorize_params(app, audience=API, scope="openid")))
    assert got["iss"] == issuer
    body = (await exchange_code(app, got["code"])).json()
    id_claims = await verify(tenant.http, body["id_token"], audience=app.client.client_id, issuer=issuer)
    at_claims = await verify(tenant.http, body["access_token"], audience=API, issuer=issuer)
    assert id_claims["iss"] == at_claims["iss"] == issuer and issuer.endswith("/")


async def test_MX04_spoofed_forwarded_host_is_never_reflected(tenant: TenantFixture) -> None:
    """The test client is not a trusted proxy: X-Forwarded-Host and friends are ignored everywhere."""
    app = await web_app(tenant)
    spoof = {"x-forwarded-host": EVIL, "x-forwarded-proto": "http", "forwarded": f"host={EVIL}"}
    issuer = await _issuer(tenant)
    discovery = await tenant.http.get("/.well-known/openid-configuration", headers=spoof)
    assert discovery.json()["issuer"] == issuer and EVIL not in discovery.text
    first = await app.http.get("/authorize", params=authorize_params(app), headers=spoof)
    assert first.status_code == 302 and EVIL not in first.headers["location"]
    page = await app.http.get(first.headers["location"], headers=spoof)
    assert page.status_code == 200 and EVIL not in page.text
    silent = await app.http.get("/authorize", params=authorize_params(app, prompt="none", state="s"), headers=spoof)
    assert response_params(silent)["iss"] == issuer and EVIL not in silent.headers["location"]
    change = await app.http.post("/dbconnections/change_password", headers=spoof, json={
        "client_id": app.client.client_id, "email": app.user.email, "connection": "Username-Password-Authentication"})
    assert change.status_code < 500 and EVIL not in change.text
    logout = await app.http.get("/v2/logout", headers=spoof)
    assert EVIL not in logout.headers.get("location", "") and EVIL not in logout.text


async def test_MX04_unknown_host_names_no_tenant(tenant: TenantFixture) -> None:
    transport = tenant.http._transport  # the same app, asked under a host no tenant owns
    async with httpx.AsyncClient(transport=transport, base_url=f"https://{EVIL}") as http:
        for path in ("/.well-known/openid-configuration", f"/authorize?client_id=x&redirect_uri={CALLBACK}"):
            response = await http.get(path)
            assert response.status_code in (400, 404) and tenant.domain not in response.text
            assert EVIL not in response.headers.get("location", "")
