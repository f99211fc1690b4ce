"""Database users as the admin doors (CLI, import, the Management API) create and change them: the same email
and password rules as signup, and a user found by user_id or by email."""

from __future__ import annotations

from typing import Any

from ostiary import entities
from ostiary.admin import references
from ostiary.errors import AdminError
from ostiary.logins import MIN_PASSWORD_LENGTH, is_email, password_too_weak
from ostiary.store.repos import Repos


def check_email(email: Any) -> None:
    if email is not None and (not isinstance(email, str) or not is_email(email)):
        raise AdminError(f"user.email: {email!r} is not an email address")


def check_password(password: Any) -> None:
    """The connection's password policy, as at signup (Auth0's "low": at least 8 characters)."""
    if password is not None and (not isinstance(password, str) or password_too_weak(password)):
        raise AdminError(f"user.password: too weak: at least {MIN_PASSWORD_LENGTH} characters are required")


async def create_database_user(
    repos: Repos, *, connection: str, password: str | None, external_id: str | None = None, **fields: Any
) -> entities.User:
    await references.database_connection(repos, "user.connection", connection)
    check_email(fields.get("email"))
    check_password(password)
    return await repos.users.create(connection=connection, external_id=external_id, password=password, **fields)


async def update_user(repos: Repos, user_id: str, *, password: str | None, **fields: Any) -> entities.User:
    check_email(fields.get("email"))
    check_password(password)
    return await repos.users.update(user_id, password=password, **fields)


async def find_user(repos: Repos, ref: str) -> entities.User:
    """By user_id, else by email (which must name one user: the same email may sign in through several
    connections)."""
    user = await repos.users.by_user_id(ref)
    if user is not None:
        return user
    if is_email(ref):
        matches = await repos.users.by_email(ref)
        if len(matches) == 1:
            return matches[0]
        if matches:
            ids = ", ".join(u.user_id for u in matches)
            raise AdminError(f"user: {ref!r} is the email of {len(matches)} users ({ids}); give the user_id")
    raise AdminError(f"user: no user {ref!r}")
