"""A real browser resets a forgotten password: headless Chromium against `ostiary serve` clicks "Forgot
password?" on the login page, asks for the email, follows the link the server mailed (read from a loopback
SMTP server), sets a new password, goes back to the login and logs in with it, landing on the app."""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from ostiary.admin.provision import DEFAULT_DATABASE_CONNECTION, provision_tenant
from ostiary.admin.session import admin_session
from ostiary.settings import Settings
from tests.conftest import TEST_MASTER_KEY
from tests.support.chromium import chromium_driver, require_browser
from tests.support.live import live_server
from tests.support.mailbox import Mailbox

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("quiet")]
OLD, NEW = "the forgotten passphrase", "a remembered passphrase"
EMAIL = "forgetful@example.com"


@pytest.fixture
def settings(sqlite_db: str, mailbox: Mailbox) -> Settings:
    return Settings(database_url=sqlite_db, master_key=TEST_MASTER_KEY, _env_file=None)  # type: ignore[call-arg]


async def test_chromium_resets_a_forgotten_password_and_logs_in(
    settings: Settings, mailbox: Mailbox, test_output_dir: Path
) -> None:
    require_browser()
    domain = f"forgot-{secrets.token_hex(4)}.test"
    env = {"OSTIARY_SMTP_URL": mailbox.url, "OSTIARY_MAIL_POLL_SECONDS": "0.2"}
    with live_server(database_url=settings.database_url, master_key=TEST_MASTER_KEY, workers=1, extra_env=env,
                     log_dir=test_output_dir) as srv:
        base = f"http://{domain}:{srv.port}"
        callback = f"{base}/healthz"
        async with admin_session(settings) as admin:
            tenant = await provision_tenant(admin, name=domain, domains=[f"{domain}:{srv.port}"],
                                            friendly_name="Forgetful Co")
            repos = admin.repos(tenant)
            client = await repos.clients.create(name="Browser App", callbacks=[callback])
            await repos.connections.set_enabled(DEFAULT_DATABASE_CONNECTION, client.client_id, True)
            await repos.users.create(connection=DEFAULT_DATABASE_CONNECTION, email=EMAIL, password=OLD)
        try:
            query = urlencode({"response_type": "code", "client_id": client.client_id, "redirect_uri": callback,
                               "scope": "openid", "state": "after-reset"})
            driver = chromium_driver(domain)
            try:
                from selenium.webdriver.common.by import By
                from selenium.webdriver.support import expected_conditions as ec
                from selenium.webdriver.support.ui import WebDriverWait

                wait = WebDriverWait(driver, 20)
                driver.get(f"{base}/authorize?{query}")
                wait.until(ec.element_to_be_clickable((By.ID, "forgot-password"))).click()
                wait.until(ec.presence_of_element_located((By.NAME, "email"))).send_keys(EMAIL)
                driver.find_element(By.CSS_SELECTOR, "button[name=action]").click()
                wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Check your email"))
                [mail] = mailbox.wait_for(1)
                assert mail.recipients == [EMAIL] and mail.template == "reset_email"
                assert mail.link().startswith(f"{base}/u/reset-password?ticket=")
                driver.get(mail.link())
                wait.until(ec.presence_of_element_located((By.NAME, "password"))).send_keys(NEW)
                driver.find_element(By.NAME, "password_confirm").send_keys(NEW)
                assert driver.save_screenshot(str(test_output_dir / "reset-password-page.png"))
                driver.find_element(By.CSS_SELECTOR, "button[name=action]").click()
                wait.until(ec.element_to_be_clickable((By.ID, "continue"))).click()
                wait.until(ec.presence_of_element_located((By.NAME, "username"))).send_keys(EMAIL)
                driver.find_element(By.NAME, "password").send_keys(NEW)
                driver.find_element(By.CSS_SELECTOR, "button[name=action]").click()
                wait.until(lambda d: urlsplit(d.current_url).path == "/healthz")
                landed = dict(parse_qsl(urlsplit(driver.current_url).query))
            finally:
                driver.quit()
            assert landed["state"] == "after-reset" and landed["code"]
        finally:
            async with admin_session(settings) as admin:
                await admin.tenants.delete(tenant.name)
