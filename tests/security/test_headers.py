"""Security catalogue 1.16 (HD): cache and CORS headers, /userinfo errors — over HTTP through the app."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from ostiary.errors import AdminError
from tests.support.browser_login import (
    API,
    APP_ORIGIN,
    PASSWORD,
    authorize_params,
    exchange_code,
    login_round_trip,
    response_params,
    start,
    web_app,
)
from tests.support.factories import TenantFixture

CONNECTION = "Username-Password-Authentication"
EVIL = "https://evil.example"


def _no_store(response: httpx.Response) -> None:
    assert response.headers.get("cache-control") == "no-store", (response.status_code, dict(response.headers))
    assert response.headers.get("pragma") == "no-cache", (response.status_code, dict(response.headers))


async def test_HD01_token_endpoints_are_no_store_on_success_and_every_error(
    tenant: TenantFixture, app: FastAPI
) -> None:
    await tenant.api(API)
    m2m = await tenant.client(app_type="non_interactive")
    await tenant.client_grant(m2m.client_id, API, ["read:things"])
    form = {"grant_type": "client_credentials", "client_id": m2m.client_id, "client_secret": m2m.client_secret,
            "audience": API}
    ok = await tenant.http.post("/oauth/token", data=form)
    assert ok.status_code == 200
    _no_store(ok)
    for bad in ({**form, "client_secret": "wrong"}, {**form, "grant_type": "bogus"}, {"client_id": m2m.client_id}):
        error = await tenant.http.post("/oauth/token", data=bad)
        assert 400 <= error.status_code < 500
        _no_store(error)
    legacy = await tenant.http.post("/oauth/access_token", json={"client_id": m2m.client_id, "access_token": "x",
                                                                 "connection": "facebook"})
    assert 400 <= legacy.status_code < 500
    _no_store(legacy)
    garbage = await tenant.http.post("/oauth/access_token", content=b"{", headers={"content-type": "application/json"})
    assert garbage.status_code == 400
    _no_store(garbage)
    # A 5xx from the edge's last-resort handler is never cached either.

    async def explode() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/test-only/explode", explode)
    crashed = await tenant.http.get("/test-only/explode")
    assert crashed.status_code == 500
    _no_store(crashed)


async def test_HD02_userinfo_form_post_login_and_consent_pages_are_no_store(
    tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    app = await web_app(tenant, is_first_party=False)
    first = await start(app.http, authorize_params(app, audience=API, scope="openid read:things",
                                                   response_mode="form_post"))
    login_page = await app.http.get(first.headers["location"])
    _no_store(login_page)
    resumed = await login_round_trip(app, authorize_params(app, audience=API, scope="openid read:things",
                                                           response_mode="form_post"))
    consent = await app.http.get(resumed.headers["location"])
    assert consent.status_code == 200 and "consent" in resumed.headers["location"]
    _no_store(consent)
    # The form_post answer of a first-party client (no consent step), and /userinfo with its token.
    fp = await web_app(other_tenant)
    answer = await login_round_trip(fp, authorize_params(fp, response_mode="form_post"))
    assert answer.status_code == 200 and 'method="post"' in answer.text
    _no_store(answer)
    code = response_params(answer)["code"]
    tokens = await exchange_code(fp, code)
    info = await fp.http.get("/userinfo", headers={"Authorization": f"Bearer {tokens.json()['access_token']}"})
    assert info.status_code == 200
    _no_store(info)


async def test_HD03_HD05_dbconnections_cors_follows_the_named_clients_origins(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    preflight = await tenant.http.options("/dbconnections/signup", headers={"Origin": APP_ORIGIN})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "Content-Type" in preflight.headers["access-control-allow-headers"]
    assert "DPoP" in preflight.headers["access-control-allow-headers"]
    assert preflight.headers["vary"] == "Origin"
    ok = await tenant.http.post("/dbconnections/change_password", headers={"Origin": APP_ORIGIN}, json={
        "client_id": app.client.client_id, "email": "x@example.com", "connection": CONNECTION})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == APP_ORIGIN
    # Another client of the tenant that does not list the origin: its requests are not readable from it.
    other = await tenant.client(name="other")
    await tenant.repos_call(lambda r: r.connections.update(
        CONNECTION, enabled_clients=[app.client.client_id, other.client_id]))
    refused = await tenant.http.post("/dbconnections/change_password", headers={"Origin": APP_ORIGIN}, json={
        "client_id": other.client_id, "email": "x@example.com", "connection": CONNECTION})
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers

@pytest.mark.parametrize("path", ["/dbconnections/signup", "/dbconnections/change_password"])
async def test_HD04_dbconnections_errors_do_not_reflect_a_foreign_origin(tenant: TenantFixture, path: str) -> None:
    """An error must not hand an arbitrary origin read access (the shared rule of cors.error_cors_headers)."""
    app = await web_app(tenant)
    bodies = [
        {"client_id": "unknown-client", "email": "x@example.com", "password": PASSWORD, "connection": CONNECTION},
        {"client_id": app.client.client_id, "email": "x@example.com", "password": PASSWORD},  # no connection
        {},
    ]
    for body in bodies:
        response = await tenant.http.post(path, headers={"Origin": EVIL}, json=body)
        assert response.status_code in (400, 401, 403), response.text
        assert "access-control-allow-origin" not in response.headers, (body, dict(response.headers))
    # The client's own origin may read its errors.
    own = await tenant.http.post(path, headers={"Origin": APP_ORIGIN}, json={**bodies[1], "email": ""})
    assert own.status_code == 400
    assert own.headers["access-control-allow-origin"] == APP_ORIGIN


async def test_HD04_revoke_and_token_errors_give_no_allow_origin_to_a_foreign_origin(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    for path in ("/oauth/token", "/oauth/revoke"):
        response = await tenant.http.post(path, headers={"Origin": EVIL},
                                          data={"client_id": app.client.client_id, "token": "x"})
        assert response.status_code in (400, 401, 403)
        assert "access-control-allow-origin" not in response.headers
        for origin in ("null", "http://app.example", "https://app.example:8443", "https://app.example.evil.example"):
            pre = await tenant.http.options(path, headers={"Origin": origin})
            assert "access-control-allow-origin" not in pre.headers, (path, origin)


async def test_HD06_wildcard_origins_are_refused_at_registration_and_never_match(tenant: TenantFixture) -> None:
    """Ostiary compares origins exactly (README "Differences from Auth0"): no wildcard can widen the list."""
    with pytest.raises(AdminError, match="wildcard"):
        await tenant.client(name="wild", web_origins=["https://*.example.com"])
    await web_app(tenant, web_origins=["https://example.com"])
    for origin in ("https://a.example.com", "https://example.com.evil.io", "https://evilexample.com",
                   "https://a.b.example.com"):
        response = await tenant.http.options("/oauth/token", headers={"Origin": origin})
        assert "access-control-allow-origin" not in response.headers, origin
    exact = await tenant.http.options("/oauth/token", headers={"Origin": "https://example.com"})
    assert exact.headers["access-control-allow-origin"] == "https://example.com"


async def test_HD07_no_credentialed_cors_on_token_and_open_discovery(tenant: TenantFixture) -> None:
    await web_app(tenant)
    for path in ("/oauth/token", "/oauth/revoke", "/dbconnections/signup"):
        response = await tenant.http.options(path, headers={"Origin": APP_ORIGIN})
        assert response.headers["access-control-allow-origin"] == APP_ORIGIN
        assert "access-control-allow-credentials" not in response.headers
    for path in ("/.well-known/openid-configuration", "/.well-known/jwks.json"):
        response = await tenant.http.get(path, headers={"Origin": EVIL})
        assert response.status_code == 200
        assert response.headers.get("access-control-allow-origin") == "*"
        assert "access-control-allow-credentials" not in response.headers


async def test_HD08_userinfo_challenges(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    bare = await tenant.http.get("/userinfo")
    assert bare.status_code == 401 and bare.headers["www-authenticate"] == "Bearer"
    bad = await tenant.http.get("/userinfo", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401 and bad.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    # A token for /userinfo (no audience: opaque) that was not granted openid.
    answer = await login_round_trip(app, authorize_params(app, scope="profile"))
    tokens = await exchange_code(app, response_params(answer)["code"])
    assert tokens.status_code == 200, tokens.text
    no_openid = await tenant.http.get("/userinfo", headers={"Authorization": f"Bearer {tokens.json()['access_token']}"})
    assert no_openid.status_code == 403
    assert no_openid.headers["www-authenticate"].startswith('Bearer error="insufficient_scope"')

async def test_HD09_token_in_the_query_string_is_refused(tenant: TenantFixture) -> None:
    response = await tenant.http.get("/userinfo", params={"access_token": "anything"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_request"'

