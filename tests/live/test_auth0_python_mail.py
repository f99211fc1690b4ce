"""auth0-python's own classes against a real `ostiary serve` over http, with the mail read from a loopback SMTP
server: Database.change_password → the emailed reset link → GetToken.login with the new password, and
Passwordless.email → the emailed code → GetToken.passwordless_login. The server's own background sender
delivers the mail (nothing in-process here)."""

from __future__ import annotations

import asyncio
import html
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import jwt
import pytest
from auth0.authentication import Database, GetToken, Passwordless

from ostiary.admin.provision import DEFAULT_DATABASE_CONNECTION, provision_tenant
from ostiary.admin.session import admin_session
from ostiary.settings import Settings
from tests.conftest import TEST_MASTER_KEY
from tests.support.live import LiveServer, live_server
from tests.support.mailbox import Mailbox

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("quiet")]
OTP = "http://auth0.com/oauth/grant-type/passwordless/otp"
REALM = "http://auth0.com/oauth/grant-type/password-realm"
API = "https://api.live-mail.example"
OLD, NEW = "the old passphrase", "a much newer passphrase"


async def _seed(settings: Settings, srv: LiveServer) -> tuple[str, str]:
    domain = f"127.0.0.1:{srv.port}"
    async with admin_session(settings) as admin:
        tenant = await provision_tenant(admin, name=domain, domains=[domain])
        repos = admin.repos(tenant)
        await repos.resource_servers.create(identifier=API, scopes=["read:x"])
        client = await repos.clients.create(name="Live Mail App", app_type="native",
                                            grant_types=[REALM, OTP, "refresh_token"])
        # Provisioning created the database connection; the app is enabled on it.
        await repos.connections.set_enabled(DEFAULT_DATABASE_CONNECTION, client.client_id, True)
        await repos.connections.create(name="email", strategy="email", enabled_clients=[client.client_id])
        await repos.users.create(connection=DEFAULT_DATABASE_CONNECTION, email="sam@example.com",
                                 email_verified=True, password=OLD)
    return domain, client.client_id


async def test_auth0_python_reset_and_passwordless_against_a_live_server(
    settings: Settings, mailbox: Mailbox, test_output_dir: Path
) -> None:
    env = {"OSTIARY_SMTP_URL": mailbox.url, "OSTIARY_MAIL_POLL_SECONDS": "0.2"}
    with live_server(database_url=settings.database_url, master_key=TEST_MASTER_KEY, workers=1, extra_env=env,
                     log_dir=test_output_dir) as srv:
        domain, client_id = await _seed(settings, srv)
        try:
            answer = await asyncio.to_thread(
                Database(domain, client_id, protocol="http").change_password, "sam@example.com",
                DEFAULT_DATABASE_CONNECTION)
            assert answer == "We've just sent you an email to reset your password."
            [mail] = await asyncio.to_thread(mailbox.wait_for, 1)
            assert mail.recipients == ["sam@example.com"] and mail.template == "reset_email"
            link = mail.link()
            assert link.startswith(f"http://{domain}/u/reset-password?ticket=")
            async with httpx.AsyncClient() as http:
                assert (await http.get(link)).status_code == 200
                ticket = dict(parse_qsl(urlsplit(link).query))["ticket"]
                done = await http.post(f"http://{domain}/u/reset-password",
                                       data={"ticket": ticket, "password": NEW, "password_confirm": NEW})
                assert done.status_code == 200 and "Password changed" in done.text
            tokens = await asyncio.to_thread(
                GetToken(domain, client_id, protocol="http").login, "sam@example.com", NEW, scope="openid",
                realm=DEFAULT_DATABASE_CONNECTION, audience=API)
            assert tokens["access_token"] and tokens["id_token"]

            started = await asyncio.to_thread(
                Passwordless(domain, client_id, protocol="http").email, "kim@example.com", send="code")
            assert started["email"] == "kim@example.com"
            [code_mail] = await asyncio.to_thread(mailbox.wait_for, 1)
            assert code_mail.recipients == ["kim@example.com"] and code_mail.template == "passwordless_email"
            code = code_mail.code()
            assert re.fullmatch(r"\d{6}", code) and html.escape(code) in code_mail.html()
            otp_tokens = await asyncio.to_thread(
                GetToken(domain, client_id, protocol="http").passwordless_login, "kim@example.com", code,
                "email", "openid email", API)
            claims = jwt.decode(otp_tokens["id_token"], options={"verify_signature": False})
            assert claims["email"] == "kim@example.com" and claims["sub"].startswith("email|")
        finally:
            async with admin_session(settings) as admin:
                await admin.tenants.delete(domain)
