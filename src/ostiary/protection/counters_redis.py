"""FailureCounters in Redis (OSTIARY_REDIS_URL): one Lua script per failure, so counting is atomic.

Keys: `{prefix}bf:{tenant}:{ip}|{user_key}` (hash: failures, blocked_at, updated_at) and
`{prefix}bf-ips:{tenant}:{user_key}` (set of IPs, for unblocking every IP of a user). Both expire after
RETENTION_SECONDS without a failure, the same window after which brute_force.py ignores a database record.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from ostiary.protection.counters import FailureState

RETENTION_SECONDS = 30 * 86400

ADD_FAILURE = """
local n = redis.call('HINCRBY', KEYS[1], 'failures', 1)
redis.call('HSET', KEYS[1], 'updated_at', ARGV[1])
if n >= tonumber(ARGV[2]) then redis.call('HSETNX', KEYS[1], 'blocked_at', ARGV[1]) end
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('SADD', KEYS[2], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return {n, redis.call('HGET', KEYS[1], 'blocked_at')}
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisFailureCounters:
    def __init__(self, redis: Redis, tenant_id: str, *, prefix: str) -> None:
        self.redis = redis
        self.tenant_id = tenant_id
        self.prefix = prefix

    def _key(self, user_key: str, ip: str) -> str:
        return f"{self.prefix}bf:{self.tenant_id}:{ip}|{user_key}"

    def _index(self, user_key: str) -> str:
        return f"{self.prefix}bf-ips:{self.tenant_id}:{user_key}"

    async def get(self, user_key: str, ip: str) -> FailureState | None:
        raw = await self.redis.hgetall(self._key(user_key, ip))
        if not raw:
            return None
        fields = {_text(k): _text(v) for k, v in raw.items()}
        blocked = fields.get("blocked_at")
        return FailureState(
            int(fields.get("failures", "0")), float(blocked) if blocked else None, float(fields.get("updated_at", 0))
        )

    async def add_failure(self, user_key: str, ip: str, *, now: float, threshold: int) -> FailureState:
        keys = [self._key(user_key, ip), self._index(user_key)]
        args: list[str | int] = [repr(now), threshold, RETENTION_SECONDS, ip]
        failures, blocked = await self.redis.eval(ADD_FAILURE, 2, *keys, *args)
        return FailureState(int(failures), float(_text(blocked)) if blocked else None, now)

    async def reset(self, user_key: str, ip: str) -> None:
        await self.redis.delete(self._key(user_key, ip))
        await self.redis.srem(self._index(user_key), ip)

    async def blocked(self, user_key: str) -> list[tuple[str, FailureState]]:
        out = []
        for ip in sorted(_text(m) for m in await self.redis.smembers(self._index(user_key))):
            state = await self.get(user_key, ip)
            if state is not None and state.blocked_at is not None:
                out.append((ip, state))
        return out

    async def clear(self, user_key: str, ip: str | None = None) -> int:
        if ip is not None:
            removed = int(await self.redis.delete(self._key(user_key, ip)))
            await self.redis.srem(self._index(user_key), ip)
            return removed
        ips = [_text(m) for m in await self.redis.smembers(self._index(user_key))]
        keys = [self._key(user_key, i) for i in ips]
        removed = int(await self.redis.delete(*keys)) if keys else 0
        await self.redis.delete(self._index(user_key))
        return removed
