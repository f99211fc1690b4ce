"""Email verification: a one-time link (verify_email) that sets email_verified (then welcome_email, when the
tenant has enabled that template).

Sent after a database signup (API and page). The Management API's POST /api/v2/jobs/verification-email and
/tickets/email-verification will call send_verification_email / verification_ticket once that API exists.
"""

from __future__ import annotations

from ostiary import entities
from ostiary.mail.outbox import link_lifetime, queue_email, template_override
from ostiary.oauth.account_links import VERIFY_EMAIL, VERIFY_LINK_SECONDS, link
from ostiary.oauth.context import TenantContext


async def verification_ticket(ctx: TenantContext, user: entities.User, client: entities.Client | None) -> str:
    """A new verification link for the user (the Management API's ticket returns it without sending)."""
    lifetime = await link_lifetime(ctx, "verify_email", VERIFY_LINK_SECONDS)
    ticket = await ctx.repos.tickets.issue(
        purpose=VERIFY_EMAIL, subject=user.user_id, lifetime=lifetime,
        client_id=client.client_id if client else None, data={"email": user.email},
    )
    return link(ctx, VERIFY_EMAIL, ticket)


async def send_verification_email(ctx: TenantContext, user: entities.User, client: entities.Client | None) -> bool:
    """Queue verify_email (in the caller's transaction). False when there is nothing to send."""
    if not user.email or user.email_verified:
        return False
    url = await verification_ticket(ctx, user, client)
    return await queue_email(ctx, template="verify_email", to=user.email, user=user, client=client, url=url)


async def verify_email(ctx: TenantContext, ticket: str) -> entities.User | None:
    """Consume the link; the verified user, or None when the link is unknown, expired or used. The address
    must still be the one the link was sent to (a changed email is not verified by an old link)."""
    used = await ctx.repos.tickets.consume(VERIFY_EMAIL, ticket)
    if used is None:
        return None
    user = await ctx.repos.users.by_user_id(used.subject)
    if user is None or user.email != used.data.get("email"):
        return None
    if not user.email_verified:
        user = await ctx.repos.users.update(user.user_id, email_verified=True)
        # Auth0 sends welcome_email after the verification when the tenant has turned that template on.
        welcome = await template_override(ctx, "welcome_email")
        if user.email and welcome is not None and welcome.enabled:
            client = await ctx.client(used.client_id) if used.client_id else None
            await queue_email(ctx, template="welcome_email", to=user.email, user=user, client=client)
    return user
