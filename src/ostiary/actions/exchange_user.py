"""Turn what a custom-token-exchange hook chose (api.authentication.*) into a stored user."""

from __future__ import annotations

import logging
from typing import Any, NoReturn

from ostiary import entities
from ostiary.actions.api import UserSelection
from ostiary.errors import AccessDeniedError, AdminError, UserBlockedError
from ostiary.oauth.context import TenantContext

log = logging.getLogger("ostiary.hooks")

# user_attributes a hook may set on a user (metadata goes through api.user.*; never `blocked`).
PROFILE_ATTRIBUTES = (
    "email", "email_verified", "username", "name", "nickname", "picture", "given_name", "family_name",
)
CREATION_BEHAVIORS = ("create_if_not_exists", "none")
UPDATE_BEHAVIORS = ("replace", "none")


def _refuse(hook: str, cause: str, reason: str = "The custom token exchange could not set the user") -> NoReturn:
    log.error("custom token exchange: user not set", extra={"hook": hook, "cause": cause})
    raise AccessDeniedError(reason)


async def resolve_user(
    ctx: TenantContext, client: entities.Client, selection: UserSelection, hook: str
) -> tuple[entities.User, entities.Connection | None]:
    """Auth0: exactly one of setUserById / setUserByConnection must be called by the hook."""
    if selection.calls != 1:
        _refuse(hook, f"the hook called setUserById/setUserByConnection {selection.calls} times (exactly one)")
    user: entities.User | None
    connection: entities.Connection | None = None
    if selection.user_id is not None:
        user = await ctx.repos.users.by_user_id(selection.user_id)
        if user is None:
            _refuse(hook, f"no user {selection.user_id!r}")
    else:
        user, connection = await _by_connection(ctx, client, selection, hook)
    assert user is not None
    if user.blocked:
        raise UserBlockedError()
    return user, connection


async def _by_connection(
    ctx: TenantContext, client: entities.Client, selection: UserSelection, hook: str
) -> tuple[entities.User, entities.Connection]:
    name = selection.connection or ""
    connection = await ctx.repos.connections.by_name(name)
    if connection is None or not connection.is_enabled_for(client.client_id):
        _refuse(hook, f"connection {name!r} does not exist or is not enabled for the client")
    assert connection is not None
    attributes = selection.attributes
    external_id = attributes.get("user_id")
    if not isinstance(external_id, str) or not external_id:
        _refuse(hook, "user_attributes.user_id is required")
    creation = selection.options.get("creationBehavior", selection.options.get("creation_behavior", "none"))
    update = selection.options.get("updateBehavior", selection.options.get("update_behavior", "none"))
    if creation not in CREATION_BEHAVIORS or update not in UPDATE_BEHAVIORS:
        _refuse(hook, f"bad options creationBehavior={creation!r} updateBehavior={update!r}")
    profile: dict[str, Any] = {k: attributes[k] for k in PROFILE_ATTRIBUTES if attributes.get(k) is not None}
    user = await ctx.repos.users.by_identity(connection.name, str(external_id))
    try:
        if user is None:
            if creation != "create_if_not_exists":
                _refuse(hook, f"no user {external_id!r} in {connection.name} and creationBehavior is none")
            user = await ctx.repos.users.create(
                connection=connection.name, strategy=connection.strategy, external_id=str(external_id), **profile
            )
        elif update == "replace" and profile:
            user = await ctx.repos.users.update(user.user_id, **profile)
    except AdminError as exc:
        _refuse(hook, str(exc))
    return user, connection
