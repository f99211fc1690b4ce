"""JavaScript Actions, unchanged from Auth0's documentation, through real logins over HTTP.

Each Action is deployed through the admin use case (loaded and checked in a V8 worker), then a password login
at /oauth/token runs it in the tenant's worker process; the tokens are verified with PyJWT against the JWKS.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from tests.support.browser_login import API, WebApp, web_app
from tests.support.factories import TenantFixture, make_tenant
from tests.support.hooks import add_action
from tests.support.jwks import verify

from ostiary.admin.provision import DEFAULT_DATABASE_CONNECTION
from ostiary.errors import AdminError
from ostiary.runtime import AppState

TRIGGER = "post-login"

# Auth0 "Add user roles to ID and access tokens" (roles come from RBAC: an empty list until Ostiary has it).
ADD_ROLES = """
exports.onExecutePostLogin = async (event, api) => {
  const namespace = 'https://my-app.example.com';
  if (event.authorization) {
    api.idToken.setCustomClaim(`${namespace}/roles`, event.authorization.roles);
    api.accessToken.setCustomClaim(`${namespace}/roles`, event.authorization.roles);
  }
};
"""
# Auth0 "Deny access based on the day of the week".
DENY_WEEKEND = """
exports.onExecutePostLogin = async (event, api) => {
  const date = new Date();
  const d = date.getDay();

  if (d === 0 || d === 6) {
    api.access.deny("This app is only available during the week.");
  }
};
"""
# Auth0 "Deny access by IP" in the shape of its IP allow-list sample.
DENY_BY_IP = """
exports.onExecutePostLogin = async (event, api) => {
  const allowed = event.secrets.ALLOWED_IPS.split(',');
  if (!allowed.includes(event.request.ip)) {
    api.access.deny(`Access from ${event.request.ip} is not allowed`);
  }
};
"""
# Auth0 "Set user metadata" / "Add persistent attributes".
SET_METADATA = """
exports.onExecutePostLogin = async (event, api) => {
  api.user.setUserMetadata("favorite_color", "blue");
  api.user.setAppMetadata("plan", event.user.app_metadata.plan || "free");
};
"""


@pytest.fixture
async def tenant(state: AppState, app: FastAPI) -> AsyncIterator[TenantFixture]:
    t = await make_tenant(state, app, default_directory=DEFAULT_DATABASE_CONNECTION)
    yield t
    await t.http.aclose()


async def password_login(app: WebApp, scope: str = "openid profile") -> httpx.Response:
    client = app.client
    assert client.client_secret is not None
    return await app.http.post("/oauth/token", data={
        "grant_type": "password", "client_id": client.client_id, "client_secret": client.client_secret,
        "username": app.user.email or "", "password": app.password, "audience": API, "scope": scope,
    })


async def claims(app: WebApp, response: httpx.Response) -> tuple[dict[str, Any], dict[str, Any]]:
    assert response.status_code == 200, response.text
    body = response.json()
    issuer = app.tenant.issuer
    access = await verify(app.http, body["access_token"], audience=API, issuer=issuer)
    id_token = await verify(app.http, body["id_token"], audience=app.client.client_id, issuer=issuer)
    return access, id_token


async def test_add_roles_sample_sets_the_claims_in_both_tokens(tenant: TenantFixture) -> None:
    app = await web_app(tenant, grant_types=["password", "authorization_code", "refresh_token"])
    await add_action(tenant, "add-roles", TRIGGER, ADD_ROLES)
    access, id_token = await claims(app, await password_login(app))
    assert access["https://my-app.example.com/roles"] == []
    assert id_token["https://my-app.example.com/roles"] == []


async def test_deny_by_day_sample_follows_the_calendar(tenant: TenantFixture) -> None:
    app = await web_app(tenant, grant_types=["password", "authorization_code", "refresh_token"])
    await add_action(tenant, "weekdays", TRIGGER, DENY_WEEKEND)
    before = datetime.datetime.now().weekday()
    response = await password_login(app)
    after = datetime.datetime.now().weekday()
    if before != after:
        pytest.skip("the day changed during the login")
    if before >= 5:
        assert response.status_code == 403
        assert response.json() == {"error": "access_denied",
                                   "error_description": "This app is only available during the week."}
    else:
        assert response.status_code == 200, response.text


async def test_deny_by_ip_sample_reads_secrets_and_the_request_ip(tenant: TenantFixture) -> None:
    app = await web_app(tenant, grant_types=["password", "authorization_code", "refresh_token"])
    await add_action(tenant, "office-only", TRIGGER, DENY_BY_IP, secrets={"ALLOWED_IPS": "198.51.100.7"})
    response = await password_login(app)
    assert response.status_code == 403
    assert response.json() == {"error": "access_denied", "error_description": "Access from 127.0.0.1 is not allowed"}
    await add_action(tenant, "office-only", TRIGGER, DENY_BY_IP, secrets={"ALLOWED_IPS": "198.51.100.7,127.0.0.1"})
    assert (await password_login(app)).status_code == 200


async def test_set_metadata_sample_persists_on_the_user(tenant: TenantFixture) -> None:
    app = await web_app(tenant, grant_types=["password", "authorization_code", "refresh_token"])
    await add_action(tenant, "metadata", TRIGGER, SET_METADATA)
    assert (await password_login(app)).status_code == 200
    user = await tenant.repos_call(lambda r: r.users.by_user_id(app.user.user_id))
    assert user.user_metadata["favorite_color"] == "blue"
    assert user.app_metadata["plan"] == "free"


async def test_node_globals_and_api_cache(tenant: TenantFixture) -> None:
    app = await web_app(tenant, grant_types=["password", "authorization_code", "refresh_token"])
    code = """
