"""Post-login hooks in every flow where they run, over real HTTP through the app.

Each flow is one small driver (`FLOWS`) that signs a user in the way an app would; the same two tests run
over all of them: a hook's claims and scope changes reach the PyJWT-verified tokens (and the hook saw the
right event.transaction / event.request, credentials removed), and a deny issues nothing at all.
client_credentials (the credentials-exchange trigger) has its own pair at the end.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from tests.support.browser_login import (
    API,
    WebApp,
    authorize_params,
    exchange_code,
    login_round_trip,
    response_params,
    web_app,
)
from tests.support.factories import TenantFixture, make_tenant
from tests.support.fake_providers import APPLE_ISSUER, GOOGLE_ISSUER, FakeProviders
from tests.support.hooks import add_hook
from tests.support.jwks import verify
from tests.support.refresh import ROTATING
from tests.support.social import (
    APPLE_TYPE,
    BUNDLE_ID,
    FACEBOOK_TYPE,
    GOOGLE_CLIENT_ID,
    GOOGLE_TYPE,
    TOKEN_EXCHANGE,
    fake_server,
    fakes,
    settings,
    social_app,
)

from ostiary.admin.provision import DEFAULT_DATABASE_CONNECTION
from ostiary.clock import FrozenClock
from ostiary.runtime import AppState
from ostiary.store.models.access_token import OpaqueAccessToken
from ostiary.store.models.authorization_code import AuthorizationCode
from ostiary.store.models.grant import Grant
from ostiary.store.models.refresh_token import RefreshToken
from ostiary.store.models.user import User

__all__ = ["fake_server", "fakes", "settings"]

USER_AGENT = "hooks-test/1.0"
PEER_IP = "127.0.0.1"  # httpx's ASGITransport peer
REALM_GRANT = "http://auth0.com/oauth/grant-type/password-realm"
GRANTS = ["authorization_code", "implicit", "refresh_token", "password", REALM_GRANT]
SCOPE = "openid profile read:things write:things"
CUSTOM_TYPE = "https://ext.example.com/legacy-token"
# What a hook must never see in event.request (written out here, not imported from the server).
CREDENTIALS = {"password", "client_secret", "subject_token", "refresh_token", "code", "code_verifier",
               "client_assertion", "access_token"}

ECHO_HOOK = """
async def on_execute_post_login(event, api):
    api.access_token.set_custom_claim("https://hooks.test/event", {
        "protocol": event.transaction.protocol,
        "requested_scopes": list(event.transaction.requested_scopes),
        "audience": event.transaction.audience,
        "ip": event.request.ip,
        "user_agent": event.request.user_agent,
        "method": event.request.method,
        "query": event.request.query.to_dict(),
        "body": event.request.body.to_dict(),
        "user_id": event.user.user_id,
        "client_id": event.client.client_id,
        "connection": [event.connection.name, event.connection.strategy],
    })
    api.id_token.set_custom_claim("https://hooks.test/protocol", event.transaction.protocol)
    api.access_token.add_scope("hooked")
    api.access_token.remove_scope("write:things")
"""
DENY_HOOK = """
async def on_execute_post_login(event, api):
    api.user.set_app_metadata("denied_via", event.transaction.protocol)
    api.access.deny("No entry via " + event.transaction.protocol)
"""
CUSTOM_EXCHANGE_HOOK = """
async def on_execute_custom_token_exchange(event, api):
    api.authentication.set_user_by_connection(
        "legacy-db", {"user_id": event.transaction.subject_token.split(":")[1], "email": "leg@example.com"},
        {"creationBehavior": "create_if_not_exists"},
    )
