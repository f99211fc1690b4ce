"""POST /oauth/token: rate limit → parse → authenticate the client → the grant's handler → commit → JSON.

A plain Starlette route, not a FastAPI one: the profile under client_credentials load showed FastAPI's
dependency solving and exit stacks at ~15% of a worker's CPU; the body is parsed raw anyway. POST requests
do not even go through Starlette's middleware and router: OstiaryApp (app.py) hands them to `asgi` below,
behind the same EdgeMiddleware, and `asgi` calls the same `token` function the route has.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ostiary.errors import InvalidRequestError, OAuthError, UnauthorizedClientError, UnsupportedGrantTypeError
from ostiary.oauth.auth_events import GRANT_EVENTS, auth_event
from ostiary.oauth.client_auth import authenticate_client
from ostiary.oauth.context import TenantContext
from ostiary.oauth.grants import GRANT_HANDLERS
from ostiary.oauth.scopes import check_scope_syntax
from ostiary.protection.limits import check_rate_limit
from ostiary.web import cors
from ostiary.web.deps import Context, tenant_context
from ostiary.web.errors import NO_STORE, oauth_error_handler, oauth_error_response
from ostiary.web.forms import parse_body, reject_query_parameters
from ostiary.web.responses import FastJSONResponse

router = APIRouter()

GRANT_TYPES_URI = "https://auth0.com/docs/clients/client-grant-types"


async def token(request: Request) -> Response:
    async with tenant_context(request) as ctx:
        return await _token(request, ctx)


async def _token(request: Request, ctx: TenantContext) -> Response:
    origin = request.headers.get("origin")
    params: dict[str, str] = {}
    rate_headers: dict[str, str] = {}
    client_id: str | None = None
    try:
        decision = await check_rate_limit(ctx.state, bucket="token", tenant_id=ctx.tenant.id, ip=ctx.ip)
        rate_headers = decision.headers() if decision else {}
        reject_query_parameters(request)
        params = await parse_body(request)
        grant_type = params.get("grant_type")
        if not grant_type:
            raise InvalidRequestError("Missing required parameter: grant_type")
        check_scope_syntax(params.get("scope"))
        handler = GRANT_HANDLERS.get(grant_type)
        if handler is None:
            raise UnsupportedGrantTypeError(f"Unsupported grant type: {grant_type}")
        auth = await authenticate_client(ctx, params, request.headers.get("authorization"))
        client_id = auth.client.client_id
        if origin and not cors.origin_allowed(auth.client, origin):
            return cors.forbidden_origin(origin)
        if not auth.client.allows_grant(grant_type):
            raise UnauthorizedClientError(
                f"Grant type '{grant_type}' not allowed for the client.", extra={"error_uri": GRANT_TYPES_URI}
            )
        # The end-user IP a server-side client relays; the grant decides whether to believe it.
        ctx.forwarded_for = request.headers.get("auth0-forwarded-for")
        issued = await handler(ctx, auth, params)
        await ctx.repos.commit()
    except OAuthError as exc:
        await ctx.repos.rollback()
        _outcome(ctx, params.get("grant_type"), client_id or params.get("client_id"), exc)
        response = oauth_error_response(exc)
        response.headers.update({**rate_headers, **(await cors.error_cors_headers(ctx, params, origin))})
        return response
    _outcome(ctx, grant_type, client_id, None)
    headers = {**NO_STORE, **rate_headers, **cors.allow_origin_headers(origin)}
    return FastJSONResponse(issued.body(), headers=headers)


def _outcome(ctx: TenantContext, grant_type: str | None, client_id: str | None, error: OAuthError | None) -> None:
    """The request's authentication event (Auth0's code for its grant) and its metric."""
    codes = GRANT_EVENTS.get(grant_type or "")
    if codes is None:
        return
    if error is None:
        auth_event(ctx, codes[0], client_id=client_id)
    else:
        auth_event(ctx, codes[1], client_id=client_id, description=f"{error.error}: {error.description}")
    if ctx.state.metrics is not None:
        ctx.state.metrics.token(grant_type or "", "success" if error is None else error.error)


router.add_route("/oauth/token", token, methods=["POST"])


async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
    """POST /oauth/token as a bare ASGI app (see OstiaryApp): `token`, and OAuth errors answered as the
    app's exception handler answers them (an unknown host raises before `_token`'s own handling)."""
    request = Request(scope, receive)
    try:
        response = await token(request)
    except OAuthError as exc:
        response = await oauth_error_handler(request, exc)
    await response(scope, receive, send)


@router.options("/oauth/token")
async def token_preflight(request: Request, ctx: Context) -> Response:
    return cors.preflight(request.headers.get("origin"), await ctx.repos.clients.all())
