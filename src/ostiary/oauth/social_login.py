"""What every social sign-in does once the provider vouched for the identity: user, hooks, tokens.

Used by: oauth/grants/token_exchange.py and oauth/legacy_access_token.py. Runs after the upstream checks,
so a rejected artifact never reaches the store; everything here is in the request's one transaction, which
the route rolls back on any error (a hook's deny included): no half-created user.
"""

from __future__ import annotations

from collections.abc import Mapping

from ostiary import entities
from ostiary.actions.pipeline import LoginFacts, run_post_login, settle_login
from ostiary.connections.base import ExternalProfile
from ostiary.errors import InvalidRequestError, UserBlockedError
from ostiary.oauth.context import TenantContext
from ostiary.oauth.issuance import Issued, issue_user_tokens
from ostiary.oauth.scopes import offline_access_allowed
from ostiary.tokens.claims import split_scope


async def enabled_connection(
    ctx: TenantContext, *, strategy: str, client: entities.Client, name: str | None = None
) -> entities.Connection:
    """The connection (by name, else the first of that strategy) enabled for this client, else 400."""
    if name is not None:
        found = await ctx.repos.connections.by_name(name)
        candidates = [found] if found is not None and found.strategy == strategy else []
    else:
        candidates = await ctx.repos.connections.by_strategy(strategy)
    for connection in candidates:
        if connection.is_enabled_for(client.client_id):
            return connection
    raise InvalidRequestError(f"The {name or strategy} connection is not enabled for this client")


async def complete_social_login(
    ctx: TenantContext,
    *,
    client: entities.Client,
    connection: entities.Connection,
    profile: ExternalProfile,
    api: entities.Api | None,
    scopes: list[str],
    protocol: str,
    params: Mapping[str, str],
) -> Issued:
    """Find or create `{provider}|{id}`, count the login, run post-login hooks, issue tokens.

    `params` are the request's (the hooks see them without credentials as event.request.body).
    """
    user, _created = await ctx.repos.users.sign_in_external(
        connection=connection.name,
        provider=profile.provider,
        external_id=profile.external_id,
        attributes=profile.attributes,
        first_login_attributes=profile.first_login_attributes,
        profile_data=profile.profile_data,
    )
    if user.blocked:
        raise UserBlockedError()
    await ctx.repos.users.record_login(user.user_id, ip=ctx.ip)
    refresh = offline_access_allowed(scopes, api, client)
    if not refresh:
        # offline_access is only granted with a refresh token (Auth0 drops it otherwise).
        scopes = [s for s in scopes if s != "offline_access"]
    outcome = await run_post_login(
        ctx,
        LoginFacts(
            protocol=protocol,
            client=client,
            user=user,
            connection=connection,
            api=api,
            scopes=scopes,
            requested_scopes=split_scope(params.get("scope")),
            request_params=params,
        ),
    )
    signed_in = user
    user = await settle_login(ctx, user, outcome)
    if user.user_id != signed_in.user_id:
        # A hook linked this identity into a primary user: the login counts for the primary.
        await ctx.repos.users.record_login(user.user_id, ip=ctx.ip)
    user = await ctx.repos.users.by_user_id(user.user_id) or user
    return await issue_user_tokens(
        ctx,
        client=client,
        user=user,
        api=api,
        scopes=scopes,
        outcome=outcome,
        # A hook that removes offline_access also removes the refresh token.
        refresh=refresh and "offline_access" in outcome.adjust_scopes(scopes),
        auth_time=ctx.clock.now(),
    )
