"""The one-time links the account emails carry: where they point and how long they live.

Only the hash of a ticket is stored (store/repositories/email.Tickets); a link works once (one conditional
UPDATE) and expires. Used by: oauth/email_verification.py, oauth/password_reset.py, oauth/unblock.py.
"""

from __future__ import annotations

from urllib.parse import quote

from ostiary.oauth.context import TenantContext

VERIFY_EMAIL = "verify_email"
RESET_PASSWORD = "reset_password"
UNBLOCK = "unblock"

# Auth0's defaults for the templates' urlLifetimeInSeconds (a template's own value wins).
VERIFY_LINK_SECONDS = 5 * 24 * 3600
RESET_LINK_SECONDS = 24 * 3600
UNBLOCK_LINK_SECONDS = 5 * 24 * 3600

PATHS = {
    VERIFY_EMAIL: "/u/email-verification",
    RESET_PASSWORD: "/u/reset-password",
    UNBLOCK: "/u/unblock",
}


def link(ctx: TenantContext, purpose: str, ticket: str) -> str:
    """An absolute link on the tenant's own host (the host the request came to)."""
    return f"{ctx.scheme}://{ctx.host}{PATHS[purpose]}?ticket={quote(ticket)}"
