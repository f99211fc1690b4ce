"""Passwordless with the email and sms connections: POST /passwordless/start, the passwordless/otp grant, the
emailed link (/passwordless/verify_redirect) and the Universal Login screens; codes over real SMTP and a
loopback Twilio-shaped SMS provider."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import jwt
import pyotp
import pytest
from tests.conftest import settings_for
from tests.support.browser_login import CALLBACK, HIDDEN, authorize_params, response_params, web_app
from tests.support.factories import TenantFixture
from tests.support.fake_sms import FakeTwilio, fake_twilio
from tests.support.mail_flows import delivered
from tests.support.mailbox import Mailbox

from ostiary.clock import FrozenClock
from ostiary.mail.sender import backoff_seconds, deliver_due
from ostiary.oauth.passwordless import CODE_LIFETIME_SECONDS, MAX_WRONG_CODES, SENDS_PER_ADDRESS_PER_HOUR
from ostiary.runtime import AppState
from ostiary.settings import Settings

pytestmark = pytest.mark.usefixtures("quiet")
OTP = "http://auth0.com/oauth/grant-type/passwordless/otp"
CSRF = re.compile(r'name="_csrf" value="([^"]*)"')



@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with fake_twilio() as fake:
        yield fake


@pytest.fixture
def settings(database_url: str, mailbox: Mailbox, twilio: FakeTwilio) -> Settings:
    return settings_for(database_url, smtp_url=mailbox.url, twilio_api_url=twilio.base_url)


async def _setup(tenant: TenantFixture, twilio: FakeTwilio) -> dict[str, str]:
    client = await tenant.client(app_type="native", grant_types=["authorization_code", OTP, "refresh_token"],
                                 callbacks=[CALLBACK])
    await tenant.connection("email", strategy="email", enabled_clients=[client.client_id])
    await tenant.connection("sms", strategy="sms", enabled_clients=[client.client_id],
                            options=twilio.connection_options())
    return {"client_id": client.client_id}


async def _otp(tenant: TenantFixture, client_id: str, realm: str, username: str, otp: str) -> dict[str, object]:
    response = await tenant.http.post("/oauth/token", data={
        "grant_type": OTP, "client_id": client_id, "realm": realm, "username": username, "otp": otp,
        "scope": "openid profile email"})
    return {"status": response.status_code, **response.json()}


async def test_email_code_then_the_otp_grant(tenant: TenantFixture, state: AppState, mailbox: Mailbox,
                                             twilio: FakeTwilio) -> None:
    app = await _setup(tenant, twilio)
    start = await tenant.http.post("/passwordless/start", json={
        "client_id": app["client_id"], "connection": "email", "email": "Pat@Example.com", "send": "code"})
    assert start.status_code == 200, start.text
    assert start.json()["email"] == "pat@example.com" and start.json()["email_verified"] is False
    [mail] = await delivered(tenant, mailbox, 1)
    assert mail.recipients == ["pat@example.com"] and mail.template == "passwordless_email"
    code = mail.code()
    assert re.fullmatch(r"\d{6}", code) and code in mail.html()
    wrong = await _otp(tenant, app["client_id"], "email", "pat@example.com", "000000" if code != "000000" else "1")
    assert wrong == {"status": 403, "error": "invalid_grant",
                     "error_description": "Wrong email or verification code."}
    ok = await _otp(tenant, app["client_id"], "email", "pat@example.com", code)
    assert ok["status"] == 200, ok
    claims = jwt.decode(str(ok["id_token"]), options={"verify_signature": False})
    assert claims["sub"].startswith("email|") and claims["email"] == "pat@example.com"
    assert claims["email_verified"] is True
    again = await _otp(tenant, app["client_id"], "email", "pat@example.com", code)
    assert again["status"] == 403  # single use


async def test_sms_code_through_the_twilio_shaped_provider(
    tenant: TenantFixture, twilio: FakeTwilio, clock: FrozenClock
) -> None:
    app = await _setup(tenant, twilio)
    start = await tenant.http.post("/passwordless/start", json={
        "client_id": app["client_id"], "connection": "sms", "phone_number": "+1 555 123 4567", "send": "code"})
    assert start.status_code == 200, start.text
    assert start.json()["phone_number"] == "+15551234567"
    assert twilio.messages == []  # queued: the background sender delivers it
    await deliver_due(tenant.state)
    assert twilio.messages[-1]["From"] == "+15550000000"
    code = twilio.code_for("+15551234567")
    clock.advance(CODE_LIFETIME_SECONDS + 1)
    expired = await _otp(tenant, app["client_id"], "sms", "+15551234567", code)
    assert expired["status"] == 403 and expired["error_description"] == "Wrong phone number or verification code."
    await tenant.http.post("/passwordless/start", json={
        "client_id": app["client_id"], "connection": "sms", "phone_number": "+15551234567"})
    await deliver_due(tenant.state)
    ok = await _otp(tenant, app["client_id"], "sms", "+15551234567", twilio.code_for("+15551234567"))
    assert ok["status"] == 200, ok
    claims = jwt.decode(str(ok["id_token"]), options={"verify_signature": False})
    assert claims["sub"].startswith("sms|") and "+15551234567" not in claims["sub"]


async def test_a_new_code_replaces_the_old_one(tenant: TenantFixture, state: AppState, mailbox: Mailbox,
                                              twilio: FakeTwilio) -> None:
    app = await _setup(tenant, twilio)
    for _ in range(2):
        await tenant.http.post("/passwordless/start", json={
            "client_id": app["client_id"], "connection": "email", "email": "pat@example.com"})
    first, second = await delivered(tenant, mailbox, 2)
    if first.code() != second.code():
        assert (await _otp(tenant, app["client_id"], "email", "pat@example.com", first.code()))["status"] == 403
    assert (await _otp(tenant, app["client_id"], "email", "pat@example.com", second.code()))["status"] == 200


async def test_wrong_codes_count_toward_brute_force_protection(
    tenant: TenantFixture, state: AppState, mailbox: Mailbox, twilio: FakeTwilio
) -> None:
    app = await _setup(tenant, twilio)
    await tenant.http.post("/passwordless/start", json={
        "client_id": app["client_id"], "connection": "email", "email": "pat@example.com"})
    [mail] = await delivered(tenant, mailbox, 1)
    wrong = "111111" if mail.code() != "111111" else "222222"
    for _ in range(10):
        assert (await _otp(tenant, app["client_id"], "email", "pat@example.com", wrong))["status"] == 403
    blocked = await _otp(tenant, app["client_id"], "email", "pat@example.com", mail.code())
    assert blocked["status"] == 429 and blocked["error"] == "too_many_attempts"


async def test_sends_are_limited_per_address(tenant: TenantFixture, twilio: FakeTwilio) -> None:
    app = await _setup(tenant, twilio)
    body = {"client_id": app["client_id"], "connection": "sms", "phone_number": "+15551234567"}
    for _ in range(SENDS_PER_ADDRESS_PER_HOUR):
        assert (await tenant.http.post("/passwordless/start", json=body)).status_code == 200
    limited = await tenant.http.post("/passwordless/start", json=body)
    assert limited.status_code == 429 and limited.json()["error"] == "too_many_requests"
    other = await tenant.http.post("/passwordless/start", json={**body, "phone_number": "+15557654321"})
    assert other.status_code == 200
    await deliver_due(tenant.state)
    assert len(twilio.messages) == SENDS_PER_ADDRESS_PER_HOUR + 1


async def test_a_failing_sms_provider_is_retried_and_never_shown(
    tenant: TenantFixture, twilio: FakeTwilio, clock: FrozenClock
) -> None:
    app = await _setup(tenant, twilio)
    await tenant.repos_call(lambda r: r.connections.update(
        "sms", options={**twilio.connection_options(), "twilio_token": "wrong"}))
    start = await tenant.http.post("/passwordless/start", json={
        "client_id": app["client_id"], "connection": "sms", "phone_number": "+15551234567"})
    assert start.status_code == 200
    await deliver_due(tenant.state)
    assert twilio.messages == []
    await tenant.repos_call(lambda r: r.connections.update("sms", options=twilio.connection_options()))
    clock.advance(backoff_seconds(1))
    await deliver_due(tenant.state)
    assert len(twilio.messages) == 1 and twilio.messages[0]["To"] == "+15551234567"


@pytest.mark.parametrize(("body", "error"), [
    ({"connection": "nope", "email": "a@example.com"}, "bad.connection"),
    ({"connection": "email", "email": "not-an-email"}, "bad.email"),
    ({"connection": "email"}, "bad.email"),
    ({"connection": "sms", "phone_number": "555"}, "bad.phone_number"),
    ({"connection": "sms", "phone_number": "+15551234567", "send": "link"}, "bad.send"),
    ({"connection": "email", "email": "a@example.com", "authParams": "[1]"}, "bad.authParams"),
])
async def test_start_refuses_bad_input_in_auth0s_shape(
    tenant: TenantFixture, twilio: FakeTwilio, body: dict[str, str], error: str
) -> None:
    app = await _setup(tenant, twilio)
    response = await tenant.http.post("/passwordless/start", json={"client_id": app["client_id"], **body})
    assert response.status_code == 400 and response.json()["error"] == error, response.text


async def test_a_confidential_client_must_authenticate(tenant: TenantFixture, twilio: FakeTwilio) -> None:
    client = await tenant.client(app_type="regular_web", grant_types=[OTP])
    await tenant.connection("email", strategy="email", enabled_clients=[client.client_id])
    body = {"client_id": client.client_id, "connection": "email", "email": "a@example.com"}
    assert (await tenant.http.post("/passwordless/start", json=body)).status_code == 401
    ok = await tenant.http.post("/passwordless/start", json={**body, "client_secret": client.client_secret})
    assert ok.status_code == 200


async def test_the_emailed_link_logs_in_and_answers_the_app(
    tenant: TenantFixture, state: AppState, mailbox: Mailbox, twilio: FakeTwilio
) -> None:
    app = await _setup(tenant, twilio)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(b"v" * 43).digest()).rstrip(b"=").decode()
    auth = {"response_type": "code", "redirect_uri": CALLBACK, "scope": "openid", "state": "xyz",
            "code_challenge": challenge, "code_challenge_method": "S256"}
    start = await tenant.http.post("/passwordless/start", json={
        "client_id": app["client_id"], "connection": "email", "email": "pat@example.com", "send": "link",
        "authParams": auth})
    assert start.status_code == 200, start.text
    [mail] = await delivered(tenant, mailbox, 1)
    link = re.search(r'href="([^"]*/passwordless/verify_redirect[^"]*)"', mail.html())
    assert link, mail.html()
    parts = urlsplit(html.unescape(link.group(1)))
    first = await tenant.http.get(f"{parts.path}?{parts.query}")
    assert first.status_code == 302, first.text
    assert first.headers["location"].startswith("/authorize/resume?state=")
    answer = await tenant.http.get(first.headers["location"])
    params = response_params(answer)
    assert params["state"] == "xyz" and params["code"]
    reused = await tenant.http.get(f"{parts.path}?{parts.query}")
    assert reused.status_code == 400


async def test_universal_login_passwordless_page(
    tenant: TenantFixture, state: AppState, mailbox: Mailbox, twilio: FakeTwilio
) -> None:
    base = await web_app(tenant)
    await tenant.connection("email", strategy="email", enabled_clients=[base.client.client_id])
    params = authorize_params(base, connection="email")
    first = await tenant.http.get("/authorize", params=params)
    login = await tenant.http.get(first.headers["location"])
    assert login.status_code == 302 and login.headers["location"].startswith("/u/passwordless?state=")
    page = await tenant.http.get(login.headers["location"])
    assert page.status_code == 200 and 'name="address"' in page.text
    page_state = dict(parse_qsl(urlsplit(login.headers["location"]).query))["state"]
    csrf = html.unescape(CSRF.search(page.text).group(1))  # type: ignore[union-attr]
    sent = await tenant.http.post("/u/passwordless", data={"state": page_state, "_csrf": csrf,
                                                           "address": "pat@example.com", "action": "send"})
    assert sent.status_code == 200 and 'name="code"' in sent.text
    [mail] = await delivered(tenant, mailbox, 1)
    wrong = await tenant.http.post("/u/passwordless", data={
        "state": page_state, "_csrf": csrf, "address": "pat@example.com", "action": "verify",
        "code": "000000" if mail.code() != "000000" else "111111"})
    assert wrong.status_code == 400 and "Wrong email or verification code." in wrong.text
    ok = await tenant.http.post("/u/passwordless", data={
        "state": page_state, "_csrf": csrf, "address": "pat@example.com", "action": "verify", "code": mail.code()})
    assert ok.status_code == 302, ok.text
    answer = await tenant.http.get(ok.headers["location"])
    assert response_params(answer)["state"] == params["state"] and "code" in response_params(answer)


async def test_a_code_is_spent_after_five_wrong_guesses_before_any_block(
    tenant: TenantFixture, state: AppState, mailbox: Mailbox, twilio: FakeTwilio
) -> None:
    app = await _setup(tenant, twilio)
    await tenant.http.post("/passwordless/start", json={
        "client_id": app["client_id"], "connection": "email", "email": "pat@example.com"})
    [mail] = await delivered(tenant, mailbox, 1)
    wrong = "111111" if mail.code() != "111111" else "222222"
    for _ in range(MAX_WRONG_CODES):  # fewer than brute-force protection's 10: the code itself is spent
        assert (await _otp(tenant, app["client_id"], "email", "pat@example.com", wrong))["status"] == 403
    spent = await _otp(tenant, app["client_id"], "email", "pat@example.com", mail.code())
    assert spent["status"] == 403 and spent["error"] == "invalid_grant"


async def test_the_email_connections_own_template_is_used(
    tenant: TenantFixture, mailbox: Mailbox, twilio: FakeTwilio
) -> None:
    app = await _setup(tenant, twilio)
    await tenant.repos_call(lambda r: r.connections.update("email", options={"email": {
        "from": "Acme <codes@acme.test>", "subject": "Your Acme code",
        "body": "<p>Code {{ code }} for {{ user.email }}</p>"}}))
    await tenant.http.post("/passwordless/start", json={
        "client_id": app["client_id"], "connection": "email", "email": "pat@example.com"})
    [mail] = await delivered(tenant, mailbox, 1)
    assert mail.subject == "Your Acme code" and mail.envelope_from == "codes@acme.test"
    assert f"<p>Code {mail.code()} for pat@example.com</p>" in mail.html()


async def test_the_emailed_link_leads_to_the_second_factor_when_mfa_is_required(
    tenant: TenantFixture, state: AppState, mailbox: Mailbox, twilio: FakeTwilio, clock: FrozenClock
) -> None:
    app = await _setup(tenant, twilio)
    await tenant.repos_call(lambda r: r.mfa.set_settings(policy="all-applications", factors=["otp"]))
    challenge = base64.urlsafe_b64encode(hashlib.sha256(b"v" * 43).digest()).rstrip(b"=").decode()
    auth = {"response_type": "code", "redirect_uri": CALLBACK, "scope": "openid", "state": "xyz",
            "code_challenge": challenge, "code_challenge_method": "S256"}
    start = await tenant.http.post("/passwordless/start", json={
        "client_id": app["client_id"], "connection": "email", "email": "pat@example.com", "send": "link",
        "authParams": auth})
    assert start.status_code == 200, start.text
    [mail] = await delivered(tenant, mailbox, 1)
    link = re.search(r'href="([^"]*/passwordless/verify_redirect[^"]*)"', mail.html())
    assert link, mail.html()
    parts = urlsplit(html.unescape(link.group(1)))
    page = await tenant.http.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200 and 'action="/u/mfa-otp-challenge"' in page.text
    secret = re.search(r'<code id="otp-secret">([A-Z2-7]+)</code>', page.text)
    assert secret
    fields = {html.unescape(k): html.unescape(v) for k, v in HIDDEN.findall(page.text)}
    posted = await tenant.http.post("/u/mfa-otp-challenge", data={
        **fields, "code": pyotp.TOTP(secret.group(1)).at(clock.now())})
    assert posted.status_code == 302 and posted.headers["location"].startswith("/authorize/resume?state=")
    params = response_params(await tenant.http.get(posted.headers["location"]))
    assert params["state"] == "xyz" and params["code"]
