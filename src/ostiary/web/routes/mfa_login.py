"""The hosted login's second factor: after the first factor (password, code or federated login), when the
tenant requires MFA, the browser gets the one-time-code page; POST /u/mfa-otp-challenge checks the code with
the same CSRF, rate-limit and brute-force rules as the password form, then starts the SSO session.

The page carries a one-time ticket (purpose mfa_login: the user, the client and the login's state), so the
second step can only finish the login whose first step succeeded, in the browser holding its transaction.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ostiary import entities
from ostiary.errors import OAuthError, TooManyAttemptsError
from ostiary.oauth import mfa
from ostiary.oauth.context import TenantContext
from ostiary.web import cookies
from ostiary.web.csrf import csrf_token
from ostiary.web.deps import Context
from ostiary.web.login_session import start_session
from ostiary.web.mfa_pages import Enrollment, mfa_page
from ostiary.web.pages import error_page
from ostiary.web.transactions import EXPIRED, check_post

router = APIRouter()
PURPOSE = "mfa_login"


async def _enrollment(ctx: TenantContext, user: entities.User, *, start: bool) -> Enrollment | None:
    """None for an enrolled user; else the pending authenticator app (a new one when `start`)."""
    if await ctx.repos.mfa.has_active(user.user_id):
        return None
    recovery = None
    pending = [secret for _, secret, active in await ctx.repos.mfa.otp_secrets(user.user_id) if not active]
    if start or not pending:
        secret = mfa.new_secret()
        _, recovery = await ctx.repos.mfa.enroll_otp(user.user_id, secret)
    else:
        secret = pending[0]
    issuer = ctx.tenant.friendly_name or ctx.tenant.name
    return Enrollment(secret, mfa.barcode_uri(secret, user=user, issuer=issuer), recovery)


async def second_factor(
    request: Request, ctx: TenantContext, *, state: str, user: entities.User, connection: str,
    browser: str | None = None,
) -> Response:
    transaction = await ctx.repos.transactions.open(state)
    client = await ctx.client(transaction.params.get("client_id", "")) if transaction else None
    if transaction is None or client is None:
        return error_page("invalid_request", EXPIRED)
    ticket = await ctx.repos.tickets.issue(purpose=PURPOSE, subject=user.user_id, client_id=client.client_id,
                                           data={"state": state, "connection": connection},
                                           lifetime=mfa.MFA_TOKEN_LIFETIME)
    enrollment = await _enrollment(ctx, user, start=True)
    await ctx.repos.commit()
    browser = browser or cookies.read_transaction_cookie(request, ctx.scheme) or ""
    return mfa_page(tenant=ctx.tenant, client=client, state=state, csrf=csrf_token(transaction, browser),
                    ticket=ticket, enrollment=enrollment)


@router.post("/u/mfa-otp-challenge")
async def challenge_submit(request: Request, ctx: Context) -> Response:
    checked = await check_post(request, ctx)
    if isinstance(checked, Response):
        return checked
    form, transaction, client = checked
    state, secret = form["state"], form.get("ticket", "")
    ticket = await ctx.repos.tickets.peek(PURPOSE, secret)
    if ticket is None or ticket.data.get("state") != state or ticket.client_id != client.client_id:
        return error_page("invalid_request", EXPIRED)
    user = await ctx.repos.users.by_user_id(ticket.subject)
    if user is None:
        return error_page("invalid_request", EXPIRED)
    try:
        await mfa.guard(ctx, user, ctx.ip)
        if not await mfa.check_otp(ctx, user, form.get("code", "")):
            raise await mfa.wrong_code(ctx, user, ctx.ip, "Invalid code. Try again.")
    except OAuthError as exc:
        await ctx.repos.commit()  # what attack protection recorded stays recorded
        browser = cookies.read_transaction_cookie(request, ctx.scheme) or ""
        return mfa_page(tenant=ctx.tenant, client=client, state=state, csrf=csrf_token(transaction, browser),
                        ticket=secret, enrollment=await _enrollment(ctx, user, start=False), error=exc.description,
                        status=429 if isinstance(exc, TooManyAttemptsError) else 400)
    if await ctx.repos.tickets.consume(PURPOSE, secret, subject=user.user_id) is None:
        return error_page("invalid_request", EXPIRED)
    await mfa.right_code(ctx, user, ctx.ip)
    return await start_session(request, ctx, state=state, user=user, connection=str(ticket.data["connection"]))
