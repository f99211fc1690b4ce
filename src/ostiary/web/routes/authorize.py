"""GET|POST /authorize and GET /authorize/resume: parse → pipeline → interaction or answer → response mode."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ostiary.errors import AccessDeniedError, OAuthError
from ostiary.oauth.authorize import interaction, pipeline
from ostiary.oauth.context import TenantContext
from ostiary.store.repositories.sessions import SessionInfo, TransactionInfo
from ostiary.web import cookies
from ostiary.web.authorize_pages import deliver, deliver_error, fatal_page, with_state_and_iss
from ostiary.web.csrf import bound_to_browser
from ostiary.web.deps import Context
from ostiary.web.forms import parse_body, parse_query
from ostiary.web.pages import error_page, redirect
from ostiary.web.routes import federated

router = APIRouter()


async def respond(
    request: Request,
    ctx: TenantContext,
    params: dict[str, str],
    *,
    session: SessionInfo | None,
    transaction: TransactionInfo | None = None,
    state: str | None = None,
    continue_query: dict[str, str] | None = None,
) -> Response:
    """Run the checks and decide; park the request for the hosted pages (or an action's redirect), or answer."""
    try:
        req = await pipeline.run(ctx, params)
    except pipeline.RedirectableError as exc:
        return deliver_error(ctx, exc.request, exc.error)
    except OAuthError as exc:
        return fatal_page(exc)
    try:
        result = await interaction.decide(
            ctx, req, session=session, transaction=transaction, state=state, continue_query=continue_query
        )
        if isinstance(result, interaction.Interaction):
            if state is None:
                state = await ctx.repos.transactions.create(params)
                if session is not None and result.page == interaction.CONSENT:
                    await ctx.repos.transactions.record(state, user_id=session.user_id)
            if result.page == interaction.LOGIN and (upstream := await federated.depart(request, ctx, req, state)):
                return upstream
            await ctx.repos.commit()
            return redirect(f"/u/{result.page}?state={quote(state)}")
        if state is not None and not await ctx.repos.transactions.complete(state):
            await ctx.repos.rollback()
            return error_page("invalid_request", "This login transaction was already completed.")
        await ctx.repos.commit()
    except interaction.ActionRedirect as paused:
        # Nothing is issued: the login waits in its transaction until the user comes back to /continue.
        await ctx.repos.rollback()
        if state is None:
            state = await ctx.repos.transactions.create(params, state=paused.state)
        await ctx.repos.transactions.record(
            state, user_id=session.user_id if session else None, sid=paused.sid,
            **{interaction.ACTION_CONTINUE: paused.pending},
        )
        await ctx.repos.commit()
        return redirect(paused.location)
    except OAuthError as exc:
        await ctx.repos.rollback()
        if isinstance(exc, AccessDeniedError) and transaction and session and transaction.sid == session.sid:
            # The login made in this transaction was refused (a hook denied or failed): it leaves no SSO
            # session behind for a later silent request (catalogue HK-01).
            await ctx.repos.sessions.revoke(session.id)
            await ctx.repos.commit()
        return deliver_error(ctx, req, exc)
    assert req.redirect_uri is not None and req.response_mode is not None
    return deliver(req.redirect_uri, req.response_mode, with_state_and_iss(ctx, req, result.params))


async def _cookie_session(request: Request, ctx: TenantContext) -> SessionInfo | None:
    return await ctx.repos.sessions.by_cookie(cookies.read_session_cookie(request, ctx.scheme))


@router.get("/authorize")
async def authorize_get(request: Request, ctx: Context) -> Response:
    try:
        params = parse_query(request)
    except OAuthError as exc:
        # Repeated parameters: never pick one of two redirect_uris (RFC 6749 §3.1; catalogue RU-16).
        return fatal_page(exc)
    return await respond(request, ctx, params, session=await _cookie_session(request, ctx))


@router.post("/authorize")
async def authorize_post(request: Request, ctx: Context) -> Response:
    try:
        params = await parse_body(request, allow_json=False)
    except OAuthError as exc:
        return fatal_page(exc)
    return await respond(request, ctx, params, session=await _cookie_session(request, ctx))


@router.get("/authorize/resume")
async def resume(request: Request, ctx: Context) -> Response:
    """Back from /u/login, /u/signup or /u/consent: the parked request continues (and is finished once)."""
    try:
        state = parse_query(request).get("state", "")
    except OAuthError as exc:
        return fatal_page(exc)
    return await _resume_transaction(request, ctx, state)


@router.get("/continue")
async def continue_after_redirect(request: Request, ctx: Context) -> Response:
    """Auth0's /continue: back from the page an action sent the user to (api.redirect.sendUserTo); the paused
    action's onContinuePostLogin sees this request's query (event.request.query), then the login goes on."""
    try:
        query = parse_query(request)
    except OAuthError as exc:
        return fatal_page(exc)
    return await _resume_transaction(request, ctx, query.get("state", ""), continue_query=query)


async def _resume_transaction(
    request: Request, ctx: Context, state: str, continue_query: dict[str, str] | None = None
) -> Response:
    transaction = await ctx.repos.transactions.open(state)
    if transaction is None:
        return error_page("invalid_request", "This login transaction has expired or was already used.")
    cookie_session = await _cookie_session(request, ctx)
    session = await ctx.repos.sessions.by_sid(transaction.sid) if transaction.sid else cookie_session
    browser = cookies.read_transaction_cookie(request, ctx.scheme)
    same_browser = bound_to_browser(transaction, browser) or (
        cookie_session is not None and cookie_session.sid == transaction.sid
    )
    if not same_browser:
        return error_page("invalid_request", "This login transaction belongs to another browser.", status=403)
    return await respond(
        request, ctx, transaction.params, session=session, transaction=transaction, state=state,
        continue_query=continue_query,
    )
