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
from ostiary.connections.choice import page_connection
from ostiary.connections.database import authenticate_password
from ostiary.connections.signup import signup_user
from ostiary.errors import AccessDeniedError, DbConnectionError, OAuthError, TooManyAttemptsError
from ostiary.ids import new_opaque_token, token_hash
from ostiary.oauth.context import TenantContext
from ostiary.store.repositories.sessions import TransactionInfo
from ostiary.web import cookies
from ostiary.web.csrf import bound_to_browser, csrf_ok, csrf_token
from ostiary.web.deps import Context
from ostiary.web.forms import parse_body, parse_query
from ostiary.web.login_pages import login_page, signup_page
from ostiary.web.pages import error_page, redirect

router = APIRouter()

BAD_CSRF = "Invalid or missing CSRF token. Reload the page and try again."
EXPIRED = "This login link has expired or was already used. Go back to the application and try again."


async def open_page(
    request: Request, ctx: TenantContext, state: str
) -> tuple[TransactionInfo, entities.Client, str, str | None] | Response:
    """GET side: the open transaction, its client, this browser's secret and a cookie to set (first visit)."""
    transaction = await ctx.repos.transactions.open(state)
    client = await ctx.client(transaction.params.get("client_id", "")) if transaction else None
    if transaction is None or client is None:
        return error_page("invalid_request", EXPIRED)
    browser = cookies.read_transaction_cookie(request, ctx.scheme)
    if transaction.browser_hash is None:
        # First visit: bind the transaction to this browser (reusing its secret across tabs).
        browser = browser or new_opaque_token()
        await ctx.repos.transactions.record(state, browser_hash=token_hash(browser))
        await ctx.repos.commit()
        transaction = await ctx.repos.transactions.open(state)
        assert transaction is not None
        return transaction, client, browser, browser
    if not bound_to_browser(transaction, browser):
        return error_page("invalid_request", "This login page was opened in another browser.", status=403)
    assert browser is not None
    return transaction, client, browser, None


async def check_post(
    request: Request, ctx: TenantContext
) -> tuple[dict[str, str], TransactionInfo, entities.Client] | Response:
    """POST side: form body only (never credentials from the URL, UI-11), live transaction, CSRF (UI-01)."""
    if request.scope.get("query_string"):
        return error_page("invalid_request", "Parameters must be sent in the form body.")
    try:
        form = await parse_body(request, allow_json=False)
    except OAuthError as exc:
        return error_page(exc.error, exc.description)
    state = form.get("state", "")
    transaction = await ctx.repos.transactions.open(state)
    client = await ctx.client(transaction.params.get("client_id", "")) if transaction else None
    if transaction is None or client is None:
        return error_page("invalid_request", EXPIRED)
    if not csrf_ok(transaction, cookies.read_transaction_cookie(request, ctx.scheme), form.get("_csrf")):
        return error_page("invalid_request", BAD_CSRF, status=403)
    return form, transaction, client


def _with_cookie(response: Response, ctx: TenantContext, browser: str | None) -> Response:
    if browser is not None:
        cookies.set_transaction_cookie(response, browser, scheme=ctx.scheme)
    return response


async def logged_in(
    request: Request, ctx: TenantContext, *, state: str, user: entities.User, connection: str
) -> Response:
    """Start a fresh SSO session (the old one, if any, ends: no session fixation, UI-03) and resume."""
    old = await ctx.repos.sessions.by_cookie(cookies.read_session_cookie(request, ctx.scheme))
    if old is not None:
        await ctx.repos.sessions.revoke(old.id)
    lifetime = ctx.tenant.session_lifetime_hours * 3600
    secret, session = await ctx.repos.sessions.create(
        user_id=user.user_id,
        connection=connection,
        lifetime=lifetime,
        idle_lifetime=ctx.tenant.idle_session_lifetime_hours * 3600,
    )
    await ctx.repos.transactions.record(state, user_id=user.user_id, sid=session.sid, auth_time=session.auth_time)
    await ctx.repos.commit()
    response = redirect(f"/authorize/resume?state={quote(state)}")
    cookies.set_session_cookie(response, secret, scheme=ctx.scheme, max_age=int(lifetime))
    return response


@router.get("/u/login")
async def login_form(request: Request, ctx: Context) -> Response:
    try:
        state = parse_query(request).get("state", "")
    except OAuthError as exc:
        return error_page(exc.error, exc.description)
    opened = await open_page(request, ctx, state)
    if isinstance(opened, Response):
        return opened
    transaction, client, browser, new_cookie = opened
    page = login_page(
        tenant=ctx.tenant,
        client=client,
        state=state,
        csrf=csrf_token(transaction, browser),
        username=transaction.params.get("login_hint", ""),
    )
    return _with_cookie(page, ctx, new_cookie)


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
            ctx, connection=connection, username=username, password=form.get("password", "")
        )
        if user.blocked:
            raise AccessDeniedError("user is blocked")
    except OAuthError as exc:
        # Whatever attack protection recorded must stay recorded.
        await ctx.repos.commit()
        status = 429 if isinstance(exc, TooManyAttemptsError) else 400
        return login_page(
            tenant=ctx.tenant,
            client=client,
            state=state,
            csrf=csrf_token(transaction, browser),
            username=username,
            error=exc.description,
            status=status,
        )
    return await logged_in(request, ctx, state=state, user=user, connection=connection.name)


@router.get("/u/signup")
async def signup_form(request: Request, ctx: Context) -> Response:
    try:
        state = parse_query(request).get("state", "")
    except OAuthError as exc:
        return error_page(exc.error, exc.description)
    opened = await open_page(request, ctx, state)
    if isinstance(opened, Response):
        return opened
    transaction, client, browser, new_cookie = opened
    page = signup_page(
        tenant=ctx.tenant,
        client=client,
        state=state,
        csrf=csrf_token(transaction, browser),
        email=transaction.params.get("login_hint", ""),
    )
    return _with_cookie(page, ctx, new_cookie)


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
        user = await signup_user(ctx, connection=connection, email=email, password=form.get("password", ""))
    except (DbConnectionError, OAuthError) as exc:
        await ctx.repos.session.rollback()
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
