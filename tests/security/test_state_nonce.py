"""Security catalogue 1.2 (ST): state echoed exactly, nonce rules, response encodings, refreshed ID tokens."""

from __future__ import annotations

import html
import re

from ostiary.clock import FrozenClock
from tests.security._helpers import code_for
from tests.support.browser_login import (
    API,
    CALLBACK,
    authorize_params,
    exchange_code,
    login_round_trip,
    response_params,
    start,
    web_app,
)
from tests.support.factories import TenantFixture
from tests.support.jwks import verify

SPECIAL_STATE = "&=#%+/? é😀<\"'\\;" * 150
# RFC 6749 §4.1.2.1 / §5.2: error_description = *( %x20-21 / %x23-5B / %x5D-7E )
DESCRIPTION = re.compile(r'^[\x20\x21\x23-\x5b\x5d-\x7e]*$')
# JSON bodies: printable ASCII; `"` stays because Auth0's own texts quote values (README, Differences from Auth0).
JSON_DESCRIPTION = re.compile(r'^[\x20-\x7e]*$')


async def test_ST01_long_special_state_is_returned_byte_identical_in_every_mode(tenant: TenantFixture) -> None:
    app = await web_app(tenant, grant_types=["authorization_code", "implicit", "refresh_token"])
    first = await login_round_trip(app, authorize_params(app, state=SPECIAL_STATE))
    assert response_params(first)["state"] == SPECIAL_STATE
    cases = [
        {"response_mode": "fragment"},
        {"response_mode": "form_post"},
        {"response_type": "id_token token", "nonce": "n", "audience": API},
        {"response_type": "code id_token", "nonce": "n", "response_mode": "form_post"},
        {"audience": "https://unknown.example", "response_mode": "form_post"},  # an error answer
        {"audience": "https://unknown.example"},
    ]
    for extra in cases:
        answer = await start(app.http, authorize_params(app, state=SPECIAL_STATE, prompt="none", **extra))
        assert response_params(answer)["state"] == SPECIAL_STATE, extra
        if answer.status_code == 200:
            # form_post: HTML-escaped, so the page carries no raw markup from the state.
            assert html.escape(SPECIAL_STATE, quote=True) in answer.text and "<\"'" not in answer.text


async def test_ST03_id_token_from_authorize_without_nonce_fails_code_succeeds(tenant: TenantFixture) -> None:
    app = await web_app(tenant, grant_types=["authorization_code", "implicit"])
    await login_round_trip(app, authorize_params(app))
    for response_type in ("id_token", "id_token token", "code id_token", "code id_token token"):
        for mode in ({}, {"response_mode": "form_post"}):
            answer = await start(app.http, authorize_params(app, response_type=response_type, prompt="none",
                                                            state="s", **mode))
            got = response_params(answer)
            assert got["error"] == "invalid_request" and "nonce" in got["error_description"], got
            assert "id_token" not in got and "code" not in got
            if not mode:
                assert answer.headers["location"].startswith(f"{CALLBACK}#")
    for response_type in ("code", "code token"):
        got = response_params(await start(app.http, authorize_params(app, response_type=response_type,
                                                                     prompt="none")))
        assert "code" in got and "error" not in got, got


async def test_ST04_refreshed_id_token_keeps_identity_and_auth_time(tenant: TenantFixture, clock: FrozenClock) -> None:
    app = await web_app(tenant)
    code = await code_for(app, scope="openid profile offline_access", audience=API, nonce="original-nonce")
    first = (await exchange_code(app, code)).json()
    original = await verify(tenant.http, first["id_token"], audience=app.client.client_id, issuer=tenant.issuer)
    clock.advance(120)
    refreshed = await app.http.post("/oauth/token", data={
        "grant_type": "refresh_token", "client_id": app.client.client_id,
        "client_secret": app.client.client_secret or "", "refresh_token": first["refresh_token"],
    })
    assert refreshed.status_code == 200, refreshed.text
    claims = await verify(tenant.http, refreshed.json()["id_token"], audience=app.client.client_id,
                          issuer=tenant.issuer, verify_iat=False)
    for name in ("iss", "sub", "aud", "auth_time"):
        assert claims[name] == original[name], name
    assert claims.get("azp", app.client.client_id) == original.get("azp", app.client.client_id)
    assert claims["iat"] >= original["iat"] + 120
    # OIDC Core §12.2: nonce SHOULD be absent; if present it must equal the original.
    assert claims.get("nonce") in (None, "original-nonce")


async def test_ST05_tokens_and_their_errors_never_use_the_query(tenant: TenantFixture) -> None:
    app = await web_app(tenant, grant_types=["authorization_code", "implicit"])
    await login_round_trip(app, authorize_params(app))
    for response_type in ("token", "id_token", "id_token token", "code id_token", "code token", "code id_token token"):
        answer = await start(app.http, authorize_params(app, response_type=response_type, response_mode="query",
                                                        nonce="n", prompt="none", state="s"))
        assert answer.status_code == 302
        location = answer.headers["location"]
        assert location.startswith(f"{CALLBACK}#") and "?" not in location.split("#")[0], location
        got = response_params(answer)
        assert got["error"] == "invalid_request" and got["state"] == "s"
        assert not {"code", "access_token", "id_token"} & set(got)


async def test_ST07_echoed_input_never_breaks_the_error_description_charset(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    for bad in ({"response_type": 'é"\\<'}, {"response_type": "code\r\n\tx"}, {"response_mode": 'é"\\\r\n'},
                {"prompt": 'é"\\'}, {"audience": 'https://x.example/é"\\'}, {"max_age": 'é"'}):
        answer = await start(app.http, authorize_params(app, state="s", **bad))
        got = response_params(answer)
        assert got["error"] and DESCRIPTION.match(got["error_description"]), (bad, got)
    token_endpoint = [
        {"grant_type": 'é"\\\r\n'},
        {"grant_type": "authorization_code", "client_id": app.client.client_id,
         "client_secret": app.client.client_secret or "", "code": 'é"\\', "redirect_uri": CALLBACK},
        {"grant_type": "client_credentials", "client_id": 'é"\\\t'},
        {"grant_type": "refresh_token", "client_id": app.client.client_id,
         "client_secret": app.client.client_secret or "", "refresh_token": "x", "scope": 'openid é"\\'},
        {"grant_type": "client_credentials", "client_id": app.client.client_id,
         "client_secret": app.client.client_secret or "", "audience": 'https://é"\\.example'},
    ]
    for form in token_endpoint:
        response = await app.http.post("/oauth/token", data=form)
        body = response.json()
        assert 400 <= response.status_code < 500 and body["error"], body
        assert JSON_DESCRIPTION.match(body["error_description"]), (form, body)
        assert "\r" not in body["error_description"] and "é" not in body["error_description"]


async def test_ST08_unknown_parameters_and_any_order_are_accepted(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    params = authorize_params(app, scope="email openid profile", state="o")
    reordered = dict(reversed(list({**params, "extra": "foobar", "claims_locales": "x"}.items())))
    answer = await login_round_trip(app, reordered)
    got = response_params(answer)
    assert got["state"] == "o" and "code" in got and "extra" not in got
    body = (await exchange_code(app, got["code"], extra="foobar")).json()
    assert set(body["scope"].split()) == {"openid", "profile", "email"}
