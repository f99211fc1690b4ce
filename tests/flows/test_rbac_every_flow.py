"""RBAC (Auth0's Authorization Core) in every flow that issues a user's access token, over real HTTP.

The API has enforce_policies on and the access_token_authz dialect. The sign-in drivers are the hooks suite's
(`FLOWS`: /authorize code, implicit and hybrid, password, password-realm, native Apple/Facebook/Google token
exchange, /oauth/access_token, custom token exchange), so each flow is driven exactly as an app drives it.
One user goes through the states the issue names: holding nothing, a direct permission, a role, and a
permission removed again; every access token is verified with PyJWT against the published JWKS.
Refresh (re-evaluated at each refresh, never widening) and client_credentials have their own tests below.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from tests.flows.test_hooks_every_flow import (
    FLOWS,
    Flow,
    World,
    authorize_flow,
    machine_form,
    password_form,
    tenant,
    world,
)
from tests.support.browser_login import (
    API,
    CSRF,
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
from tests.support.refresh import ROTATING
from tests.support.social import fake_server, fakes, settings

from ostiary.admin import roles as rbac
from ostiary.entities import Permission
from ostiary.store.repos import Repos

__all__ = ["fake_server", "fakes", "settings", "tenant", "world"]

READ = Permission(API, "read:things")
WRITE = Permission(API, "write:things")
API_SCOPES = {"read:things", "write:things"}
NON_ROTATING = {"rotation_type": "non-rotating", "expiration_type": "non-expiring"}

# The hooks suite's flows, plus hybrid with a token straight from /authorize (RBAC decided there too).
USER_FLOWS = [
    *[f for f in FLOWS if f.name != "refresh-token"],
    Flow("authorize-hybrid-token", "oidc-hybrid-profile",
         authorize_flow("code id_token token", response_mode="form_post"), authorize=True),
]


async def admin(tenant: TenantFixture, fn: Callable[[Repos], Awaitable[Any]]) -> Any:
    """An admin use case (what the CLI, import and the Management API call), committed."""
    return await tenant.repos_call(fn)


async def enforce_rbac(tenant: TenantFixture, dialect: str = "access_token_authz") -> None:
    await admin(tenant, lambda r: r.resource_servers.update(API, enforce_policies=True, token_dialect=dialect))


async def signed_in(world: World, sign_in: Callable[[], Awaitable[Any]]) -> list[dict[str, Any]]:
    """Every access token the sign-in handed the app, verified (hybrid with a token: two)."""
    attempt = await sign_in()
    body = attempt.issued()
    tokens = [body["access_token"]]
    if attempt.answer is not None and "access_token" in attempt.answer and attempt.tokens is not None:
        tokens.append(attempt.answer["access_token"])
    claims = [await verify(world.tenant.http, t, audience=API, issuer=world.tenant.issuer) for t in tokens]
    if attempt.tokens is not None:
        assert body["scope"] == claims[0]["scope"]
    # The next sign-in starts afresh: no SSO session (the driver expects the login page), and the fake Apple
    # accepts the driver's one code again.
    world.tenant.http.cookies.clear()
    world.fakes.apple_used.clear()
    return claims


def api_scopes(claims: dict[str, Any]) -> set[str]:
    return set(claims["scope"].split()) & API_SCOPES


@pytest.mark.parametrize("flow", USER_FLOWS, ids=lambda f: f.name)
async def test_scope_is_the_request_intersected_with_what_the_user_holds(world: World, flow: Flow) -> None:
    await enforce_rbac(world.tenant)
    sign_in = await flow.prepare(world)

    for claims in await signed_in(world, sign_in):  # holding nothing: OIDC scopes only
        assert api_scopes(claims) == set() and claims["permissions"] == []
        assert {"openid", "profile"} <= set(claims["scope"].split())
    user_id = claims["sub"]

    await admin(world.tenant, lambda r: rbac.add_user_permissions(r, user_id, [WRITE]))
    for claims in await signed_in(world, sign_in):  # a direct permission
        assert api_scopes(claims) == {"write:things"} and claims["permissions"] == ["write:things"]

    async def reader_role(r: Repos) -> None:
        await rbac.create_role(r, name="reader", description="Reads things")
        await rbac.add_role_permissions(r, "reader", [READ])
        await rbac.assign_user_roles(r, user_id, ["reader"])

    await admin(world.tenant, reader_role)
    for claims in await signed_in(world, sign_in):  # a role and a direct permission
        assert api_scopes(claims) == API_SCOPES and claims["permissions"] == ["read:things", "write:things"]

    await admin(world.tenant, lambda r: rbac.remove_user_permissions(r, user_id, [WRITE]))
    for claims in await signed_in(world, sign_in):  # the role only
        assert api_scopes(claims) == {"read:things"} and claims["permissions"] == ["read:things"]


@pytest.mark.parametrize("flow", [f for f in USER_FLOWS if f.name == "password"], ids=lambda f: f.name)
async def test_without_enforce_policies_every_requested_scope_is_granted(world: World, flow: Flow) -> None:
    """RBAC off: behaviour as before, whatever the user holds (and no permissions claim)."""
    sign_in = await flow.prepare(world)
    [claims] = await signed_in(world, sign_in)
    assert api_scopes(claims) == API_SCOPES and "permissions" not in claims


async def test_permissions_claim_lists_all_held_permissions_whatever_was_asked(world: World) -> None:
    await enforce_rbac(world.tenant, dialect="rfc9068_profile_authz")
    user_id = world.app.user.user_id
    await admin(world.tenant, lambda r: rbac.add_user_permissions(r, user_id, [READ, WRITE]))
    response = await world.tenant.http.post("/oauth/token", data=password_form(world, scope="openid read:things"))
    assert response.status_code == 200, response.text
    claims = await verify(world.tenant.http, response.json()["access_token"], audience=API,
                          issuer=world.tenant.issuer)
    assert claims["scope"] == "openid read:things"
    assert claims["permissions"] == ["read:things", "write:things"]


# -- refresh: re-evaluated at every refresh, never widening the original request ---------------------------

async def refresh_once(world: World, token: str, **extra: str) -> tuple[dict[str, Any], str]:
    client = world.app.client
    assert client.client_secret is not None
    response = await world.tenant.http.post("/oauth/token", data={
        "grant_type": "refresh_token", "client_id": client.client_id, "client_secret": client.client_secret,
        "refresh_token": token, **extra})
    assert response.status_code == 200, response.text
    body = response.json()
    claims = await verify(world.tenant.http, body["access_token"], audience=API, issuer=world.tenant.issuer)
    assert body["scope"] == claims["scope"]
    return claims, body.get("refresh_token", token)


@pytest.mark.parametrize("policy", [ROTATING, NON_ROTATING], ids=["rotating", "non-rotating"])
@pytest.mark.parametrize("narrowed", [False, True], ids=["same-scope", "scope-parameter"])
async def test_refresh_drops_a_permission_removed_between_two_refreshes(
    world: World, policy: dict[str, Any], narrowed: bool
) -> None:
    """Rotating without `scope` takes the one-statement path; the others the general path: both decide RBAC."""
    await world.tenant.update_client(world.app.client.client_id, refresh_token=policy)
    await enforce_rbac(world.tenant)
    user_id = world.app.user.user_id

    async def holds_both(r: Repos) -> None:
        await rbac.create_role(r, name="reader")
        await rbac.add_role_permissions(r, "reader", [READ])
        await rbac.assign_user_roles(r, user_id, ["reader"])
        await rbac.add_user_permissions(r, user_id, [WRITE])

    await admin(world.tenant, holds_both)
    login = await world.tenant.http.post("/oauth/token", data=password_form(
        world, scope="openid read:things write:things offline_access"))
    assert login.status_code == 200, login.text
    token = login.json()["refresh_token"]
    extra = {"scope": "openid read:things write:things"} if narrowed else {}

    claims, token = await refresh_once(world, token, **extra)
    assert api_scopes(claims) == API_SCOPES and claims["permissions"] == ["read:things", "write:things"]
    await admin(world.tenant, lambda r: rbac.remove_user_permissions(r, user_id, [WRITE]))
    claims, token = await refresh_once(world, token, **extra)
    assert api_scopes(claims) == {"read:things"} and claims["permissions"] == ["read:things"]
    await admin(world.tenant, lambda r: rbac.remove_user_roles(r, user_id, ["reader"]))
    claims, token = await refresh_once(world, token, **extra)  # holding nothing now
    assert api_scopes(claims) == set() and claims["permissions"] == []
    assert "openid" in claims["scope"].split()
    await admin(world.tenant, lambda r: rbac.add_user_permissions(r, user_id, [READ, WRITE]))
    claims, _ = await refresh_once(world, token, **extra)  # given back: within the original request again
    assert api_scopes(claims) == API_SCOPES


async def test_refresh_never_widens_the_original_request(world: World) -> None:
    await enforce_rbac(world.tenant)
    user_id = world.app.user.user_id
    await admin(world.tenant, lambda r: rbac.add_user_permissions(r, user_id, [READ, WRITE]))
    login = await world.tenant.http.post("/oauth/token", data=password_form(
        world, scope="openid read:things offline_access"))
    assert login.status_code == 200, login.text
    claims, _ = await refresh_once(world, login.json()["refresh_token"])
    assert api_scopes(claims) == {"read:things"}
    assert claims["permissions"] == ["read:things", "write:things"]  # the claim lists all that is held
    widened = await world.tenant.http.post("/oauth/token", data={
        "grant_type": "refresh_token", "client_id": world.app.client.client_id,
        "client_secret": world.app.client.client_secret or "", "refresh_token": login.json()["refresh_token"],
        "scope": "openid write:things"})
    assert widened.status_code == 403 and widened.json()["error"] == "invalid_scope"


# -- client_credentials: the permissions claim is the client grant's scopes --------------------------------

async def test_client_credentials_permissions_are_the_client_grants_scopes(world: World) -> None:
    await enforce_rbac(world.tenant)
    form = await machine_form(world.tenant)  # a grant of read:things, asking for read:things
    await admin(world.tenant, lambda r: r.client_grants.upsert(
        client_id=form["client_id"], audience=API, scope=["read:things", "write:things"]))
    response = await world.tenant.http.post("/oauth/token", data=form)
    assert response.status_code == 200, response.text
    claims = await verify(world.tenant.http, response.json()["access_token"], audience=API,
                          issuer=world.tenant.issuer)
    assert claims["scope"] == "read:things"
    assert claims["permissions"] == ["read:things", "write:things"]


# -- hooks: event.authorization.roles, and add_scope/remove_scope after RBAC ---------------------------------

ROLES_HOOK = """
async def on_execute_post_login(event, api):
    api.access_token.set_custom_claim("https://hooks.test/roles", list(event.authorization.roles))
    api.accessToken.addScope("write:things")   # camelCase alias
    api.access_token.remove_scope("read:things")
