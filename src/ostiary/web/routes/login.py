"""Universal Login: GET|POST /u/login and /u/signup (the automation contract is in README).

GET binds the transaction to this browser (transaction cookie) and renders a form carrying `state` and
`_csrf`; POST checks both, authenticates, starts a fresh SSO session and sends the browser to
/authorize/resume?state=... (302).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ostiary import entities
from ostiary.connections.choice import has_database_connection, page_connection
from ostiary.connections.database import authenticate_password
from ostiary.connections.signup import signup_user
from ostiary.errors import (
    DbConnectionError,
    OAuthError,
    TooManyAttemptsError,
    UserBlockedError,
)
from ostiary.oauth import mfa
from ostiary.oauth.context import TenantContext
from ostiary.oauth.federated_login import login_buttons
from ostiary.oauth.passwordless import STRATEGIES as PASSWORDLESS_STRATEGIES
from ostiary.web import cookies
from ostiary.web.csrf import csrf_token
from ostiary.web.deps import Context
from ostiary.web.login_pages import connection_buttons, federated_login_page, login_page, signup_page
from ostiary.web.login_session import start_session
from ostiary.web.pages import redirect
from ostiary.web.routes.mfa_login import second_factor
from ostiary.web.transactions import check_post, end_with_error, open_page, original_request

router = APIRouter()


async def logged_in(
    request: Request, ctx: TenantContext, *, state: str, user: entities.User, connection: str,
    browser: str | None = None,
) -> Response:
    """The first factor is done: when the tenant requires MFA, the second-factor page (web/routes/mfa_login.py);
    otherwise a fresh SSO session. `browser`: a transaction cookie this response sets (the magic link's)."""
    if await mfa.required(ctx):
        return await second_factor(request, ctx, state=state, user=user, connection=connection, browser=browser)
    return await start_session(request, ctx, state=state, user=user, connection=connection)


async def federated_buttons(
    ctx: TenantContext, client: entities.Client, *, state: str, csrf: str, after_form: bool = True
) -> str:
    """The "Continue with ..." block of the client's federated connections ("" when it has none)."""
    choices = await login_buttons(ctx, client)
    return connection_buttons(state=state, csrf=csrf, choices=choices, after_form=after_form)


@router.get("/u/login")
async def login_form(request: Request, ctx: Context) -> Response:
    opened = await open_page(request, ctx)
    if isinstance(opened, Response):
        return opened
    named = opened.transaction.params.get("connection")
    chosen = await ctx.repos.connections.by_name(named) if named else None
    if chosen is not None and chosen.strategy in PASSWORDLESS_STRATEGIES:
        return opened.send(redirect(f"/u/passwordless?state={quote(opened.state)}"), ctx)
    database = await has_database_connection(ctx, client=opened.client)
    buttons = await federated_buttons(ctx, opened.client, state=opened.state, csrf=opened.csrf, after_form=database)
    if buttons and not database:
        return opened.send(federated_login_page(tenant=ctx.tenant, client=opened.client, buttons=buttons), ctx)
    try:  # a client with no connection enabled is told so now, not after a password is typed
        await page_connection(ctx, client=opened.client, name=opened.transaction.params.get("connection"))
        problem = None
    except OAuthError as exc:
        problem = exc.description
    page = login_page(
        tenant=ctx.tenant,
        client=opened.client,
        state=opened.state,
        csrf=opened.csrf,
        username=opened.transaction.params.get("login_hint", ""),
        error=problem,
        buttons=buttons,
    )
    return opened.send(page, ctx)


@router.post("/u/login")
async def login_submit(request: Request, ctx: Context) -> Response:
    checked = await check_post(request, ctx)
    if isinstance(checked, Response):
        return checked
    form, transaction, client = checked
    state, username = form["state"], form.get("username", "").strip()
    browser = cookies.read_transaction_cookie(request, ctx.scheme) or ""
    try:
        connection = await page_connection(ctx, client=client, name=transaction.params.get("connection"))
        user = await authenticate_password(
            ctx, connection=connection, username=username, password=form.get("password", ""),
            client_id=client.client_id,
        )
    except UserBlockedError as exc:
        # Auth0 sends a blocked user back to the app: error=unauthorized&error_description=user is blocked.
        await ctx.repos.commit()
        req = await original_request(ctx, transaction)
        return req if isinstance(req, Response) else await end_with_error(ctx, state, req, exc)
    except OAuthError as exc:
        # Whatever attack protection recorded must stay recorded.
        await ctx.repos.commit()
        status = 429 if isinstance(exc, TooManyAttemptsError) else 400
        csrf = csrf_token(transaction, browser)
        return login_page(
            tenant=ctx.tenant,
            client=client,
            state=state,
            csrf=csrf,
            username=username,
            error=exc.description,
            status=status,
            buttons=await federated_buttons(ctx, client, state=state, csrf=csrf),
        )
    return await logged_in(request, ctx, state=state, user=user, connection=connection.name)


@router.get("/u/signup")
async def signup_form(request: Request, ctx: Context) -> Response:
    opened = await open_page(request, ctx)
    if isinstance(opened, Response):
        return opened
    page = signup_page(
        tenant=ctx.tenant,
        client=opened.client,
        state=opened.state,
        csrf=opened.csrf,
        email=opened.transaction.params.get("login_hint", ""),
    )
    return opened.send(page, ctx)


@router.post("/u/signup")
async def signup_submit(request: Request, ctx: Context) -> Response:
    checked = await check_post(request, ctx)
    if isinstance(checked, Response):
        return checked
    form, transaction, client = checked
    state, email = form["state"], form.get("email", "").strip()
    browser = cookies.read_transaction_cookie(request, ctx.scheme) or ""
    try:
        connection = await page_connection(ctx, client=client, name=transaction.params.get("connection"))
        user = await signup_user(
            ctx, connection=connection, email=email, password=form.get("password", ""), client=client
        )
    except (DbConnectionError, OAuthError) as exc:
        await ctx.repos.rollback()
        return signup_page(
            tenant=ctx.tenant,
            client=client,
            state=state,
            csrf=csrf_token(transaction, browser),
            email=email,
            error=exc.description,
            status=400,
        )
    return await logged_in(request, ctx, state=state, user=user, connection=connection.name)
