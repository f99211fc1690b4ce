"""Users as the admin doors (CLI, import, the Management API) create and change them: the same email and
password rules as signup, a user found by user_id or by email, and Auth0's Management API semantics (POST/PATCH
/api/v2/users, linking, sessions). A value one door refuses, every door refuses with the same line."""

from __future__ import annotations

from typing import Any

from ostiary import entities
from ostiary.admin import references
from ostiary.connections.password_policy import password_problem
from ostiary.errors import AdminConflictError, AdminError
from ostiary.logins import is_email, normalize_login
from ostiary.store.repos import Repos
from ostiary.store.repositories import _validate as v
from ostiary.store.repositories.users import PROFILE_FIELDS


def check_email(email: Any) -> None:
    if email is not None and (not isinstance(email, str) or not is_email(email)):
        raise AdminError(f"user.email: {email!r} is not an email address")


def check_password(password: Any, connection: entities.Connection) -> None:
    """The connection's password policy, the same rules as signup."""
    if password is None:
        return
    problem = "a string" if not isinstance(password, str) else password_problem(password, connection.options)
    if problem:
        raise AdminError(f"user.password: {problem}")


async def create_database_user(
    repos: Repos, *, connection: str, password: str | None, external_id: str | None = None, **fields: Any
) -> entities.User:
    database = await references.database_connection(repos, "user.connection", connection)
    check_email(fields.get("email"))
    check_password(password, database)
    return await repos.users.create(connection=connection, external_id=external_id, password=password, **fields)


async def update_user(repos: Repos, user_id: str, *, password: str | None, **fields: Any) -> entities.User:
    check_email(fields.get("email"))
    if password is not None:
        user = await repos.users.require(user_id)
        databases = [i.connection for i in user.identities if i.provider == "auth0"]
        if not databases:
            raise AdminError("user.password: the user has no database identity")
        check_password(password, await references.database_connection(repos, "user.connection", databases[0]))
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

METADATA_FIELDS = ("app_metadata", "user_metadata")
# Accepted and without effect: Ostiary sends no email (no mailer) and keeps no phone numbers.
IGNORED_CREATE_FIELDS = ("verify_email",)
CREATE_FIELDS = (*PROFILE_FIELDS, "connection", "password", "user_id", *IGNORED_CREATE_FIELDS)
UPDATE_FIELDS = (*PROFILE_FIELDS, "connection", "password", "verify_email")


async def create_user(repos: Repos, body: dict[str, Any]) -> entities.User:
    """POST /users: a user of a database connection (`connection` required), `user_id` the id after `auth0|`."""
    v.reject_unknown("user", body, CREATE_FIELDS)
    connection = body.get("connection")
    if not isinstance(connection, str) or not connection:
        raise AdminError("user.connection: required")
    external_id = body.get("user_id")
    if external_id is not None and (not isinstance(external_id, str) or not external_id or "|" in external_id):
        raise AdminError(f"user.user_id: {external_id!r} is not an id (the part after 'auth0|')")
    fields = {k: val for k, val in body.items() if k in PROFILE_FIELDS}
    return await create_database_user(
        repos, connection=connection, external_id=external_id, password=body.get("password"), **fields
    )


async def patch_user(repos: Repos, user_id: str, body: dict[str, Any]) -> entities.User:
    """PATCH /users/{id}: root fields are replaced; `app_metadata` / `user_metadata` are merged by top-level key
    (a null value removes the key, an empty object clears the whole object), as Auth0 does."""
    v.reject_unknown("user", body, UPDATE_FIELDS)
    user = await repos.users.require(user_id)
    connection = body.get("connection")
    if connection is not None:
        if not isinstance(connection, str) or connection not in {i.connection for i in user.identities}:
            raise AdminError(f"user.connection: {user_id!r} has no identity in {connection!r}")
    password = body.get("password")
    if password is not None and not user.has_password:
        raise AdminError("user.password: the user has no database identity")
    root = {k: val for k, val in body.items() if k in PROFILE_FIELDS and k not in METADATA_FIELDS}
    if isinstance(root.get("email"), str):
        root["email"] = await _new_login_email(repos, user, root["email"])
    merges: dict[str, dict[str, Any]] = {}
    for key in METADATA_FIELDS:
        if key in body:
            value = v.mapping(f"user.{key}", body[key])
            if value:
                merges[key] = value
            else:
                root[key] = {}
    if root or password is not None:
        await update_user(repos, user_id, password=password, **root)
    if merges:
        await repos.users.merge_metadata(user_id, **merges)
    return await repos.users.require(user_id)


async def _new_login_email(repos: Repos, user: entities.User, email: str) -> str:
    """A database user's new email is stored in lower case and must stay unique in each of its connections."""
    databases = [i.connection for i in user.identities if i.provider == "auth0"]
    if not databases:
        return email
    normalized = normalize_login(email)
    for connection in databases:
        holder = await repos.users.by_login(connection, normalized)
        if holder is not None and holder.user_id != user.user_id:
            raise AdminConflictError(f"user.email: {email!r} exists already in {connection}")
    return normalized


async def delete_user(repos: Repos, user_id: str) -> None:
    """The user, its identities, and every grant (refresh tokens, access tokens /userinfo would still honour)."""
    await repos.users.require(user_id)
    await repos.grants.revoke_user(user_id)
    await repos.sessions.revoke_user(user_id)
    await repos.users.delete(user_id)


async def link_identity(repos: Repos, primary_user_id: str, body: dict[str, Any]) -> entities.User:
    """POST /users/{id}/identities with `provider` + `user_id` (the secondary user's id after the `|`)."""
    v.reject_unknown("identity", body, ("provider", "user_id", "connection_id"))
    provider, external_id = body.get("provider"), body.get("user_id")
    if not isinstance(provider, str) or not provider:
        raise AdminError("identity.provider: required")
    if not isinstance(external_id, str) or not external_id:
        raise AdminError("identity.user_id: required")
    secondary = external_id if external_id.startswith(f"{provider}|") else f"{provider}|{external_id}"
    return await repos.users.link(primary_user_id, secondary)
