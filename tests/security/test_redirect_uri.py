"""Security catalogue 1.1 (RU): redirect_uri is compared as an exact string; errors never go to an unverified URI."""

from __future__ import annotations

import pytest

from ostiary.errors import AdminError
from tests.security._helpers import assert_token_error, code_for, location_params, sibling
from tests.support.browser_login import (
    CALLBACK,
    WebApp,
    assert_error_page,
    authorize_params,
    exchange_code,
    login_round_trip,
    response_params,
    start,
    web_app,
)
from tests.support.factories import TenantFixture

BASE = "https://app.example/callback"


async def _all_refused(app: WebApp, variants: list[str], **client_fields: object) -> None:
    """Each variant gets an error page; with client fields, from a sibling client configured that way."""
    if client_fields:
        app = await sibling(app, **client_fields)
    for uri in variants:
        # prompt=none would redirect at once if the URI were accepted: the page proves it was not.
        response = await start(app.http, authorize_params(app, redirect_uri=uri, prompt="none"))
        assert_error_page(response)


async def _accepted(app: WebApp, uri: str, **client_fields: object) -> str:
    app = await sibling(app, **client_fields)
    response = await start(app.http, authorize_params(app, redirect_uri=uri, prompt="none", state="s"))
    assert response.status_code == 302, response.text
    return str(response.headers["location"])


