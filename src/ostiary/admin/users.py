"""User use cases with Auth0's Management API semantics (POST/PATCH /api/v2/users, linking, sessions).

The checks are the repositories' (the CLI and `ostiary import` reach the same ones), so a value the CLI refuses
is refused here with the same line naming the field.
"""

from __future__ import annotations

from typing import Any

from ostiary import entities
from ostiary.admin import references
from ostiary.errors import AdminConflictError, AdminError
from ostiary.logins import normalize_login
from ostiary.store.repos import Repos
from ostiary.store.repositories import _validate as v
from ostiary.store.repositories.users import PROFILE_FIELDS

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
    await references.database_connection(repos, "user.connection", connection)
    external_id = body.get("user_id")
    if external_id is not None and (not isinstance(external_id, str) or not external_id or "|" in external_id):
        raise AdminError(f"user.user_id: {external_id!r} is not an id (the part after 'auth0|')")
    fields = {k: val for k, val in body.items() if k in PROFILE_FIELDS}
    return await repos.users.create(
        connection=connection, external_id=external_id, password=body.get("password"), **fields
    )


async def update_user(repos: Repos, user_id: str, body: dict[str, Any]) -> entities.User:
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
        await repos.users.update(user_id, password=password, **root)
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
