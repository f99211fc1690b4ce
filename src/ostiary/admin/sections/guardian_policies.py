"""The `guardianPolicies` key of a Deploy CLI file: when MFA is required.

    guardianPolicies:
      policies: [all-applications]     # or [] (never); confidence-score is served as all-applications
"""

from __future__ import annotations

from typing import Any

from ostiary.admin import mfa
from ostiary.admin.sections.base import AdminContext
from ostiary.errors import AdminError
from ostiary.store.repositories.mfa import POLICIES

KEY = "guardianPolicies"


async def apply(ctx: AdminContext, item: Any) -> None:
    if item is None:
        return
    policies = item.get("policies") if isinstance(item, dict) else None
    if not isinstance(policies, list) or len(policies) > 1 or not all(isinstance(p, str) for p in policies):
        raise AdminError(f"{KEY}.policies: expected [] or one of [all-applications], [confidence-score]")
    policy = policies[0] if policies else "never"
    if policy not in POLICIES:
        raise AdminError(f"{KEY}.policies: {policy!r} is not one of {', '.join(POLICIES)}")
    current = await ctx.repos.mfa.settings()
    ctx.note(KEY, "unchanged" if current.policy == policy else "updated")
    if current.policy != policy:
        await mfa.set_policy(ctx.repos, policy)


async def export(ctx: AdminContext) -> dict[str, Any]:
    policy = (await ctx.repos.mfa.settings()).policy
    return {"policies": [] if policy == "never" else [policy]}
