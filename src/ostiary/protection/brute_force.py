"""Brute-force protection like Auth0's (mode count_per_identifier_and_ip, max_attempts 10, shield "block").

After MAX_ATTEMPTS consecutive failed logins for one user from one IP, that user is blocked from that IP
(429 too_many_attempts) until an admin unblocks (`ostiary protection unblock`), the user's password changes,
or RETENTION_SECONDS pass without a failure, or the user follows the unblock link of the blocked_account
email sent at that moment (oauth/unblock.py). A success resets the count. Other IPs and other users are not
affected (Auth0: per identifier and IP, so an attacker cannot lock a user out everywhere).

Used by: connections/database.authenticate_password (the password grants and the login page).
"""

from __future__ import annotations

import logging

from redis.exceptions import RedisError

from ostiary import entities
from ostiary.errors import TemporarilyUnavailableError, TooManyAttemptsError
from ostiary.ids import token_hash
from ostiary.logins import normalize_login
from ostiary.oauth.context import TenantContext
from ostiary.protection.counters import FailureCounters, FailureState
from ostiary.protection.counters_redis import RETENTION_SECONDS

log = logging.getLogger("ostiary.protection")

MAX_ATTEMPTS = 10


def failure_key(connection: str, user: entities.User | None, username: str) -> str:
    """The user's user_id; for a login matching no user, the normalised name tried (counted the same way,
    so the answers never reveal whether a user exists)."""
    if user is not None:
        return user.user_id
    # Hashed: bounded length whatever was typed (the column holds 320 characters).
    return f"login:{connection}:{token_hash(normalize_login(username))}"


def mfa_failure_key(user_id: str) -> str:
    """Wrong MFA codes are counted apart: a right password must not reset the count of wrong codes."""
    return f"mfa:{user_id}"


def _ip(ip: str) -> str:
    """The IP column holds 64 characters; a trusted proxy's X-Forwarded-For is not validated upstream."""
    return ip[:64]


def _counters(ctx: TenantContext) -> FailureCounters:
    return ctx.state.protection.failure_counters(ctx.repos)


def is_stale(state: FailureState, now: float, password_changed_at: float | None) -> bool:
    """Auth0 lifts a block when the password changes or 30 days pass."""
    if password_changed_at is not None and state.updated_at <= password_changed_at:
        return True
    return now - state.updated_at > RETENTION_SECONDS


async def ensure_not_blocked(
    ctx: TenantContext, *, key: str, ip: str, password_changed_at: float | None = None
) -> None:
    """TooManyAttemptsError when key is blocked from ip, whatever the password (no oracle: BF-15)."""
    counters = _counters(ctx)
    try:
        ip = _ip(ip)
        state = await counters.get(key, ip)
        if state is None:
            return
        if is_stale(state, ctx.clock.now(), password_changed_at):
            await counters.reset(key, ip)
            return
    except (RedisError, OSError) as exc:
        # Fail closed: without the shared counter, password guessing would be unlimited.
        log.error("brute-force counters unavailable", extra={"error": str(exc)})
        raise TemporarilyUnavailableError() from exc
    if state.blocked_at is not None:
        raise TooManyAttemptsError()


async def record_failure(ctx: TenantContext, *, key: str, ip: str) -> bool:
    """Count one failure durably (with the database backend this commits the request's session).
    True when this failure is the one that blocked key from ip."""
    try:
        state = await _counters(ctx).add_failure(key, _ip(ip), now=ctx.clock.now(), threshold=MAX_ATTEMPTS)
    except (RedisError, OSError) as exc:
        log.error("brute-force counters unavailable", extra={"error": str(exc)})
        raise TemporarilyUnavailableError() from exc
    if state.failures == MAX_ATTEMPTS:
        log.warning("login blocked after consecutive failures", extra={"tenant": ctx.tenant.id, "ip": ip})
        return True
    return False


async def record_success(ctx: TenantContext, *, key: str, ip: str) -> None:
    try:
        await _counters(ctx).reset(key, _ip(ip))
    except (RedisError, OSError) as exc:
        raise TemporarilyUnavailableError() from exc


async def unblock(counters: FailureCounters, *, key: str, ip: str | None = None) -> int:
    """Admin unblock of key from ip, or from every IP. Returns how many (key, ip) records were removed."""
    return await counters.clear(key, _ip(ip) if ip else None)
