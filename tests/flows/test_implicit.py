"""Implicit flow: token, id_token and "id_token token" in the fragment (and the other modes), nonce rules."""

from __future__ import annotations

import pytest
from tests.support.browser_login import (
    API,
    CALLBACK,
    authorize_params,
    login_round_trip,
    response_params,
    start,
    web_app,
)
from tests.support.factories import TenantFixture
from tests.support.jwks import oidc_half_hash, verify

CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


@pytest.mark.parametrize(
    ("response_type", "keys"),
    [
        ("token", {"access_token", "expires_in", "token_type", "state", "iss"}),
        ("id_token", {"id_token", "state", "iss"}),
        ("id_token token", {"id_token", "access_token", "expires_in", "token_type", "state", "iss"}),
        ("token id_token", {"id_token", "access_token", "expires_in", "token_type", "state", "iss"}),
    ],
    ids=["token", "id_token", "id_token+token", "token+id_token"],
)
async def test_implicit_answers_in_the_fragment(tenant: TenantFixture, response_type: str, keys: set[str]) -> None:
    app = await web_app(tenant, app_type="spa", grant_types=["implicit"])
    params = authorize_params(app, response_type=response_type, audience=API, scope="openid read:things",
                              nonce="nonce-123")
    answer = await login_round_trip(app, params)
    assert answer.status_code == 302
    assert answer.headers["location"].startswith(f"{CALLBACK}#")
    got = response_params(answer)
    assert set(got) == keys
    if "access_token" in got:
        claims = await verify(tenant.http, got["access_token"], audience=API, issuer=tenant.issuer)
        assert claims["scope"] == "openid read:things" and got["expires_in"] == "7200"
    if "id_token" in got:
        claims = await verify(tenant.http, got["id_token"], audience=app.client.client_id, issuer=tenant.issuer)
        assert claims["nonce"] == "nonce-123"
        assert "c_hash" not in claims
        assert claims.get("at_hash") == (oidc_half_hash(got["access_token"]) if "access_token" in got else None)


@pytest.mark.parametrize("response_type", ["id_token", "id_token token", "code id_token", "code id_token token"])
async def test_id_token_from_authorize_requires_a_nonce(tenant: TenantFixture, response_type: str) -> None:
    app = await web_app(tenant)
    response = await start(app.http, authorize_params(app, response_type=response_type, state="st"))
    assert response.status_code == 302
    assert response.headers["location"].startswith(f"{CALLBACK}#")  # never the query (ST-05)
    assert response_params(response) == {
        "error": "invalid_request",
        "error_description": "Missing required parameter: nonce",
        "state": "st",
        "iss": tenant.issuer,
    }


async def test_code_and_code_token_need_no_nonce(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    for response_type in ("code", "code token"):
        response = await start(app.http, authorize_params(app, response_type=response_type))
        assert response.status_code == 302
        assert response.headers["location"].startswith("/u/login?state=")


async def test_tokens_never_travel_in_the_query(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    response = await start(
        app.http, authorize_params(app, response_type="code id_token", response_mode="query", nonce="n", state="s")
    )
    assert response.headers["location"].startswith(f"{CALLBACK}#")
    assert response_params(response)["error"] == "invalid_request"


async def test_implicit_needs_the_implicit_grant(tenant: TenantFixture) -> None:
    app = await web_app(tenant, grant_types=["authorization_code"])
    response = await start(app.http, authorize_params(app, response_type="token", state="s"))
    got = response_params(response)
    assert got["error"] == "unauthorized_client"
    assert got["error_description"] == "Grant type 'implicit' not allowed for the client."


async def test_web_message_posts_to_the_app_origin_only_and_may_be_framed(tenant: TenantFixture) -> None:
    app = await web_app(tenant, app_type="spa", grant_types=["authorization_code", "implicit"])
    params = authorize_params(app, response_mode="web_message", code_challenge=CHALLENGE,
                              code_challenge_method="S256", state='st"</script>')
    answer = await login_round_trip(app, params)
    assert answer.status_code == 200
    assert 'window.parent.postMessage({type: "authorization_response", response: {"code": "' in answer.text
    assert answer.text.count('"https://app.example");') == 2
    assert "</script>\"" not in answer.text and "st\\\"\\u003c/script\\u003e" in answer.text
    assert "x-frame-options" not in answer.headers
    assert "frame-ancestors https://app.example" in answer.headers["content-security-policy"]


async def test_web_message_error_variant_for_prompt_none(tenant: TenantFixture) -> None:
    app = await web_app(tenant, app_type="spa")
    params = authorize_params(app, response_mode="web_message", prompt="none", state="silent",
                              code_challenge=CHALLENGE, code_challenge_method="S256")
    page = await start(app.http, params)
    assert page.status_code == 200
    assert ('response: {"error": "login_required", "error_description": "Login required", "state": "silent"'
            in page.text)


async def test_web_message_to_an_origin_not_allowed_is_an_error_page(tenant: TenantFixture) -> None:
    app = await web_app(tenant, app_type="spa", web_origins=[])
    params = authorize_params(app, response_mode="web_message", prompt="none")
    page = await start(app.http, params)
    assert page.status_code == 400 and "location" not in page.headers
    assert "postMessage" not in page.text


RESPONSE_TYPES = ["code", "token", "id_token", "id_token token", "code id_token", "code token", "code id_token token"]


async def test_every_response_type_in_every_response_mode(tenant: TenantFixture) -> None:
    """One login, then each (response_type, response_mode) answers silently through the SSO session."""
    app = await web_app(tenant, grant_types=["authorization_code", "implicit"])
    await login_round_trip(app, authorize_params(app))
    for response_type in RESPONSE_TYPES:
        words = set(response_type.split())
        modes = ["query", "fragment", "form_post", "web_message"] if words == {"code"} else [
            "fragment", "form_post", "web_message"]
        for mode in modes:
            params = authorize_params(app, response_type=response_type, response_mode=mode, nonce="mx",
                                      audience=API, scope="openid read:things", state=f"{response_type}/{mode}")
            answer = await start(app.http, params)
            if mode == "web_message":
                assert answer.status_code == 200 and "window.parent.postMessage(" in answer.text
                continue
            if mode == "form_post":
                assert answer.status_code == 200
            else:
                assert answer.status_code == 302
                assert answer.headers["location"].startswith(CALLBACK + ("?" if mode == "query" else "#"))
            got = response_params(answer)
            assert got["state"] == f"{response_type}/{mode}" and got["iss"] == tenant.issuer
            assert ("code" in got) == ("code" in words)
            assert ("access_token" in got) == ("token" in words)
            if "id_token" in words:
                claims = await verify(tenant.http, got["id_token"], audience=app.client.client_id,
                                      issuer=tenant.issuer)
                assert claims["nonce"] == "mx"
                assert claims.get("c_hash") == (oidc_half_hash(got["code"]) if "code" in got else None)
                assert claims.get("at_hash") == (oidc_half_hash(got["access_token"]) if "access_token" in got
                                                 else None)
            else:
                assert "id_token" not in got
