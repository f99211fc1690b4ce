"""Real browser logins through identity providers: headless Chromium against `ostiary serve`, through the
loopback fakes of Google, Apple (form_post: a cross-site POST, re-posted from our page to carry the cookie),
GitHub (the login page's button) and a generic OpenID Provider, and through a second Ostiary tenant as the
upstream `oidc` provider (back-channel, its own login page), each landing on the app with a code that redeems.

Few and end to end on purpose: every refusal and outage is driven over HTTP in tests/flows/test_federated_login.py.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import jwt
import pytest

from ostiary.admin.provision import DEFAULT_DATABASE_CONNECTION, provision_tenant
from ostiary.admin.session import admin_session
from ostiary.settings import Settings
from tests.browser.test_login_in_chromium import PASSWORD
from tests.conftest import TEST_MASTER_KEY
from tests.support.chromium import chromium_driver, require_browser
from tests.support.fake_idps import FakeIdps, start_fake_idps
from tests.support.live import LiveServer, live_server

pytestmark = pytest.mark.browser


@dataclass
class World:
    server: LiveServer
    idps: FakeIdps
    settings: Settings


@dataclass
class Site:
    """A tenant served on `domain:port`, one client whose callback is the server's /healthz."""

    name: str
    host: str
    base: str
    client: Any

    @property
    def callback(self) -> str:
        return f"{self.base}/healthz"


@pytest.fixture(scope="module")
def world(sqlite_db: str, test_output_dir: Path) -> Iterator[World]:
    require_browser()
    idps, idp_server = start_fake_idps()
    settings = Settings(database_url=sqlite_db, master_key=TEST_MASTER_KEY, _env_file=None)  # type: ignore[call-arg]
    try:
        with live_server(database_url=sqlite_db, master_key=TEST_MASTER_KEY, workers=1,
                         log_dir=test_output_dir) as server:
            yield World(server, idps, settings)
    finally:
        idp_server.stop()


async def site(world: World, host: str | None = None, **client_fields: Any) -> Site:
    name = f"fed-{secrets.token_hex(4)}"
    host = host or f"{name}.test:{world.server.port}"
    base = f"http://{host}"
    async with admin_session(world.settings) as admin:
        tenant = await provision_tenant(admin, name=name, domains=[host], friendly_name="Federated Co")
        client_fields.setdefault("callbacks", [f"{base}/healthz"])
        client = await admin.repos(tenant).clients.create(name="Chromium App", **client_fields)
    return Site(name=name, host=host, base=base, client=client)


async def connect(world: World, at: Site, name: str, strategy: str, options: dict[str, Any]) -> None:
    async with admin_session(world.settings) as admin:
        tenant = await admin.tenants.require(at.name)
        await admin.repos(tenant).connections.create(
            name=name, strategy=strategy, options=options, enabled_clients=[at.client.client_id])


async def drop(world: World, *sites: Site) -> None:
    async with admin_session(world.settings) as admin:
        for s in sites:
            await admin.tenants.delete(s.name)


