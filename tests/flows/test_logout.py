"""/v2/logout and /oidc/logout: allowed URLs only (error page otherwise), the session ends, the cookie goes."""

from __future__ import annotations

import pytest
from tests.support.browser_login import (
    LOGOUT_URL,
    WebApp,
    assert_error_page,
    authorize_params,
    login_round_trip,
    response_params,
    start,
    web_app,
)
from tests.support.factories import TenantFixture

from ostiary.clock import FrozenClock


async def _logged_in(tenant: TenantFixture) -> tuple[WebApp, str]:
    app = await web_app(tenant)
    got = response_params(await login_round_trip(app, authorize_params(app, response_type="code id_token",
                                                                       nonce="n")))
    return app, got["id_token"]


async def _session_is_gone(app: WebApp) -> None:
    silent = await start(app.http, authorize_params(app, prompt="none", state="after"))
    assert response_params(silent)["error"] == "login_required"


async def test_v2_logout_with_client_and_allowed_return_to(tenant: TenantFixture) -> None:
    app, _ = await _logged_in(tenant)
    old_cookies = dict(app.http.cookies)
    response = await app.http.get("/v2/logout", params={"client_id": app.client.client_id, "returnTo": LOGOUT_URL})
    assert response.status_code == 302 and response.headers["location"] == LOGOUT_URL
    assert '__Host-ostiary_session=""' in response.headers["set-cookie"]
    await _session_is_gone(app)
    # Replaying the old cookie does not bring the session back (UI-10).
    app.http.cookies.update(old_cookies)
    await _session_is_gone(app)


async def test_v2_logout_client_without_return_to_goes_to_the_first_allowed_url(tenant: TenantFixture) -> None:
    app, _ = await _logged_in(tenant)
    response = await app.http.get("/v2/logout", params={"client_id": app.client.client_id, "federated": ""})
    assert response.headers["location"] == LOGOUT_URL


async def test_v2_logout_without_client_uses_the_tenant_list(tenant: TenantFixture) -> None:
    app, _ = await _logged_in(tenant)
    refused = await app.http.get("/v2/logout", params={"returnTo": LOGOUT_URL})  # only the client allows it
    assert_error_page(refused)
    plain = await app.http.get("/v2/logout")
    assert plain.status_code == 200 and "logged out" in plain.text
    await _session_is_gone(app)


@pytest.mark.parametrize(
    "return_to",
    ["https://evil.example/", "https://app.example/logged-out/", "https://app.example/logged-out?x=1",
     "https://app.example.evil.example/logged-out"],
)
async def test_v2_logout_never_redirects_to_a_url_not_allowed(tenant: TenantFixture, return_to: str) -> None:
    app, _ = await _logged_in(tenant)
    response = await app.http.get("/v2/logout", params={"client_id": app.client.client_id, "returnTo": return_to})
    assert_error_page(response)


async def test_oidc_logout_with_id_token_hint_and_state(tenant: TenantFixture) -> None:
    app, id_token = await _logged_in(tenant)
    response = await app.http.get(
        "/oidc/logout",
        params={"id_token_hint": id_token, "post_logout_redirect_uri": LOGOUT_URL, "state": "bye & co"},
    )
    assert response.status_code == 302
    assert response.headers["location"] == f"{LOGOUT_URL}?state=bye+%26+co"
    await _session_is_gone(app)


async def test_oidc_logout_by_post_accepts_an_expired_hint_and_logout_hint(
    tenant: TenantFixture, clock: FrozenClock
) -> None:
    app, id_token = await _logged_in(tenant)
    clock.advance(36001)
    session_cookie_still_valid = await start(app.http, authorize_params(app, prompt="none", state="s"))
    assert "code" in response_params(session_cookie_still_valid)
    response = await app.http.post(
        "/oidc/logout",
        data={"id_token_hint": id_token, "client_id": app.client.client_id, "post_logout_redirect_uri": LOGOUT_URL,
              "logout_hint": "whatever"},
    )
    assert response.status_code == 302 and response.headers["location"] == LOGOUT_URL
    await _session_is_gone(app)


async def test_oidc_logout_refuses_a_mismatched_client_or_a_forged_hint(tenant: TenantFixture) -> None:
    app, id_token = await _logged_in(tenant)
    other = await tenant.client(allowed_logout_urls=["https://evil.example/"])
    mismatch = await app.http.get("/oidc/logout", params={"id_token_hint": id_token, "client_id": other.client_id,
                                                           "post_logout_redirect_uri": "https://evil.example/"})
    assert_error_page(mismatch)
    header, payload, signature = id_token.split(".")
    forged = await app.http.get("/oidc/logout", params={"id_token_hint": f"{header}.{payload}.{signature[::-1]}",
                                                         "post_logout_redirect_uri": LOGOUT_URL})
    assert_error_page(forged)
    not_allowed = await app.http.get("/oidc/logout", params={"id_token_hint": id_token,
                                                              "post_logout_redirect_uri": "https://evil.example/"})
    assert_error_page(not_allowed)
    # None of these ended the session.
    still = await start(app.http, authorize_params(app, prompt="none", state="s"))
    assert "code" in response_params(still)
