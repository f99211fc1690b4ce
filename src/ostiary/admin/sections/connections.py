"""`connections:` — upserted by name; `enabled_clients` name the clients (Deploy CLI style).

Options are replaced as a whole, except that secret options (client_secret, ...) the file leaves out are
kept: an export without --include-secrets imports back without erasing them.
"""

from __future__ import annotations

from typing import Any

from ostiary import entities
from ostiary.admin import references
from ostiary.admin.sections.base import AdminContext, apply_each, required_str
from ostiary.errors import AdminError
from ostiary.store.repositories import _validate as v
from ostiary.store.secrets import SECRET_OPTION_KEYS

KEY = "connections"


async def apply_one(ctx: AdminContext, item: dict[str, Any], *, section: str = KEY) -> None:
    v.reject_unknown("connection", item, ("name", "strategy", "options", "enabled_clients"))
    name = required_str("connection.name", item.get("name"))
    repos = ctx.repos
    fields: dict[str, Any] = {}
    if "strategy" in item:
        fields["strategy"] = item["strategy"]
    if "options" in item:
        fields["options"] = v.mapping("connection.options", item["options"])
    if "enabled_clients" in item:
        refs = v.string_list("connection.enabled_clients", item["enabled_clients"])
        fields["enabled_clients"] = await references.client_ids(repos, "connection.enabled_clients", refs)
    existing = await repos.connections.by_name(name)
    if existing is None:
        await repos.connections.create(name=name, **fields)
        ctx.note(section, "created")
        return
    if fields.get("strategy", existing.strategy) != existing.strategy:
        raise AdminError(f"connection.strategy: {name!r} is a {existing.strategy} connection; it cannot change")
    fields.pop("strategy", None)
    if "options" in fields:
        kept = {k: val for k, val in existing.options.items() if k in SECRET_OPTION_KEYS}
        fields["options"] = {**kept, **fields["options"]}
    current = {"options": existing.options, "enabled_clients": list(existing.enabled_clients)}
    diff = {k: val for k, val in fields.items() if current[k] != val}
    if diff:
        await repos.connections.update(name, **diff)
        ctx.note(section, "updated")
    else:
        ctx.note(section, "unchanged")


async def apply(ctx: AdminContext, items: Any) -> None:
    await apply_each(ctx, KEY, items, apply_one)


def _export_one(conn: entities.Connection, names: list[str], include_secrets: bool) -> dict[str, Any]:
    options = {
        k: val for k, val in conn.options.items() if include_secrets or k not in SECRET_OPTION_KEYS
    }
    return {"name": conn.name, "strategy": conn.strategy, "options": options, "enabled_clients": names}


async def export(ctx: AdminContext) -> list[dict[str, Any]]:
    return [
        _export_one(conn, await references.client_names(ctx.repos, conn.enabled_clients), ctx.include_secrets)
        for conn in await ctx.repos.connections.all()
    ]
