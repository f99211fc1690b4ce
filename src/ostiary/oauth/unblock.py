"""The blocked_account email (Auth0's brute-force shield `user_notification`): when brute-force protection
blocks a user from an IP, the user gets a one-time link that lifts that block."""

from __future__ import annotations

from ostiary import entities
from ostiary.mail.outbox import link_lifetime, queue_email
from ostiary.oauth.account_links import UNBLOCK, UNBLOCK_LINK_SECONDS, link
from ostiary.oauth.context import TenantContext
from ostiary.protection import brute_force


async def notify_blocked(ctx: TenantContext, user: entities.User, ip: str) -> bool:
    """Queue blocked_account with an unblock link for (user, ip). The caller commits."""
    if not user.email:
        return False
    lifetime = await link_lifetime(ctx, "blocked_account", UNBLOCK_LINK_SECONDS)
    ticket = await ctx.repos.tickets.issue(purpose=UNBLOCK, subject=user.user_id, lifetime=lifetime, data={"ip": ip})
    return await queue_email(
        ctx, template="blocked_account", to=user.email, user=user, url=link(ctx, UNBLOCK, ticket),
        extra={"source_ip": ip},
    )


async def unblock_with_ticket(ctx: TenantContext, ticket: str) -> entities.User | None:
    """Consume the link and lift the block it names; None when unknown, expired or used."""
    used = await ctx.repos.tickets.consume(UNBLOCK, ticket)
    user = await ctx.repos.users.by_user_id(used.subject) if used else None
    if used is None or user is None:
        return None
    await brute_force.unblock(
        ctx.state.protection.failure_counters(ctx.repos), key=user.user_id, ip=str(used.data.get("ip") or "") or None
    )
    return user
