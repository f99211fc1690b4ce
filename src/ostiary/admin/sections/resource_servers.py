"""`resourceServers:` — APIs, upserted by identifier."""

from __future__ import annotations

from typing import Any

from ostiary import entities
from ostiary.admin.sections.base import AdminContext, apply_each, changes, required_str
from ostiary.store.repositories import _validate as v
from ostiary.store.repositories.resource_servers import API_FIELDS, parse_scopes

KEY = "resourceServers"


def to_auth0(api: entities.Api) -> dict[str, Any]:
    """An API in Management API field names (signing_secret left out)."""
    return {
        "identifier": api.identifier,
        "name": api.name,
        "scopes": [{"value": s, "description": api.scope_descriptions.get(s, "")} for s in api.scopes],
        "signing_alg": api.signing_alg,
        "token_lifetime": api.token_lifetime,
        "token_lifetime_for_web": api.token_lifetime_for_web,
        "allow_offline_access": api.allow_offline_access,
        "skip_consent_for_verifiable_first_party_clients": api.skip_consent_for_verifiable_first_party_clients,
        "enforce_policies": api.enforce_policies,
        "token_dialect": api.token_dialect,
    }


async def _apply_one(ctx: AdminContext, item: dict[str, Any]) -> None:
    v.reject_unknown("resourceServer", item, ("identifier", *API_FIELDS))
    identifier = required_str("resourceServer.identifier", item.get("identifier"))
    fields = {k: val for k, val in item.items() if k != "identifier"}
    if "scopes" in fields:
        fields["scopes"] = parse_scopes(fields["scopes"])
    apis = ctx.repos.resource_servers
    existing = await apis.by_identifier(identifier)
    if existing is None:
        await apis.create(identifier=identifier, **fields)
        ctx.note(KEY, "created")
        return
    current = {**to_auth0(existing), "signing_secret": existing.signing_secret}
    diff = changes(current, fields)
    if diff:
        await apis.update(identifier, **diff)
        ctx.note(KEY, "updated")
    else:
        ctx.note(KEY, "unchanged")


async def apply(ctx: AdminContext, items: Any) -> None:
    await apply_each(ctx, KEY, items, _apply_one)


async def export(ctx: AdminContext) -> list[dict[str, Any]]:
    out = []
    for api in await ctx.repos.resource_servers.all():
        item = to_auth0(api)
        if ctx.include_secrets and api.signing_secret:
            item["signing_secret"] = api.signing_secret
        out.append(item)
    return out