const crypto = require('crypto');
exports.onExecutePostLogin = async (event, api) => {
  const hit = api.cache.get('visits');
  const visits = hit ? Number(hit.value) + 1 : 1;
  api.cache.set('visits', String(visits), { ttl: 60000 });
  const url = new URL('https://example.com/a/b?x=1&y=two');
  url.searchParams.set('z', '3');
  await new Promise((resolve) => setTimeout(resolve, 5));
  api.accessToken.setCustomClaim('https://t/globals', {
    visits,
    sha256: crypto.createHash('sha256').update('abc').digest('hex'),
    hmac: crypto.createHmac('sha256', 'key').update('data').digest('base64'),
    sha1: crypto.createHash('sha1').update('abc').digest('hex'),
    sha512: crypto.createHash('sha512').update('abc').digest('hex').slice(0, 16),
    md5: crypto.createHash('md5').update('abc').digest('hex'),
    uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()),
    b64: Buffer.from('héllo').toString('base64'),
    text: new TextDecoder().decode(new TextEncoder().encode('ü✓')),
    url: url.href, y: url.searchParams.get('y'),
    qs: new URLSearchParams({ a: '1 2', b: 'é' }).toString(),
  });
};
"""
    await add_action(tenant, "globals", TRIGGER, code)
    first, _ = await claims(app, await password_login(app))
    second, _ = await claims(app, await password_login(app))
    import base64
    import hashlib
    import hmac

    assert first["https://t/globals"] == {
        "visits": 1,
        "sha256": hashlib.sha256(b"abc").hexdigest(),
        "hmac": base64.b64encode(hmac.new(b"key", b"data", "sha256").digest()).decode(),
        "sha1": hashlib.sha1(b"abc").hexdigest(),  # noqa: S324
        "sha512": hashlib.sha512(b"abc").hexdigest()[:16],
        "md5": hashlib.md5(b"abc").hexdigest(),  # noqa: S324
        "uuid": True,
        "b64": base64.b64encode("héllo".encode()).decode(),
        "text": "ü✓",
        "url": "https://example.com/a/b?x=1&y=two&z=3", "y": "two",
        "qs": "a=1+2&b=%C3%A9",
    }
    assert second["https://t/globals"]["visits"] == 2  # api.cache kept it for this tenant and action


async def test_unsupported_api_method_fails_the_login_naming_it(tenant: TenantFixture, caplog: Any) -> None:
    app = await web_app(tenant, grant_types=["password", "authorization_code", "refresh_token"])
    await add_action(tenant, "mfa", TRIGGER,
                     "exports.onExecutePostLogin = async (event, api) => { api.multifactor.enable('any'); };")
    response = await password_login(app)
    assert response.status_code == 403
    assert response.json()["error_description"] == "The request was denied because a hook failed"
    assert any("api.multifactor.enable() is not supported by Ostiary" in str(r.__dict__.get("cause"))
               for r in caplog.records)


async def test_deploy_refuses_code_that_does_not_load_or_lacks_the_entry_point(tenant: TenantFixture) -> None:
    with pytest.raises(AdminError, match="does not load"):
        await add_action(tenant, "broken", TRIGGER, "exports.onExecutePostLogin = async (event, api) => {")
    with pytest.raises(AdminError, match="does not export onExecutePostLogin"):
        await add_action(tenant, "wrong", TRIGGER, "exports.onExecuteCredentialsExchange = async () => {};")
    with pytest.raises(AdminError, match="Cannot find module 'fs'"):
        await add_action(tenant, "fs", TRIGGER, "const fs = require('fs'); exports.onExecutePostLogin = () => {};")


# Auth0 "Redirect with Actions": send the user to a page with a signed token, continue with the page's answer.
REDIRECT_AND_CONTINUE = """
exports.onExecutePostLogin = async (event, api) => {
  const token = api.redirect.encodeToken({
    secret: event.secrets.MY_REDIRECT_SECRET,
    expiresInSeconds: 60,
    payload: {
      email: event.user.email,
    },
  });

  api.redirect.sendUserTo("https://my-app.exampleco.com", {
    query: { session_token: token }
  });
};

