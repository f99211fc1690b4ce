"""The hosted login and signup pages, CSRF, and /authorize's fatal errors (never a redirect)."""

from __future__ import annotations

import pytest
from tests.support.browser_login import (
    CALLBACK,
    PASSWORD,
    assert_error_page,
    authorize_params,
    login_round_trip,
    open_login_page,
    response_params,
    start,
    submit_login,
    web_app,
)
from tests.support.factories import TenantFixture


async def test_login_page_is_html_with_the_contract_fields_and_hardening_headers(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    first = await start(app.http, authorize_params(app, login_hint="alice@example.com"))
    assert first.status_code == 302 and first.headers["location"].startswith("/u/login?state=")
    page = await app.http.get(first.headers["location"])
    assert page.status_code == 200
    for field in ('name="state"', 'name="username"', 'name="password"', 'name="_csrf" value="',
                  'name="action" value="default"', 'action="/u/login"', 'value="alice@example.com"'):
        assert field in page.text, field
    assert app.client.name in page.text
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["strict-transport-security"] == "max-age=31536000"
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("__Host-ostiary_tx=") and "HttpOnly" in cookie and "Secure" in cookie


async def test_successful_login_sets_a_secure_session_cookie(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    first = await start(app.http, authorize_params(app))
    state, csrf = await open_login_page(app.http, first.headers["location"])
    posted = await submit_login(app.http, state, csrf, app.user.email or "", PASSWORD)
    assert posted.status_code == 302  # never 307/308 (UI-07)
    assert posted.headers["location"] == f"/authorize/resume?state={state}"
    cookie = posted.headers["set-cookie"]
    assert cookie.startswith("__Host-ostiary_session=")
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=none" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie
    final = await app.http.get(posted.headers["location"])
    assert final.headers["location"].startswith(f"{CALLBACK}?code=")
    # The transaction is finished: resuming it again is refused (UI-02).
    replay = await app.http.get(posted.headers["location"])
    assert_error_page(replay)


async def test_wrong_password_shows_the_page_again_with_auth0s_message(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    first = await start(app.http, authorize_params(app))
    state, csrf = await open_login_page(app.http, first.headers["location"])
    for username in (app.user.email or "", "nobody@example.com"):
        wrong = await submit_login(app.http, state, csrf, username, "wrong password")
        assert wrong.status_code == 400
        assert "Wrong email or password." in wrong.text
        assert "set-cookie" not in wrong.headers or "ostiary_session" not in wrong.headers["set-cookie"]
    ok = await submit_login(app.http, state, csrf, app.user.email or "", PASSWORD)
    assert ok.status_code == 302


@pytest.mark.parametrize("csrf", ["", "forged"], ids=["missing", "forged"])
async def test_login_post_without_the_right_csrf_token_is_refused(tenant: TenantFixture, csrf: str) -> None:
    app = await web_app(tenant)
    first = await start(app.http, authorize_params(app))
    state, _ = await open_login_page(app.http, first.headers["location"])
    refused = await submit_login(app.http, state, csrf, app.user.email or "", PASSWORD)
    assert_error_page(refused, 403)
    assert "ostiary_session" not in refused.headers.get("set-cookie", "")


async def test_cross_site_login_post_from_another_browser_is_refused(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    first = await start(app.http, authorize_params(app))
    state, csrf = await open_login_page(app.http, first.headers["location"])
    app.http.cookies.clear()  # the victim's browser: no transaction cookie
    refused = await submit_login(app.http, state, csrf, app.user.email or "", PASSWORD)
    assert_error_page(refused, 403)


async def test_credentials_in_the_url_are_never_read(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    first = await start(app.http, authorize_params(app))
    state, csrf = await open_login_page(app.http, first.headers["location"])
    response = await app.http.post(
        f"/u/login?username={app.user.email}&password={PASSWORD}", data={"state": state, "_csrf": csrf}
    )
    assert_error_page(response)


async def test_signup_screen_hint_creates_the_user_and_continues(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    first = await start(app.http, authorize_params(app, screen_hint="signup"))
    assert first.headers["location"].startswith("/u/signup?state=")
    state, csrf = await open_login_page(app.http, first.headers["location"])
    weak = await app.http.post("/u/signup", data={"state": state, "_csrf": csrf, "email": "new@example.com",
                                                   "password": "short", "action": "default"})
    assert weak.status_code == 400 and "Password is too weak" in weak.text
    taken = await app.http.post("/u/signup", data={"state": state, "_csrf": csrf, "email": app.user.email,
                                                    "password": PASSWORD, "action": "default"})
    assert taken.status_code == 400 and "The user already exists." in taken.text
    created = await app.http.post("/u/signup", data={"state": state, "_csrf": csrf, "email": "new@example.com",
                                                      "password": PASSWORD, "action": "default"})
    assert created.status_code == 302
    final = await app.http.get(created.headers["location"])
    assert "code" in response_params(final)
    user = await tenant.repos_call(lambda r: r.users.by_login("Username-Password-Authentication", "new@example.com"))
    assert user is not None and user.logins_count == 1


async def test_unknown_client_and_missing_client_render_an_error_page(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    for client_id in ("unknown", None):
        response = await start(app.http, authorize_params(app, client_id=client_id, redirect_uri="https://evil.example"))
        assert_error_page(response)


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example/callback",
        "https://app.example/callback/",
        "HTTPS://app.example/callback",
        "https://APP.EXAMPLE/callback",
        "https://app.example:443/callback",
        "https://app.example/%63allback",
        "https://app.example@evil.example/callback",
        "https://app.example.evil.example/callback",
        "https://app.example/callback/../evil",
        "https://app.example/callback?code=attacker",
        "https://app.example/callback%0d%0aSet-Cookie:%20x=1",
        " https://app.example/callback",
        "javascript:alert(1)",
        "",
    ],
)
async def test_redirect_uri_not_registered_exactly_renders_an_error_page(
    tenant: TenantFixture, redirect_uri: str
) -> None:
    app = await web_app(tenant)
    # With another error present too (bad response_type): still never a redirect (RU-12).
    response = await start(app.http, authorize_params(app, redirect_uri=redirect_uri, response_type="evil"))
    assert_error_page(response)


async def test_error_page_escapes_reflected_input(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    evil = '"><svg onload=alert(1)>'
    response = await start(app.http, authorize_params(app, client_id=evil))
    assert_error_page(response)
    assert evil not in response.text and "&quot;&gt;&lt;svg" in response.text


async def test_repeated_parameters_render_an_error_page(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    query = (f"response_type=code&client_id={app.client.client_id}&redirect_uri={CALLBACK}"
             "&redirect_uri=https://evil.example/cb")
    response = await app.http.get(f"/authorize?{query}")
    assert_error_page(response)


async def test_fragment_in_redirect_uri_is_stripped_and_never_sent_back(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    response = await start(app.http, authorize_params(app, redirect_uri=f"{CALLBACK}#frag", prompt="none", state="f"))
    assert response.headers["location"].startswith(f"{CALLBACK}?error=login_required")
    assert "frag" not in response.headers["location"]


async def test_unknown_audience_is_access_denied_service_not_found(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    response = await start(app.http, authorize_params(app, audience="https://nope.example", state="a"))
    assert response_params(response) == {
        "error": "access_denied",
        "error_description": "Service not found: https://nope.example",
        "state": "a",
        "iss": tenant.issuer,
    }
    via_resource = await start(app.http, authorize_params(app, resource="https://nope.example", state="a"))
    assert response_params(via_resource)["error_description"] == "Service not found: https://nope.example"


@pytest.mark.parametrize(
    ("overrides", "error", "description"),
    [
        ({"response_type": "evil"}, "unsupported_response_type", "Unsupported response type: evil"),
        ({"response_type": None}, "invalid_request", "Missing required parameter: response_type"),
        ({"response_mode": "smoke_signal"}, "invalid_request", "Unsupported response_mode: smoke_signal"),
        ({"prompt": "none login"}, "invalid_request", "prompt=none cannot be combined with other values"),
        ({"max_age": "-1"}, "invalid_request", "max_age must be a non-negative integer"),
        ({"response_type": "code\r\nX: y"}, "unsupported_response_type", "Unsupported response type: code  X: y"),
    ],
    ids=["unsupported-type", "missing-type", "bad-mode", "prompt-none-plus", "bad-max-age", "crlf-description"],
)
async def test_redirectable_errors_carry_state_and_iss(
    tenant: TenantFixture, overrides: dict[str, str | None], error: str, description: str
) -> None:
    app = await web_app(tenant)
    response = await start(app.http, authorize_params(app, state="keep me", **overrides))  # type: ignore[arg-type]
    assert response.status_code == 302
    assert response_params(response) == {
        "error": error, "error_description": description, "state": "keep me", "iss": tenant.issuer,
    }


async def test_authorize_by_post_form(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    response = await app.http.post("/authorize", data=authorize_params(app, prompt="none", state="p"))
    assert response.status_code == 302
    assert response_params(response)["error"] == "login_required"


async def test_blocked_user_is_sent_back_to_the_app_with_unauthorized(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    await tenant.repos_call(lambda r: r.users.update(app.user.user_id, blocked=True))
    first = await start(app.http, authorize_params(app, state="s1"))
    state, csrf = await open_login_page(app.http, first.headers["location"])
    wrong = await submit_login(app.http, state, csrf, app.user.email or "", "not the password")
    assert wrong.status_code == 400 and "Wrong email or password." in wrong.text  # no enumeration
    response = await submit_login(app.http, state, csrf, app.user.email or "", PASSWORD)
    # Auth0: redirected to the app with error=unauthorized&error_description=user is blocked; no session.
    assert response.status_code == 302 and response.headers["location"].startswith(f"{CALLBACK}?")
    assert response_params(response) == {
        "error": "unauthorized", "error_description": "user is blocked", "state": "s1", "iss": tenant.issuer,
    }
    assert "set-cookie" not in response.headers
    again = await submit_login(app.http, state, csrf, app.user.email or "", PASSWORD)
    assert_error_page(again)


async def test_long_state_with_special_characters_is_returned_byte_identical(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    state = "&=#%+/? é😀" * 200
    answer = await login_round_trip(app, authorize_params(app, state=state))
    assert response_params(answer)["state"] == state


async def test_the_login_page_says_at_once_when_the_client_has_no_enabled_connection(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    await tenant.repos_call(lambda r: r.connections.set_enabled("Username-Password-Authentication",
                                                                app.client.client_id, False))
    first = await start(app.http, authorize_params(app))
    page = await app.http.get(first.headers["location"])
    assert page.status_code == 200
    assert 'role="alert"' in page.text
    assert "not enabled for this client" in page.text or "not configured with default connection" in page.text
