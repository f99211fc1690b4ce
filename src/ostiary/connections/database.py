"""Username/password against a database connection (strategy auth0), with constant work for unknown users.

Used by: the password and password-realm grants, and the Universal Login page.
"""

from __future__ import annotations

from ostiary import entities
from ostiary.errors import InvalidGrantError, UnauthorizedClientError
from ostiary.oauth.context import TenantContext
from ostiary.passwords import hash_password, needs_rehash, verify_password

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


async def authenticate_password(
    ctx: TenantContext, *, connection: entities.Connection, username: str, password: str
) -> entities.User:
    """The user whose password matches, else InvalidGrantError "Wrong email or password." (Auth0's words).

    An unknown user still costs one argon2 verify, so timing does not reveal which emails exist.
    """
    user = await ctx.repos.users.by_login(connection.name, username) if username else None
    stored = await ctx.repos.users.password_hash(user.user_id) if user else None
    if not verify_password(stored, password) or user is None:
        raise InvalidGrantError(WRONG_CREDENTIALS)
    if stored and needs_rehash(stored):
        await ctx.repos.users.set_password_hash(user.user_id, hash_password(password))
    return user
