"""Driving /authorize and the hosted login page over HTTP, as a browser (or the benchmark driver) does.

The automation contract: GET /authorize → 302 /u/login?state=X; GET it → 200 with `name="_csrf" value="..."`;
POST /u/login (state, username, password, action=default, _csrf, with the cookies) → 302
/authorize/resume?state=X → 302 to the redirect_uri (or a form_post page).
"""

from __future__ import annotations

import html
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from ostiary import entities
from tests.support.factories import TenantFixture

CALLBACK = "https://app.example/callback"
APP_ORIGIN = "https://app.example"
LOGOUT_URL = "https://app.example/logged-out"
API = "https://api.example.com"
PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="_csrf" value="([^"]*)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')


@dataclass
class WebApp:
    tenant: TenantFixture
    client: entities.Client
    api: entities.Api
    user: entities.User
    password: str = PASSWORD

    @property
    def http(self) -> httpx.AsyncClient:
        return self.tenant.http


async def web_app(tenant: TenantFixture, *, api_fields: dict[str, Any] | None = None, **client_fields: Any) -> WebApp:
    """A client with a callback, an API, a database connection enabled for it, and a user with a password."""
    api = await tenant.api(
        API,
        scopes=[{"value": "read:things", "description": "Read your things"}, "write:things"],
        allow_offline_access=True,
        **(api_fields or {}),
    )
    client_fields.setdefault("callbacks", [CALLBACK])
    client_fields.setdefault("web_origins", [APP_ORIGIN])
    client_fields.setdefault("allowed_logout_urls", [LOGOUT_URL])
    client = await tenant.client(**client_fields)
    await tenant.connection(enabled_clients=[client.client_id])
    user = await tenant.user(password=PASSWORD, name="Alice Example", email_verified=True)
    return WebApp(tenant=tenant, client=client, api=api, user=user)


def authorize_params(app: WebApp, **overrides: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": app.client.client_id,
        "redirect_uri": CALLBACK,
        "scope": "openid profile email",
        "state": secrets.token_urlsafe(8),
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def assert_error_page(response: httpx.Response, status: int = 400) -> None:
    """An error shown to the user: an HTML page, no Location, no auto-submitting form, nothing issued."""
    assert response.status_code == status, (response.status_code, response.text[:300])
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["x-frame-options"] == "DENY"
    assert 'method="post"' not in response.text
    assert 'name="code"' not in response.text and 'name="access_token"' not in response.text


def response_params(response: httpx.Response) -> dict[str, str]:
    """The authorization response, whatever the mode: query, fragment or form_post page."""
    if response.status_code == 200 and 'method="post"' in response.text:
        return {html.unescape(k): html.unescape(v) for k, v in HIDDEN.findall(response.text)}
    assert response.status_code == 302, (response.status_code, response.text[:500])
    location = urlsplit(response.headers["location"])
    return dict(parse_qsl(location.fragment or location.query, keep_blank_values=True))


async def start(http: httpx.AsyncClient, params: dict[str, str]) -> httpx.Response:
    return await http.get("/authorize", params=params)


async def open_login_page(http: httpx.AsyncClient, location: str) -> tuple[str, str]:
    """GET /u/login?state=X → (state, csrf)."""
    assert location.startswith("/u/login?state=") or location.startswith("/u/signup?state="), location
    page = await http.get(location)
    assert page.status_code == 200, page.text
    match = CSRF.search(page.text)
    assert match, "no _csrf field on the login page"
    state = dict(parse_qsl(urlsplit(location).query))["state"]
    return state, html.unescape(match.group(1))


async def submit_login(http: httpx.AsyncClient, state: str, csrf: str, username: str, password: str) -> httpx.Response:
    return await http.post(
        "/u/login",
        data={"state": state, "username": username, "password": password, "action": "default", "_csrf": csrf},
    )


async def login_round_trip(
    app: WebApp, params: dict[str, str], *, username: str | None = None, password: str | None = None
) -> httpx.Response:
    """GET /authorize → login page → POST credentials → /authorize/resume → the app's answer."""
    first = await start(app.http, params)
    assert first.status_code == 302, first.text
    state, csrf = await open_login_page(app.http, first.headers["location"])
    posted = await submit_login(
        app.http, state, csrf, username or app.user.email or "", password or app.password
    )
    assert posted.status_code == 302, posted.text
    assert posted.headers["location"] == f"/authorize/resume?state={state}"
    return await app.http.get(posted.headers["location"])


async def exchange_code(app: WebApp, code: str, **extra: str) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "client_id": app.client.client_id,
        "code": code,
        "redirect_uri": CALLBACK,
    }
    if app.client.client_secret:
        form["client_secret"] = app.client.client_secret
    form.update(extra)
    return await app.http.post("/oauth/token", data=form)
