"""`clientGrants:` — client_credentials authorisations; `client_id` names the client (Deploy CLI style)."""

from __future__ import annotations

from typing import Any

from ostiary.admin import references
from ostiary.admin.sections.base import AdminContext, apply_each, required_str
from ostiary.store.repositories import _validate as v

KEY = "clientGrants"


async def _apply_one(ctx: AdminContext, item: dict[str, Any]) -> None:
    v.reject_unknown("clientGrant", item, ("client_id", "audience", "scope"))
    ref = required_str("clientGrant.client_id", item.get("client_id"))
    audience = required_str("clientGrant.audience", item.get("audience"))
    scope = v.string_list("clientGrant.scope", item.get("scope"))
    repos = ctx.repos
    [client_id] = await references.client_ids(repos, "clientGrant.client_id", [ref])
    existing = await repos.client_grants.find(client_id, audience)
    if existing is not None and list(existing.scope) == scope:
        ctx.note(KEY, "unchanged")
        return
    await repos.client_grants.upsert(client_id=client_id, audience=audience, scope=scope)
    ctx.note(KEY, "created" if existing is None else "updated")


async def apply(ctx: AdminContext, items: Any) -> None:
    await apply_each(ctx, KEY, items, _apply_one)


async def export(ctx: AdminContext) -> list[dict[str, Any]]:
    grants = await ctx.repos.client_grants.all()
    names = await references.client_names(ctx.repos, [g.client_id for g in grants])
    return [
        {"client_id": name, "audience": g.audience, "scope": list(g.scope)}
        for name, g in zip(names, grants, strict=True)
    ]