"""


@pytest.fixture
async def tenant(state: AppState, app: FastAPI) -> AsyncIterator[TenantFixture]:
    """A tenant whose default directory is the database connection (grant_type=password needs one)."""
    t = await make_tenant(state, app, default_directory=DEFAULT_DATABASE_CONNECTION)
    t.http.headers["user-agent"] = USER_AGENT
    yield t
    await t.http.aclose()


@dataclass
class World:
    tenant: TenantFixture
    fakes: FakeProviders
    clock: FrozenClock
    app: WebApp
    scope: str = SCOPE  # what the flows ask for


@dataclass
class Attempt:
    """One sign-in: what the app sent where the hooks run, and what came back."""

    sent: dict[str, str]
    method: str  # of the request whose parameters the hooks see
    client_id: str
    # /oauth/token or /oauth/access_token: the token response. /authorize: the code exchange, if a code came.
    tokens: httpx.Response | None
    # /authorize only: the parameters delivered to the redirect_uri.
    answer: dict[str, str] | None = None

    def issued(self) -> dict[str, Any]:
        """The tokens the app ended up with: the token response, or (implicit) the /authorize answer."""
        if self.tokens is not None:
            assert self.tokens.status_code == 200, self.tokens.text
            return self.tokens.json()  # type: ignore[no-any-return]
        assert self.answer is not None and "access_token" in self.answer, self.answer
        return self.answer


SignIn = Callable[[], Awaitable[Attempt]]
Prepare = Callable[[World], Awaitable[SignIn]]


@dataclass(frozen=True)
class Flow:
    name: str
    protocol: str
    # Runs before any hook is bound (e.g. getting a refresh token); returns the sign-in to try.
    prepare: Prepare
    requested: str = SCOPE
    authorize: bool = False
    # The user signing in existed before the request (not created by this first social/custom login).
    existing_user: bool = True
    connection: tuple[str, str] = (DEFAULT_DATABASE_CONNECTION, "auth0")  # event.connection name, strategy


async def token_request(world: World, form: dict[str, str], client_id: str) -> Attempt:
    response = await world.tenant.http.post("/oauth/token", data=form)
    return Attempt(sent=form, method="POST", client_id=client_id, tokens=response)


def password_form(world: World, **extra: str) -> dict[str, str]:
    client = world.app.client
    assert client.client_secret is not None
    return {"grant_type": "password", "client_id": client.client_id, "client_secret": client.client_secret,
            "username": world.app.user.email or "", "password": world.app.password, "audience": API,
            "scope": world.scope, **extra}


def authorize_flow(response_type: str, **extra: str) -> Prepare:
    async def prepare(world: World) -> SignIn:
        async def sign_in() -> Attempt:
            params = authorize_params(world.app, response_type=response_type, audience=API, scope=world.scope,
                                      nonce="n-0S6_WzA2Mj", **extra)
            answer = response_params(await login_round_trip(world.app, params))
            tokens = await exchange_code(world.app, answer["code"]) if "code" in answer else None
            return Attempt(sent=params, method="GET", client_id=world.app.client.client_id, tokens=tokens,
                           answer=answer)

        return sign_in

    return prepare


async def password(world: World) -> SignIn:
    return lambda: token_request(world, password_form(world), world.app.client.client_id)


async def password_realm(world: World) -> SignIn:
    form = password_form(world, grant_type=REALM_GRANT, realm=DEFAULT_DATABASE_CONNECTION)
    return lambda: token_request(world, form, world.app.client.client_id)


async def refresh(world: World) -> SignIn:
    """A rotating refresh token from a password login (no hook bound yet): a spent token would show."""
    await world.tenant.update_client(world.app.client.client_id, refresh_token=ROTATING)
    login = await world.tenant.http.post("/oauth/token", data=password_form(world, scope=f"{SCOPE} offline_access"))
    assert login.status_code == 200, login.text
    client = world.app.client
    assert client.client_secret is not None
    form = {"grant_type": "refresh_token", "client_id": client.client_id, "client_secret": client.client_secret,
            "refresh_token": login.json()["refresh_token"]}
    return lambda: token_request(world, form, client.client_id)


def native_form(world: World, client_id: str, subject_token: str, subject_token_type: str,
                **extra: str) -> dict[str, str]:
    return {"grant_type": TOKEN_EXCHANGE, "client_id": client_id, "subject_token": subject_token,
            "subject_token_type": subject_token_type, "audience": API, "scope": world.scope, **extra}


async def apple(world: World) -> SignIn:
    social = await social_app(world.tenant, world.fakes, "apple")
    now = int(world.clock.now())
    code = world.fakes.apple_code("apple-code", {"iss": APPLE_ISSUER, "aud": BUNDLE_ID, "sub": "001.apple.42",
                                                 "iat": now, "exp": now + 600, "email": "a@privaterelay.appleid.com",
                                                 "email_verified": "true"})
    form = native_form(world, social.client.client_id, code, APPLE_TYPE,
                       user_profile=json.dumps({"name": {"firstName": "Ann", "lastName": "Apple"}}))
    return lambda: token_request(world, form, social.client.client_id)


async def facebook(world: World) -> SignIn:
    social = await social_app(world.tenant, world.fakes, "facebook")
    world.fakes.facebook_tokens["fb-session"] = {"debug": {"app_id": world.fakes.facebook_app[0], "type": "USER",
                                                           "is_valid": True, "user_id": "1021"}}
    form = native_form(world, social.client.client_id, "fb-session", FACEBOOK_TYPE,
                       user_profile=json.dumps({"email": "fb@example.com", "name": "Fay Book"}))
    return lambda: token_request(world, form, social.client.client_id)


async def google(world: World) -> SignIn:
    social = await social_app(world.tenant, world.fakes, "google-oauth2")
    now = int(world.clock.now())
    token = world.fakes.google_id_token({"iss": GOOGLE_ISSUER, "aud": GOOGLE_CLIENT_ID, "sub": "1101", "iat": now,
                                         "exp": now + 3600, "email": "g@gmail.com", "email_verified": True})
    form = native_form(world, social.client.client_id, token, GOOGLE_TYPE)
    return lambda: token_request(world, form, social.client.client_id)


async def access_token_endpoint(world: World) -> SignIn:
    social = await social_app(world.tenant, world.fakes, "facebook", oidc_conformant=False)
    world.fakes.facebook_tokens["EAAB-user"] = {
        "debug": {"app_id": world.fakes.facebook_app[0], "is_valid": True, "user_id": "4242"},
        "me": {"id": "4242", "name": "Jane Roe", "email": "jane@example.com"},
    }
    body = {"client_id": social.client.client_id, "access_token": "EAAB-user", "connection": "facebook",
            "audience": API, "scope": world.scope}

    async def sign_in() -> Attempt:
        response = await world.tenant.http.post("/oauth/access_token", json=body)
        return Attempt(sent=body, method="POST", client_id=social.client.client_id, tokens=response)

    return sign_in


async def custom_exchange(world: World) -> SignIn:
    client = await world.tenant.client(app_type="native", token_endpoint_auth_method="none",
                                       grant_types=[TOKEN_EXCHANGE, "refresh_token"])
    await world.tenant.connection("legacy-db", enabled_clients=[client.client_id])
    await add_hook(world.tenant, "legacy", "custom-token-exchange", code=CUSTOM_EXCHANGE_HOOK, bind=False)
    await world.tenant.repos_call(lambda r: r.token_exchange_profiles.create(
        name="legacy", subject_token_type=CUSTOM_TYPE, action_name="legacy"))
    form = native_form(world, client.client_id, "legacy:77", CUSTOM_TYPE)
    return lambda: token_request(world, form, client.client_id)


FLOWS = [
    Flow("authorize-code", "oidc-basic-profile", authorize_flow("code"), authorize=True),
    Flow("authorize-implicit", "oidc-implicit-profile", authorize_flow("id_token token"), authorize=True),
    Flow("authorize-hybrid", "oidc-hybrid-profile", authorize_flow("code id_token", response_mode="form_post"),
         authorize=True),
    Flow("password", "oauth2-password", password),
    Flow("password-realm", "oauth2-resource-owner", password_realm),
    Flow("refresh-token", "oauth2-refresh-token", refresh, requested=f"{SCOPE} offline_access"),
    Flow("token-exchange-apple", "oauth2-token-exchange", apple, existing_user=False,
         connection=("apple", "apple")),
    Flow("token-exchange-facebook", "oauth2-token-exchange", facebook, existing_user=False,
         connection=("facebook", "facebook")),
    Flow("token-exchange-google", "oauth2-token-exchange", google, existing_user=False,
         connection=("google-oauth2", "google-oauth2")),
    Flow("access-token-endpoint", "oauth2-access-token", access_token_endpoint, existing_user=False,
         connection=("facebook", "facebook")),
    Flow("custom-token-exchange", "oauth2-token-exchange", custom_exchange, existing_user=False,
         connection=("legacy-db", "auth0")),
]

# Implicit answers carry no refresh token; a refresh_token grant always returns the (rotated) token.
NO_REFRESH_TOKEN = {"authorize-implicit", "refresh-token"}


@pytest.fixture
async def world(tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock) -> World:
    app = await web_app(tenant, grant_types=GRANTS)
    return World(tenant=tenant, fakes=fakes, clock=clock, app=app)


async def issued_rows(tenant: TenantFixture) -> dict[str, int]:
    """Rows that any issuance writes (grants, codes, refresh and opaque tokens), users and their logins."""

    async def count(repos: Any) -> dict[str, int]:
        rows = {}
        for model in (Grant, AuthorizationCode, RefreshToken, OpaqueAccessToken, User):
            query = select(func.count()).select_from(model).where(model.tenant_id == tenant.tenant.id)
            rows[model.__tablename__] = int(await repos.session.scalar(query))
        logins = select(func.coalesce(func.sum(User.logins_count), 0)).where(User.tenant_id == tenant.tenant.id)
        rows["logins"] = int(await repos.session.scalar(logins))
        used = select(func.count()).select_from(RefreshToken).where(
            RefreshToken.tenant_id == tenant.tenant.id, RefreshToken.used_at.is_not(None))
        rows["spent refresh tokens"] = int(await repos.session.scalar(used))
        return rows

    return await tenant.repos_call(count)  # type: ignore[no-any-return]


def seen_by_hooks(attempt: Attempt) -> dict[str, dict[str, str]]:
    """event.request.query/body as the hook must see them: the sent parameters without credentials."""
    safe = {k: v for k, v in attempt.sent.items() if k not in CREDENTIALS}
    return {"query": safe, "body": {}} if attempt.method == "GET" else {"query": {}, "body": safe}


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.name)
async def test_hook_claims_and_scopes_reach_the_verified_tokens(world: World, flow: Flow) -> None:
    sign_in = await flow.prepare(world)
    await add_hook(world.tenant, "echo", "post-login", code=ECHO_HOOK)
    attempt = await sign_in()

    body = attempt.issued()
    issuer = world.tenant.issuer
    access = await verify(world.tenant.http, body["access_token"], audience=API, issuer=issuer)
    id_claims = await verify(world.tenant.http, body["id_token"], audience=attempt.client_id, issuer=issuer)
    event = access["https://hooks.test/event"]
    assert {k: event.pop(k) for k in ("query", "body", "method")} == {**seen_by_hooks(attempt),
                                                                       "method": attempt.method}
    assert event == {
        "protocol": flow.protocol, "requested_scopes": flow.requested.split(), "audience": API, "ip": PEER_IP,
        "user_agent": USER_AGENT, "user_id": access["sub"], "client_id": attempt.client_id,
        "connection": list(flow.connection),
    }
    assert id_claims["https://hooks.test/protocol"] == flow.protocol
    assert id_claims["sub"] == access["sub"]
    granted = access["scope"].split()
    assert "hooked" in granted and "write:things" not in granted and "read:things" in granted
    if attempt.tokens is not None:  # the implicit answer here has no scope parameter to compare
        assert body["scope"] == access["scope"]
    if attempt.answer is not None and "id_token" in attempt.answer:
        # Hybrid and implicit: the ID token straight from /authorize carries the hook's claim too.
        front = await verify(world.tenant.http, attempt.answer["id_token"], audience=attempt.client_id,
                             issuer=issuer)
        assert front["https://hooks.test/protocol"] == flow.protocol


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.name)
async def test_deny_answers_access_denied_with_the_reason_and_issues_nothing(world: World, flow: Flow) -> None:
    sign_in = await flow.prepare(world)
    await add_hook(world.tenant, "deny", "post-login", code=DENY_HOOK)
    before = await issued_rows(world.tenant)
    attempt = await sign_in()

    reason = f"No entry via {flow.protocol}"
    if flow.authorize:
        # Back to the app's redirect_uri, with state and iss, and no code or token (RFC 6749 §4.1.2.1).
        assert attempt.answer == {"error": "access_denied", "error_description": reason,
                                  "state": attempt.sent["state"], "iss": world.tenant.issuer}
        assert attempt.tokens is None
    else:
        assert attempt.tokens is not None
        assert (attempt.tokens.status_code, attempt.tokens.json()) == (
            403, {"error": "access_denied", "error_description": reason})
        assert attempt.tokens.headers["cache-control"] == "no-store"
    assert await issued_rows(world.tenant) == before
    # Auth0: a deny "will NOT cancel ... metadata changes" the hooks asked for; a user created by this very
    # login is rolled back (the row counts above), so only an existing user keeps them.
    stored = await world.tenant.repos_call(lambda r: r.users.by_user_id(world.app.user.user_id))
    assert stored.app_metadata.get("denied_via") == (flow.protocol if flow.existing_user else None)


REMOVE_OFFLINE_HOOK = """
def on_execute_post_login(event, api):
    api.access_token.remove_scope("offline_access")