async def test_RU01_unregistered_redirect_uri_is_an_error_page(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    await _all_refused(app, ["https://evil.example/cb", "https://evil.example/callback"])


async def test_RU02_trailing_slash_variants_are_refused(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    await _all_refused(app, [f"{BASE}/"])
    await _all_refused(app, [BASE], callbacks=[f"{BASE}/"])


async def test_RU03_case_variants_are_refused(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    await _all_refused(
        app, ["HTTPS://app.example/callback", "https://APP.EXAMPLE/callback", "https://app.example/CALLBACK"]
    )


async def test_RU04_equivalent_spellings_are_refused(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    await _all_refused(
        app,
        ["https://app.example:443/callback", "https://app.example/%63allback", "https://app.example//callback"],
    )


async def test_RU05_authority_confusion_is_refused(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    await _all_refused(
        app,
        [
            "https://app.example@evil.example/callback",
            "https://evil.example\\@app.example/callback",
            "https://app.example.evil.example/callback",
            "https://evilapp.example/callback",
        ],
    )


async def test_RU06_path_traversal_and_confusion_are_refused(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    suffixes = [
        "/FAKEPATH", "%2FFAKEPATH", "/..%2FFAKEPATH", "/%2e%2e%2FFAKEPATH", "/..%252FFAKEPATH", "/FAKEPATH/..",
        "/;/../../FAKEPATH", "%3B%2F..%2F..%2FFAKEPATH", "%0A%0D/../../FAKEPATH",
    ]
    await _all_refused(app, [BASE + s for s in suffixes])


async def test_RU07_query_must_be_byte_identical_and_is_preserved(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    await _all_refused(app, [f"{BASE}?x=1"])
    registered = f"{BASE}?foo=bar"
    await _all_refused(
        app, [f"{BASE}?foo=bara", f"{BASE}?foo=bar&bar=foo", f"{BASE}?foo", BASE], callbacks=[registered]
    )
    location = await _accepted(app, registered, callbacks=[registered])
    assert location.startswith(f"{registered}&error=login_required")


async def test_RU08_code_pollution_is_refused_and_server_parameters_are_not_shadowed(tenant: TenantFixture) -> None:
    registered = f"{BASE}?foo=bar"
    app = await web_app(tenant, callbacks=[registered])
    await _all_refused(app, [f"{BASE}?code=attackercode&state=x"], callbacks=[registered])
    answer = await login_round_trip(app, authorize_params(app, redirect_uri=registered, state="mine"))
    pairs = location_params(answer)
    names = [name for name, _ in pairs]
    assert names.count("code") == 1 and names.count("state") == 1 and names.count("iss") == 1, pairs
    assert ("foo", "bar") in pairs and dict(pairs)["state"] == "mine"
    # A callback that already carries a response parameter cannot be registered, so none can be shadowed.
    for polluted in (f"{BASE}?code=x", f"{BASE}?a=1&state=x", f"{BASE}?iss=https://evil.example/"):
        with pytest.raises(AdminError, match="authorization response sets"):
            await app.tenant.client(callbacks=[polluted])


async def test_RU09_fragment_is_stripped_before_the_compare_and_never_sent_back(tenant: TenantFixture) -> None:
    """Auth0-compat: Auth0 removes everything after `#`; the fragment never reaches Location."""
    app = await web_app(tenant)
    answer = await login_round_trip(app, authorize_params(app, redirect_uri=f"{CALLBACK}#frag", state="s"))
    assert answer.headers["location"].startswith(f"{CALLBACK}?code=")
    assert "frag" not in answer.headers["location"]
    # The code is bound to the URI as matched (without the fragment).
    assert (await exchange_code(app, response_params(answer)["code"])).status_code == 200
    # A fragment on a URI that is not registered is still refused.
    await _all_refused(app, ["https://evil.example/callback#frag", f"{BASE}/#frag"])


async def test_RU10_dangerous_schemes_are_refused_at_authorize_and_registration(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    await _all_refused(
        app, ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "file:///etc/passwd",
                 "vbscript:msgbox(1)"],
    )
    for uri in ("javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "VBScript:x"):
        with pytest.raises(AdminError, match="forbidden scheme"):
            await tenant.client(callbacks=[uri])


async def test_RU11_missing_redirect_uri_is_an_error_page_with_one_or_two_registered(tenant: TenantFixture) -> None:
    base = await web_app(tenant)
    for callbacks in ([CALLBACK, "https://app.example/other"], [CALLBACK]):
        app = await sibling(base, callbacks=callbacks)
        params = authorize_params(app, prompt="none", scope="openid")
        del params["redirect_uri"]
        assert_error_page(await start(app.http, params))


async def test_RU12_error_path_never_redirects_to_an_unverified_uri(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    evil = "https://evil.example/cb"
    assert_error_page(await start(app.http, authorize_params(app, client_id="unknown", redirect_uri=evil)))
    for other_error in ({"scope": "openid", "response_type": "evil"}, {"audience": "https://nope.example"},
                        {"code_challenge_method": "plain", "code_challenge": "x"}, {"prompt": "none login"}):
        assert_error_page(await start(app.http, authorize_params(app, redirect_uri=evil, **other_error)))


async def test_RU13_later_errors_go_to_the_registered_uri_only(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    response = await start(app.http, authorize_params(app, response_type="evil", state="s"))
    assert response.headers["location"].startswith(f"{CALLBACK}?error=unsupported_response_type")
    # Auth0 drops scopes no API defines instead of failing (never widening access): the login goes on.
    unknown = await login_round_trip(app, authorize_params(app, scope="openid unknown_scope", state="s"))
    body = (await exchange_code(app, response_params(unknown)["code"])).json()
    assert body["scope"] == "openid"


async def test_RU14_loopback_redirect_may_vary_only_in_port(tenant: TenantFixture) -> None:
    """RFC 8252 §7.3: a loopback IP literal callback registered without a port accepts any port."""
    app = await web_app(tenant)
    native = {"callbacks": ["http://127.0.0.1/cb", "http://[::1]/cb"], "app_type": "native",
              "token_endpoint_auth_method": "none"}
    for uri in ("http://127.0.0.1:51234/cb", "http://[::1]:8080/cb", "http://127.0.0.1/cb"):
        assert (await _accepted(app, uri, **native)).startswith(f"{uri}?error=")
    await _all_refused(
        app,
        ["http://127.0.0.1:51234/cb2", "http://localhost:51234/cb", "http://127.0.0.1.nip.io/cb",
         "http://localhosts/cb", "http://app.example/cb", "http://127.0.0.1:/cb", "http://127.0.0.1:80x/cb",
         "http://127.0.0.1:51234@evil.example/cb", "https://127.0.0.1:51234/cb", "http://127.0.0.1:51234/cb/"],
        **native,
    )
    # Only loopback IP literals: other http callbacks keep exact matching, ports included.
    await _all_refused(app, ["http://app.example:8080/cb"], callbacks=["http://app.example/cb"])


async def test_RU15_token_request_redirect_uri_must_repeat_the_authorize_one(tenant: TenantFixture) -> None:
    app = await web_app(tenant, callbacks=[CALLBACK, "https://app.example/other"])
    code = await code_for(app)
    omitted = {"grant_type": "authorization_code", "client_id": app.client.client_id,
               "client_secret": app.client.client_secret or "", "code": code}
    assert_token_error(await app.http.post("/oauth/token", data=omitted), 403, "invalid_grant")
    for wrong in ("https://app.example/other", f"{CALLBACK}/", "https://evil.example/callback"):
        assert_token_error(await exchange_code(app, code, redirect_uri=wrong), 403, "invalid_grant")


async def test_RU16_duplicated_redirect_uri_or_client_id_is_an_error_page(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    cid = app.client.client_id
    for query in (
        f"response_type=code&client_id={cid}&redirect_uri={CALLBACK}&redirect_uri=https://evil.example/cb",
        f"response_type=code&client_id={cid}&redirect_uri={CALLBACK}&redirect_uri={CALLBACK}",
        f"response_type=code&client_id={cid}&client_id={cid}&redirect_uri={CALLBACK}&prompt=none",
    ):
        assert_error_page(await app.http.get(f"/authorize?{query}"))
    body = f"response_type=code&client_id={cid}&redirect_uri={CALLBACK}&redirect_uri=https://evil.example/cb"
    posted = await app.http.post(
        "/authorize", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert_error_page(posted)


async def test_RU17_crlf_and_whitespace_in_redirect_uri_are_refused(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    await _all_refused(
        app,
        [f"{BASE}\r\nSet-Cookie: x=1", f" {BASE}", f"{BASE} ", f"{BASE}\t", f"\t{BASE}", f"{BASE}\n"],
    )
    response = await start(app.http, authorize_params(app, redirect_uri=f"{BASE}\r\nSet-Cookie: x=1"))
    assert all("x=1" not in value for value in response.headers.values())
