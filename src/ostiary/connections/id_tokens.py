"""Upstream ID tokens (Apple, Google): signature against the provider's JWKS, iss, aud, exp.

The JWKS is cached per process (JWKS_TTL_SECONDS) and fetched again when a token names an unknown kid
(provider key rollover), at most once per REFRESH_INTERVAL_SECONDS per URL so bad tokens cannot make us
hammer the provider (security catalogue R-10).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import jwt

from ostiary.connections.upstream import call_json, require_object
from ostiary.errors import InvalidGrantError, UpstreamBadResponseError
from ostiary.oauth.context import TenantContext

JWKS_TTL_SECONDS = 3600.0
REFRESH_INTERVAL_SECONDS = 30.0
# RFC 8725 §3.1: accept only the asymmetric algorithms providers use; never none/HS*.
UPSTREAM_ALGORITHMS = ("RS256", "ES256")
CLOCK_SKEW_SECONDS = 60


class JwksCache:
    """Per-process JWKS by URL: (fetched_at monotonic, key set)."""

    def __init__(self) -> None:
        self._sets: dict[str, tuple[float, jwt.PyJWKSet]] = {}

    def clear(self) -> None:
        self._sets.clear()

    async def _fetch(self, ctx: TenantContext, url: str, provider: str) -> jwt.PyJWKSet:
        body = require_object(await call_json(ctx, "GET", url, provider=provider), provider=provider)
        try:
            keys = jwt.PyJWKSet.from_dict(body)
        except (jwt.PyJWKSetError, jwt.InvalidKeyError, KeyError, TypeError) as exc:
            raise UpstreamBadResponseError(f"Invalid response from {provider}", debug=f"JWKS {url}: {exc}") from exc
        self._sets[url] = (time.monotonic(), keys)
        return keys

    async def key(self, ctx: TenantContext, url: str, kid: str, provider: str) -> jwt.PyJWK | None:
        cached = self._sets.get(url)
        now = time.monotonic()
        if cached is None or now - cached[0] > JWKS_TTL_SECONDS:
            keys = await self._fetch(ctx, url, provider)
        else:
            keys = cached[1]
            if not any(k.key_id == kid for k in keys.keys) and now - cached[0] > REFRESH_INTERVAL_SECONDS:
                keys = await self._fetch(ctx, url, provider)
        return next((k for k in keys.keys if k.key_id == kid), None)


JWKS = JwksCache()


def _reject(provider: str, reason: str) -> InvalidGrantError:
    return InvalidGrantError(f"Invalid {provider} ID token: {reason}")


async def verify_id_token(
    ctx: TenantContext,
    token: str,
    *,
    provider: str,
    jwks_uri: str,
    issuers: Sequence[str],
    audience: str,
) -> dict[str, Any]:
    """The verified claims, else 403 invalid_grant "Invalid {provider} ID token: {reason}"."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise _reject(provider, "malformed") from exc
    alg, kid = header.get("alg"), header.get("kid")
    if alg not in UPSTREAM_ALGORITHMS or not isinstance(kid, str):
        raise _reject(provider, "signature")
    key = await JWKS.key(ctx, jwks_uri, kid, provider)
    if key is None:
        raise _reject(provider, "signature")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=[alg],
            audience=audience,
            issuer=list(issuers),
            # exp/iat are checked below against the injected clock.
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False, "require": ["sub", "exp"]},
        )
    except jwt.InvalidSignatureError as exc:
        raise _reject(provider, "signature") from exc
    except jwt.InvalidAudienceError as exc:
        raise _reject(provider, "audience") from exc
    except jwt.InvalidIssuerError as exc:
        raise _reject(provider, "issuer") from exc
    except jwt.PyJWTError as exc:
        raise _reject(provider, "malformed") from exc
    exp = claims.get("exp")
    # OIDC Core §3.1.3.7: the current time MUST be before the time in the exp claim.
    if not isinstance(exp, int | float) or exp + CLOCK_SKEW_SECONDS < ctx.clock.now():
        raise _reject(provider, "expired")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise _reject(provider, "malformed")
    return claims
