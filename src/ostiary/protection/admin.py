"""Admin view and unblock of brute-force blocks, for the CLI (`ostiary protection unblock`) and the Management
API (`/api/v2/user-blocks`)."""

from __future__ import annotations

from ostiary.protection import brute_force
from ostiary.protection.counters import FailureCounters
from ostiary.protection.counters_db import DbFailureCounters
from ostiary.protection.counters_redis import RedisFailureCounters
from ostiary.protection.state import Protection
from ostiary.store.repos import Repos


async def failure_keys(repos: Repos, user: str) -> list[str]:
    """The counter keys `user` names: a user_id, or an email/username (its user, else the name itself in
    every database connection, as failures for unknown logins are counted); with each user, its MFA codes' key."""
    if await repos.users.by_user_id(user):
        return [user, brute_force.mfa_failure_key(user)]
    keys: list[str] = []
    for connection in await repos.connections.by_strategy("auth0"):
        found = await repos.users.by_login(connection.name, user)
        keys.append(brute_force.failure_key(connection.name, found, user))
        if found is not None:
            keys.append(brute_force.mfa_failure_key(found.user_id))
    return list(dict.fromkeys(keys))


async def user_blocks(repos: Repos, protection: Protection, *, user: str) -> list[dict[str, str]]:
    """Auth0's `blocked_for`: the IPs `user` (a user_id, or the email/username tried) is blocked from now."""
    counters = protection.failure_counters(repos)
    found = await repos.users.by_user_id(user)
    password_changed_at = found.last_password_reset if found else None
    out: list[dict[str, str]] = []
    for key in await failure_keys(repos, user):
        for ip, state in await counters.blocked(key):
            if not brute_force.is_stale(state, repos.clock.now(), password_changed_at):
                out.append({"identifier": user, "ip": ip})
    return out


async def unblock_user(repos: Repos, protection: Protection, *, user: str, ip: str | None) -> int:
    """Clear the failure records of `user` (from `ip`, or every IP) in the database and, when configured,
    Redis. Returns how many (user, IP) records were removed."""
    backends: list[FailureCounters] = [DbFailureCounters(repos.session, repos.tenant_id, clock=repos.clock)]
    if protection.redis is not None:
        backends.append(RedisFailureCounters(protection.redis, repos.tenant_id, prefix=protection.redis_prefix))
    removed = 0
    for key in await failure_keys(repos, user):
        for counters in backends:
            removed += await brute_force.unblock(counters, key=key, ip=ip)
    return removed