"""


@pytest.mark.parametrize("hooked", [False, True], ids=["no-hook", "hook-removes-offline_access"])
@pytest.mark.parametrize("flow", [f for f in FLOWS if f.name not in NO_REFRESH_TOKEN], ids=lambda f: f.name)
async def test_hook_removing_offline_access_removes_the_refresh_token(world: World, flow: Flow, hooked: bool) -> None:
    world.scope = f"{SCOPE} offline_access"
    sign_in = await flow.prepare(world)
    if hooked:
        await add_hook(world.tenant, "no-offline", "post-login", code=REMOVE_OFFLINE_HOOK)
    body = (await sign_in()).issued()
    assert ("offline_access" in body["scope"].split()) is (not hooked)
    assert ("refresh_token" in body) is (not hooked)


async def test_denied_refresh_leaves_the_refresh_token_usable(world: World) -> None:
    """Auth0's api.access.deny fails this exchange only (revoking is api.refreshToken.revoke's job): the
    presented token is neither spent nor rotated, and works again once the hook lets it through."""
    sign_in = await refresh(world)
    await add_hook(world.tenant, "deny", "post-login", code=DENY_HOOK)
    for _ in range(2):  # with leeway 0, a spent token would be reuse the second time (and revoke the family)
        denied = (await sign_in()).tokens
        assert denied is not None and denied.status_code == 403, denied and denied.text
    await world.tenant.repos_call(lambda r: r.actions.bind("post-login", []))
    attempt = await sign_in()
    assert attempt.issued()["refresh_token"] != attempt.sent["refresh_token"]  # rotated only now


async def test_password_hooks_see_the_end_user_ip_a_trusted_client_forwards(world: World) -> None:
    await world.tenant.update_client(world.app.client.client_id, is_token_endpoint_ip_header_trusted=True)
    await add_hook(world.tenant, "echo", "post-login", code=ECHO_HOOK)
    response = await world.tenant.http.post("/oauth/token", data=password_form(world),
                                            headers={"auth0-forwarded-for": "198.51.100.7"})
    assert response.status_code == 200, response.text
    access = await verify(world.tenant.http, response.json()["access_token"], audience=API,
                          issuer=world.tenant.issuer)
    assert access["https://hooks.test/event"]["ip"] == "198.51.100.7"


# client_credentials: the credentials-exchange trigger (no user, no ID token, no scope commands).

CREDENTIALS_ECHO_HOOK = """
async def on_execute_credentials_exchange(event, api):
    api.access_token.set_custom_claim("https://hooks.test/event", {
        "requested_scopes": list(event.transaction.requested_scopes),
        "audience": event.transaction.audience,
        "ip": event.request.ip,
        "user_agent": event.request.user_agent,
        "body": event.request.body.to_dict(),
    })
