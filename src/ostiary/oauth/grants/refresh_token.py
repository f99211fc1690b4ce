"""grant_type=refresh_token (RFC 6749 §6) with Auth0's rotation, leeway, lifetimes and downscoping."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from ostiary import entities
from ostiary.actions import registry
from ostiary.actions.outcome import Outcome
from ostiary.actions.pipeline import LoginFacts, run_post_login, settle
from ostiary.errors import InvalidGrantError, InvalidScopeError, UserBlockedError
from ostiary.oauth import refresh_family
from ostiary.oauth.client_auth import AuthenticatedClient
from ostiary.oauth.context import TenantContext
from ostiary.oauth.grants.base import require_param
from ostiary.oauth.issuance import Issued, issue_user_tokens
from ostiary.oauth.scopes import require_api
from ostiary.store.repositories.tokens import RefreshRecord
from ostiary.tokens.claims import split_scope

GRANT_TYPE = entities.GRANT_REFRESH_TOKEN
DELETED_USER = "The refresh_token was generated for a user who doesn't exist anymore."


async def load_live_token(ctx: TenantContext, client: entities.Client, token: str) -> RefreshRecord:
    """The stored token, if it is this client's, not revoked and not expired; a spent one is reuse."""
    # Repositories are tenant-bound: another tenant's token is simply unknown here (TN-03).
    record = await ctx.repos.refresh_tokens.find(token)
    # RFC 6749 §6 / §10.4: the token MUST be bound to the client that presents it (RT-05).
    if record is None or record.client_id != client.client_id:
        raise refresh_family.invalid()
    now = ctx.clock.now()
    if record.revoked_at is not None or record.expired(now):
        raise refresh_family.invalid()
    if record.used_at is not None and not refresh_family.reuse_may_be_forgiven(record, client.refresh_token, now):
        # Reuse outside the leeway: breach, before any hook runs.
        raise await refresh_family.revoke_after_reuse(ctx, record)
    return record


async def load_user(ctx: TenantContext, user_id: str) -> entities.User:
    user = await ctx.repos.users.by_user_id(user_id)
    if user is None:
        raise InvalidGrantError(DELETED_USER)
    if user.blocked:
        raise UserBlockedError.for_grant()
    return user


def narrowed_scopes(original: list[str], requested: str | None) -> list[str]:
    """RFC 6749 §6: the scope MUST NOT include any scope not originally granted; omitted = original."""
    if not requested:
        return original
    asked = list(dict.fromkeys(split_scope(requested)))
    widened = [s for s in asked if s not in original]
    if widened:
        raise InvalidScopeError(f"Scope(s) not granted to the refresh token: {' '.join(widened)}")
    return asked


async def handle(ctx: TenantContext, auth: AuthenticatedClient, params: Mapping[str, str]) -> Issued:
    client = auth.client
    token = require_param(params, "refresh_token")
    # Nothing can refuse the exchange once the token is spent: it may be spent, and committed, first.
    if not params.get("scope") and not await registry.hooks_for(ctx, registry.POST_LOGIN):
        rotated = await refresh_family.rotate_live(ctx, client, token)
        if rotated is not None:
            return await _issue_rotated(ctx, client, *rotated)
    spent = await refresh_family.spend_live(ctx, client, token)
    record = spent or await load_live_token(ctx, client, token)
    user = await load_user(ctx, record.user_id)
    scopes = narrowed_scopes(split_scope(record.scope), params.get("scope"))
    # The audience is the one the token was issued for; `audience` at refresh (MRRT) is not supported (RT-08).
    api = await require_api(ctx, record.audience) if record.audience else None
    outcome = await run_post_login(
        ctx,
        LoginFacts(
            protocol="oauth2-refresh-token",
            client=client,
            user=user,
            connection=None,
            api=api,
            scopes=scopes,
            request_params=params,
            refresh_family_id=record.family_id,
            session_sid=record.session_id,
        ),
    )
    # A deny raises here, before anything is issued and before the presented token is spent or rotated:
    # the client may try again (Auth0 revokes a refresh token only through api.refreshToken.revoke).
    await settle(ctx, user, outcome)
    issued = await issue_user_tokens(
        ctx,
        client=client,
        user=user,
        api=api,
        scopes=scopes,
        outcome=outcome,
        auth_time=record.auth_time,  # OIDC Core §12.2: auth_time of the original authentication
        sid=record.session_id,
        grant_id=record.grant_id,
    )
    if spent is not None:
        new_refresh_token: str | None = await refresh_family.replace(ctx, spent, client.refresh_token)
    else:
        new_refresh_token = await refresh_family.exchange(ctx, record, client.refresh_token)
    return dataclasses.replace(issued, refresh_token=new_refresh_token)


async def _issue_rotated(
    ctx: TenantContext, client: entities.Client, record: RefreshRecord, user: entities.User, new_token: str
) -> Issued:
    api = await require_api(ctx, record.audience) if record.audience else None
    issued = await issue_user_tokens(
        ctx,
        client=client,
        user=user,
        api=api,
        scopes=split_scope(record.scope),
        outcome=Outcome(),
        auth_time=record.auth_time,
        sid=record.session_id,
        grant_id=record.grant_id,
    )
    return dataclasses.replace(issued, refresh_token=new_token)
