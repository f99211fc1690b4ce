"""Auth0's MFA API for apps with their own UI: GET /mfa/authenticators, POST /mfa/associate (the mfa_token as
a bearer token) and POST /mfa/challenge (client credentials and the mfa_token in the body). The second step
itself is a grant at /oauth/token (oauth/grants/mfa.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ostiary import jsontext
from ostiary.errors import (
    AccessDeniedError,
    AssociationRequiredError,
    InvalidRequestError,
    OAuthError,
    UnsupportedChallengeTypeError,
)
from ostiary.oauth import mfa
from ostiary.oauth.client_auth import authenticate_client
from ostiary.oauth.context import TenantContext
from ostiary.protection.limits import check_rate_limit
from ostiary.store.repositories.mfa import OTP
from ostiary.web.deps import Context
from ostiary.web.errors import NO_STORE, oauth_error_response
from ostiary.web.forms import parse_body
from ostiary.web.routes.userinfo import bearer_token

router = APIRouter()


async def _answer(ctx: TenantContext, body: Any) -> Response:
    await ctx.repos.commit()
    return JSONResponse(body, headers=NO_STORE)


async def _failed(ctx: TenantContext, exc: OAuthError) -> Response:
    await ctx.repos.rollback()
    return oauth_error_response(exc)


@router.get("/mfa/authenticators")
async def list_authenticators(request: Request, ctx: Context) -> Response:
    try:
        await check_rate_limit(ctx.state, bucket="token", tenant_id=ctx.tenant.id, ip=ctx.ip)
        login = await mfa.transaction(ctx, bearer_token(request), client_id=None)
        found = await ctx.repos.mfa.authenticators(login.user.user_id)
        return await _answer(ctx, [{"id": a.id, "authenticator_type": a.kind, "active": a.active} for a in found])
    except OAuthError as exc:
        return await _failed(ctx, exc)


def _authenticator_types(raw: bytes, content_type: str) -> list[str]:
    """authenticator_types: a JSON array of strings (Auth0's body is JSON)."""
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise InvalidRequestError("The request body must be JSON")
    try:
        body = jsontext.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InvalidRequestError("The request body is not valid JSON") from exc
    types = body.get("authenticator_types") if isinstance(body, dict) else None
    if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
        raise InvalidRequestError("authenticator_types: expected a non-empty array of strings")
    return types


@router.post("/mfa/associate")
async def associate(request: Request, ctx: Context) -> Response:
    """Enroll an authenticator app: the secret, its otpauth:// URI and (first enrollment) a recovery code.
    Only while the user has no active authenticator: another factor is added after a challenge (Auth0)."""
    try:
        await check_rate_limit(ctx.state, bucket="token", tenant_id=ctx.tenant.id, ip=ctx.ip)
        login = await mfa.transaction(ctx, bearer_token(request), client_id=None)
        types = _authenticator_types(await request.body(), request.headers.get("content-type", ""))
        if types != [OTP]:
            raise UnsupportedChallengeTypeError('authenticator_types: Ostiary enrolls only ["otp"]')
        if "otp" not in (await ctx.repos.mfa.settings()).factors:
            raise UnsupportedChallengeTypeError("The otp factor is not enabled for this tenant")
        if await ctx.repos.mfa.has_active(login.user.user_id):
            raise AccessDeniedError("User is already enrolled.")
        secret = mfa.new_secret()
        _, recovery = await ctx.repos.mfa.enroll_otp(login.user.user_id, secret)
        body: dict[str, Any] = {
            "authenticator_type": OTP,
            "secret": secret,
            "barcode_uri": mfa.barcode_uri(secret, user=login.user, issuer=ctx.tenant.friendly_name or ctx.tenant.name),
        }
        if recovery is not None:
            body["recovery_codes"] = [recovery]
        return await _answer(ctx, body)
    except OAuthError as exc:
        return await _failed(ctx, exc)


@router.post("/mfa/challenge")
async def challenge(request: Request, ctx: Context) -> Response:
    """challenge_type "otp": nothing to send (the code is in the user's app); Auth0 answers {"challenge_type":
    "otp"} when the user has an active authenticator app."""
    try:
        await check_rate_limit(ctx.state, bucket="token", tenant_id=ctx.tenant.id, ip=ctx.ip)
        params = await parse_body(request)
        auth = await authenticate_client(ctx, params, request.headers.get("authorization"))
        mfa_token = params.get("mfa_token")
        if not mfa_token:
            raise InvalidRequestError("Missing required parameter: mfa_token")
        login = await mfa.transaction(ctx, mfa_token, client_id=auth.client.client_id)
        asked = (params.get("challenge_type") or "otp").split()
        if OTP not in asked:
            raise UnsupportedChallengeTypeError("Ostiary challenges only otp authenticators")
        enrolled = [a for a in await ctx.repos.mfa.authenticators(login.user.user_id) if a.kind == OTP and a.active]
        wanted = params.get("authenticator_id")
        if not enrolled or (wanted and wanted not in {a.id for a in enrolled}):
            raise AssociationRequiredError()
        return await _answer(ctx, {"challenge_type": OTP})
    except OAuthError as exc:
        return await _failed(ctx, exc)
