"""POST /oauth/access_token: parse (JSON or form) → oauth/legacy_access_token → commit → JSON."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ostiary.errors import OAuthError
from ostiary.oauth.legacy_access_token import sign_in_with_provider_token
from ostiary.oauth.scopes import check_scope_syntax
from ostiary.protection.limits import check_rate_limit
from ostiary.web.deps import Context
from ostiary.web.errors import NO_STORE, oauth_error_response
from ostiary.web.forms import parse_body, reject_query_parameters

router = APIRouter()


@router.post("/oauth/access_token")
async def access_token(request: Request, ctx: Context) -> Response:
    try:
        await check_rate_limit(ctx.state, bucket="access_token", tenant_id=ctx.tenant.id, ip=ctx.ip)
        reject_query_parameters(request)
        params = await parse_body(request)
        check_scope_syntax(params.get("scope"))
        issued = await sign_in_with_provider_token(ctx, params)
        await ctx.repos.commit()
    except OAuthError as exc:
        await ctx.repos.rollback()
        return oauth_error_response(exc)
    return JSONResponse(issued.body(), headers=NO_STORE)
