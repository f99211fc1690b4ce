"""The FailureCounters contract: consecutive failed logins per (user key, IP), one tenant per instance.

Two implementations keep the same semantics: counters_db.py (default, shared by every process through the
database) and counters_redis.py (when OSTIARY_REDIS_URL is set).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class FailureState:
    failures: int
    blocked_at: float | None
    updated_at: float


class FailureCounters(Protocol):
    async def get(self, user_key: str, ip: str) -> FailureState | None:
        """The current record, or None when there were no failures."""
        ...

    async def add_failure(self, user_key: str, ip: str, *, now: float, threshold: int) -> FailureState:
        """Count one failure atomically and durably (it survives the failed request's rollback); the
        record becomes blocked when the count reaches `threshold`."""
        ...

    async def reset(self, user_key: str, ip: str) -> None:
        """Forget the failures of (user_key, ip): a successful login or a block voided by a password change."""
        ...

    async def blocked(self, user_key: str) -> list[tuple[str, FailureState]]:
        """The (IP, record) pairs of user_key that are blocked (stale ones included: the caller judges)."""
        ...

    async def clear(self, user_key: str, ip: str | None = None) -> int:
        """Admin unblock: forget (user_key, ip), or every IP of user_key. Returns how many records went."""
        ...
