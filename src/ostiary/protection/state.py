"""Protection: the process-wide attack-protection objects (limiter, Redis client) held by AppState."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from ostiary.clock import Clock
from ostiary.protection.counters import FailureCounters
from ostiary.protection.counters_db import DbFailureCounters
from ostiary.protection.counters_redis import RedisFailureCounters
from ostiary.protection.rate_limit import RateLimiter, RedisWindowLimiter, TokenBucketLimiter
from ostiary.settings import Settings
from ostiary.store.repos import Repos


@dataclass
class Protection:
    clock: Clock
    redis: Redis | None
    redis_prefix: str
    # None when OSTIARY_RATE_LIMIT_PER_MINUTE is 0 (no limit).
    limiter: RateLimiter | None

    def failure_counters(self, repos: Repos) -> FailureCounters:
        """Redis when configured, else the database through the request's own session."""
        if self.redis is not None:
            return RedisFailureCounters(self.redis, repos.tenant_id, prefix=self.redis_prefix)
        return DbFailureCounters(repos.session, repos.tenant_id, clock=self.clock)

    async def close(self) -> None:
        if self.limiter is not None:
            await self.limiter.close()
        if self.redis is not None:
            await self.redis.aclose()


def build_protection(settings: Settings, clock: Clock) -> Protection:
    """No network here: the Redis client connects on first use."""
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    limit = settings.rate_limit_per_minute
    limiter: RateLimiter | None = None
    if limit > 0:
        limiter = (
            RedisWindowLimiter(redis, limit, clock=clock, prefix=settings.redis_prefix)
            if redis is not None
            else TokenBucketLimiter(limit, clock=clock)
        )
    return Protection(clock=clock, redis=redis, redis_prefix=settings.redis_prefix, limiter=limiter)
