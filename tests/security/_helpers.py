"""Shared assertions and small drivers for the security catalogue tests (section 1, groups 1.1–1.8)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from tests.support.browser_login import CALLBACK, WebApp, authorize_params, login_round_trip, response_params, start


def assert_token_error(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
    """TOK-ERR in Ostiary's (Auth0's) statuses: JSON {"error", "error_description"}, no-store."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers.get("cache-control") == "no-store"
    body: dict[str, Any] = response.json()
    assert body["error"] == error, body
    assert isinstance(body.get("error_description"), str)
    return body


def assert_bearer_error(response: httpx.Response, status: int, error: str) -> None:
    """RS-ERR at /userinfo: status and `WWW-Authenticate: Bearer error="..."`."""
    assert response.status_code == status, (response.status_code, response.text)
    challenge = response.headers.get("www-authenticate", "")
    assert challenge.startswith("Bearer") and f'error="{error}"' in challenge, challenge


def location_params(response: httpx.Response) -> list[tuple[str, str]]:
    """Every (name, value) of a query or fragment Location, repeats kept (to see shadowed parameters)."""
    assert response.status_code == 302, (response.status_code, response.text[:300])
    parts = urlsplit(response.headers["location"])
    return parse_qsl(parts.fragment or parts.query, keep_blank_values=True)


async def code_for(app: WebApp, **overrides: str) -> str:
    """A fresh authorization code: through the login page, or silently when the browser has a session."""
    params = authorize_params(app, **overrides)
    answer = await start(app.http, params)
    if answer.headers.get("location", "").startswith("/u/login?"):
        answer = await login_round_trip(app, params)
    got = response_params(answer)
    assert got.get("state") == params.get("state"), got
    return got["code"]


async def sibling(app: WebApp, **client_fields: Any) -> WebApp:
    """Another client of the same tenant beside app (same API and user), for prompt=none or token-endpoint checks."""
    client_fields.setdefault("callbacks", [CALLBACK])
    return dataclasses.replace(app, client=await app.tenant.client(**client_fields))


def pair() -> tuple[str, str]:
    """A PKCE (code_verifier, S256 code_challenge), computed here independently of the server."""
    verifier = secrets.token_urlsafe(48)
    return verifier, base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
