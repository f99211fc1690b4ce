"""POST /dbconnections/signup and /dbconnections/change_password (auth0-api.md §3.13, §3.14).

Errors use Auth0's dbconnections shape {"name", "code", "description", "statusCode"}.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ostiary import entities, jsontext
from ostiary.connections.database import database_connection
from ostiary.connections.signup import check_user_metadata, signup_user
from ostiary.errors import DbConnectionError, OAuthError, TooManyRequestsError
from ostiary.oauth.context import TenantContext
from ostiary.oauth.password_reset import request_password_reset
from ostiary.protection.limits import check_rate_limit
from ostiary.web import cors
from ostiary.web.deps import Context
from ostiary.web.errors import NO_STORE
from ostiary.web.forms import parse_body

router = APIRouter()
log = logging.getLogger("ostiary.dbconnections")

CHANGE_PASSWORD_ANSWER = "We've just sent you an email to reset your password."


async def _error(ctx: TenantContext, exc: OAuthError, params: dict[str, str], origin: str | None) -> JSONResponse:
    """Readable cross-origin only when the client the request names allows the origin (as /oauth/token)."""
    status = exc.status_code if isinstance(exc, TooManyRequestsError) else 400
    body = exc.body() if isinstance(exc, DbConnectionError) else {
        "name": "TooManyRequestsError" if status == 429 else "BadRequestError",
        "code": exc.error, "description": exc.description, "statusCode": status,
    }
    cors_headers = await cors.error_cors_headers(ctx, params, origin)
    return JSONResponse(body, status_code=status, headers={**NO_STORE, **exc.headers, **cors_headers})


async def _client_and_connection(
    ctx: TenantContext, params: dict[str, str]
) -> tuple[entities.Client, entities.Connection]:
    client = await ctx.client(params.get("client_id", ""))
    if client is None:
        raise DbConnectionError("unauthorized", "Unknown client_id", name="UnauthorizedError")
    name = params.get("connection")
    if not name:
        raise DbConnectionError("invalid_parameter", "Missing required parameter: connection")
    try:
        connection = await database_connection(ctx, name=name, client=client)
    except OAuthError as exc:
        raise DbConnectionError("unauthorized", exc.description, name="UnauthorizedError") from exc
    return client, connection


def _metadata(raw: str | None) -> dict[str, str]:
    try:
        return check_user_metadata(jsontext.loads(raw) if raw else None)
    except ValueError as exc:
        raise DbConnectionError("invalid_signup", "user_metadata must be an object") from exc


@router.post("/dbconnections/signup")
async def signup(request: Request, ctx: Context) -> Response:
    origin = request.headers.get("origin")
    params: dict[str, str] = {}
    try:
        # Signup floods and reset-request probing are throttled per IP like the token endpoint (BF-08, BF-11).
        await check_rate_limit(ctx.state, bucket="dbconnections", tenant_id=ctx.tenant.id, ip=ctx.ip)
        params = await parse_body(request)
        client, connection = await _client_and_connection(ctx, params)
        if origin and not cors.origin_allowed(client, origin):
            return cors.forbidden_origin(origin)
        for required in ("email", "password"):
            if not params.get(required):
                raise DbConnectionError("invalid_parameter", f"Missing required parameter: {required}")
        user = await signup_user(
            ctx,
            connection=connection,
            email=params["email"],
            password=params["password"],
            username=params.get("username") or None,
            user_metadata=_metadata(params.get("user_metadata")),
            profile=params,
            client=client,
        )
        await ctx.repos.commit()
    except OAuthError as exc:
        await ctx.repos.rollback()
        return await _error(ctx, exc, params, origin)
    body = {
        "_id": user.user_id.split("|", 1)[1],
        "email_verified": user.email_verified,
        "email": user.email,
    }
    for key in ("username", "given_name", "family_name", "name", "nickname", "picture"):
        value = getattr(user, key)
        if value and key in params:
            body[key] = value
    if user.user_metadata:
        body["user_metadata"] = user.user_metadata
    return JSONResponse(body, headers={**NO_STORE, **cors.allow_origin_headers(origin)})


@router.post("/dbconnections/change_password")
async def change_password(request: Request, ctx: Context) -> Response:
    """Always the same 200 JSON string, whether the email exists or not (no enumeration); a known address
    gets reset_email (oauth/password_reset.py)."""
    origin = request.headers.get("origin")
    params: dict[str, str] = {}
    try:
        # Signup floods and reset-request probing are throttled per IP like the token endpoint (BF-08, BF-11).
        await check_rate_limit(ctx.state, bucket="dbconnections", tenant_id=ctx.tenant.id, ip=ctx.ip)
        params = await parse_body(request)
        client, connection = await _client_and_connection(ctx, params)
        if origin and not cors.origin_allowed(client, origin):
            return cors.forbidden_origin(origin)
        if not params.get("email"):
            raise DbConnectionError("invalid_parameter", "Missing required parameter: email")
        await request_password_reset(ctx, connection=connection, email=params["email"], client=client)
        await ctx.repos.commit()
    except OAuthError as exc:
        await ctx.repos.rollback()
        return await _error(ctx, exc, params, origin)
    log.info("password reset requested", extra={"connection": connection.name, "client_id": client.client_id})
    return JSONResponse(CHANGE_PASSWORD_ANSWER, headers={**NO_STORE, **cors.allow_origin_headers(origin)})


@router.options("/dbconnections/signup")
@router.options("/dbconnections/change_password")
async def preflight(request: Request, ctx: Context) -> Response:
    return cors.preflight(request.headers.get("origin"), await ctx.repos.clients.all())
