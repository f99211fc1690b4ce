"""Security catalogue 1.13 (BF): brute force, rate limiting and enumeration, over HTTP through the app.

The grant-side counting, unblock paths and auth0-forwarded-for trust live in tests/flows/test_brute_force.py
and tests/flows/test_rate_limit.py; this module adds the login page, forged proxy headers, the per-IP budget
of the login page and /dbconnections, and guessing of other secrets.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from ostiary.app import create_app
from ostiary.clock import FrozenClock
from ostiary.runtime import AppState
from ostiary.settings import Settings
from tests.support.browser_login import (
    PASSWORD,
    authorize_params,
    open_login_page,
    start,
    submit_login,
    web_app,
)
from tests.support.factories import make_tenant
from tests.support.fast_passwords import fast_passwords  # noqa: F401
from tests.support.firstparty import API, TOO_MANY_ATTEMPTS_BODY, fail_logins, make_rop
from tests.support.states import StateFactory, state_factory

pytestmark = pytest.mark.usefixtures("fast_passwords")
BLOCKED_TEXT = "Your account has been blocked after multiple consecutive login attempts."
CONNECTION = "Username-Password-Authentication"
LIMIT = 3

@pytest.fixture
def make_state(settings: Settings, clock: FrozenClock) -> StateFactory:
    return state_factory(settings, clock)


async def test_BF01_ten_failures_on_the_login_page_block_the_right_password(tenant: Any) -> None:
    app = await web_app(tenant)
    first = await start(app.http, authorize_params(app))
    state, csrf = await open_login_page(app.http, first.headers["location"])
    for _ in range(10):
        wrong = await submit_login(app.http, state, csrf, app.user.email or "", "wrong password")
        assert wrong.status_code == 400 and "Wrong email or password." in wrong.text
    blocked = await submit_login(app.http, state, csrf, app.user.email or "", PASSWORD)
    assert blocked.status_code == 429
    assert BLOCKED_TEXT in blocked.text
    assert "set-cookie" not in blocked.headers  # no session, no cookie of any kind
    # The grant sees the same block (one counter per user and IP).
    form = {"grant_type": "http://auth0.com/oauth/grant-type/password-realm", "realm": CONNECTION,
            "client_id": app.client.client_id, "client_secret": app.client.client_secret or "",
            "username": app.user.email or "", "password": PASSWORD}
    await tenant.update_client(app.client.client_id, grant_types=[form["grant_type"]])
    grant = await tenant.http.post("/oauth/token", data=form)
    assert grant.status_code == 429 and grant.json() == TOO_MANY_ATTEMPTS_BODY


async def test_BF06_wrong_secret_with_forwarded_for_is_invalid_client_and_not_counted(
    state: AppState, app: FastAPI
) -> None:
    rop = await make_rop(state, app)
    trusted = await rop.t.client(app_type="regular_web", grant_types=["password"],
                                 is_token_endpoint_ip_header_trusted=True)
    await rop.t.repos_call(lambda r: r.connections.update(
        CONNECTION, enabled_clients=[rop.web.client_id, rop.native.client_id, trusted.client_id]))
    for i in range(12):
        response = await rop.token(trusted, audience=API, password="wrong", client_secret="not-the-secret",
                                   headers={"auth0-forwarded-for": f"203.0.113.{i}"})
        assert response.status_code == 401 and response.json()["error"] == "access_denied", response.text
    # Nothing was counted: neither for the server's address nor for the forged ones.
    assert (await rop.token(trusted, audience=API)).status_code == 200
    assert (await rop.token(trusted, audience=API, headers={"auth0-forwarded-for": "203.0.113.1"})).status_code == 200


async def test_BF07_forwarding_headers_from_an_untrusted_peer_are_ignored(state: AppState, app: FastAPI) -> None:
    rop = await make_rop(state, app)
    for i in range(10):
        headers = {"X-Forwarded-For": f"198.51.100.{i}", "Forwarded": f"for=198.51.100.{i}",
                   "X-Real-IP": f"198.51.100.{i}"}
        await fail_logins(rop, 1, headers=headers)
    fresh = {"X-Forwarded-For": "192.0.2.77", "Forwarded": "for=192.0.2.77", "X-Real-IP": "192.0.2.77"}
    blocked = await rop.token(audience=API, headers=fresh)
    assert blocked.status_code == 429 and blocked.json() == TOO_MANY_ATTEMPTS_BODY


async def test_BF07_behind_a_trusted_proxy_the_client_cannot_choose_its_address(
    make_state: StateFactory,
) -> None:
    """The proxy (the test transport's peer, 127.0.0.1) appends the real address; what the client sent before
    it is the client's own invention and must not pick the counter."""
    async with make_state(trusted_proxies="127.0.0.1") as st:
        rop = await make_rop(st, create_app(state=st))
        for i in range(10):
            await fail_logins(rop, 1, headers={"X-Forwarded-For": f"198.51.100.{i}, 192.0.2.10"})
        spoofed = await rop.token(audience=API, headers={"X-Forwarded-For": "198.51.100.99, 192.0.2.10"})
        assert spoofed.status_code == 429 and spoofed.json() == TOO_MANY_ATTEMPTS_BODY
        # Another real client behind the same proxy is not blocked.
        other = await rop.token(audience=API, headers={"X-Forwarded-For": "192.0.2.11"})
        assert other.status_code == 200, other.text
        await rop.t.http.aclose()


async def test_BF08_BF11_login_page_signup_and_password_reset_have_a_per_ip_budget(
    make_state: StateFactory,
) -> None:
    async with make_state(rate_limit_per_minute=LIMIT) as st:
        t = await make_tenant(st, create_app(state=st))
        app = await web_app(t)
        first = await start(app.http, authorize_params(app))
        state, csrf = await open_login_page(app.http, first.headers["location"])
        # Credential stuffing: a different user each time from one IP (the page's GET spent one of the budget).
        for i in range(LIMIT - 1):
            attempt = await submit_login(app.http, state, csrf, f"victim{i}@example.com", "guess")
            assert attempt.status_code == 400
        throttled = await submit_login(app.http, state, csrf, "victim99@example.com", "guess")
        assert throttled.status_code == 429 and "retry-after" in throttled.headers
        assert throttled.headers["content-type"].startswith("text/html")
        # Signup floods and reset probing share the /dbconnections budget.
        for i in range(LIMIT):
            reset = await t.http.post("/dbconnections/change_password", json={
                "client_id": app.client.client_id, "email": f"probe{i}@example.com", "connection": CONNECTION})
            assert reset.status_code == 200
        for path, body in (
            ("/dbconnections/change_password", {"client_id": app.client.client_id, "email": "x@example.com",
                                                "connection": CONNECTION}),
            ("/dbconnections/signup", {"client_id": app.client.client_id, "email": "new@example.com",
                                       "password": PASSWORD, "connection": CONNECTION}),
        ):
            refused = await t.http.post(path, json=body)
            assert refused.status_code == 429, refused.text
            assert refused.json()["statusCode"] == 429 and refused.headers["retry-after"]
        assert await t.repos_call(lambda r: r.users.by_login(CONNECTION, "new@example.com")) is None
        await t.http.aclose()


async def test_BF11_password_reset_answers_the_same_for_known_and_unknown_emails(tenant: Any) -> None:
    app = await web_app(tenant)
    answers = []
    for email in (app.user.email, "nobody-here@example.com"):
        response = await tenant.http.post("/dbconnections/change_password", json={
            "client_id": app.client.client_id, "email": email, "connection": CONNECTION})
        answers.append((response.status_code, response.text, response.headers["content-type"]))
    assert answers[0] == answers[1]


async def test_BF14_guessing_refresh_tokens_codes_and_secrets_is_throttled(make_state: StateFactory) -> None:
    async with make_state(rate_limit_per_minute=LIMIT) as st:
        rop = await make_rop(st, create_app(state=st))
        guesses = [
            {"grant_type": "refresh_token", "client_id": rop.native.client_id, "refresh_token": "guess-1"},
            {"grant_type": "authorization_code", "client_id": rop.native.client_id, "code": "guess-2",
             "redirect_uri": "https://app.example/callback", "code_verifier": "v" * 43},
            {"grant_type": "client_credentials", "client_id": rop.web.client_id, "client_secret": "guess-3",
             "audience": API},
        ]
        for guess in guesses:
            response = await rop.t.http.post("/oauth/token", data=guess)
            assert response.status_code in (400, 401, 403), response.text
        refused = await rop.t.http.post("/oauth/token", data={**guesses[0], "refresh_token": "guess-4"})
        assert refused.status_code == 429 and refused.json()["error"] == "too_many_requests"
        await rop.t.http.aclose()
