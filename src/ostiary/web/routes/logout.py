"""GET /v2/logout and GET|POST /oidc/logout: end the SSO session, clear the cookie, go back (or show a page).

A URL that is not allowed renders an error page and never redirects. Like Auth0, a plain GET logs out without a
confirmation page (README, "Differences from Auth0": a forced logout is possible, as at Auth0).
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ostiary.errors import OAuthError
from ostiary.oauth import logout
from ostiary.oauth.auth_events import auth_event
from ostiary.oauth.context import TenantContext
from ostiary.web import cookies
from ostiary.web.deps import Context
from ostiary.web.forms import parse_body, parse_query
from ostiary.web.pages import error_page, html_page, redirect

router = APIRouter()


async def _end_session(request: Request, ctx: TenantContext, client_id: str | None) -> None:
    """Revoke the browser's session (the cookie is cleared as well, so a replayed cookie is dead: UI-10)."""
    session = await ctx.repos.sessions.by_cookie(cookies.read_session_cookie(request, ctx.scheme))
    if session is not None:
        await ctx.repos.sessions.revoke(session.id)
        await ctx.repos.commit()
        auth_event(ctx, "slo", client_id=client_id, user_id=session.user_id, connection=session.connection)


def _finish(ctx: TenantContext, url: str | None, extra: dict[str, str] | None = None) -> Response:
    if url is None:
        response: Response = html_page("Logged out", '<h1>You are logged out</h1><p class="lead">You can close this '
                                       "window.</p>")
    else:
        query = f"{'&' if '?' in url else '?'}{urlencode(extra)}" if extra else ""
        response = redirect(url + query)
    cookies.clear_session_cookie(response, scheme=ctx.scheme)
    return response


@router.get("/v2/logout")
async def v2_logout(request: Request, ctx: Context) -> Response:
    try:
        params = parse_query(request)
        # `federated` is accepted; there is no upstream IdP session to end for database connections.
        target = await logout.v2_target(ctx, return_to=params.get("returnTo"), client_id=params.get("client_id"))
    except OAuthError as exc:
        return error_page(exc.error, exc.description)
    await _end_session(request, ctx, params.get("client_id"))
    return _finish(ctx, target.url)


async def _oidc_logout(request: Request, ctx: TenantContext, params: dict[str, str]) -> Response:
    try:
        target, _claims = await logout.oidc_target(
            ctx,
            id_token_hint=params.get("id_token_hint"),
            client_id=params.get("client_id"),
            post_logout_redirect_uri=params.get("post_logout_redirect_uri"),
        )
    except OAuthError as exc:
        return error_page(exc.error, exc.description)
    # logout_hint (the sid) is accepted; the session ended is always this browser's own, as with /v2/logout.
    aud = _claims.get("aud")
    await _end_session(request, ctx, params.get("client_id") or (aud if isinstance(aud, str) else None))
    state = params.get("state")
    return _finish(ctx, target.url, {"state": state} if state is not None and target.url else None)


@router.get("/oidc/logout")
async def oidc_logout_get(request: Request, ctx: Context) -> Response:
    try:
        params = parse_query(request)
    except OAuthError as exc:
        return error_page(exc.error, exc.description)
    return await _oidc_logout(request, ctx, params)


@router.post("/oidc/logout")
async def oidc_logout_post(request: Request, ctx: Context) -> Response:
    try:
        params = await parse_body(request, allow_json=False)
    except OAuthError as exc:
        return error_page(exc.error, exc.description)
    return await _oidc_logout(request, ctx, params)
