"""Who is calling the Management API v2: the bearer token checked as Auth0 checks it.

Signature against the tenant's own published keys (the kid pins the algorithm), issuer (one of this tenant's
domains), audience (this tenant's Management API), expiry; then the scope the endpoint needs. Only machine
tokens (client_credentials, `gty: client-credentials`) carry management scopes: a user's token for this
audience keeps only Auth0's `*current_user*` scopes, none of which Ostiary serves (Auth0 gives users no
other Management API scope either), so a user can never reach another user's data through it.
"""

from __future__ import annotations

from dataclasses import dataclass

import jwt

from ostiary.admin.system_api import management_audience
from ostiary.errors import ManagementScopeError, ManagementTokenError
from ostiary.oauth.context import TenantContext
from ostiary.oauth.userinfo import tenant_issuers
from ostiary.tokens.claims import split_scope


@dataclass(frozen=True, slots=True)
class ManagementCaller:
    client_id: str
    scopes: frozenset[str]


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ManagementTokenError("Missing authentication")
    return token.strip()


def caller_scopes(claims: dict[str, object]) -> frozenset[str]:
    scope = claims.get("scope")
    scopes = split_scope(scope if isinstance(scope, str) else "")
    if claims.get("gty") != "client-credentials":
        scopes = [s for s in scopes if "current_user" in s]
    return frozenset(scopes)


async def management_caller(ctx: TenantContext, authorization: str | None, needed: tuple[str, ...]) -> ManagementCaller:
    """The verified caller, or ManagementTokenError (401) / ManagementScopeError (403, any of `needed`)."""
    token = bearer_token(authorization)
    api = await ctx.api(management_audience(ctx.tenant))  # cached per process
    if api is None or not api.is_system:
        # The tenant's domains changed since its Management API was created: found by its flag instead.
        api = await ctx.read(lambda repos: repos.resource_servers.system())
    if api is None:
        raise ManagementTokenError("Invalid token")
    signer = await ctx.signer()
    try:
        claims = signer.verify(token, audience=api.identifier, issuer=tenant_issuers(ctx), now=ctx.clock.now())
    except jwt.ExpiredSignatureError as exc:
        raise ManagementTokenError("Expired token received for JSON Web Token validation") from exc
    except jwt.InvalidAudienceError as exc:
        raise ManagementTokenError(f"Bad audience: {exc}") from exc
    except jwt.PyJWTError as exc:
        # Malformed, another tenant's key or issuer, HS256 with a secret, alg confusion.
        raise ManagementTokenError("Invalid token") from exc
    scopes = caller_scopes(claims)
    if needed and scopes.isdisjoint(needed):
        raise ManagementScopeError(needed)
    azp = claims.get("azp")
    return ManagementCaller(client_id=azp if isinstance(azp, str) else "", scopes=scopes)
