"""The end of every browser login: a fresh SSO session, then back to /authorize/resume."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from ostiary import entities
from ostiary.oauth.context import TenantContext
from ostiary.web import cookies
from ostiary.web.pages import redirect


async def start_session(
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