exports.onContinuePostLogin = async (event, api) => {
  const payload = api.redirect.validateToken({
    secret: event.secrets.MY_REDIRECT_SECRET,
    tokenParameterName: "session_token",
  });

  api.user.setUserMetadata("favorite_color", payload.favorite_color);
  api.idToken.setCustomClaim("https://my-app.exampleco.com/favorite_color", payload.favorite_color);
};
"""
AFTER_CONTINUE = """
exports.onExecutePostLogin = async (event, api) => {
  api.accessToken.setCustomClaim('https://t/after', event.user.user_metadata.favorite_color || 'unset');
};
"""
REDIRECT_SECRET = "a-shared-secret-with-the-page-0123456789"


async def test_redirect_and_continue_sample_resumes_the_login(tenant: TenantFixture) -> None:
    import jwt
    from tests.support.browser_login import authorize_params, exchange_code, login_round_trip, response_params

    app = await web_app(tenant, grant_types=["authorization_code"])
    await add_action(tenant, "profile", TRIGGER, REDIRECT_AND_CONTINUE, secrets={"MY_REDIRECT_SECRET": REDIRECT_SECRET})
    await add_action(tenant, "after", TRIGGER, AFTER_CONTINUE)
    params = authorize_params(app, audience=API, scope="openid profile")
    away = await login_round_trip(app, params)
    assert away.status_code == 302
    location = httpx.URL(away.headers["location"])
    assert f"{location.scheme}://{location.host}" == "https://my-app.exampleco.com"
    state = location.params["state"]
    sent = jwt.decode(location.params["session_token"], REDIRECT_SECRET, algorithms=["HS256"])
    assert sent["email"] == app.user.email and sent["sub"] == app.user.user_id and sent["state"] == state
    assert sent["iss"] == app.tenant.issuer

    # The login waits: nothing can be had by skipping the page.
    skipped = await app.http.get("/authorize/resume", params={"state": state})
    assert "code" not in response_params(skipped)

    # The page answers with its own token, bound to the login's state.
    answer = jwt.encode({"state": state, "favorite_color": "green", "exp": sent["exp"]}, REDIRECT_SECRET)
    back = await app.http.get("/continue", params={"state": state, "session_token": answer})
    code = response_params(back)["code"]
    tokens = await exchange_code(app, code)
    access, id_token = await claims(app, tokens)
    assert id_token["https://my-app.exampleco.com/favorite_color"] == "green"
    assert access["https://t/after"] == "unset"  # the next action ran after the continue, on the stored user
    user = await tenant.repos_call(lambda r: r.users.by_user_id(app.user.user_id))
    assert user.user_metadata["favorite_color"] == "green"
    # The transaction is finished: /continue works once.
    again = await app.http.get("/continue", params={"state": state, "session_token": answer})
    assert again.status_code == 400


async def test_continue_with_a_forged_token_denies_the_login(tenant: TenantFixture) -> None:
    import jwt
    from tests.support.browser_login import authorize_params, login_round_trip, response_params

    app = await web_app(tenant, grant_types=["authorization_code"])
    await add_action(tenant, "profile", TRIGGER, REDIRECT_AND_CONTINUE, secrets={"MY_REDIRECT_SECRET": REDIRECT_SECRET})
    away = await login_round_trip(app, authorize_params(app, audience=API, scope="openid"))
    state = httpx.URL(away.headers["location"]).params["state"]
    forged = jwt.encode({"state": state, "favorite_color": "red"}, "not-the-secret-0123456789-abcdefghij")
    back = await app.http.get("/continue", params={"state": state, "session_token": forged})
    answer = response_params(back)
    assert answer["error"] == "access_denied" and "code" not in answer


async def test_refresh_token_revoke_denies_and_the_token_stays_revoked(tenant: TenantFixture) -> None:
    from tests.support.refresh import ROTATING

    app = await web_app(tenant, grant_types=["password", "refresh_token"])
    await tenant.update_client(app.client.client_id, refresh_token=ROTATING)
    first = await password_login(app, scope="openid offline_access")
    assert first.status_code == 200, first.text
    refresh = first.json()["refresh_token"]
    code = """
