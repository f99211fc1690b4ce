"""The `event` a hook reads: frozen, snake_case attributes (Auth0's names), camelCase aliases readable too.

`event.user.user_metadata`, `event.user.userMetadata` and `event.user["user_metadata"]` are the same value.
Request values are data only (security catalogue HK-03): nothing here is evaluated or templated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ostiary import entities

# Request parameters a hook never sees (Auth0 strips credentials from event.request too).
SECRET_PARAMS = frozenset({
    "client_secret", "client_assertion", "password", "code", "code_verifier", "refresh_token", "subject_token",
    "actor_token", "otp", "mfa_token", "oob_code", "binding_code", "recovery_code", "access_token", "id_token",
    "assertion", "device_code", "auth_req_id", "id_token_hint",
})
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def snake_case(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


class EventNode(Mapping[str, Any]):
    """A read-only view of a dict: attributes, camelCase aliases, nested dicts as nodes, lists as tuples."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_data", {k: _freeze(v) for k, v in data.items()})

    def __getattr__(self, name: str) -> Any:
        data: dict[str, Any] = object.__getattribute__(self, "_data")
        if name in data:
            return data[name]
        snake = snake_case(name)
        if snake in data:
            return data[snake]
        if name.startswith("__"):
            raise AttributeError(name)
        return None  # Auth0's event leaves absent fields undefined; Python hooks read None.

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("the hook event is read-only; use api.* to change the outcome")

    def __getitem__(self, key: str) -> Any:
        data: dict[str, Any] = object.__getattribute__(self, "_data")
        return data[key] if key in data else data[snake_case(key)]

    def __iter__(self) -> Iterator[str]:
        return iter(object.__getattribute__(self, "_data"))

    def __len__(self) -> int:
        return len(object.__getattribute__(self, "_data"))

    def __repr__(self) -> str:
        return f"EventNode({object.__getattribute__(self, '_data')!r})"

    def to_dict(self) -> dict[str, Any]:
        return {k: _thaw(v) for k, v in self.items()}

    def with_values(self, **values: Any) -> EventNode:
        """A copy with some top-level fields replaced (each hook gets its own `secrets`)."""
        data = dict(object.__getattribute__(self, "_data"))
        data.update({k: _freeze(v) for k, v in values.items()})
        node = EventNode({})
        object.__setattr__(node, "_data", data)
        return node


def _freeze(value: Any) -> Any:
    if isinstance(value, EventNode):
        return value
    if isinstance(value, Mapping):
        return EventNode(value)
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, EventNode):
        return value.to_dict()
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


PostLoginEvent = EventNode


def user_view(user: entities.User) -> dict[str, Any]:
    return {
        "user_id": user.user_id,
        "email": user.email,
        "email_verified": user.email_verified,
        "username": user.username,
        "name": user.name,
        "nickname": user.nickname,
        "picture": user.picture,
        "given_name": user.given_name,
        "family_name": user.family_name,
        "user_metadata": dict(user.user_metadata),
        "app_metadata": dict(user.app_metadata),
        "identities": [i.as_auth0() for i in user.identities],
        "logins_count": user.logins_count,
        "created_at": user.created_at,
        "last_login": user.last_login,
    }


def client_view(client: entities.Client) -> dict[str, Any]:
    return {"client_id": client.client_id, "name": client.name, "metadata": dict(client.client_metadata)}


def request_view(
    ip: str, user_agent: str, hostname: str, params: Mapping[str, str] | None, method: str = "POST"
) -> dict[str, Any]:
    """event.request: the parameters, credentials removed, as `query` for a GET and as `body` for a POST."""
    safe = {k: v for k, v in (params or {}).items() if k not in SECRET_PARAMS}
    get = method == "GET"
    return {
        "ip": ip, "user_agent": user_agent, "hostname": hostname, "method": method,
        "query": safe if get else {}, "body": {} if get else safe,
    }


def build_event(
    *,
    tenant_id: str,
    client: entities.Client,
    request: dict[str, Any],
    transaction: dict[str, Any],
    user: entities.User | None = None,
    connection: entities.Connection | None = None,
    api: entities.Api | None = None,
    **extra: Any,
) -> EventNode:
    data: dict[str, Any] = {
        "tenant": {"id": tenant_id},
        "client": client_view(client),
        "request": request,
        "transaction": transaction,
        "resource_server": {"identifier": api.identifier} if api else None,
        "secrets": {},
        **extra,
    }
    if user is not None:
        data["user"] = user_view(user)
        data["stats"] = {"logins_count": user.logins_count}
    if connection is not None:
        data["connection"] = {"id": connection.id, "name": connection.name, "strategy": connection.strategy}
    return EventNode(data)
