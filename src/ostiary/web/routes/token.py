"""POST /oauth/token: parse → authenticate the client → the grant's handler → commit → JSON.

A plain Starlette route, not a FastAPI one: the profile under client_credentials load showed FastAPI's
dependency solving and exit stacks at ~15% of a worker's CPU; the body is parsed raw anyway.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ostiary.errors import InvalidRequestError, OAuthError, UnauthorizedClientError, UnsupportedGrantTypeError
from ostiary.oauth.client_auth import authenticate_client
from ostiary.oauth.context import TenantContext
from ostiary.oauth.grants import GRANT_HANDLERS
from ostiary.web import cors
from ostiary.web.deps import tenant_context
from ostiary.web.errors import NO_STORE, oauth_error_response
from ostiary.web.forms import parse_body, reject_query_parameters
from ostiary.web.responses import FastJSONResponse

router = APIRouter()

GRANT_TYPES_URI = "https://auth0.com/docs/clients/client-grant-types"


async def token(request: Request) -> Response:
    async with tenant_context(request) as ctx:
        return await _token(request, ctx)


async def _token(request: Request, ctx: TenantContext) -> Response:
    origin = request.headers.get("origin")
    try:
        reject_query_parameters(request)
        params = await parse_body(request)
        grant_type = params.get("grant_type")
        if not grant_type:
            raise InvalidRequestError("Missing required parameter: grant_type")
        handler = GRANT_HANDLERS.get(grant_type)
        if handler is None:
            raise UnsupportedGrantTypeError(f"Unsupported grant type: {grant_type}")
        auth = await authenticate_client(ctx, params, request.headers.get("authorization"))
        if origin and not cors.origin_allowed(auth.client, origin):
            return cors.forbidden_origin(origin)
        if not auth.client.allows_grant(grant_type):
            raise UnauthorizedClientError(
                f"Grant type '{grant_type}' not allowed for the client.", extra={"error_uri": GRANT_TYPES_URI}
            )
        issued = await handler(ctx, auth, params)
        await ctx.repos.commit()
    except OAuthError as exc:
        await ctx.repos.session.rollback()
        response = oauth_error_response(exc)
        response.headers.update(cors.allow_origin_headers(origin))
        return response
    return FastJSONResponse(issued.body(), headers={**NO_STORE, **cors.allow_origin_headers(origin)})


router.add_route("/oauth/token", token, methods=["POST"])


@router.options("/oauth/token")
async def token_preflight(request: Request) -> Response:
    return cors.preflight(request)
