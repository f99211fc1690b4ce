"""Driving a browser login through a fake identity provider over HTTP (the ASGI client as the browser).

GET /authorize?connection=NAME → 302 to the provider → the provider answers (302 to /login/callback, or a
form_post page whose form the "browser" submits) → 302 /authorize/resume?state=... → the app's answer.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from ostiary.connections.federated.oidc import DISCOVERY
from ostiary.connections.id_tokens import JWKS
from ostiary.settings import Settings
from tests.conftest import settings_for
from tests.support.browser_login import WebApp
from tests.support.fake_idps import FakeIdps, start_fake_idps

FORM = re.compile(r'<form[^>]*action="([^"]*)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')


@pytest.fixture(scope="session")
def idp_server() -> Iterator[FakeIdps]:
    idps, server = start_fake_idps()
    yield idps
    server.stop()


@pytest.fixture
def idps(idp_server: FakeIdps) -> FakeIdps:
    idp_server.reset()
    JWKS.clear()
    DISCOVERY.clear()
    return idp_server


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for(database_url, upstream_timeout_seconds=0.5)


def form_fields(page: str) -> tuple[str, dict[str, str]]:
    action = FORM.search(page)
    assert action, page[:300]
    return html.unescape(action.group(1)), {html.unescape(k): html.unescape(v) for k, v in HIDDEN.findall(page)}


async def at_provider(leaving: httpx.Response) -> httpx.Response:
    """The browser at the provider: follow Ostiary's redirect there (real HTTP to the fake)."""
    assert leaving.status_code == 302, (leaving.status_code, leaving.text[:300])
    async with httpx.AsyncClient() as browser:
        return await browser.get(leaving.headers["location"])


async def back_at_ostiary(app: WebApp, answer: httpx.Response) -> httpx.Response:
    """The provider's answer delivered to /login/callback (query redirect or form_post)."""
    if answer.status_code == 302:
        location = urlsplit(answer.headers["location"])
        assert f"{location.scheme}://{location.netloc}/" == app.tenant.issuer and location.path == "/login/callback"
        return await app.http.get(f"{location.path}?{location.query}")
    assert answer.status_code == 200, answer.text[:300]
    action, fields = form_fields(answer.text)
    assert action == f"{app.tenant.issuer}login/callback"
    return await app.http.post("/login/callback", data=fields)


async def resume(app: WebApp, called_back: httpx.Response) -> httpx.Response:
    assert called_back.status_code == 302, (called_back.status_code, called_back.text[:500])
    assert called_back.headers["location"].startswith("/authorize/resume?state=")
    return await app.http.get(called_back.headers["location"])


async def provider_login(app: WebApp, params: dict[str, Any]) -> httpx.Response:
    """The whole round trip; returns the app's answer."""
    leaving = await app.http.get("/authorize", params=params)
    return await resume(app, await back_at_ostiary(app, await at_provider(leaving)))
