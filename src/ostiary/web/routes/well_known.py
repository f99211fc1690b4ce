"""/.well-known/openid-configuration (also served as oauth-authorization-server) and the JWKS."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import JSONResponse

from ostiary.web.deps import Context

router = APIRouter()

CACHEABLE = {"Cache-Control": "public, max-age=15, stale-while-revalidate=15"}


def discovery_document(issuer: str) -> dict[str, Any]:
    base = issuer.rstrip("/")
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "userinfo_endpoint": f"{base}/userinfo",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "end_session_endpoint": f"{base}/oidc/logout",
        "scopes_supported": [
            "openid", "profile", "offline_access", "name", "given_name", "family_name", "nickname", "email",
            "email_verified", "picture", "created_at", "identities", "phone", "address",
        ],
        "response_types_supported": [
            "code", "token", "id_token", "code token", "code id_token", "token id_token", "code token id_token",
        ],
        "code_challenge_methods_supported": ["S256"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["HS256", "RS256", "PS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "claims_supported": [
            "aud", "auth_time", "created_at", "email", "email_verified", "exp", "family_name", "given_name",
            "iat", "identities", "iss", "name", "nickname", "phone_number", "picture", "sub",
        ],
        "request_uri_parameter_supported": False,
        "request_parameter_supported": False,
        "authorization_response_iss_parameter_supported": True,
    }


@router.get("/.well-known/openid-configuration")
@router.get("/.well-known/oauth-authorization-server")
async def openid_configuration(ctx: Context) -> JSONResponse:
    return JSONResponse(discovery_document(ctx.issuer), headers=CACHEABLE)


@router.get("/.well-known/jwks.json")
async def jwks(ctx: Context) -> JSONResponse:
    signer = await ctx.signer()
    return JSONResponse(signer.keys.jwks(), headers=CACHEABLE)
