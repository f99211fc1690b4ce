"""The account pages the emails link to, and the login page's "Forgot password?":

GET|POST /u/reset-password/request  (from the login page; a live login transaction, CSRF-checked)
GET|POST /u/reset-password?ticket=  (reset_email's link; the form posts the ticket back)
GET      /u/email-verification?ticket=  (verify_email's link)
GET      /u/unblock?ticket=  (blocked_account's link)
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ostiary.connections.choice import page_connection
from ostiary.errors import OAuthError
from ostiary.oauth.email_verification import verify_email
from ostiary.oauth.password_reset import complete_password_reset, open_reset, request_password_reset
from ostiary.oauth.unblock import unblock_with_ticket
from ostiary.web import cookies
from ostiary.web.account_pages import done_page, expired_page, forgot_password_page, new_password_page
from ostiary.web.csrf import csrf_token
from ostiary.web.deps import Context
from ostiary.web.forms import parse_body, parse_query
from ostiary.web.pages import error_page, redirect
from ostiary.web.transactions import check_post, open_page, over_rate_limit

router = APIRouter()


@router.get("/u/reset-password/request")
async def forgot_password_form(request: Request, ctx: Context) -> Response:
    opened = await open_page(request, ctx)
    if isinstance(opened, Response):
        return opened
    page = forgot_password_page(
        tenant=ctx.tenant, state=opened.state, csrf=opened.csrf, email=opened.transaction.params.get("login_hint", "")
    )
    return opened.send(page, ctx)


@router.post("/u/reset-password/request")
async def forgot_password_submit(request: Request, ctx: Context) -> Response:
    checked = await check_post(request, ctx)
    if isinstance(checked, Response):
        return checked
    form, transaction, client = checked
    state, email = form["state"], form.get("email", "").strip()
    csrf = csrf_token(transaction, cookies.read_transaction_cookie(request, ctx.scheme) or "")
    if not email:
        return forgot_password_page(tenant=ctx.tenant, state=state, csrf=csrf, status=400)
    try:
        connection = await page_connection(ctx, client=client, name=transaction.params.get("connection"))
        await request_password_reset(ctx, connection=connection, email=email, client=client, state=state)
        await ctx.repos.commit()
    except OAuthError as exc:
        await ctx.repos.rollback()
        return error_page(exc.error, exc.description)
    # The same page whether or not the address exists.
    return forgot_password_page(tenant=ctx.tenant, state=state, csrf=csrf, sent=True)


def _ticket_from_query(request: Request) -> str:
    try:
        return parse_query(request).get("ticket", "")
    except OAuthError:
        return ""


@router.get("/u/reset-password")
async def new_password_form(request: Request, ctx: Context) -> Response:
    if limited := await over_rate_limit(ctx):
        return limited
    ticket = _ticket_from_query(request)
    opened = await open_reset(ctx, ticket)
    user = await ctx.repos.users.by_user_id(opened[0].subject) if opened else None
    if user is None:
        return expired_page(ctx.tenant)
    return new_password_page(tenant=ctx.tenant, ticket=ticket, email=user.email)


@router.post("/u/reset-password")
async def new_password_submit(request: Request, ctx: Context) -> Response:
    if limited := await over_rate_limit(ctx):
        return limited
    try:
        form = await parse_body(request, allow_json=False)
    except OAuthError as exc:
        return error_page(exc.error, exc.description)
    ticket, password = form.get("ticket", ""), form.get("password", "")
    if password != form.get("password_confirm", password):
        opened = await open_reset(ctx, ticket)
        if opened is None:
            return expired_page(ctx.tenant)
        return new_password_page(tenant=ctx.tenant, ticket=ticket, email=None,
                                 error="The passwords do not match.", status=400)
    done = await complete_password_reset(ctx, ticket, password)
    if done is None:
        await ctx.repos.rollback()
        return expired_page(ctx.tenant)
    if isinstance(done, str):
        return new_password_page(tenant=ctx.tenant, ticket=ticket, email=None, error=done, status=400)
    await ctx.repos.commit()
    if done.result_url:
        return redirect(f"{done.result_url}{'&' if '?' in done.result_url else '?'}"
                        + urlencode({"success": "true", "message": "Your password has been changed successfully."}))
    next_url = f"/u/login?state={quote(done.state)}" if done.state else None
    return done_page(ctx.tenant, "Password changed", "Your password has been changed successfully.",
                     next_url=next_url)


@router.get("/u/email-verification")
async def email_verification(request: Request, ctx: Context) -> Response:
    if limited := await over_rate_limit(ctx):
        return limited
    user = await verify_email(ctx, _ticket_from_query(request))
    if user is None:
        await ctx.repos.rollback()
        return expired_page(ctx.tenant)
    await ctx.repos.commit()
    return done_page(ctx.tenant, "Email verified", "Your email address was verified. You can close this window.")


@router.get("/u/unblock")
async def unblock(request: Request, ctx: Context) -> Response:
    if limited := await over_rate_limit(ctx):
        return limited
    user = await unblock_with_ticket(ctx, _ticket_from_query(request))
    if user is None:
        await ctx.repos.rollback()
        return expired_page(ctx.tenant)
    await ctx.repos.commit()
    return done_page(ctx.tenant, "Account unblocked", "Your account was unblocked. You can log in again.")