def browse(at: Site, url: str, *, steps: Any = None, screenshot: Path | None = None) -> dict[str, str]:
    """Chromium opens `url`, runs `steps(driver)` if any, and lands on the app's callback: its query."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    driver = chromium_driver(at.host.split(":")[0])
    try:
        driver.get(url)
        if steps is not None:
            steps(driver)
        try:
            WebDriverWait(driver, 30).until(lambda d: urlsplit(d.current_url).path == "/healthz")
        except TimeoutException as exc:
            raise AssertionError(f"stuck at {driver.current_url}: {driver.page_source[-1500:]}") from exc
        if screenshot is not None:
            driver.save_screenshot(str(screenshot))
        return dict(parse_qsl(urlsplit(driver.current_url).query))
    finally:
        driver.quit()


def authorize_url(at: Site, **extra: str) -> str:
    query = {"response_type": "code", "client_id": at.client.client_id, "redirect_uri": at.callback,
             "scope": "openid profile email", "state": "from-chromium", **extra}
    return f"{at.base}/authorize?{urlencode(query)}"


async def redeem(world: World, at: Site, landed: dict[str, str]) -> dict[str, Any]:
    assert landed.get("state") == "from-chromium" and landed.get("code"), landed
    async with httpx.AsyncClient(base_url=world.server.base_url, headers={"Host": at.host}) as http:
        tokens = await http.post("/oauth/token", data={
            "grant_type": "authorization_code", "client_id": at.client.client_id,
            "client_secret": at.client.client_secret, "code": landed["code"], "redirect_uri": at.callback})
    assert tokens.status_code == 200, tokens.text
    return dict(jwt.decode(tokens.json()["id_token"], options={"verify_signature": False}))


async def test_google_through_the_connection_parameter(world: World) -> None:
    idp = world.idps.google
    idp.reset()
    idp.user = {"sub": "117", "email": "ada@gmail.com", "email_verified": True, "name": "Ada Lovelace"}
    app = await site(world)
    try:
        await connect(world, app, "google-oauth2", "google-oauth2", idp.options())
        landed = await asyncio.to_thread(browse, app, authorize_url(app, connection="google-oauth2"))
        claims = await redeem(world, app, landed)
        assert claims["sub"] == "google-oauth2|117" and claims["name"] == "Ada Lovelace"
        assert idp.last("token")["form"]["code_verifier"]
    finally:
        await drop(world, app)


async def test_apple_form_post_in_a_real_browser(world: World) -> None:
    idp = world.idps.apple
    idp.reset()
    idp.user = {"sub": "000123.apple", "email": "relay@privaterelay.appleid.com", "email_verified": "true",
                "user": '{"name": {"firstName": "Grace", "lastName": "Hopper"}}'}
    app = await site(world)
    try:
        await connect(world, app, "apple", "apple", idp.options())
        landed = await asyncio.to_thread(browse, app, authorize_url(app, connection="apple"))
        claims = await redeem(world, app, landed)
        assert claims["sub"] == "apple|000123.apple" and claims["name"] == "Grace Hopper"
    finally:
        await drop(world, app)


async def test_github_through_the_login_page_button(world: World, test_output_dir: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    idp = world.idps.github
    idp.reset()
    idp.user = {"id": 9919, "login": "octocat", "name": "Octo Cat",
                "emails": [{"email": "octo@example.com", "primary": True, "verified": True}]}
    app = await site(world)
    try:
        async with admin_session(world.settings) as admin:
            tenant = await admin.tenants.require(app.name)
            await admin.repos(tenant).connections.set_enabled(DEFAULT_DATABASE_CONNECTION, app.client.client_id, True)
        await connect(world, app, "github", "github", idp.options())

        def click_github(driver: Any) -> None:
            button = WebDriverWait(driver, 20).until(
                ec.element_to_be_clickable((By.CSS_SELECTOR, "button[name=connection][value=github]")))
            assert driver.find_element(By.NAME, "password")  # beside the database form
            assert button.text == "Continue with GitHub"
            driver.save_screenshot(str(test_output_dir / "login-page-with-buttons.png"))
            button.click()

        landed = await asyncio.to_thread(browse, app, authorize_url(app), steps=click_github)
        claims = await redeem(world, app, landed)
        assert claims["sub"] == "github|9919" and claims["email"] == "octo@example.com"
    finally:
        await drop(world, app)


async def test_generic_oidc_provider_front_channel(world: World) -> None:
    idp = world.idps.oidc
    idp.reset()
    idp.user = {"sub": "e-7", "email": "e7@corp.example", "email_verified": True, "name": "Employee Seven"}
    app = await site(world)
    try:
        await connect(world, app, "corp", "oidc", {**idp.options(), "type": "front_channel"})
        landed = await asyncio.to_thread(browse, app, authorize_url(app, connection="corp"))
        claims = await redeem(world, app, landed)
        assert claims["sub"] == "oidc|corp|e-7" and claims["email"] == "e7@corp.example"
    finally:
        await drop(world, app)


async def test_a_second_ostiary_tenant_as_the_upstream_oidc_provider(world: World) -> None:
    """Tenant B (on 127.0.0.1:port, reachable from the server) is an ordinary Ostiary tenant with a database
    user; tenant A's `oidc` connection points at B's discovery document. Neither side has special code."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    app = await site(world)
    upstream = await site(world, host=f"127.0.0.1:{world.server.port}",
                          callbacks=[f"{app.base}/login/callback"])
    try:
        async with admin_session(world.settings) as admin:
            tenant = await admin.tenants.require(upstream.name)
            repos = admin.repos(tenant)
            await repos.connections.set_enabled(DEFAULT_DATABASE_CONNECTION, upstream.client.client_id, True)
            user = await repos.users.create(connection=DEFAULT_DATABASE_CONNECTION, email="bob@upstream.example",
                                            password=PASSWORD, name="Bob Upstream", email_verified=True)
        await connect(world, app, "upstream-ostiary", "oidc", {
            "type": "back_channel", "client_id": upstream.client.client_id,
            "client_secret": upstream.client.client_secret,
            "discovery_url": f"{upstream.base}/.well-known/openid-configuration"})

        def log_in_at_upstream(driver: Any) -> None:
            WebDriverWait(driver, 20).until(ec.presence_of_element_located((By.NAME, "username")))
            assert urlsplit(driver.current_url).netloc == upstream.host
            driver.find_element(By.NAME, "username").send_keys("bob@upstream.example")
            driver.find_element(By.NAME, "password").send_keys(PASSWORD)
            driver.find_element(By.CSS_SELECTOR, "button[name=action]").click()

        landed = await asyncio.to_thread(browse, app, authorize_url(app, connection="upstream-ostiary"),
                                         steps=log_in_at_upstream)
        claims = await redeem(world, app, landed)
        assert claims["sub"] == f"oidc|upstream-ostiary|{user.user_id}"
        assert claims["email"] == "bob@upstream.example" and claims["name"] == "Bob Upstream"
    finally:
        await drop(world, app, upstream)
