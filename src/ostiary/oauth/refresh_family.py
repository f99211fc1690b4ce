"""What one use of a refresh token does to its family: rotate, re-issue inside leeway, or detect reuse.

Auth0 "Refresh Token Rotation" / "Configure Refresh Token Rotation"; RFC 9700 §4.14.2. Used by:
oauth/grants/refresh_token.py. Every path runs under RefreshTokens.lock_family, and the one-time part is
the conditional UPDATE in RefreshTokens.spend, in the same transaction as the insert of the child.
"""

from __future__ import annotations

import logging

from ostiary import entities
from ostiary.errors import InvalidGrantError
from ostiary.ids import new_refresh_token
from ostiary.oauth.context import TenantContext
from ostiary.oauth.issuance import idle_expiry, refresh_expiry
from ostiary.store.repositories.tokens import RefreshRecord

log = logging.getLogger("ostiary.refresh")

UNKNOWN_OR_INVALID = "Unknown or invalid refresh token."


def invalid() -> InvalidGrantError:
    """Auth0's one answer for an unknown, revoked, reused or expired refresh token (403)."""
    return InvalidGrantError(UNKNOWN_OR_INVALID)


def reuse_may_be_forgiven(record: RefreshRecord, policy: entities.RefreshPolicy, now: float) -> bool:
    """Inside the client's leeway since the token was first exchanged (leeway 0 = never)."""
    return record.used_at is not None and policy.leeway > 0 and now - record.used_at <= policy.leeway


async def revoke_after_reuse(ctx: TenantContext, record: RefreshRecord) -> InvalidGrantError:
    """Breach detection: revoke the family and its grant, commit that, and return the error to raise.

    Auth0: a reused token revokes "the entire set of refresh tokens issued since that invalidated token was
    issued … along with the grant". Committed here because the token endpoint rolls back on errors; whatever
    this request had written before (hook metadata, a minted opaque token) is rolled back first.
    """
    await ctx.repos.rollback()
    await ctx.repos.refresh_tokens.lock_family(record)
    await ctx.repos.refresh_tokens.revoke_family(record.family_id)
    await ctx.repos.grants.revoke(record.grant_id)
    await ctx.repos.commit()
    log.warning(
        "refresh token reuse detected; family revoked",
        extra={
            "log_type": "ferrt",  # Auth0's log event type for a failed exchange of a rotating refresh token
            "tenant": ctx.tenant.id,
            "family_id": record.family_id,
            "client_id": record.client_id,
        },
    )
    return invalid()


async def spend_live(ctx: TenantContext, client: entities.Client, token: str) -> RefreshRecord | None:
    """The common case, rotating token and rotating policy, spent in one round trip at the start of the
    request (the family lock is held from there to the commit). None: take the general path (load_live_token
    then exchange), which tells unknown, reused, revoked and expired tokens and policy switches apart."""
    if not client.refresh_token.rotating:
        return None
    return await ctx.repos.refresh_tokens.spend_live(token, client_id=client.client_id)


async def rotate_live(
    ctx: TenantContext, client: entities.Client, token: str
) -> tuple[RefreshRecord, entities.User, str] | None:
    """The common case on PostgreSQL in one statement that commits by itself: spend the live token, store its
    child, read the user. Only for a caller that cannot fail after the spend (no hook may deny, no scope to
    check). Returns (spent token, its user, the new token); None: take spend_live's path."""
    if not client.refresh_token.rotating:
        return None
    new_token = new_refresh_token()
    rotated = await ctx.repos.refresh_tokens.rotate_live(
        token,
        client_id=client.client_id,
        new_token=new_token,
        idle_expires_at=idle_expiry(client.refresh_token, ctx.clock.now()),
    )
    return None if rotated is None else (*rotated, new_token)


async def replace(ctx: TenantContext, spent: RefreshRecord, policy: entities.RefreshPolicy) -> str:
    """The new token of a family whose `spent` token spend_live just spent."""
    new_token = new_refresh_token()
    idle = idle_expiry(policy, ctx.clock.now())
    await ctx.repos.refresh_tokens.replace_spent(spent, new_token, idle_expires_at=idle)
    return new_token


async def exchange(ctx: TenantContext, record: RefreshRecord, policy: entities.RefreshPolicy) -> str | None:
    """Use `record` once. Returns the new refresh token when one is issued, None when the same one stays."""
    repo = ctx.repos.refresh_tokens
    now = ctx.clock.now()
    idle = idle_expiry(policy, now)
    locked = await repo.lock_family(record)
    if locked is None or locked.revoked_at is not None or locked.expired(now):
        raise invalid()
    if await ctx.repos.grants.is_revoked(locked.grant_id):
        # The grant died after this token was read (code reuse, logout, admin revocation).
        raise invalid()
    if not locked.rotating:
        # Non-rotating: the same token keeps working; only its idle expiry moves (current settings).
        if not await repo.touch(locked, idle_expires_at=idle):
            raise invalid()
        if policy.rotating:
            return await switch_to_rotating(ctx, locked, policy)
        return None
    if not policy.rotating and await repo.spend(locked):
        return await switch_to_non_rotating(ctx, locked, policy)
    new_token = new_refresh_token()
    if await repo.rotate(locked, new_token, idle_expires_at=idle) is not None:
        return new_token
    # Lost the conditional UPDATE: the token was exchanged before (by another request or a thief).
    spent = await repo.lock_family(locked)
    if spent is None or spent.revoked_at is not None:
        raise invalid()
    if reuse_may_be_forgiven(spent, policy, now) and not await repo.has_used_child(spent):
        # Auth0 leeway: "Only the previous token can be reused" and "a new rotating refresh token is
        # issued". Previous = none of its children has been exchanged yet; otherwise it is second-to-last.
        await repo.add_child(spent, new_token, idle_expires_at=idle)
        return new_token
    raise await revoke_after_reuse(ctx, spent)


async def start_family(ctx: TenantContext, record: RefreshRecord, policy: entities.RefreshPolicy) -> str:
    """A new family for the same grant, user, audience and scope, with lifetimes from the current policy."""
    token = new_refresh_token()
    absolute, idle = refresh_expiry(policy, ctx.clock.now())
    await ctx.repos.refresh_tokens.create(
        token,
        grant_id=record.grant_id,
        client_id=record.client_id,
        user_id=record.user_id,
        audience=record.audience,
        scope=record.scope,
        rotating=policy.rotating,
        absolute_expires_at=absolute,
        idle_expires_at=idle,
        session_id=record.session_id,
        auth_time=record.auth_time,
        data=record.data,
    )
    return token


async def switch_to_rotating(ctx: TenantContext, record: RefreshRecord, policy: entities.RefreshPolicy) -> str:
    """Rotation was enabled after `record` was issued (Auth0 "Configure Refresh Token Rotation"): exchanging
    it issues a rotating token and deletes the non-rotating tokens of the same client, API and user."""
    await ctx.repos.refresh_tokens.revoke_other_non_rotating(record)
    await ctx.repos.refresh_tokens.revoke_family(record.family_id)
    return await start_family(ctx, record, policy)


async def switch_to_non_rotating(
    ctx: TenantContext, record: RefreshRecord, policy: entities.RefreshPolicy
) -> str:
    """Rotation was disabled after `record` was issued: exchanging it issues a non-rotating token and
    revokes the rotating family (Auth0 "Configure Refresh Token Rotation"). `record` is already spent."""
    await ctx.repos.refresh_tokens.revoke_family(record.family_id)
    return await start_family(ctx, record, policy)
