"""GET/POST /userinfo (OIDC Core §5.3): the current user's claims for a bearer access token.

Accepted tokens (Auth0): a JWT whose `aud` includes the tenant's userinfo audience, verified with the tenant's
own published keys, or an opaque token minted with no audience. Either must carry `openid`. Claims come from
the user row as it is now, filtered by the granted scopes, plus the custom claims hooks put on the grant's
latest ID token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt

from ostiary.errors import InsufficientScopeError, InvalidTokenError
from ostiary.oauth.context import TenantContext
from ostiary.oauth.issuance import grant_id_from_jti
from ostiary.tokens import claims as claim_builders


@dataclass(frozen=True, slots=True)
class BearerFacts:
    """What an accepted access token says: whose it is, what it grants, which grant it came from."""

    user_id: str
    scopes: list[str]
    grant_id: str | None


def tenant_issuers(ctx: TenantContext) -> list[str]:
    """A token issued through any of the tenant's domains is the tenant's (iss follows the request host)."""
    return [ctx.tenant.issuer(ctx.scheme, domain) for domain in ctx.tenant.domains]


async def _jwt_facts(ctx: TenantContext, token: str) -> BearerFacts:
    signer = await ctx.signer()
    try:
        claims = signer.verify(
            token, audience=ctx.userinfo_audience, issuer=tenant_issuers(ctx), now=ctx.clock.now()
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidTokenError("The access token expired", debug=str(exc)) from exc
    except jwt.PyJWTError as exc:
        # Malformed, foreign key or tenant, wrong audience (an ID token, an API-only token), alg confusion.
        raise InvalidTokenError("Invalid access token", debug=str(exc)) from exc
    subject = claims.get("sub")
    if not isinstance(subject, str) or claims.get("gty") == "client-credentials":
        # RFC 9700 §4.15: a machine token never reads a user profile.
        raise InvalidTokenError("Invalid access token", debug="no user subject")
    scope = claims.get("scope")
    return BearerFacts(
        user_id=subject,
        scopes=claim_builders.split_scope(scope if isinstance(scope, str) else ""),
        grant_id=grant_id_from_jti(claims.get("jti")),
    )


async def _opaque_facts(ctx: TenantContext, token: str) -> BearerFacts:
    info = await ctx.repos.opaque_access_tokens.find(token)
    if info is None:
        raise InvalidTokenError("Invalid access token", debug="unknown opaque token")
    if info.expires_at <= ctx.clock.now():
        raise InvalidTokenError("The access token expired")
    return BearerFacts(
        user_id=info.user_id, scopes=claim_builders.split_scope(info.scope), grant_id=info.grant_id
    )


async def userinfo_claims(ctx: TenantContext, token: str) -> dict[str, Any]:
    """sub + standard claims by scope + the grant's ID-token custom claims, or InvalidTokenError."""
    facts = await (_jwt_facts(ctx, token) if token.count(".") == 2 else _opaque_facts(ctx, token))
    if "openid" not in facts.scopes:
        # Auth0: /userinfo "works only if the access token was granted openid"; RFC 6750 §3.1 status.
        raise InsufficientScopeError("The access token was not granted the openid scope", scope="openid")
    custom: dict[str, Any] = {}
    if facts.grant_id is not None:
        grant = await ctx.repos.grants.find(facts.grant_id)
        if grant is None or grant.revoked or grant.user_id != facts.user_id:
            raise InvalidTokenError("The access token was revoked")
        custom = grant.id_token_claims
    user = await ctx.repos.users.by_user_id(facts.user_id)
    if user is None or user.blocked:
        raise InvalidTokenError("Invalid access token", debug="user deleted or blocked")
    claims = claim_builders.allowed_custom_claims(custom, facts.scopes)
    claims.update(claim_builders.profile_claims(user, facts.scopes))
    claims["sub"] = user.user_id
    return claims
