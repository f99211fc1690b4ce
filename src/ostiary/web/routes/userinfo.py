"""GET/POST /userinfo: the bearer token comes from the Authorization header only (RFC 6750 §2.1)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse

from ostiary.errors import InvalidRequestError, InvalidTokenError
from ostiary.oauth.userinfo import userinfo_claims
from ostiary.web.deps import ReadContext
from ostiary.web.errors import NO_STORE
from ostiary.web.forms import parse_query

router = APIRouter()


def bearer_token(request: Request) -> str:
    """The token of `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 7235 §2.1)."""
    if "access_token" in parse_query(request):
        # RFC 6750 §2.3 / RFC 6819 §4.6.7: tokens in URLs leak into logs and Referer; Auth0 documents only the header.
        raise InvalidRequestError(
            "The access token must be sent in the Authorization header",
            headers={"WWW-Authenticate": 'Bearer error="invalid_request"'},
        )
    scheme, _, token = request.headers.get("authorization", "").strip().partition(" ")
    if not scheme:
        # RFC 6750 §3.1: a request without credentials gets a challenge without an error code.
        raise InvalidTokenError("Missing access token", headers={"WWW-Authenticate": "Bearer"})
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise InvalidTokenError("Invalid access token")
    return token


@router.get("/userinfo")
@router.post("/userinfo")
async def userinfo(request: Request, ctx: ReadContext) -> JSONResponse:
    # OIDC Core §5.3.1: GET and POST both; OIDC Core §5.3.2 / ASVS: never cached.
    claims = await userinfo_claims(ctx, bearer_token(request))
    return JSONResponse(claims, headers=NO_STORE)
