"""The per-IP rate limit as routes apply it: /oauth/token here, the login page through the same function."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ostiary.errors import TooManyRequestsError
from ostiary.protection.rate_limit import RateDecision

if TYPE_CHECKING:
    from ostiary.runtime import AppState


async def check_rate_limit(state: AppState, *, bucket: str, tenant_id: str, ip: str) -> RateDecision | None:
    """Count one request of `ip` against `bucket` (e.g. "token", "login") in this tenant.

    Returns the decision (its headers() go on the response), None when limiting is off;
    raises TooManyRequestsError (429, Retry-After and X-RateLimit-*) when over the limit.
    """
    limiter = state.protection.limiter
    if limiter is None:
        return None
    decision = await limiter.hit(f"{bucket}:{tenant_id}:{ip}")
    if not decision.allowed:
        # Auth0: 429 too_many_requests with X-RateLimit-Limit/Remaining/Reset (RFC 6585 §4 adds Retry-After).
        raise TooManyRequestsError(headers=decision.headers())
    return decision
