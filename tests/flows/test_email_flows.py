"""The account emails, end to end over real SMTP on loopback: verification after signup, password reset
(API and the login page's "Forgot password?"), and the blocked-account notice with its unblock link."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi import FastAPI
from tests.conftest import settings_for
from tests.support.browser_login import (
    PASSWORD,
    authorize_params,
    login_round_trip,
    open_login_page,
    response_params,
    start,
    submit_login,
    web_app,
)
from tests.support.factories import TenantFixture
from tests.support.fast_passwords import fast_passwords  # noqa: F401
from tests.support.firstparty import API, TOO_MANY_ATTEMPTS_BODY, Rop, fail_logins, make_rop
from tests.support.mail_flows import delivered
from tests.support.mailbox import Mailbox

from ostiary.clock import FrozenClock
from ostiary.mail.templates import TemplateOverride
from ostiary.oauth.account_links import RESET_LINK_SECONDS
from ostiary.runtime import AppState
from ostiary.settings import Settings

pytestmark = pytest.mark.usefixtures("fast_passwords", "quiet")
CONNECTION = "Username-Password-Authentication"
NEW_PASSWORD = "a brand new passphrase"
CSRF = re.compile(r'name="_csrf" value="([^"]*)"')



@pytest.fixture
def settings(database_url: str, mailbox: Mailbox) -> Settings:
    return settings_for(database_url, smtp_url=mailbox.url, mail_from="Example <login@example.test>")


@pytest.fixture
async def rop(state: AppState, app: FastAPI) -> Any:
    r = await make_rop(state, app)
    yield r
    await r.t.http.aclose()


async def _signup(tenant: TenantFixture, email: str) -> dict[str, Any]:
    app = await web_app(tenant)
    response = await tenant.http.post(
        "/dbconnections/signup",
        json={"client_id": app.client.client_id, "email": email, "password": PASSWORD, "connection": CONNECTION},
    )
    assert response.status_code == 200, response.text
    return {"app": app, "body": response.json()}


async def test_signup_sends_verify_email_whose_link_verifies_once(
    tenant: TenantFixture, state: AppState, mailbox: Mailbox
) -> None:
    await _signup(tenant, "new@example.com")
    [mail] = await delivered(tenant, mailbox, 1)
    assert mail.recipients == ["new@example.com"] and mail.template == "verify_email"
    assert mail.envelope_from == "login@example.test" and mail.subject == "Verify your email"
    assert mail.link().startswith(f"https://{tenant.domain}/u/email-verification?ticket=")
    page = await tenant.http.get(mail.path_and_query())
    assert page.status_code == 200 and "Email verified" in page.text
    user = await tenant.repos_call(lambda r: r.users.by_login(CONNECTION, "new@example.com"))
    assert user.email_verified is True
    again = await tenant.http.get(mail.path_and_query())
    assert again.status_code == 400 and "expired or was already used" in again.text


async def test_verification_link_expires(
    tenant: TenantFixture, state: AppState, mailbox: Mailbox, clock: FrozenClock
) -> None:
    await _signup(tenant, "late@example.com")
    [mail] = await delivered(tenant, mailbox, 1)
    clock.advance(5 * 24 * 3600 + 1)
    page = await tenant.http.get(mail.path_and_query())
    assert page.status_code == 400
    user = await tenant.repos_call(lambda r: r.users.by_login(CONNECTION, "late@example.com"))
    assert user.email_verified is False


async def _change_password(tenant: TenantFixture, client_id: str, email: str) -> None:
    response = await tenant.http.post(
        "/dbconnections/change_password",
        json={"client_id": client_id, "email": email, "connection": CONNECTION},
    )
    assert response.status_code == 200 and response.json() == "We've just sent you an email to reset your password."


async def test_change_password_emails_a_link_and_never_reveals_unknown_addresses(
    tenant: TenantFixture, state: AppState, mailbox: Mailbox
) -> None:
    app = await web_app(tenant)
    await _change_password(tenant, app.client.client_id, "nobody@example.com")
    assert await delivered(tenant, mailbox) == []
    await _change_password(tenant, app.client.client_id, app.user.email or "")
    [mail] = await delivered(tenant, mailbox, 1)
    assert mail.recipients == [app.user.email] and mail.template == "reset_email"
    assert "Alice Example" in mail.html() and app.client.name in mail.html()
    assert mail.link().startswith(f"https://{tenant.domain}/u/reset-password?ticket=")


async def test_reset_link_sets_a_password_under_the_policy_and_ends_every_login(
    rop: Rop, state: AppState, mailbox: Mailbox
) -> None:
    t = rop.t
    await t.repos_call(lambda r: r.connections.update(CONNECTION, options={"passwordPolicy": "fair"}))
    tokens = (await rop.token(audience=API, scope="offline_access")).json()
    await fail_logins(rop, 3)
    await _change_password(t, rop.web.client_id, rop.user.email or "")
    [mail] = await delivered(rop.t, mailbox, 1)
    form = await t.http.get(mail.path_and_query())
    assert form.status_code == 200 and 'name="password"' in form.text
    ticket = dict(parse_qsl(urlsplit(mail.link()).query))["ticket"]
    weak = await t.http.post("/u/reset-password", data={"ticket": ticket, "password": "alllowercase",
                                                        "password_confirm": "alllowercase"})
    assert weak.status_code == 400 and "at least 3 of" in weak.text
    mismatch = await t.http.post("/u/reset-password", data={"ticket": ticket, "password": "Good Pass 123",
                                                            "password_confirm": "Other Pass 123"})
    assert mismatch.status_code == 400 and "do not match" in mismatch.text
    done = await t.http.post("/u/reset-password", data={"ticket": ticket, "password": "Good Pass 123",
                                                        "password_confirm": "Good Pass 123"})
    assert done.status_code == 200 and "Password changed" in done.text
    old = await rop.token(audience=API)
    assert old.status_code == 403
    new = await rop.token(audience=API, password="Good Pass 123")
    assert new.status_code == 200, new.text
    refreshed = await t.http.post("/oauth/token", data={
        "grant_type": "refresh_token", "client_id": rop.web.client_id, "client_secret": rop.web.client_secret,
        "refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 403 and refreshed.json()["error"] == "invalid_grant"
    reused = await t.http.post("/u/reset-password", data={"ticket": ticket, "password": "Another Pass 456",
                                                          "password_confirm": "Another Pass 456"})
    assert reused.status_code == 400 and "expired or was already used" in reused.text


async def test_reset_link_expires(rop: Rop, state: AppState, mailbox: Mailbox, clock: FrozenClock) -> None:
    await _change_password(rop.t, rop.web.client_id, rop.user.email or "")
    [mail] = await delivered(rop.t, mailbox, 1)
    clock.advance(RESET_LINK_SECONDS + 1)
    page = await rop.t.http.get(mail.path_and_query())
    assert page.status_code == 400 and "Link expired" in page.text


async def test_forgot_password_on_the_login_page_returns_to_the_login(
    tenant: TenantFixture, state: AppState, mailbox: Mailbox
) -> None:
    app = await web_app(tenant)
    params = authorize_params(app)
    first = await start(app.http, params)
    login_state, _ = await open_login_page(app.http, first.headers["location"])
    login = await app.http.get(first.headers["location"])
    forgot = re.search(r'id="forgot-password" href="([^"]+)"', login.text)
    assert forgot, login.text
    request_page = await app.http.get(html.unescape(forgot.group(1)))
    assert request_page.status_code == 200
    csrf = html.unescape(CSRF.search(request_page.text).group(1))  # type: ignore[union-attr]
    for email in ("unknown@example.com", app.user.email):
        sent = await app.http.post("/u/reset-password/request",
                                   data={"state": login_state, "_csrf": csrf, "email": email})
        assert sent.status_code == 200 and "Check your email" in sent.text
    [mail] = await delivered(tenant, mailbox, 1)
    assert mail.recipients == [app.user.email] and mail.template == "reset_email"
    ticket = dict(parse_qsl(urlsplit(mail.link()).query))["ticket"]
    done = await app.http.post("/u/reset-password", data={"ticket": ticket, "password": NEW_PASSWORD,
                                                          "password_confirm": NEW_PASSWORD})
    back = re.search(r'id="continue" href="([^"]+)"', done.text)
    assert back and html.unescape(back.group(1)) == f"/u/login?state={login_state}"
    state_again, csrf_again = await open_login_page(app.http, html.unescape(back.group(1)))
    posted = await submit_login(app.http, state_again, csrf_again, app.user.email or "", NEW_PASSWORD)
    assert posted.status_code == 302, posted.text
    answer = await app.http.get(posted.headers["location"])
    assert response_params(answer)["state"] == params["state"] and "code" in response_params(answer)


async def test_forgot_password_post_needs_the_csrf_value(tenant: TenantFixture, state: AppState,
                                                        mailbox: Mailbox) -> None:
    app = await web_app(tenant)
    first = await start(app.http, authorize_params(app))
    login_state, _ = await open_login_page(app.http, first.headers["location"])
    forged = await app.http.post("/u/reset-password/request",
                                 data={"state": login_state, "_csrf": "forged", "email": app.user.email})
    assert forged.status_code == 403
    assert await delivered(tenant, mailbox) == []


async def test_blocked_account_email_carries_a_one_time_unblock_link(
    rop: Rop, state: AppState, mailbox: Mailbox
) -> None:
    await fail_logins(rop, 10)
    blocked = await rop.token(audience=API)
    assert blocked.status_code == 429 and blocked.json() == TOO_MANY_ATTEMPTS_BODY
    [mail] = await delivered(rop.t, mailbox, 1)
    assert mail.recipients == [rop.user.email] and mail.template == "blocked_account"
    assert mail.link().startswith(f"https://{rop.t.domain}/u/unblock?ticket=")
    page = await rop.t.http.get(mail.path_and_query())
    assert page.status_code == 200 and "Account unblocked" in page.text
    assert (await rop.token(audience=API)).status_code == 200
    assert (await rop.t.http.get(mail.path_and_query())).status_code == 400


async def test_login_page_signup_sends_verify_email(tenant: TenantFixture, state: AppState, mailbox: Mailbox) -> None:
    app = await web_app(tenant)
    first = await start(app.http, authorize_params(app))
    location = first.headers["location"].replace("/u/login", "/u/signup")
    signup_state, csrf = await open_login_page(app.http, location)
    posted = await app.http.post("/u/signup", data={"state": signup_state, "_csrf": csrf,
                                                    "email": "page@example.com", "password": PASSWORD})
    assert posted.status_code == 302, posted.text
    [mail] = await delivered(tenant, mailbox, 1)
    assert mail.recipients == ["page@example.com"] and mail.template == "verify_email"
    assert (await app.http.get(mail.path_and_query())).status_code == 200


async def test_the_user_can_still_log_in_with_the_old_password_until_the_link_is_used(
    tenant: TenantFixture, state: AppState, mailbox: Mailbox
) -> None:
    app = await web_app(tenant)
    await _change_password(tenant, app.client.client_id, app.user.email or "")
    await delivered(tenant, mailbox, 1)
    answer = await login_round_trip(app, authorize_params(app))
    assert "code" in response_params(answer)


async def test_reset_sends_the_password_changed_notice_and_goes_to_the_result_url(
    tenant: TenantFixture, mailbox: Mailbox
) -> None:
    app = await web_app(tenant)
    await tenant.repos_call(lambda r: r.email_settings.set_template(TemplateOverride(
        template="password_reset", body="<p>{{ user.email }}: your password was changed.</p>")))
    await tenant.repos_call(lambda r: r.email_settings.set_template(TemplateOverride(
        template="reset_email", body='<a href="{{ url }}">reset</a>', result_url="https://app.example/done")))
    await _change_password(tenant, app.client.client_id, app.user.email or "")
    [mail] = await delivered(tenant, mailbox, 1)
    ticket = dict(parse_qsl(urlsplit(mail.link()).query))["ticket"]
    done = await tenant.http.post("/u/reset-password", data={"ticket": ticket, "password": NEW_PASSWORD,
                                                             "password_confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert done.headers["location"].startswith("https://app.example/done?success=true&message=")
    [notice] = await delivered(tenant, mailbox, 1)
    assert notice.recipients == [app.user.email] and notice.template == "password_reset"
    assert f"{app.user.email}: your password was changed." in notice.html()


async def test_verification_is_followed_by_the_welcome_email_when_enabled(
    tenant: TenantFixture, mailbox: Mailbox
) -> None:
    await tenant.repos_call(lambda r: r.email_settings.set_template(TemplateOverride(
        template="welcome_email", subject="Welcome to {{ application.name }}", body="<p>Hi {{ user.email }}</p>")))
    signed = await _signup(tenant, "welcome@example.com")
    [verify] = await delivered(tenant, mailbox, 1)
    assert (await tenant.http.get(verify.path_and_query())).status_code == 200
    [welcome] = await delivered(tenant, mailbox, 1)
    assert welcome.recipients == ["welcome@example.com"] and welcome.template == "welcome_email"
    assert welcome.subject == f"Welcome to {signed['app'].client.name}"


async def test_a_tenants_links_and_templates_do_not_work_on_another_tenant(
    tenant: TenantFixture, other_tenant: TenantFixture, mailbox: Mailbox
) -> None:
    app = await web_app(tenant)
    await tenant.repos_call(lambda r: r.email_settings.set_template(TemplateOverride(
        template="reset_email", body='<p>A only</p><a href="{{ url }}">reset</a>')))
    await _change_password(tenant, app.client.client_id, app.user.email or "")
    [mail] = await delivered(tenant, mailbox, 1)
    assert "A only" in mail.html()
    ticket = dict(parse_qsl(urlsplit(mail.link()).query))["ticket"]
    assert (await other_tenant.http.get(mail.path_and_query())).status_code == 400
    stolen = await other_tenant.http.post("/u/reset-password", data={
        "ticket": ticket, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert stolen.status_code == 400
    assert await other_tenant.repos_call(lambda r: r.email_settings.templates()) == []
    other_app = await web_app(other_tenant)
    await _change_password(other_tenant, other_app.client.client_id, other_app.user.email or "")
    [other_mail] = await delivered(other_tenant, mailbox, 1)
    assert "A only" not in other_mail.html()
    # The link still works on its own tenant.
    assert (await tenant.http.get(mail.path_and_query())).status_code == 200
