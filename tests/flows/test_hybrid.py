"""Hybrid flow exactly as auth0-docs 003 walks through it: response_mode=form_post, nonce, c_hash, code exchange."""

from __future__ import annotations

import html
import re

import pytest
from tests.support.browser_login import (
    API,
    CALLBACK,
    authorize_params,
    exchange_code,
    login_round_trip,
    response_params,
    web_app,
)
from tests.support.factories import TenantFixture
from tests.support.jwks import oidc_half_hash, verify

CASES = {
    "code id_token": {"code", "id_token", "state", "iss"},
    "code token": {"code", "access_token", "expires_in", "token_type", "state", "iss"},
    "code id_token token": {"code", "id_token", "access_token", "expires_in", "token_type", "state", "iss"},
}


@pytest.mark.parametrize("response_type", list(CASES), ids=lambda rt: rt.replace(" ", "+"))
async def test_hybrid_form_post_walkthrough(tenant: TenantFixture, response_type: str) -> None:
    app = await web_app(tenant, grant_types=["authorization_code", "implicit", "refresh_token"])
    params = authorize_params(
        app,
        response_type=response_type,
        response_mode="form_post",
        audience=API,
        scope="openid profile offline_access read:things",
        state="xyzABC123",
        nonce="eq...hPmz",
    )
    page = await login_round_trip(app, params)
    # form_post: a 200 page whose form auto-submits the answer to the redirect_uri.
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert f'<form method="post" action="{CALLBACK}"' in page.text
    assert re.search(r'<script nonce="[^"]+">document.getElementById\("response"\).submit\(\);</script>', page.text)
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    got = response_params(page)
    assert set(got) == CASES[response_type]
    assert got["state"] == "xyzABC123" and got["iss"] == tenant.issuer
    if "access_token" in got:
        assert got["token_type"] == "Bearer" and got["expires_in"] == "7200"  # token_lifetime_for_web
        at = await verify(tenant.http, got["access_token"], audience=API, issuer=tenant.issuer)
        assert at["exp"] - at["iat"] == 7200
    front_sub = None
    if "id_token" in got:
        claims = await verify(tenant.http, got["id_token"], audience=app.client.client_id, issuer=tenant.issuer)
        assert claims["nonce"] == "eq...hPmz"
        # c_hash: left half of SHA-256 of the code's ASCII octets, base64url (the walkthrough's three steps).
        assert claims["c_hash"] == oidc_half_hash(got["code"])
        if "access_token" in got:
            assert claims["at_hash"] == oidc_half_hash(got["access_token"])
        else:
            assert "at_hash" not in claims
        front_sub = claims["sub"]
    # Step 2: exchange the code; keep this access token apart from the front-channel one.
    tokens = await exchange_code(app, got["code"])
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["access_token"] != got.get("access_token")
    assert body["refresh_token"] and body["token_type"] == "Bearer"
    back = await verify(tenant.http, body["id_token"], audience=app.client.client_id, issuer=tenant.issuer)
    assert back["sub"] == (front_sub or app.user.user_id)  # ST-06
    assert back["nonce"] == "eq...hPmz"


async def test_form_post_escapes_every_value(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    state = '"><script>alert(1)</script>&é'
    page = await login_round_trip(app, authorize_params(app, response_mode="form_post", state=state))
    assert "<script>alert(1)</script>" not in page.text
    assert html.escape(state, quote=True) in page.text
    assert response_params(page)["state"] == state


async def test_hybrid_needs_the_implicit_grant_too(tenant: TenantFixture) -> None:
    app = await web_app(tenant, grant_types=["authorization_code"])
    response = await tenant.http.get(
        "/authorize", params=authorize_params(app, response_type="code id_token", nonce="n", state="s")
    )
    assert response.status_code == 302
    got = response_params(response)
    assert got == {
        "error": "unauthorized_client",
        "error_description": "Grant type 'implicit' not allowed for the client.",
        "state": "s",
        "iss": tenant.issuer,
    }
    assert response.headers["location"].startswith(f"{CALLBACK}#")
