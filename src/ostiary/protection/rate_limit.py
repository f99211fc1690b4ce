"""Per-IP request rate limit: an in-process token bucket by default, a shared Redis window when configured.

The in-process limiter counts per server process: with `--workers N` a client may get up to N times the
limit. With OSTIARY_REDIS_URL every process shares one fixed one-minute window per key.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from ostiary.clock import Clock

log = logging.getLogger("ostiary.protection")

# Buckets idle this long are full again and can be forgotten.
PRUNE_AT = 50_000


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    # Epoch seconds at which the caller has its whole allowance again (Auth0's X-RateLimit-Reset).
    reset_at: int
    retry_after: int

    def headers(self) -> dict[str, str]:
        """Auth0's rate-limit headers; Retry-After (RFC 6585 §4) only on a refusal."""
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_at),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers


class RateLimiter(Protocol):
    async def hit(self, key: str) -> RateDecision: ...

    async def close(self) -> None: ...


class TokenBucketLimiter:
    """`per_minute` requests per key with bursts up to `per_minute`, refilled continuously. One dict lookup."""

    def __init__(self, per_minute: int, *, clock: Clock) -> None:
        self.limit = per_minute
        self.rate = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    async def hit(self, key: str) -> RateDecision:
        now = self.clock.now()
        tokens, stamp = self._buckets.get(key, (float(self.limit), now))
        tokens = min(float(self.limit), tokens + (now - stamp) * self.rate)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        if len(self._buckets) >= PRUNE_AT:
            self._prune(now)
        self._buckets[key] = (tokens, now)
        return RateDecision(
            allowed=allowed,
            limit=self.limit,
            remaining=int(tokens),
            reset_at=math.ceil(now + (self.limit - tokens) / self.rate),
            retry_after=0 if allowed else max(1, math.ceil((1.0 - tokens) / self.rate)),
        )

    def _prune(self, now: float) -> None:
        full_after = self.limit / self.rate
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full_after}

    async def close(self) -> None:
        self._buckets.clear()


class RedisWindowLimiter:
    """A fixed one-minute window per key, counted with INCR: shared by every process. Fails open."""

    def __init__(self, redis: Redis, per_minute: int, *, clock: Clock, prefix: str) -> None:
        self.redis = redis
        self.limit = per_minute
        self.clock = clock
        self.prefix = prefix

    async def hit(self, key: str) -> RateDecision:
        now = self.clock.now()
        window = int(now // 60)
        reset_at = (window + 1) * 60
        redis_key = f"{self.prefix}rl:{key}:{window}"
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(redis_key)
                pipe.expire(redis_key, 61)
                count, _ = await pipe.execute()
        except (RedisError, OSError) as exc:
            # Rate limiting fails open (the brute-force counters, which guard passwords, fail closed).
            log.warning("rate limiter unavailable", extra={"error": str(exc)})
            return RateDecision(True, self.limit, self.limit, reset_at, 0)
        allowed = int(count) <= self.limit
        return RateDecision(
            allowed=allowed,
            limit=self.limit,
            remaining=max(0, self.limit - int(count)),
            reset_at=reset_at,
            retry_after=0 if allowed else max(1, math.ceil(reset_at - now)),
        )

    async def close(self) -> None:
        return None
