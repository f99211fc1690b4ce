"""`databases:` — a0deploy's section for database connections (strategy auth0): the same objects as
`connections:` entries with that strategy. Exports list them under `connections` (the a0deploy layout moves
them here, admin/a0deploy/export.py)."""

from __future__ import annotations

from typing import Any

from ostiary.admin.sections import connections
from ostiary.admin.sections.base import AdminContext, apply_each
from ostiary.errors import AdminError

KEY = "databases"


async def _apply_one(ctx: AdminContext, item: dict[str, Any]) -> None:
    if item.get("strategy", "auth0") != "auth0":
        raise AdminError(f"database.strategy: {item['strategy']!r}; databases are auth0 connections")
    await connections.apply_one(ctx, {**item, "strategy": "auth0"}, section=KEY)


async def apply(ctx: AdminContext, items: Any) -> None:
    await apply_each(ctx, KEY, items, _apply_one)


async def export(ctx: AdminContext) -> list[dict[str, Any]]:
    return [c for c in await connections.export(ctx) if c["strategy"] == "auth0"]
