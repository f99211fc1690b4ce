"""Password reset: reset_email with a one-time link to the hosted page that sets a new password.

Requested by POST /dbconnections/change_password and the login page's "Forgot password?". The answer never
says whether the address exists: an unknown address queues nothing and is answered the same way.
Completing the reset checks the connection's password policy, revokes the user's refresh tokens and SSO
sessions (as Auth0's does), lifts brute-force blocks, and queues password_reset (the "password changed"
notice) when the tenant has that template enabled. The Management API's /tickets/password-change will call
reset_ticket once that API exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from ostiary import entities
from ostiary.connections.password_policy import password_problem
from ostiary.mail.outbox import link_lifetime, queue_email, template_override
from ostiary.oauth.account_links import RESET_LINK_SECONDS, RESET_PASSWORD, link
from ostiary.oauth.context import TenantContext
from ostiary.protection import brute_force
from ostiary.store.repositories.email import Ticket


@dataclass(frozen=True)
class ResetDone:
    user: entities.User
    # Where the page sends the user next: the login page of the transaction that asked (Forgot password?),
    # else the reset_email template's resultUrl, else nowhere (the page says it is done).
    state: str | None
    result_url: str | None


async def reset_ticket(
    ctx: TenantContext, user: entities.User, connection: entities.Connection,
    client: entities.Client | None, *, state: str | None = None,
) -> str:
    lifetime = await link_lifetime(ctx, "reset_email", RESET_LINK_SECONDS)
    data = {"connection": connection.name, **({"state": state} if state else {})}
    ticket = await ctx.repos.tickets.issue(
        purpose=RESET_PASSWORD, subject=user.user_id, lifetime=lifetime,
        client_id=client.client_id if client else None, data=data,
    )
    return link(ctx, RESET_PASSWORD, ticket)


async def request_password_reset(
    ctx: TenantContext, *, connection: entities.Connection, email: str, client: entities.Client | None,
    state: str | None = None,
) -> None:
    """Queue reset_email to the user with this email in this connection; nothing for an unknown address."""
    user = await ctx.repos.users.by_login(connection.name, email.strip())
    if user is None or not user.email or user.email.lower() != email.strip().lower():
        return
    url = await reset_ticket(ctx, user, connection, client, state=state)
    await queue_email(ctx, template="reset_email", to=user.email, user=user, client=client, url=url)


async def open_reset(ctx: TenantContext, ticket: str) -> tuple[Ticket, entities.Connection] | None:
    """The live ticket and its connection (the page's GET shows the form; nothing is consumed)."""
    found = await ctx.repos.tickets.peek(RESET_PASSWORD, ticket)
    if found is None:
        return None
    connection = await ctx.repos.connections.by_name(str(found.data.get("connection", "")))
    return (found, connection) if connection is not None else None


async def complete_password_reset(ctx: TenantContext, ticket: str, password: str) -> ResetDone | str | None:
    """The finished reset; a policy message (str) when the password is refused (the link stays usable);
    None when the link is unknown, expired or used. The caller commits."""
    opened = await open_reset(ctx, ticket)
    if opened is None:
        return None
    _, connection = opened
    problem = password_problem(password, connection.options)
    if problem:
        return problem
    used = await ctx.repos.tickets.consume(RESET_PASSWORD, ticket)
    user = await ctx.repos.users.by_user_id(used.subject) if used else None
    if used is None or user is None:
        return None
    # Following the link proves the mailbox: Auth0 verifies the address on a reset too.
    user = await ctx.repos.users.update(user.user_id, password=password, email_verified=True)
    await ctx.repos.grants.revoke_user(user.user_id)
    await ctx.repos.sessions.revoke_user(user.user_id)
    await brute_force.unblock(ctx.state.protection.failure_counters(ctx.repos), key=user.user_id)
    client = await ctx.client(used.client_id) if used.client_id else None
    notice = await template_override(ctx, "password_reset")
    if user.email and notice is not None and notice.enabled:
        await queue_email(ctx, template="password_reset", to=user.email, user=user, client=client)
    override = await template_override(ctx, "reset_email")
    return ResetDone(user=user, state=used.data.get("state"), result_url=override.result_url if override else None)