"""
CREDENTIALS_DENY_HOOK = """
async def on_execute_credentials_exchange(event, api):
    api.access.deny("access_denied", "No machines today")
"""


async def machine_form(tenant: TenantFixture) -> dict[str, str]:
    client = await tenant.client(app_type="non_interactive")
    await tenant.client_grant(client.client_id, API, ["read:things"])
    assert client.client_secret is not None
    return {"grant_type": "client_credentials", "client_id": client.client_id, "client_secret": client.client_secret,
            "audience": API, "scope": "read:things"}


async def test_client_credentials_hook_claim_and_event(world: World) -> None:
    form = await machine_form(world.tenant)
    await add_hook(world.tenant, "echo", "credentials-exchange", code=CREDENTIALS_ECHO_HOOK)
    response = await world.tenant.http.post("/oauth/token", data=form)
    assert response.status_code == 200, response.text
    access = await verify(world.tenant.http, response.json()["access_token"], audience=API,
                          issuer=world.tenant.issuer)
    assert access["https://hooks.test/event"] == {
        "requested_scopes": ["read:things"], "audience": API, "ip": PEER_IP, "user_agent": USER_AGENT,
        "body": {k: v for k, v in form.items() if k not in CREDENTIALS},
    }


async def test_client_credentials_deny_issues_nothing(world: World) -> None:
    form = await machine_form(world.tenant)
    await add_hook(world.tenant, "deny", "credentials-exchange", code=CREDENTIALS_DENY_HOOK)
    before = await issued_rows(world.tenant)
    response = await world.tenant.http.post("/oauth/token", data=form)
    assert (response.status_code, response.json()) == (
        403, {"error": "access_denied", "error_description": "No machines today"})
    assert await issued_rows(world.tenant) == before

