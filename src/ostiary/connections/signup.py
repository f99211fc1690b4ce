"""Creating a database-connection user (POST /dbconnections/signup and the /u/signup page).

Errors are Auth0's dbconnections shape (DbConnectionError): user_exists, invalid_password, invalid_signup.
"""

from __future__ import annotations

from typing import Any

from ostiary import entities
from ostiary.connections.password_policy import check_password
from ostiary.errors import AdminError, DbConnectionError
from ostiary.logins import is_email
from ostiary.oauth.auth_events import auth_event
from ostiary.oauth.context import TenantContext
from ostiary.oauth.email_verification import send_verification_email

PROFILE_FIELDS = ("given_name", "family_name", "name", "nickname", "picture")


def check_user_metadata(metadata: Any) -> dict[str, str]:
    """Auth0's limits: at most 10 properties, keys up to 100 characters, string values up to 500."""
    if metadata is None:
        return {}
    if not isinstance(metadata, dict) or len(metadata) > 10:
        raise DbConnectionError("invalid_signup", "user_metadata must be an object with at most 10 properties")
    for key, value in metadata.items():
        if len(key) > 100 or not isinstance(value, str) or len(value) > 500:
            raise DbConnectionError("invalid_signup", "user_metadata values must be strings of at most 500 characters")
    return dict(metadata)


async def signup_user(
    ctx: TenantContext,
    *,
    connection: entities.Connection,
    email: str,
    password: str,
    username: str | None = None,
    user_metadata: dict[str, str] | None = None,
    profile: dict[str, str] | None = None,
    client: entities.Client | None = None,
) -> entities.User:
    """Create the user with an argon2 password hash and queue verify_email (sent once the caller commits);
    duplicates are `user_exists` (or the generic answer). Logs Auth0's `ss` or `fs` event."""
    client_id = client.client_id if client else None
    try:
        user = await _create(ctx, connection, email, password, username, user_metadata, profile)
    except DbConnectionError as exc:
        auth_event(ctx, "fs", client_id=client_id, connection=connection.name, description=exc.description)
        raise
    auth_event(ctx, "ss", client_id=client_id, connection=connection.name, user_id=user.user_id)
    await send_verification_email(ctx, user, client)
    return user


async def _create(
    ctx: TenantContext,
    connection: entities.Connection,
    email: str,
    password: str,
    username: str | None,
    user_metadata: dict[str, str] | None,
    profile: dict[str, str] | None,
) -> entities.User:
    email = email.strip()
    if not is_email(email):
        raise DbConnectionError("invalid_signup", "Invalid email address")
    check_password(password, connection.options)
    existing = await ctx.repos.users.by_login(connection.name, email)
    if existing is None and username:
        existing = await ctx.repos.users.by_login(connection.name, username)
    if existing is not None:
        if ctx.tenant.flags.get("enable_public_signup_user_exists_error") is False:
            raise DbConnectionError("invalid_signup", "Invalid sign up")
        raise DbConnectionError("user_exists", "The user already exists.")
    fields: dict[str, Any] = {k: v for k, v in (profile or {}).items() if k in PROFILE_FIELDS and v}
    if username:
        fields["username"] = username
    try:
        user = await ctx.repos.users.create(
            connection=connection.name,
            email=email,
            password=password,
            email_verified=False,
            user_metadata=user_metadata or {},
            **fields,
        )
    except AdminError as exc:
        raise DbConnectionError("invalid_signup", "Invalid sign up", name="BadRequestError") from exc
    return user
