"""A real browser logs in through the hosted page: headless Chromium (Debian's package) driven by selenium
against `ostiary serve` on http; it lands on the app's callback with a code, which then redeems.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest

from ostiary.admin.provision import DEFAULT_DATABASE_CONNECTION, provision_tenant
from ostiary.admin.session import admin_session
from ostiary.settings import Settings
from tests.conftest import TEST_MASTER_KEY
from tests.support.chromium import chromium_driver, require_browser
from tests.support.live import live_server

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


async def test_chromium_logs_in_through_the_page_and_gets_a_code(sqlite_db: str, test_output_dir: Path) -> None:
    require_browser()
    settings = Settings(database_url=sqlite_db, master_key=TEST_MASTER_KEY, _env_file=None)  # type: ignore[call-arg]
    domain = f"browser-{secrets.token_hex(4)}.test"
    with live_server(database_url=sqlite_db, master_key=TEST_MASTER_KEY, workers=1, log_dir=test_output_dir) as srv:
        base = f"http://{domain}:{srv.port}"
        callback = f"{base}/healthz"
        async with admin_session(settings) as admin:
            # The browser sends the port in Host; a non-default port is part of the tenant's domain (TN-08).
            tenant = await provision_tenant(
                admin, name=domain, domains=[f"{domain}:{srv.port}"], friendly_name="Browser Test Co"
            )
            repos = admin.repos(tenant)
            client = await repos.clients.create(name="Browser App", callbacks=[callback])
            # The tenant's default database connection, as every new tenant has it.
            await repos.connections.set_enabled(DEFAULT_DATABASE_CONNECTION, client.client_id, True)
            user = await repos.users.create(
                connection=DEFAULT_DATABASE_CONNECTION, email="browser@example.com", password=PASSWORD
            )
        try:
            query = urlencode({"response_type": "code", "client_id": client.client_id, "redirect_uri": callback,
                               "scope": "openid profile email", "state": "from-the-browser"})
            driver = chromium_driver(domain)
            try:
                from selenium.webdriver.common.by import By
                from selenium.webdriver.support import expected_conditions as ec
                from selenium.webdriver.support.ui import WebDriverWait

                driver.get(f"{base}/authorize?{query}")
                WebDriverWait(driver, 20).until(ec.presence_of_element_located((By.NAME, "username")))
                assert urlsplit(driver.current_url).path == "/u/login"
                assert "Browser Test Co" in driver.page_source
                assert driver.save_screenshot(str(test_output_dir / "login-page.png"))
                driver.find_element(By.NAME, "username").send_keys(user.email or "")
                driver.find_element(By.NAME, "password").send_keys(PASSWORD)
                driver.find_element(By.CSS_SELECTOR, "button[name=action]").click()
                WebDriverWait(driver, 20).until(lambda d: urlsplit(d.current_url).path == "/healthz")
                landed = dict(parse_qsl(urlsplit(driver.current_url).query))
            finally:
                driver.quit()
            assert landed["state"] == "from-the-browser" and landed["code"]
            async with httpx.AsyncClient(base_url=srv.base_url, headers={"Host": f"{domain}:{srv.port}"}) as http:
                tokens = await http.post("/oauth/token", data={
                    "grant_type": "authorization_code", "client_id": client.client_id,
                    "client_secret": client.client_secret, "code": landed["code"], "redirect_uri": callback,
                })
            assert tokens.status_code == 200, tokens.text
            assert tokens.json()["id_token"]
            assert (test_output_dir / "login-page.png").stat().st_size > 1000
        finally:
            async with admin_session(settings) as admin:
                await admin.tenants.delete(tenant.name)
