"""/.well-known/openid-configuration (also served as oauth-authorization-server) and the JWKS."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ostiary.web.deps import Context

router = APIRouter()

# Auth0's JWKS caching; a rotation is safe under any client cache because the next key is always published.
CACHEABLE = {
    "Cache-Control": "public, max-age=15, stale-while-revalidate=15, stale-if-error=86400",
    # Public documents: any origin may read them (no credentials involved).
    "Access-Control-Allow-Origin": "*",
}

# Only scopes that release something and claims we emit (tokens/claims.py); README "Differences from Auth0"
# lists what Auth0 advertises beyond these (legacy per-claim scopes, created_at, identities, phone, address).
SCOPES_SUPPORTED = ["openid", "profile", "offline_access", "email"]
CLAIMS_SUPPORTED = [
    "aud", "auth_time", "email", "email_verified", "exp", "family_name", "given_name", "iat", "iss", "name",
    "nickname", "picture", "sub", "updated_at",
]


def discovery_document(issuer: str, *, id_token_algs: list[str]) -> dict[str, Any]:
    """Auth0's field set and order (auth0-api.md §3.9), listing only what Ostiary serves.

    Left out because nothing serves them: device_authorization_endpoint,
    registration_endpoint, token_endpoint_auth_signing_alg_values_supported (no private_key_jwt).
    """
    base = issuer.rstrip("/")
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "userinfo_endpoint": f"{base}/userinfo",
        "mfa_challenge_endpoint": f"{base}/mfa/challenge",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "revocation_endpoint": f"{base}/oauth/revoke",
        # Auth0 lists it only behind a tenant flag; always here (README "Differences from Auth0").
        "end_session_endpoint": f"{base}/oidc/logout",
        "scopes_supported": SCOPES_SUPPORTED,
        "response_types_supported": [
            "code", "token", "id_token", "code token", "code id_token", "token id_token", "code token id_token",
        ],
        # Auth0 also lists "plain"; see README "Differences from Auth0".
        "code_challenge_methods_supported": ["S256"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": id_token_algs,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "claims_supported": CLAIMS_SUPPORTED,
        "request_uri_parameter_supported": False,
        "request_parameter_supported": False,
        # RFC 9207: /authorize responses carry iss (security catalogue MX-01).
        "authorization_response_iss_parameter_supported": True,
    }


def _json(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def cacheable_json(request: Request, body: dict[str, Any]) -> Response:
    """200 with a strong ETag, or 304 when the client's If-None-Match still matches (RFC 9110 §13.1.2)."""
    content = _json(body)
    etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    headers = {**CACHEABLE, "ETag": etag}
    candidates = [t.strip() for t in request.headers.get("if-none-match", "").split(",")]
    if etag in candidates or "*" in candidates:
        return Response(status_code=304, headers=headers)
    return Response(content, media_type="application/json", headers=headers)


@router.get("/.well-known/openid-configuration")
@router.get("/.well-known/oauth-authorization-server")
async def openid_configuration(request: Request, ctx: Context) -> Response:
    signer = await ctx.signer()
    algs = ["HS256", "RS256", "PS256"]
    if any(key.alg == "ES256" for key in signer.keys.keys):
        algs.append("ES256")
    return cacheable_json(request, discovery_document(ctx.issuer, id_token_algs=algs))


@router.get("/.well-known/jwks.json")
async def jwks(request: Request, ctx: Context) -> Response:
    """Current, next and previous keys (Auth0 publishes next before it signs, previous until revoked)."""
    signer = await ctx.signer()
    return cacheable_json(request, signer.keys.jwks())
