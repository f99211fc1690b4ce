"""Logins through upstream identity providers: leaving for one (/authorize?connection=NAME and the login page's
"Continue with ..." buttons, POST /u/login/federated) and coming back (GET|POST /login/callback).

The callback is bound to the browser twice: by the upstream state (claimed once) and by the transaction
cookie set before leaving. A form_post answer (Apple, oidc front_channel) is a cross-site POST that carries no
SameSite=Lax cookie, so it is posted once more from our own page, which does carry it.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ostiary import entities
from ostiary.errors import (
    AccessDeniedError,
    OAuthError,
    ServerError,
    TemporarilyUnavailableError,
    UpstreamBadResponseError,
    UserBlockedError,
)
from ostiary.ids import new_opaque_token, token_hash
from ostiary.oauth.authorize.request import AuthorizeRequest
from ostiary.oauth.context import TenantContext
from ostiary.oauth.federated_login import (
    CALLBACK_PATH,
    federated_connection,
    find_return,
    plan_departure,
    provider_error,
    record_arrival,
    record_departure,
    verify_arrival,
)
from ostiary.web import cookies
from ostiary.web.authorize_pages import form_post
from ostiary.web.csrf import bound_to_browser
from ostiary.web.deps import Context
from ostiary.web.forms import parse_body, parse_query
from ostiary.web.pages import error_page, redirect
from ostiary.web.routes.login import logged_in
from ostiary.web.transactions import check_post, end_with_error, original_request, over_rate_limit

router = APIRouter()

REPOST = "_ostiary_repost"
# The provider (or our configuration of it) failed: a page for the user, never the app's redirect_uri.
UPSTREAM_FAILURES = (TemporarilyUnavailableError, UpstreamBadResponseError, ServerError)
UNKNOWN_STATE = "This login has expired or was already completed. Go back to the application and try again."


def upstream_failure_page(exc: OAuthError) -> Response:
    status = 503 if isinstance(exc, TemporarilyUnavailableError) else 502
    return error_page(exc.error, exc.description, status=status)


async def depart(request: Request, ctx: TenantContext, req: AuthorizeRequest, state: str) -> Response | None:
    """/authorize?connection=NAME of a federated connection: bind the new transaction to this browser and
    redirect to the provider. None when `connection` names no federated connection (the login page follows)."""
    assert req.client is not None
    connection = await federated_connection(ctx, client=req.client, name=req.params.get("connection"))
    if connection is None:
        return None
    browser = cookies.read_transaction_cookie(request, ctx.scheme) or new_opaque_token()
    await ctx.repos.transactions.record(state, browser_hash=token_hash(browser))
    await ctx.repos.commit()
    response = await _leave(ctx, state=state, params=req.params, connection=connection)
    if response.status_code == 302:
        cookies.set_transaction_cookie(response, browser, scheme=ctx.scheme)
    return response


async def _leave(
    ctx: TenantContext, *, state: str, params: dict[str, str], connection: entities.Connection
) -> Response:
    """Ask the provider nothing while a transaction is open (see oauth/federated_login.py), then remember."""
    await ctx.repos.rollback()
    try:
        departure = await plan_departure(ctx, params=params, connection=connection)
    except UPSTREAM_FAILURES as exc:
        return upstream_failure_page(exc)
    await record_departure(ctx, state=state, connection=connection, departure=departure)
    await ctx.repos.commit()
    return redirect(departure.url)


@router.post("/u/login/federated")
async def continue_with(request: Request, ctx: Context) -> Response:
    """A "Continue with ..." button of the login page (state, _csrf, connection)."""
    checked = await check_post(request, ctx)
    if isinstance(checked, Response):
        return checked
    form, transaction, client = checked
    try:
        connection = await federated_connection(ctx, client=client, name=form.get("connection"))
    except OAuthError as exc:
        return error_page(exc.error, exc.description)
    if connection is None:
        return error_page("invalid_request", "Unknown connection")
    return await _leave(ctx, state=form["state"], params=transaction.params, connection=connection)


async def _callback(request: Request, ctx: TenantContext, params: dict[str, str]) -> Response:
    if limited := await over_rate_limit(ctx):
        return limited
    browser = cookies.read_transaction_cookie(request, ctx.scheme)
    if request.method == "POST" and browser is None and REPOST not in params:
        return form_post(CALLBACK_PATH, {**params, REPOST: "1"})
    upstream_state = params.get("state", "")
    back = await find_return(ctx, upstream_state)
    if back is None:
        return error_page("invalid_request", UNKNOWN_STATE)
    if not bound_to_browser(back.transaction, browser):
        # Not the browser that left: nothing is spent, so the right browser can still come back.
        return error_page("invalid_request", "This login was started in another browser.", status=403)
    req = await original_request(ctx, back.transaction)
    if isinstance(req, Response):
        return req
    failure: OAuthError | None = provider_error(params) if params.get("error") else None
    arrival = None
    if failure is None:
        await ctx.repos.rollback()
        try:
            arrival = await verify_arrival(ctx, back, params)
        except UPSTREAM_FAILURES as exc:
            return upstream_failure_page(exc)
        except OAuthError as exc:
            # The provider's answer did not verify (code refused, ID token invalid): the login is denied.
            failure = AccessDeniedError(exc.description)
    state = await ctx.repos.transactions.claim_upstream(upstream_state)
    if state is None:
        return error_page("invalid_request", UNKNOWN_STATE)
    if arrival is None:
        assert failure is not None
        return await end_with_error(ctx, state, req, failure)
    user = await record_arrival(ctx, back, arrival)
    if user.blocked:
        return await end_with_error(ctx, state, req, UserBlockedError())
    return await logged_in(request, ctx, state=state, user=user, connection=back.connection.name)


@router.get(CALLBACK_PATH)
async def callback_get(request: Request, ctx: Context) -> Response:
    try:
        params = parse_query(request)
    except OAuthError as exc:
        return error_page(exc.error, exc.description)
    return await _callback(request, ctx, params)


@router.post(CALLBACK_PATH)
async def callback_post(request: Request, ctx: Context) -> Response:
    """response_mode=form_post answers (Apple; oidc front_channel)."""
    try:
        params = await parse_body(request, allow_json=False)
    except OAuthError as exc:
        return error_page(exc.error, exc.description)
    return await _callback(request, ctx, params)
