"""The hosted login's second factor: with MFA required, the password form leads to the one-time-code page
(enrollment shows the secret first), with the password page's CSRF and brute-force rules; a right code
starts the session and the app gets its code."""

from __future__ import annotations

import html
import re

import pyotp
import pytest
from tests.support.browser_login import (
    CALLBACK,
    HIDDEN,
    PASSWORD,
    WebApp,
    assert_error_page,
    authorize_params,
    open_login_page,
    response_params,
    start,
    submit_login,
    web_app,
)
from tests.support.factories import TenantFixture

from ostiary.clock import FrozenClock

SECRET = re.compile(r'<code id="otp-secret">([A-Z2-7]+)</code>')


@pytest.fixture
async def app(tenant: TenantFixture) -> WebApp:
    setup = await web_app(tenant)
    await tenant.repos_call(lambda r: r.mfa.set_settings(policy="all-applications", factors=["otp"]))
    return setup


async def _password_step(app: WebApp) -> tuple[str, dict[str, str]]:
    first = await start(app.http, authorize_params(app))
    state, csrf = await open_login_page(app.http, first.headers["location"])
    page = await submit_login(app.http, state, csrf, app.user.email or "", PASSWORD)
    assert page.status_code == 200, page.text
    assert 'action="/u/mfa-otp-challenge"' in page.text and "set-cookie" not in page.headers  # no session yet
    return page.text, {html.unescape(k): html.unescape(v) for k, v in HIDDEN.findall(page.text)}


async def _submit(app: WebApp, fields: dict[str, str], code: str) -> tuple[int, str, str | None]:
    posted = await app.http.post("/u/mfa-otp-challenge", data={**fields, "code": code, "action": "default"})
    return posted.status_code, posted.text, posted.headers.get("location")


async def test_enroll_in_the_browser_then_challenge_on_the_next_login(app: WebApp, clock: FrozenClock) -> None:
    text, fields = await _password_step(app)
    match = SECRET.search(text)
    assert match and 'id="recovery-code"' in text and "otpauth://totp/" in text
    secret = match.group(1)
    status, _, location = await _submit(app, fields, pyotp.TOTP(secret).at(clock.now()))
    assert status == 302 and location == f"/authorize/resume?state={fields['state']}"
    final = await app.http.get(location)
    assert final.headers["location"].startswith(CALLBACK) and response_params(final)["code"]
    # The SSO session (started after the second factor) serves the next /authorize; a new browser logs in
    # again: a challenge this time, no secret shown.
    clock.advance(30)
    app.http.cookies.clear()
    text, fields = await _password_step(app)
    assert SECRET.search(text) is None and "Verify your identity" in text
    status, _, location = await _submit(app, fields, pyotp.TOTP(secret).at(clock.now()))
    assert status == 302 and location is not None


async def test_wrong_codes_show_the_page_again_and_are_blocked_after_ten(app: WebApp, clock: FrozenClock) -> None:
    text, fields = await _password_step(app)
    secret = SECRET.search(text).group(1)  # type: ignore[union-attr]
    right = pyotp.TOTP(secret).at(clock.now())
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(9):
        status, again, _ = await _submit(app, fields, wrong)
        assert status == 400 and "Invalid code. Try again." in again and secret in again  # same enrollment
    status, _, _ = await _submit(app, fields, wrong)
    assert status == 429
    status, _, location = await _submit(app, fields, right)
    assert status == 429 and location is None


async def test_csrf_and_the_ticket_are_checked(app: WebApp, clock: FrozenClock) -> None:
    text, fields = await _password_step(app)
    code = pyotp.TOTP(SECRET.search(text).group(1)).at(clock.now())  # type: ignore[union-attr]
    status, _, _ = await _submit(app, {**fields, "_csrf": "forged"}, code)
    assert status == 403
    forged = await app.http.post("/u/mfa-otp-challenge", data={**fields, "ticket": "guess", "code": code})
    assert_error_page(forged)
    status, _, location = await _submit(app, fields, code)
    assert status == 302 and location is not None
