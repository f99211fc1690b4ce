"""Security catalogue 1.12 (UI): login page, consent, session and browser hardening, through real HTTP.

Login CSRF, the secure session cookie, the 302 after login and the escaped client_id live in
tests/flows/test_login_page.py; this module adds the cases that file leaves out.
"""

from __future__ import annotations

import html

import httpx
import pytest

from tests.support.browser_login import (
    API,
    CSRF,
    PASSWORD,
    WebApp,
    authorize_params,
    login_round_trip,
    open_login_page,
    response_params,
    start,
    submit_login,
    web_app,
)
from tests.support.factories import TenantFixture

SESSION_COOKIE = "__Host-ostiary_session"


def _browser(app: WebApp) -> WebApp:
    """The same app in a second browser (its own cookie jar)."""
    http = httpx.AsyncClient(transport=app.http._transport, base_url=str(app.http.base_url))
    tenant = TenantFixture(state=app.tenant.state, tenant=app.tenant.tenant, http=http)
    return WebApp(tenant=tenant, client=app.client, api=app.api, user=app.user)


def _assert_unframeable(response: httpx.Response) -> None:
    assert response.headers.get("x-frame-options") == "DENY", (response.status_code, dict(response.headers))
    assert "frame-ancestors 'none'" in response.headers.get("content-security-policy", "")


async def _consent_page(app: WebApp) -> tuple[str, str]:
    resumed = await login_round_trip(app, authorize_params(app, audience=API, scope="openid read:things"))
    assert resumed.headers["location"].startswith("/u/consent?state=")
    page = await app.http.get(resumed.headers["location"])
    csrf = CSRF.search(page.text)
    assert page.status_code == 200 and csrf
    return resumed.headers["location"].split("state=", 1)[1], html.unescape(csrf.group(1))


async def test_UI02_consent_post_from_another_browser_or_after_completion_is_refused(tenant: TenantFixture) -> None:
    app = await web_app(tenant, is_first_party=False)
    state, csrf = await _consent_page(app)
    attacker = _browser(app)
    async with attacker.http:
        # The attacker has a session of their own and replays the victim's transaction id and token.
        assert (await login_round_trip(attacker, authorize_params(attacker))).status_code == 302
        stolen = await attacker.http.post("/u/consent", data={"state": state, "_csrf": csrf, "action": "accept"})
        assert stolen.status_code in (400, 403)
        assert "location" not in stolen.headers
    accepted = await app.http.post("/u/consent", data={"state": state, "_csrf": csrf, "action": "accept"})
    assert accepted.status_code == 302
    assert "code" in response_params(await app.http.get(accepted.headers["location"]))
    replay = await app.http.post("/u/consent", data={"state": state, "_csrf": csrf, "action": "accept"})
    assert replay.status_code in (400, 403) and "location" not in replay.headers


