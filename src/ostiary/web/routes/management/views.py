"""Stored objects in the Management API's JSON shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ostiary import entities
from ostiary.admin.actions import TRIGGER_VERSIONS
from ostiary.admin.sections import clients as client_section
from ostiary.admin.sections import resource_servers as api_section
from ostiary.store.repositories.actions import ActionSpec
from ostiary.store.secrets import SECRET_OPTION_KEYS


def iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def client_view(client: entities.Client, *, with_secret: bool) -> dict[str, Any]:
    """Auth0's client; `client_secret` only for a caller holding read:client_keys (as Auth0 does)."""
    view = {**client_section.to_auth0(client), "global": client.is_global}
    if with_secret and client.client_secret:
        view["client_secret"] = client.client_secret
    return view


def api_view(api: entities.Api) -> dict[str, Any]:
    return {"id": api.id, **api_section.to_auth0(api), "is_system": api.is_system}


def grant_view(grant: entities.ClientGrant) -> dict[str, Any]:
    return {"id": grant.id, "client_id": grant.client_id, "audience": grant.audience, "scope": list(grant.scope)}


def connection_view(conn: entities.Connection) -> dict[str, Any]:
    """Secret options (client_secret, ...) are never shown, as Auth0 hides them."""
    options = {k: v for k, v in conn.options.items() if k not in SECRET_OPTION_KEYS}
    return {
        "id": conn.id, "name": conn.name, "strategy": conn.strategy, "options": options,
        "enabled_clients": list(conn.enabled_clients),
    }


def user_view(user: entities.User) -> dict[str, Any]:
    view: dict[str, Any] = {
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
        "blocked": user.blocked,
        "identities": [i.as_auth0() for i in user.identities],
        "logins_count": user.logins_count,
        "last_login": iso(user.last_login),
        "last_password_reset": iso(user.last_password_reset),
        "created_at": iso(user.created_at),
        "updated_at": iso(user.updated_at),
    }
    return {k: val for k, val in view.items() if val is not None}


def role_view(role: entities.Role) -> dict[str, Any]:
    return {"id": role.id, "name": role.name, "description": role.description}


def role_member_view(user: entities.User) -> dict[str, Any]:
    """Auth0's GET /roles/{id}/users item."""
    view = {"user_id": user.user_id, "email": user.email, "picture": user.picture, "name": user.name}
    return {k: v for k, v in view.items() if v is not None}


def action_view(spec: ActionSpec) -> dict[str, Any]:
    """Auth0's action; secrets by name only (write-only), a module hook (Ostiary's extension) by its path."""
    view: dict[str, Any] = {
        "id": spec.id, "name": spec.name,
        "supported_triggers": [{"id": t, "version": TRIGGER_VERSIONS.get(t, "v1")} for t in spec.supported_triggers],
        "dependencies": [dict(d) for d in spec.dependencies],
        "secrets": [{"name": k, "updated_at": iso(spec.updated_at or spec.created_at)} for k in sorted(spec.secrets)],
        "status": "built", "all_changes_deployed": True, "deployed": True,
        "created_at": iso(spec.created_at), "updated_at": iso(spec.updated_at or spec.created_at),
    }
    if spec.module_path:
        view["module"] = spec.module_path
    else:
        view.update(code=spec.code, runtime=spec.runtime)
    return view
