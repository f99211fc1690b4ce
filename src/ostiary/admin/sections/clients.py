"""`clients:` — applications, upserted by client_id when the file gives one, else by name."""

from __future__ import annotations

import dataclasses
from typing import Any

from ostiary import entities
from ostiary.admin.clients import create_client
from ostiary.admin.sections.base import AdminContext, apply_each, changes, required_str, without_none
from ostiary.store.repositories import _validate as v
from ostiary.store.repositories.clients import CLIENT_FIELDS

KEY = "clients"
# Objects whose defaults the store fills in: compare and update only the sub-keys the file gives.
MERGED = ("jwt_configuration", "refresh_token")


def _with_unused(config: entities.JwtConfiguration | entities.RefreshPolicy) -> dict[str, Any]:
    """A client object as Auth0 names it, with the fields Ostiary stores without using (secret_encoded, ...)."""
    fields = {f.name: getattr(config, f.name) for f in dataclasses.fields(config) if f.name != "unused"}
    return {**fields, **config.unused}


def to_auth0(client: entities.Client) -> dict[str, Any]:
    """A client in Management API field names (client_secret left out)."""
    return without_none(
        {
            "name": client.name,
            "client_id": client.client_id,
            "description": client.description,
            "app_type": client.app_type,
            "is_first_party": client.is_first_party,
            "oidc_conformant": client.oidc_conformant,
            "callbacks": list(client.callbacks),
            "allowed_logout_urls": list(client.allowed_logout_urls),
            "web_origins": list(client.web_origins),
            "allowed_origins": list(client.allowed_origins),
            "grant_types": list(client.grant_types),
            "token_endpoint_auth_method": client.token_endpoint_auth_method,
            "is_token_endpoint_ip_header_trusted": client.is_token_endpoint_ip_header_trusted,
            "jwt_configuration": _with_unused(client.jwt_configuration),
            "refresh_token": _with_unused(client.refresh_token),
            "native_social_login": dict(client.native_social_login),
            "mobile": dict(client.mobile),
            "client_metadata": dict(client.client_metadata),
        }
    )


async def _apply_one(ctx: AdminContext, item: dict[str, Any]) -> None:
    v.reject_unknown("client", item, (*CLIENT_FIELDS, "client_id", "client_secret"))
    name = required_str("client.name", item.get("name"))
    client_id, secret = item.get("client_id"), item.get("client_secret")
    for key, value in (("client_id", client_id), ("client_secret", secret)):
        if value is not None:
            required_str(f"client.{key}", value)
    fields = {k: val for k, val in item.items() if k not in ("client_id", "client_secret")}
    clients = ctx.repos.clients
    existing = await clients.by_client_id(client_id) if client_id else await clients.by_name(name)
    if existing is None:
        await create_client(ctx.repos, ctx.require_tenant(), client_id=client_id, client_secret=secret, **fields)
        ctx.note(KEY, "created")
        return
    diff = changes(to_auth0(existing), fields, merged=MERGED)
    new_secret = secret if secret is not None and secret != existing.client_secret else None
    if diff or new_secret:
        await clients.update(existing.client_id, client_secret=new_secret, **diff)
        ctx.note(KEY, "updated")
    else:
        ctx.note(KEY, "unchanged")


async def apply(ctx: AdminContext, items: Any) -> None:
    await apply_each(ctx, KEY, items, _apply_one)


async def export(ctx: AdminContext) -> list[dict[str, Any]]:
    out = []
    for client in await ctx.repos.clients.all():
        item = to_auth0(client)
        if ctx.include_secrets and client.client_secret:
            item["client_secret"] = client.client_secret
        out.append(item)
    return out