async def test_UI03_a_planted_session_cookie_is_replaced_on_login_and_stays_dead(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    planted = "planted-by-the-attacker"
    app.http.cookies.set(SESSION_COOKIE, planted, domain=app.tenant.domain)
    first = await start(app.http, authorize_params(app))
    state, csrf = await open_login_page(app.http, first.headers["location"])
    posted = await submit_login(app.http, state, csrf, app.user.email or "", PASSWORD)
    assert posted.status_code == 302
    issued = posted.cookies.get(SESSION_COOKIE)
    assert issued and issued != planted
    # The attacker's copy of the value they planted logs nobody in.
    attacker = _browser(app)
    async with attacker.http:
        attacker.http.cookies.set(SESSION_COOKIE, planted, domain=app.tenant.domain)
        silent = await start(attacker.http, authorize_params(app, prompt="none"))
        assert response_params(silent)["error"] == "login_required"
        # Fixation with a real session: the attacker plants their own live session; the victim logs in over it.
        assert "code" in response_params(await login_round_trip(attacker, authorize_params(attacker)))
        attacker_session = attacker.http.cookies.get(SESSION_COOKIE)
        assert attacker_session
        app.http.cookies.clear()
        app.http.cookies.set(SESSION_COOKIE, attacker_session, domain=app.tenant.domain)
        relogin = await start(app.http, authorize_params(app, prompt="login"))
        state, csrf = await open_login_page(app.http, relogin.headers["location"])
        again = await submit_login(app.http, state, csrf, app.user.email or "", PASSWORD)
        assert again.cookies.get(SESSION_COOKIE) not in (None, attacker_session)
        silent = await start(attacker.http, authorize_params(app, prompt="none"))
        assert response_params(silent)["error"] == "login_required"

async def test_UI04_UI06_every_interactive_page_is_unframeable_and_sends_no_referrer(tenant: TenantFixture) -> None:
    app = await web_app(tenant, is_first_party=False)
    first = await start(app.http, authorize_params(app))
    login_page = await app.http.get(first.headers["location"])
    error = await start(app.http, authorize_params(app, client_id="unknown"))
    logout = await app.http.get("/v2/logout")
    resumed = await login_round_trip(app, authorize_params(app, audience=API, scope="openid read:things",
                                                           response_mode="form_post"))
    consent = await app.http.get(resumed.headers["location"])
    for response in (first, login_page, error, logout, consent):
        _assert_unframeable(response)
        assert response.headers.get("referrer-policy") == "no-referrer"
    for page in (login_page, error, logout, consent):
        # No third-party resources: nothing is loaded from another origin.
        assert "src=\"http" not in page.text and "href=\"http" not in page.text
        assert "default-src 'none'" in page.headers["content-security-policy"]
    state = resumed.headers["location"].split("state=", 1)[1]
    csrf = html.unescape(CSRF.search(consent.text).group(1))  # type: ignore[union-attr]
    accepted = await app.http.post("/u/consent", data={"state": state, "_csrf": csrf, "action": "accept"})
    form_post = await app.http.get(accepted.headers["location"])
    assert form_post.status_code == 200 and 'method="post"' in form_post.text
    assert form_post.headers.get("referrer-policy") == "no-referrer"


@pytest.mark.parametrize("field", ["redirect_uri", "state", "client_id"])
async def test_UI08_reflected_input_is_escaped_under_a_strict_csp(tenant: TenantFixture, field: str) -> None:
    app = await web_app(tenant)
    evil = '"><svg onload=alert(1)>'
    params = authorize_params(app, **{field: evil})
    if field == "state":
        params["response_mode"] = "form_post"
        params["prompt"] = "none"  # no session: the error goes back in an auto-posted form
    response = await start(app.http, params)
    assert evil not in response.text
    assert "<svg" not in response.text
    csp = response.headers["content-security-policy"]
    assert "script-src 'none'" in csp or "script-src 'nonce-" in csp
    assert "unsafe-inline" not in csp


async def test_UI10_the_old_session_cookie_is_dead_after_logout(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    answer = await login_round_trip(app, authorize_params(app))
    assert "code" in response_params(answer)
    old = app.http.cookies.get(SESSION_COOKIE)
    assert old
    logout = await app.http.get("/v2/logout")
    assert logout.status_code == 200
    app.http.cookies.set(SESSION_COOKIE, old, domain=app.tenant.domain)
    silent = await start(app.http, authorize_params(app, prompt="none"))
    assert response_params(silent)["error"] == "login_required"


async def test_UI11_credentials_in_the_login_url_are_never_read(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    first = await start(app.http, authorize_params(app))
    state, _csrf = await open_login_page(app.http, first.headers["location"])
    url = f"/u/login?state={state}&username={app.user.email}&password={PASSWORD}"
    response = await app.http.get(url)
    assert response.status_code in (400, 405), response.text
    assert "ostiary_session" not in response.headers.get("set-cookie", "")
    silent = await start(app.http, authorize_params(app, prompt="none"))
    assert response_params(silent)["error"] == "login_required"


async def test_UI12_json_and_html_responses_carry_nosniff_hsts_and_a_charset(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    first = await start(app.http, authorize_params(app))
    responses = [
        await app.http.get(first.headers["location"]),
        await app.http.post("/oauth/token", data={"grant_type": "client_credentials"}),
        await app.http.get("/userinfo"),
        await app.http.get("/.well-known/openid-configuration"),
        await app.http.get("/.well-known/jwks.json"),
        await app.http.post("/dbconnections/signup", json={}),
        await app.http.post("/oauth/token", content=b"x" * (tenant.state.settings.max_body_bytes + 1),
                            headers={"content-type": "application/x-www-form-urlencoded"}),
    ]
    for response in responses:
        headers = response.headers
        assert headers.get("x-content-type-options") == "nosniff", (response.url, dict(headers))
        assert headers.get("strict-transport-security", "").startswith("max-age="), (response.url, dict(headers))
        content_type = headers["content-type"]
        # JSON is UTF-8 by definition (RFC 8259 §8.1 defines no charset parameter); HTML names its charset.
        assert content_type == "application/json" or content_type == "text/html; charset=utf-8", content_type
