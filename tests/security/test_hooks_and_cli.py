"""Security catalogue 1.17 (HK): post-login hooks fail closed and cannot forge protected claims; request values
are data to them; the admin surface refuses dangerous redirect URIs and weak client secrets."""

from __future__ import annotations

import pytest

from ostiary.errors import AdminError
from tests.support.browser_login import (
    API,
    authorize_params,
    exchange_code,
    login_round_trip,
    response_params,
    start,
    web_app,
)
from tests.support.factories import TenantFixture
from tests.support.hooks import add_hook
from tests.support.jwks import verify

TRIGGER = "post-login"
RAISES = "def on_execute_post_login(event, api):\n    raise RuntimeError('boom')\n"
GARBAGE = (
    "def on_execute_post_login(event, api):\n"
    "    api.access_token.set_custom_claim('https://example.com/x', object())\n"
    "    return {'not': 'what a hook returns'}\n"
)
FORGES = """
def on_execute_post_login(event, api):
    for name, value in [('iss', 'https://evil.example/'), ('sub', 'auth0|admin'), ('aud', 'https://evil.example'),
                        ('exp', 9999999999), ('iat', 1), ('azp', 'evil'), ('nonce', 'evil'),
                        ('cnf', {'jkt': 'evil'}), ('scope', 'admin:all'), ('permissions', ['admin:all']),
                        ('https://example.com/ok', 'kept')]:
        api.access_token.set_custom_claim(name, value)
        api.id_token.set_custom_claim(name, value)
"""
HUGE = """
def on_execute_post_login(event, api):
    api.access_token.set_custom_claim('https://example.com/blob', 'x' * 110_000)
"""
ECHO = """
def on_execute_post_login(event, api):
    api.access_token.set_custom_claim('https://example.com/note', event.transaction.state)
"""
PAYLOAD = "__import__('os').system('false') or {{7*7}} ${7*7} %(x)s {0.__class__}"


async def test_HK01_a_raising_or_broken_post_login_hook_fails_closed_at_authorize(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    for name, code in (("raises", RAISES), ("garbage", GARBAGE)):
        await tenant.repos_call(lambda r: r.actions.bind(TRIGGER, []))
        await add_hook(tenant, name, TRIGGER, code=code)
        app.http.cookies.clear()
        answer = await login_round_trip(app, authorize_params(app, state="s1"))
        got = response_params(answer)
        assert got["error"] == "access_denied" and "code" not in got and got["state"] == "s1"
        # No session came out of it: the next silent request is not logged in.
        silent = await start(app.http, authorize_params(app, prompt="none"))
        assert response_params(silent)["error"] == "login_required"


async def test_HK02_restricted_claims_set_by_a_hook_are_not_applied(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    await add_hook(tenant, "forges", TRIGGER, code=FORGES)
    got = response_params(await login_round_trip(app, authorize_params(app, audience=API, nonce="n-1",
                                                                       scope="openid read:things")))
    assert "code" in got, got
    tokens = (await exchange_code(app, got["code"])).json()
    access = await verify(tenant.http, tokens["access_token"], audience=API, issuer=tenant.issuer)
    id_token = await verify(tenant.http, tokens["id_token"], audience=app.client.client_id, issuer=tenant.issuer)
    for claims in (access, id_token):
        assert claims["sub"] == app.user.user_id and claims["iss"] == tenant.issuer
        assert claims["https://example.com/ok"] == "kept"
        assert claims["exp"] != 9999999999 and claims["iat"] != 1 and "cnf" not in claims
        assert "admin:all" not in str(claims.get("scope", "")) and "permissions" not in claims
    assert id_token["nonce"] == "n-1" and id_token["aud"] == app.client.client_id
    assert access.get("azp") in (None, app.client.client_id)


async def test_HK02_custom_claims_over_100_kb_are_refused(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    await add_hook(tenant, "huge", TRIGGER, code=HUGE)
    got = response_params(await login_round_trip(app, authorize_params(app, audience=API)))
    assert got["error"] == "access_denied" and "code" not in got


async def test_HK03_request_values_reach_hooks_as_plain_data(
    tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    app = await web_app(tenant)
    await add_hook(tenant, "echo", TRIGGER, code=ECHO)
    got = response_params(await login_round_trip(app, authorize_params(app, audience=API, state=PAYLOAD)))
    assert got["state"] == PAYLOAD and "code" in got, got
    tokens = (await exchange_code(app, got["code"])).json()
    claims = await verify(tenant.http, tokens["access_token"], audience=API, issuer=tenant.issuer)
    assert claims["https://example.com/note"] == PAYLOAD
    # The hook of one tenant sees nothing of another tenant's requests.
    other = await web_app(other_tenant)
    answer = response_params(await login_round_trip(other, authorize_params(other, audience=API, state=PAYLOAD)))
    other_tokens = (await exchange_code(other, answer["code"])).json()
    other_claims = await verify(other_tenant.http, other_tokens["access_token"], audience=API,
                                issuer=other_tenant.issuer)
    assert "https://example.com/note" not in other_claims


@pytest.mark.parametrize(
    "callback", ["javascript:alert(1)", "data:text/html,x", "https://*.example.com/cb", "vbscript:x", "/relative"],
)
async def test_HK04_dangerous_callbacks_are_refused(tenant: TenantFixture, callback: str) -> None:
    with pytest.raises(AdminError):
        await tenant.client(name="bad", callbacks=[callback])
    with pytest.raises(AdminError):
        await tenant.client(name="bad2", allowed_logout_urls=[callback])


async def test_HK04_weak_client_secrets_are_refused_and_generated_ones_are_strong(tenant: TenantFixture) -> None:
    for weak in ("secret", "x" * 31):
        with pytest.raises(AdminError, match="client_secret"):
            await tenant.client(name=f"weak-{len(weak)}", client_secret=weak)
    generated = await tenant.client(name="strong")
    assert generated.client_secret and len(generated.client_secret) >= 43  # >= 256 bits, base64url
    with pytest.raises(AdminError, match="client_secret"):
        await tenant.update_client(generated.client_id, client_secret="short")
    chosen = await tenant.client(name="chosen", client_secret="c" * 32)
    assert chosen.client_secret == "c" * 32