"""


@pytest.mark.parametrize("flow", [f for f in USER_FLOWS if f.name in ("password", "authorize-code",
                                                                      "authorize-implicit")],
                         ids=lambda f: f.name)
async def test_hooks_see_roles_and_their_scope_commands_override_rbac(world: World, flow: Flow) -> None:
    await enforce_rbac(world.tenant)
    user_id = world.app.user.user_id

    async def two_roles(r: Repos) -> None:
        for name in ("reader", "auditor"):
            await rbac.create_role(r, name=name)
        await rbac.add_role_permissions(r, "reader", [READ])
        await rbac.assign_user_roles(r, user_id, ["reader", "auditor"])

    await admin(world.tenant, two_roles)
    sign_in = await flow.prepare(world)
    await add_hook(world.tenant, "roles", "post-login", code=ROLES_HOOK)
    [claims] = await signed_in(world, sign_in)
    assert claims["https://hooks.test/roles"] == ["auditor", "reader"]
    # RBAC granted read:things only; the hook removed it and added write:things, which the user does not hold.
    assert api_scopes(claims) == {"write:things"}
    assert claims["permissions"] == ["read:things"]  # what is held, not what the hooks did to `scope`


# -- consent: only what the user can actually be granted ----------------------------------------------------

async def test_consent_lists_and_records_only_grantable_scopes(tenant: TenantFixture) -> None:
    app = await web_app(tenant, is_first_party=False, grant_types=["authorization_code"])
    await enforce_rbac(tenant)
    user_id = app.user.user_id
    await admin(tenant, lambda r: rbac.add_user_permissions(r, user_id, [READ]))
    scope = "openid profile read:things write:things"
    resumed = await login_round_trip(app, authorize_params(app, audience=API, scope=scope, state="c1"))
    assert resumed.headers["location"].startswith("/u/consent?state=")
    page = await app.http.get(resumed.headers["location"])
    assert "read:things" in page.text and "Read your things" in page.text
    assert "write:things" not in page.text  # the user holds no write:things: not asked for
    csrf = CSRF.search(page.text)
    assert csrf
    state = resumed.headers["location"].split("state=", 1)[1]
    accepted = await app.http.post("/u/consent", data={"state": state, "_csrf": html.unescape(csrf.group(1)),
                                                       "action": "accept"})
    answer = response_params(await app.http.get(accepted.headers["location"]))
    tokens = await exchange_code(app, answer["code"])
    assert tokens.status_code == 200, tokens.text
    claims = await verify(tenant.http, tokens.json()["access_token"], audience=API, issuer=tenant.issuer)
    assert api_scopes(claims) == {"read:things"}
    # Consent covers what was grantable: the same request now passes silently...
    silent = await start(app.http, authorize_params(app, audience=API, scope=scope, prompt="none"))
    assert "code" in response_params(silent)
    # ...until the user is given write:things, which they never agreed to give this client.
    await admin(tenant, lambda r: rbac.add_user_permissions(r, user_id, [WRITE]))
    again = await start(app.http, authorize_params(app, audience=API, scope=scope, prompt="none"))
    assert response_params(again)["error"] == "consent_required"
