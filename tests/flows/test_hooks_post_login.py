"""post-login hooks: run_post_login + settle + issue_user_tokens in a TenantContext, tokens verified via JWKS."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import event as sa_event
from tests.support.factories import TenantFixture
from tests.support.hooks import add_hook
from tests.support.jwks import verify

from ostiary import entities
from ostiary.actions.pipeline import LoginFacts, run_post_login, settle
from ostiary.errors import AccessDeniedError
from ostiary.oauth.context import TenantContext
from ostiary.oauth.issuance import issue_user_tokens

API = "https://api.example.com"
TRIGGER = "post-login"


@asynccontextmanager
async def context(tenant: TenantFixture) -> AsyncIterator[TenantContext]:
    """A TenantContext built the way web/deps.get_context builds it for a request."""
    async with tenant.state.sessionmaker() as session:
        yield TenantContext(
            state=tenant.state, tenant=tenant.tenant, host=tenant.domain, scheme="https",
            repos=tenant.state.repos(session, tenant.tenant.id), ip="203.0.113.5", user_agent="pytest",
        )
        await session.commit()


async def login(
    tenant: TenantFixture, user: entities.User, client: entities.Client, api: entities.Api | None,
    scopes: list[str], protocol: str = "oauth2-password",
) -> dict[str, Any]:
    async with context(tenant) as ctx:
        facts = LoginFacts(
            protocol=protocol, client=client, user=user, connection=None, api=api, scopes=scopes,
            request_params={"username": user.email or "", "password": "secret", "scope": " ".join(scopes)},
        )
        outcome = await run_post_login(ctx, facts)
        await settle(ctx, user, outcome)
        issued = await issue_user_tokens(ctx, client=client, user=user, api=api, scopes=scopes, outcome=outcome)
        return issued.body()


async def seed(tenant: TenantFixture) -> tuple[entities.Client, entities.User, entities.Api]:
    api = await tenant.api(API, scopes=["read:things", "write:things"])
    client = await tenant.client(app_type="regular_web")
    user = await tenant.user(user_metadata={"color": "blue", "drop": 1}, app_metadata={"plan": "pro"})
    return client, user, api


async def test_auth0_example_hook_adds_claims_and_scopes_to_verified_tokens(tenant: TenantFixture) -> None:
    client, user, api = await seed(tenant)
    # The post-login example of Auth0's "call your API" page, in Python with Auth0's camelCase names.
    await add_hook(
        tenant, "example", TRIGGER,
        code=(
            "async def on_execute_post_login(event, api):\n"
            "    api.accessToken.setCustomClaim('https://foo/bar', 'value')\n"
            "    api.idToken.setCustomClaim('https://fiz/baz', 'some other value')\n"
            "    api.accessToken.addScope('foo')\n"
            "    api.accessToken.addScope('bar')\n"
        ),
    )
    await add_hook(
        tenant, "second", TRIGGER,
        code=(
            "def on_execute_post_login(event, api):\n"
            "    api.access_token.remove_scope('bar')\n"
            "    api.id_token.set_custom_claim('https://x/protocol', event.transaction.protocol)\n"
            "    api.id_token.set_custom_claim('email', 'spoof@example.com')\n"
            "    api.id_token.set_custom_claim('sub', 'spoof')\n"
        ),
    )
    body = await login(tenant, user, client, api, ["openid", "read:things"])
    access = await verify(tenant.http, body["access_token"], audience=[API, f"https://{tenant.domain}/userinfo"],
                          issuer=tenant.issuer)
    assert access["https://foo/bar"] == "value"
    assert access["scope"] == "openid read:things foo"
    assert body["scope"] == "openid read:things foo"
    id_claims = await verify(tenant.http, body["id_token"], audience=client.client_id, issuer=tenant.issuer)
    assert id_claims["https://fiz/baz"] == "some other value"
    assert id_claims["https://x/protocol"] == "oauth2-password"
    assert id_claims["sub"] == user.user_id
    # `email` is a standard profile claim: released only with the email scope, which was not granted.
    assert "email" not in id_claims


async def test_deny_raises_access_denied_with_the_reason_and_issues_nothing(tenant: TenantFixture) -> None:
    client, user, api = await seed(tenant)
    await add_hook(
        tenant, "deny", TRIGGER,
        code="def on_execute_post_login(event, api):\n    api.access.deny('Blocked by policy')\n",
    )
    async with context(tenant) as ctx:
        outcome = await run_post_login(
            ctx, LoginFacts(protocol="oidc-basic-profile", client=client, user=user, connection=None, api=api,
                            scopes=["openid"]),
        )
        with pytest.raises(AccessDeniedError) as caught:
            await settle(ctx, user, outcome)
    assert caught.value.body() == {"error": "access_denied", "error_description": "Blocked by policy"}


async def test_metadata_from_all_hooks_is_persisted_once(tenant: TenantFixture) -> None:
    client, user, api = await seed(tenant)
    await add_hook(
        tenant, "a", TRIGGER,
        code=(
            "def on_execute_post_login(event, api):\n"
            "    api.user.setAppMetadata('plan', 'enterprise')\n"
            "    api.user.setUserMetadata('drop', None)\n"
        ),
    )
    await add_hook(
        tenant, "b", TRIGGER,
        code=(
            "def on_execute_post_login(event, api):\n"
            "    api.user.set_app_metadata('seen_color', event.user.user_metadata['color'])\n"
            "    api.user.set_user_metadata('theme', 'dark')\n"
        ),
    )
    updates: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE USERS"):
            updates.append(statement)

    engine = tenant.state.engine.sync_engine
    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        await login(tenant, user, client, api, ["openid"])
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    assert len(updates) == 1
    stored = await tenant.repos_call(lambda r: r.users.by_user_id(user.user_id))
    assert stored.app_metadata == {"plan": "enterprise", "seen_color": "blue"}
    assert stored.user_metadata == {"color": "blue", "theme": "dark"}


async def test_no_hooks_bound_changes_nothing(tenant: TenantFixture) -> None:
    client, user, api = await seed(tenant)
    body = await login(tenant, user, client, api, ["openid", "read:things"])
    access = await verify(tenant.http, body["access_token"], audience=[API, f"https://{tenant.domain}/userinfo"],
                          issuer=tenant.issuer)
    assert access["scope"] == "openid read:things"
    assert not [k for k in access if k.startswith("https://")]


async def test_a_raising_post_login_hook_fails_closed(tenant: TenantFixture) -> None:
    client, user, api = await seed(tenant)
    await add_hook(tenant, "bad", TRIGGER, module_path="tests.support.hook_examples:raises")
    async with context(tenant) as ctx:
        outcome = await run_post_login(
            ctx, LoginFacts(protocol="oauth2-refresh-token", client=client, user=user, connection=None, api=api,
                            scopes=["openid"]),
        )
        with pytest.raises(AccessDeniedError):
            await settle(ctx, user, outcome)
