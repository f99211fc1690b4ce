"""Where grants call the hooks: one function per trigger, each returning an Outcome.

Used by: /authorize (post-login), authorization_code is served from what /authorize stored, refresh_token,
password, token exchange, /oauth/access_token (post-login), client_credentials (credentials-exchange).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ostiary import entities
from ostiary.actions import registry
from ostiary.actions.api import CredentialsExchangeApi, PostLoginApi
from ostiary.actions.event import build_event, request_view
from ostiary.actions.outcome import Outcome
from ostiary.actions.runner import run_hooks
from ostiary.errors import (
    AccessDeniedError,
    InvalidRequestError,
    InvalidScopeError,
    OAuthError,
    ServerError,
)
from ostiary.oauth.context import TenantContext

# api.access.deny(code, reason) codes of credentials-exchange and custom-token-exchange.
DENY_ERRORS: dict[str, type[OAuthError]] = {
    "access_denied": AccessDeniedError,
    "invalid_request": InvalidRequestError,
    "invalid_scope": InvalidScopeError,
    "server_error": ServerError,
}


@dataclass(frozen=True)
class LoginFacts:
    """What happened in this login, as the hooks' `event` will describe it."""

    protocol: str
    client: entities.Client
    user: entities.User
    connection: entities.Connection | None
    api: entities.Api | None
    scopes: list[str]
    # event.transaction.requested_scopes: the scopes the request asked for (Auth0: "the scopes specified
    # when the transaction was initiated"); None means the scopes being granted.
    requested_scopes: list[str] | None = None
    transaction: dict[str, Any] = field(default_factory=dict)
    # The request's parameters (event.request.body, or .query for a GET, without credentials).
    request_params: Mapping[str, str] | None = None
    request_method: str = "POST"
    # The end user's IP when it is not the peer's (auth0-forwarded-for from a trusted client).
    ip: str | None = None


@dataclass(frozen=True)
class CredentialsFacts:
    client: entities.Client
    api: entities.Api
    scopes: list[str]
    request_params: Mapping[str, str] | None = None


async def run_post_login(ctx: TenantContext, facts: LoginFacts) -> Outcome:
    """Run the tenant's post-login hooks in order. With no hooks bound, nothing changes."""
    hooks = await registry.hooks_for(ctx, registry.POST_LOGIN)
    if not hooks:
        return Outcome()
    ip = facts.ip or ctx.ip
    connection = facts.connection
    if connection is None and facts.user.identities:
        # refresh_token knows no connection of its own: the user's primary identity's (Auth0 fills it too).
        connection = await ctx.repos.connections.by_name(facts.user.identities[0].connection)
    transaction = {
        **facts.transaction,
        "protocol": facts.protocol,
        "requested_scopes": list(facts.scopes if facts.requested_scopes is None else facts.requested_scopes),
        "audience": facts.api.identifier if facts.api else None,
        "ip": ip,
    }
    event = build_event(
        tenant_id=ctx.tenant.id,
        client=facts.client,
        request=request_view(ip, ctx.user_agent, ctx.host, facts.request_params, facts.request_method),
        transaction=transaction,
        user=facts.user,
        connection=connection,
        api=facts.api,
    )
    return await run_hooks(
        registry.POST_LOGIN, hooks, event, PostLoginApi, time_limit=ctx.state.settings.hook_timeout_seconds
    )


async def run_credentials_exchange(ctx: TenantContext, facts: CredentialsFacts) -> Outcome:
    """Run the tenant's credentials-exchange hooks in order. With no hooks bound, nothing changes."""
    hooks = await registry.hooks_for(ctx, registry.CREDENTIALS_EXCHANGE)
    if not hooks:
        return Outcome()
    event = build_event(
        tenant_id=ctx.tenant.id,
        client=facts.client,
        request=request_view(ctx.ip, ctx.user_agent, ctx.host, facts.request_params),
        transaction={"requested_scopes": list(facts.scopes), "audience": facts.api.identifier},
        api=facts.api,
        access_token={"scope": list(facts.scopes)},
    )
    return await run_hooks(
        registry.CREDENTIALS_EXCHANGE, hooks, event, CredentialsExchangeApi,
        time_limit=ctx.state.settings.hook_timeout_seconds,
    )


async def settle(ctx: TenantContext, user: entities.User | None, outcome: Outcome) -> None:
    """Apply what must happen after the last hook: deny, or persist metadata changes once."""
    if outcome.denied:
        if user is not None and (outcome.app_metadata or outcome.user_metadata):
            await _keep_metadata_of_denied_login(ctx, user, outcome)
        # Auth0 lets credentials-exchange / custom-token-exchange hooks pick the code; a custom code is
        # answered as access_denied with the hook's reason.
        error_class = DENY_ERRORS.get(outcome.deny_error, AccessDeniedError)
        raise error_class(outcome.deny_reason)
    if user is not None and (outcome.app_metadata or outcome.user_metadata):
        await ctx.repos.users.merge_metadata(
            user.user_id, app_metadata=outcome.app_metadata, user_metadata=outcome.user_metadata
        )


async def _keep_metadata_of_denied_login(ctx: TenantContext, user: entities.User, outcome: Outcome) -> None:
    """Auth0: api.access.deny "will NOT cancel other user-related side effects (such as metadata changes)".

    Everything else the request wrote is undone; the metadata changes are kept on a user who existed before
    this request (a user created by it, e.g. on a first social login, is rolled back with them).
    """
    await ctx.repos.rollback()
    if await ctx.repos.users.by_user_id(user.user_id) is None:
        return
    await ctx.repos.users.merge_metadata(
        user.user_id, app_metadata=outcome.app_metadata, user_metadata=outcome.user_metadata
    )
    await ctx.repos.commit()
