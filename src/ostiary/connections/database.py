"""Username/password against a database connection (strategy auth0), with constant work for unknown users
and brute-force protection (protection/brute_force.py).

Used by: the password and password-realm grants, and the Universal Login page.
"""

from __future__ import annotations

from ostiary import entities
from ostiary.connections.import_mode import old_tenant
from ostiary.connections.lazy_migration import migrate_user
from ostiary.errors import InvalidGrantError, TooManyAttemptsError, UnauthorizedClientError, UserBlockedError
from ostiary.oauth.auth_events import auth_event
from ostiary.oauth.context import TenantContext
from ostiary.oauth.unblock import notify_blocked
from ostiary.passwords import hash_password, needs_rehash, verify_password
from ostiary.protection import brute_force

WRONG_CREDENTIALS = "Wrong email or password."


async def database_connection(
    ctx: TenantContext, *, name: str | None, client: entities.Client
) -> entities.Connection:
    """The named database connection (or the tenant's default directory), enabled for this client."""
    name = name or ctx.tenant.default_directory
    connection = await ctx.repos.connections.by_name(name) if name else None
    if connection is None or connection.strategy != "auth0":
        raise UnauthorizedClientError(
            "Authorization server not configured with default connection."
            if not name
            else f"connection {name} is not a database connection"
        )
    if not connection.is_enabled_for(client.client_id):
        raise UnauthorizedClientError(f"The connection {connection.name} is not enabled for this client.")
    return connection


def brute_force_protected(connection: entities.Connection) -> bool:
    """Auth0's database-connection option `brute_force_protection` (on unless set to false)."""
    return connection.options.get("brute_force_protection", True) is not False


async def authenticate_password(
    ctx: TenantContext,
    *,
    connection: entities.Connection,
    username: str,
    password: str,
    ip: str | None = None,
    client_id: str | None = None,
) -> entities.User:
    """The user whose password matches, else InvalidGrantError "Wrong email or password." (Auth0's words).

    `ip` is the end user's address: ctx.ip unless given (the grants pass oauth/end_user_ip.end_user_ip).
    Raises TooManyAttemptsError (429) while the user is blocked from ip, right or wrong password;
    UserBlockedError (401) for a user an admin blocked, only after the right password (no enumeration).
    An unknown user still costs one argon2 verify and is counted like a known one, so neither timing
    nor answers reveal which emails exist. A failure is committed even though the request then fails.
    On a connection in import_mode an unknown user is checked against the old tenant (lazy_migration.py)
    and created when it accepts the password; its refusal counts as a failure like any other.
    """
    ip = ip or ctx.ip
    user = await ctx.repos.users.by_login(connection.name, username) if username else None
    protected = brute_force_protected(connection)
    key = brute_force.failure_key(connection.name, user, username)
    event = {"client_id": client_id, "connection": connection.name, "ip": ip}
    if protected:
        changed = user.last_password_reset if user else None
        try:
            await brute_force.ensure_not_blocked(ctx, key=key, ip=ip, password_changed_at=changed)
        except TooManyAttemptsError:
            auth_event(ctx, "limit_wc", user_id=user.user_id if user else None, **event)
            raise
    old = old_tenant(connection.name, connection.options) if user is None and username else None
    if old is not None:  # lazy migration: the old tenant checks the password of a user not here yet
        user = await migrate_user(ctx, connection, old, username, password)
        stored = None
        verified = user is not None
    else:
        stored = await ctx.repos.users.password_hash(user.user_id) if user else None
        verified = verify_password(stored, password)
    if not verified or user is None:
        if protected and await brute_force.record_failure(ctx, key=key, ip=ip) and user is not None:
            await notify_blocked(ctx, user, ip)
            # Queued email must outlive the failed request (the counters' own commit, like Redis's, is kept).
            await ctx.repos.commit()
        if user is None:
            auth_event(ctx, "fu", description=WRONG_CREDENTIALS, **event)
        else:
            auth_event(ctx, "fp", user_id=user.user_id, description=WRONG_CREDENTIALS, **event)
        raise InvalidGrantError(WRONG_CREDENTIALS)
    if user.blocked:
        auth_event(ctx, "f", user_id=user.user_id, description="user is blocked", **event)
        raise UserBlockedError()
    if protected:
        await brute_force.record_success(ctx, key=key, ip=ip)
    auth_event(ctx, "s", user_id=user.user_id, **event)
    if stored and needs_rehash(stored):
        await ctx.repos.users.set_password_hash(user.user_id, hash_password(password))
    return user
