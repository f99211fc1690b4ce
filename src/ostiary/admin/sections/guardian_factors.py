"""The `guardianFactors` key of a Deploy CLI file: which MFA factors are enabled.

    guardianFactors:
      - {name: otp, enabled: true}
      - {name: sms, enabled: false}

Every Auth0 factor name is accepted and kept; Ostiary serves otp (with recovery-code).
"""

from __future__ import annotations

from typing import Any

from ostiary.admin.sections.base import AdminContext, as_list, required_str
from ostiary.errors import AdminError
from ostiary.store.repositories.mfa import FACTORS

KEY = "guardianFactors"


async def apply(ctx: AdminContext, items: Any) -> None:
    if items is None:
        return
    current = set((await ctx.repos.mfa.settings()).factors)
    wanted = set(current)
    for i, item in enumerate(as_list(KEY, items)):
        name = required_str(f"{KEY}[{i}].name", item.get("name"))
        enabled = item.get("enabled", False)
        if not isinstance(enabled, bool):
            raise AdminError(f"{KEY}[{i}].enabled: true or false")
        if name not in FACTORS:
            raise AdminError(f"{KEY}[{i}].name: unknown factor {name!r}")
        if enabled:
            wanted.add(name)
        else:
            wanted.discard(name)
    ctx.note(KEY, "unchanged" if wanted == current else "updated")
    if wanted != current:
        await ctx.repos.mfa.set_settings(factors=sorted(wanted))


async def export(ctx: AdminContext) -> list[dict[str, Any]]:
    enabled = set((await ctx.repos.mfa.settings()).factors)
    return [{"name": name, "enabled": name in enabled} for name in FACTORS]
