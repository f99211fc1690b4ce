"""Logout rules (Auth0 /v2/logout and OpenID RP-Initiated Logout 1.0 at /oidc/logout): which URL may be
returned to, and what an id_token_hint proves. Pure decisions plus repository reads; the route ends the session."""

from __future__ import annotations

from dataclasses import dataclass

import jwt

from ostiary import entities
from ostiary.errors import InvalidRequestError
from ostiary.oauth.context import TenantContext


@dataclass(frozen=True, slots=True)
class LogoutTarget:
    """Where the browser goes after logout (None: show the "logged out" page)."""

    url: str | None
    client: entities.Client | None = None


async def _client(ctx: TenantContext, client_id: str | None) -> entities.Client | None:
    if not client_id:
        return None
    client = await ctx.client(client_id)
    if client is None:
        raise InvalidRequestError(f"Unknown client: {client_id}")
    return client


def _allowed(ctx: TenantContext, client: entities.Client | None, url: str) -> bool:
    # Exact string match against the allowed logout URLs (RFC 9700 §4.11.2; catalogue RU-18).
    allowed = client.allowed_logout_urls if client is not None else ctx.tenant.allowed_logout_urls
    return url in allowed


async def v2_target(ctx: TenantContext, *, return_to: str | None, client_id: str | None) -> LogoutTarget:
    """/v2/logout: returnTo in the client's allowed logout URLs (with client_id) or the tenant's (without);
    client_id without returnTo goes to the client's first allowed logout URL."""
    client = await _client(ctx, client_id)
    if not return_to:
        first = client.allowed_logout_urls[0] if client is not None and client.allowed_logout_urls else None
        return LogoutTarget(first, client)
    if not _allowed(ctx, client, return_to):
        where = "the application's" if client is not None else "the tenant's"
        raise InvalidRequestError(f'The "returnTo" URL is not in {where} "Allowed Logout URLs": {return_to}')
    return LogoutTarget(return_to, client)


async def hint_claims(ctx: TenantContext, id_token_hint: str) -> dict[str, object]:
    """The claims of an ID token this tenant issued (signature and issuer checked; expiry not).

    An access token is signed by the same keys but is not an ID token (RFC 8725 §3.11, catalogue JW-08): an
    ID token's aud is exactly one client of this tenant, and its header never says at+jwt.
    """
    signer = await ctx.signer()
    try:
        claims = signer.verify(id_token_hint, audience=None, issuer=ctx.issuer, verify_exp=False)
        typ = jwt.get_unverified_header(id_token_hint).get("typ")
    except (jwt.InvalidTokenError, ValueError, KeyError) as exc:
        raise InvalidRequestError("Invalid id_token_hint") from exc
    aud = claims.get("aud")
    if typ == "at+jwt" or not isinstance(aud, str) or await ctx.client(aud) is None:
        raise InvalidRequestError("Invalid id_token_hint")
    return claims


async def oidc_target(
    ctx: TenantContext, *, id_token_hint: str | None, client_id: str | None, post_logout_redirect_uri: str | None
) -> tuple[LogoutTarget, dict[str, object]]:
    """/oidc/logout: the hint's aud names the client (client_id, when sent, must equal it)."""
    claims: dict[str, object] = await hint_claims(ctx, id_token_hint) if id_token_hint else {}
    aud = claims.get("aud")
    if claims and client_id and aud != client_id:
        raise InvalidRequestError("client_id does not match the id_token_hint audience")
    client = await _client(ctx, client_id or (aud if isinstance(aud, str) else None))
    if not post_logout_redirect_uri:
        return LogoutTarget(None, client), claims
    if not _allowed(ctx, client, post_logout_redirect_uri):
        raise InvalidRequestError(
            f'The "post_logout_redirect_uri" is not in the "Allowed Logout URLs": {post_logout_redirect_uri}'
        )
    return LogoutTarget(post_logout_redirect_uri, client), claims