exports.onExecutePostLogin = async (event, api) => {
  if (event.transaction.protocol === 'oauth2-refresh-token') api.refreshToken.revoke('Signed out everywhere');
};
"""
    await add_action(tenant, "revoker", TRIGGER, code)
    form = {"grant_type": "refresh_token", "client_id": app.client.client_id,
            "client_secret": app.client.client_secret or "", "refresh_token": refresh}
    denied = await app.http.post("/oauth/token", data=form)
    assert denied.status_code == 403
    assert denied.json()["error_description"] == "Signed out everywhere"
    await tenant.repos_call(lambda r: r.actions.bind(TRIGGER, []))
    after = await app.http.post("/oauth/token", data=form)
    assert after.status_code == 403 and after.json()["error"] == "invalid_grant"


def _package(root: Any, name: str, main: str, files: dict[str, str]) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "package.json").write_text(json.dumps({"name": name, "version": "1.0.0", "main": main}))
    for path, source in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(source)


async def test_dependencies_from_the_operators_folder_are_required_at_login(
    tenant: TenantFixture, tmp_path: Any
) -> None:
    modules = tmp_path / "node_modules"
    _package(modules, "greeter", "lib/index.js", {
        "lib/index.js": "const { shout } = require('./shout'); exports.greet = (n) => shout('hello ' + n);",
        "lib/shout.js": "exports.shout = (s) => s.toUpperCase() + require('../data.json').mark;",
        "data.json": '{"mark": "!"}',
    })
    _package(modules, "needs-fs", "index.js", {"index.js": "const fs = require('fs'); exports.x = 1;"})
    tenant.state.settings.actions_npm_folder = str(modules)
    app = await web_app(tenant, grant_types=["password"])
    code = """
const { greet } = require('greeter');
exports.onExecutePostLogin = async (event, api) => { api.accessToken.setCustomClaim('https://t/greet', greet('ana')); };
"""
    await add_action(tenant, "greet", TRIGGER, code, dependencies=[{"name": "greeter", "version": "1.0.0"}])
    access, _ = await claims(app, await password_login(app))
    assert access["https://t/greet"] == "HELLO ANA!"
    with pytest.raises(AdminError, match=r"Cannot find module 'fs' \(required by needs-fs\)"):
        await add_action(tenant, "fs", TRIGGER, "exports.onExecutePostLogin = async () => {};",
                         dependencies=[{"name": "needs-fs", "version": "1.0.0"}])


async def test_credentials_exchange_action_sets_a_claim_and_denies_with_its_code(tenant: TenantFixture) -> None:
    api = await tenant.api(API, scopes=["read:things"])
    client = await tenant.client(app_type="non_interactive")
    await tenant.client_grant(client.client_id, API, scope=["read:things"])
    code = """
exports.onExecuteCredentialsExchange = async (event, api) => {
  if (event.client.metadata.blocked === 'yes') {
    api.access.deny('invalid_request', 'This machine is blocked');
    return;
  }
  api.accessToken.setCustomClaim('https://t/caller', event.client.client_id);
};
"""
    await add_action(tenant, "m2m", "credentials-exchange", code)
    form = {"grant_type": "client_credentials", "client_id": client.client_id,
            "client_secret": client.client_secret or "", "audience": api.identifier}
    response = await tenant.http.post("/oauth/token", data=form)
    assert response.status_code == 200, response.text
    access = await verify(tenant.http, response.json()["access_token"], audience=API, issuer=tenant.issuer)
    assert access["https://t/caller"] == client.client_id
    await tenant.update_client(client.client_id, client_metadata={"blocked": "yes"})
    denied = await tenant.http.post("/oauth/token", data=form)
    assert denied.status_code == 400
    assert denied.json() == {"error": "invalid_request", "error_description": "This machine is blocked"}
