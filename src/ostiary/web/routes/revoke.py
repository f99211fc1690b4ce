"""POST /oauth/revoke (RFC 7009 as Auth0 serves it): client authentication, then an empty 200."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ostiary.errors import MissingParameterError, OAuthError
from ostiary.oauth.client_auth import authenticate_client
from ostiary.oauth.revocation import revoke_refresh_token
from ostiary.web import cors
from ostiary.web.deps import Context
from ostiary.web.errors import NO_STORE, oauth_error_response
from ostiary.web.forms import parse_body, reject_query_parameters

router = APIRouter()


@router.post("/oauth/revoke")
async def revoke(request: Request, ctx: Context) -> Response:
    origin = request.headers.get("origin")
    params: dict[str, str] = {}
    try:
        reject_query_parameters(request)
        params = await parse_body(request)
        auth = await authenticate_client(ctx, params, request.headers.get("authorization"))
        if origin and not cors.origin_allowed(auth.client, origin):
            return cors.forbidden_origin(origin)
        token = params.get("token")
        if not token:
            raise MissingParameterError("token")
        # `token_type_hint` is accepted and ignored: Auth0 revokes refresh tokens only (RFC 7009 §2.1 MAY).
        await revoke_refresh_token(ctx, auth.client, token)
        await ctx.repos.commit()
    except OAuthError as exc:
        await ctx.repos.rollback()
        response = oauth_error_response(exc)
        response.headers.update(await cors.error_cors_headers(ctx, params, origin))
        return response
    # RFC 7009 §2.2 / Auth0: 200 with an empty body, also for an unknown or foreign token.
    return Response(status_code=200, headers={**NO_STORE, **cors.allow_origin_headers(origin)})


@router.options("/oauth/revoke")
async def revoke_preflight(request: Request, ctx: Context) -> Response:
    return cors.preflight(request.headers.get("origin"), await ctx.repos.clients.all())
