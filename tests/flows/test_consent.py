"""Consent for third-party clients: the page, CSRF, remembered consent, and first-party skipping."""

from __future__ import annotations

import html
import re

from tests.support.browser_login import (
    API,
    CSRF,
    WebApp,
    authorize_params,
    login_round_trip,
    response_params,
    start,
    web_app,
)
from tests.support.factories import TenantFixture


async def _to_consent(app: WebApp, **overrides: str) -> tuple[str, str, str]:
    """Log in; the resume sends the browser to /u/consent. Returns (location, state, csrf)."""
    resumed = await login_round_trip(app, authorize_params(app, audience=API, scope="openid profile read:things",
                                                           **overrides))
    assert resumed.status_code == 302 and resumed.headers["location"].startswith("/u/consent?state=")
    page = await app.http.get(resumed.headers["location"])
    assert page.status_code == 200
    csrf = CSRF.search(page.text)
    assert csrf
    state = resumed.headers["location"].split("state=", 1)[1]
    return page.text, state, html.unescape(csrf.group(1))


async def test_third_party_client_gets_a_consent_page_listing_scopes(tenant: TenantFixture) -> None:
    app = await web_app(tenant, is_first_party=False)
    page, state, csrf = await _to_consent(app, state="tp")
    assert "Read your things" in page and "read:things" in page
    assert "Your profile" in page and app.client.name in page
    accepted = await app.http.post("/u/consent", data={"state": state, "_csrf": csrf, "action": "accept"})
    assert accepted.status_code == 302 and accepted.headers["location"] == f"/authorize/resume?state={state}"
    final = await app.http.get(accepted.headers["location"])
    got = response_params(final)
    assert got["state"] == "tp" and got["code"]
    # Remembered: prompt=none now works for the same scopes.
    silent = await start(app.http, authorize_params(app, audience=API, scope="openid profile read:things",
                                                    prompt="none", state="s"))
    assert "code" in response_params(silent)
    # A new scope needs consent again.
    more = await start(app.http, authorize_params(app, audience=API, scope="openid write:things", prompt="none",
                                                  state="s"))
    assert response_params(more)["error"] == "consent_required"


async def test_declining_consent_sends_access_denied_to_the_app(tenant: TenantFixture) -> None:
    app = await web_app(tenant, is_first_party=False)
    _, state, csrf = await _to_consent(app, state="no")
    declined = await app.http.post("/u/consent", data={"state": state, "_csrf": csrf, "action": "deny"})
    assert response_params(declined) == {
        "error": "access_denied",
        "error_description": "User did not authorize the request",
        "state": "no",
        "iss": tenant.issuer,
    }


async def test_consent_post_without_csrf_is_refused(tenant: TenantFixture) -> None:
    app = await web_app(tenant, is_first_party=False)
    _, state, _ = await _to_consent(app)
    refused = await app.http.post("/u/consent", data={"state": state, "_csrf": "x", "action": "accept"})
    assert refused.status_code == 403 and "location" not in refused.headers
    assert re.search("CSRF", refused.text)


async def test_first_party_client_skips_consent_when_the_api_allows(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    answer = await login_round_trip(app, authorize_params(app, audience=API, scope="openid read:things"))
    assert "code" in response_params(answer)


async def test_first_party_client_gets_consent_when_the_api_does_not_skip(tenant: TenantFixture) -> None:
    app = await web_app(tenant, api_fields={"skip_consent_for_verifiable_first_party_clients": False})
    await _to_consent(app)


async def test_consent_with_an_existing_session_skips_the_login_page(tenant: TenantFixture) -> None:
    app = await web_app(tenant, is_first_party=False)
    first_party = await tenant.client(callbacks=["https://app.example/callback"])
    await tenant.repos_call(lambda r: r.connections.update(
        "Username-Password-Authentication", enabled_clients=[app.client.client_id, first_party.client_id]))
    await login_round_trip(app, authorize_params(app, client_id=first_party.client_id))
    started = await start(app.http, authorize_params(app, audience=API, scope="openid read:things", state="sso"))
    assert started.status_code == 302 and started.headers["location"].startswith("/u/consent?state=")
    page = await app.http.get(started.headers["location"])
    csrf = CSRF.search(page.text)
    assert csrf and "Alice Example" in page.text
    state = started.headers["location"].split("state=", 1)[1]
    accepted = await app.http.post("/u/consent", data={"state": state, "_csrf": html.unescape(csrf.group(1)),
                                                       "action": "accept"})
    final = await app.http.get(accepted.headers["location"])
    got = response_params(final)
    assert got["state"] == "sso" and got["code"]
