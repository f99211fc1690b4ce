"""The `triggers` key of a Deploy CLI file: which actions run for each trigger, in order."""

from __future__ import annotations

from typing import Any

from ostiary.admin.sections.actions import apply_triggers, export_trigger_bindings
from ostiary.admin.sections.base import AdminContext

KEY = "triggers"


async def apply(ctx: AdminContext, items: Any) -> None:
    await apply_triggers(ctx.admin, ctx.require_tenant(), items, ctx.base_dir)


async def export(ctx: AdminContext) -> dict[str, Any]:
    return await export_trigger_bindings(ctx.admin, ctx.require_tenant())
