"""Where grants call the hooks: one function per trigger, each returning an Outcome.

Used by: /authorize (post-login), authorization_code is served from what /authorize stored, refresh_token,
password, token exchange, /oauth/access_token (post-login), client_credentials (credentials-exchange).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from ostiary import entities
from ostiary.actions import registry
from ostiary.actions.api import CredentialsExchangeApi, PostLoginApi
from ostiary.actions.event import EventNode, build_event, request_view
from ostiary.actions.outcome import Outcome
from ostiary.actions.runner import failed, run_hooks
from ostiary.errors import (
    AccessDeniedError,
    InvalidRequestError,
    InvalidScopeError,
    OAuthError,
    ServerError,
)
from ostiary.oauth.context import TenantContext

log = logging.getLogger("ostiary.hooks")
# What the client is told when api.authentication.set_primary_user cannot be honoured; the log says why.
LINK_REFUSED_REASON = "The login could not be linked to the primary user"

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
    # /authorize only: the hooks may redirect the user (api.redirect), and this is the login's `state` at
    # /continue (what api.redirect.encodeToken/validateToken bind the token to).
    interactive: bool = False
    continue_state: str | None = None
    # /continue: where the login paused ({"hook": index, "outcome": Outcome.to_resume(), "query": /continue's
    # query}); the paused action's onContinuePostLogin runs, then the actions after it.
    resume: dict[str, Any] | None = None
    # What api.refreshToken.revoke / api.session.revoke would revoke in this flow.
    refresh_family_id: str | None = None
    session_sid: str | None = None


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
        # Auth0: the names of the user's roles. Read with the token's RBAC decision (one read per login).
        authorization={"roles": list((await ctx.user_authorization(facts.user, facts.api)).roles)},
    )
    context = {"interactive": facts.interactive, "issuer": ctx.issuer, "continue_state": facts.continue_state}

    def make_api(entry: str | None = None) -> Any:
        extra = {"entry": entry} if entry else {}
        return lambda outcome, name: PostLoginApi(
            outcome, name, ctx.repos.users.by_verified_email, context={**context, **extra}
        )

    limit = ctx.state.settings.hook_timeout_seconds
    if facts.resume is None:
        outcome = await run_hooks(registry.POST_LOGIN, hooks, event, make_api(), time_limit=limit)
    else:
        outcome = await _resume(facts.resume, hooks, event, make_api, limit, ip, ctx)
    outcome.refresh_family_id, outcome.session_sid = facts.refresh_family_id, facts.session_sid
    return outcome


async def _resume(
    resume: dict[str, Any], hooks: tuple[registry.Hook, ...], event: EventNode, make_api: Any, limit: float,
    ip: str, ctx: TenantContext,
) -> Outcome:
    """/continue: the paused JavaScript action's onContinuePostLogin (its event.request is /continue's), then
    the actions after it, recording into the outcome kept while the user was away."""
    try:
        index = int(resume["hook"])
        outcome = Outcome.from_resume(resume["outcome"])
    except (KeyError, TypeError, ValueError) as exc:  # a transaction stored by another version
        return failed(registry.POST_LOGIN, "(continue)", f"the paused login cannot be resumed: {exc!r}")
    if index >= len(hooks):
        return failed(registry.POST_LOGIN, "(continue)", "the action that redirected is no longer bound")
    if not hooks[index].limits_itself:
        return failed(registry.POST_LOGIN, hooks[index].name, "only JavaScript actions have onContinuePostLogin")
    request = request_view(ip, ctx.user_agent, ctx.host, resume.get("query") or {}, "GET")
    outcome = await run_hooks(
        registry.POST_LOGIN, hooks[index:index + 1], event.with_values(request=request),
        make_api("onContinuePostLogin"), time_limit=limit, outcome=outcome, first_index=index,
    )
    if outcome.denied or outcome.redirect_url is not None:
        return outcome
    return await run_hooks(
        registry.POST_LOGIN, hooks[index + 1:], event, make_api(), time_limit=limit, outcome=outcome,
        first_index=index + 1,
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
    """Apply what must happen after the last hook: deny, or persist metadata changes once.

    Flows whose user cannot change: a hook's set_primary_user denies the login.
    """
    if outcome.primary_user_id is not None and not outcome.denied:
        _refuse_link(user, outcome.primary_user_id, "set_primary_user is only honoured on social sign-ins")
    await _apply(ctx, user, outcome)


async def settle_login(ctx: TenantContext, user: entities.User, outcome: Outcome) -> entities.User:
    """settle() for a social sign-in, whose hooks may link its user into a primary: returns whom to issue for.

    The link goes through the store's code of `ostiary users link`, in the request's transaction.
    """
    if outcome.primary_user_id is not None and not outcome.denied:
        user = await _link_into_primary(ctx, user, outcome.primary_user_id)
    await _apply(ctx, user, outcome)
    return user


async def _link_into_primary(ctx: TenantContext, user: entities.User, primary_user_id: str) -> entities.User:
    if primary_user_id == user.user_id:
        _refuse_link(user, primary_user_id, "a user cannot be linked to itself")
    primary = await ctx.repos.users.by_user_id(primary_user_id)
    if primary is None:
        _refuse_link(user, primary_user_id, "no such user in this tenant")
    elif primary.blocked:
        _refuse_link(user, primary_user_id, "the primary user is blocked")
    elif not _same_verified_email(user, primary):
        # Linking on an unverified or different email would hand the primary account to whoever holds
        # this identity (account takeover).
        _refuse_link(user, primary_user_id, "the two users do not share a verified email")
    linked = await ctx.repos.users.link(primary_user_id, user.user_id)
    log.info("hook linked the login's user", extra={"user_id": user.user_id, "primary_user_id": primary_user_id})
    return linked


def _same_verified_email(user: entities.User, primary: entities.User) -> bool:
    return bool(
        user.email_verified and primary.email_verified and user.email and primary.email
        and user.email.strip().lower() == primary.email.strip().lower()
    )


def _refuse_link(user: entities.User | None, primary_user_id: str, cause: str) -> NoReturn:
    log.warning(
        "hook's set_primary_user refused; login denied",
        extra={"user_id": user.user_id if user else None, "primary_user_id": primary_user_id, "cause": cause},
    )
    raise AccessDeniedError(LINK_REFUSED_REASON)


async def _apply(ctx: TenantContext, user: entities.User | None, outcome: Outcome) -> None:
    if outcome.denied:
        if user is not None and (outcome.app_metadata or outcome.user_metadata):
            await _keep_metadata_of_denied_login(ctx, user, outcome)
        if outcome.revoke_refresh_token or outcome.revoke_session:
            await _revoke_as_asked(ctx, outcome)
        # Auth0 lets credentials-exchange / custom-token-exchange hooks pick the code; a custom code is
        # answered as access_denied with the hook's reason.
        error_class = DENY_ERRORS.get(outcome.deny_error, AccessDeniedError)
        raise error_class(outcome.deny_reason)
    if user is not None and (outcome.app_metadata or outcome.user_metadata):
        await ctx.repos.users.merge_metadata(
            user.user_id, app_metadata=outcome.app_metadata, user_metadata=outcome.user_metadata
        )


async def _revoke_as_asked(ctx: TenantContext, outcome: Outcome) -> None:
    """api.refreshToken.revoke / api.session.revoke: the request is denied and the revocation stays."""
    await ctx.repos.rollback()
    if outcome.revoke_refresh_token and outcome.refresh_family_id:
        await ctx.repos.refresh_tokens.revoke_family(outcome.refresh_family_id)
    if outcome.revoke_session and outcome.session_sid:
        session = await ctx.repos.sessions.by_sid(outcome.session_sid)
        if session is not None:
            await ctx.repos.sessions.revoke(session.id)
    await ctx.repos.commit()
    log.info("hook revoked", extra={"refresh_token": outcome.revoke_refresh_token, "session": outcome.revoke_session})


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
