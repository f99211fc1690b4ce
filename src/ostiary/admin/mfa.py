"""MFA administration: the tenant's policy and factors (Auth0's guardianPolicies / guardianFactors) and a
user's authenticators. One set of operations for the CLI and the Deploy CLI import."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ostiary.admin.users import find_user
from ostiary.errors import AdminNotFoundError
from ostiary.store.repos import Repos
from ostiary.store.repositories.mfa import MfaSettings


async def set_policy(repos: Repos, policy: str) -> MfaSettings:
    """never, all-applications or confidence-score (served as all-applications)."""
    return await repos.mfa.set_settings(policy=policy)


async def set_factor(repos: Repos, name: str, *, enabled: bool) -> MfaSettings:
    current = set((await repos.mfa.settings()).factors)
    wanted = current | {name} if enabled else current - {name}
    return await repos.mfa.set_settings(factors=sorted(wanted))


async def user_authenticators(repos: Repos, user_ref: str) -> list[dict[str, Any]]:
    user = await find_user(repos, user_ref)
    return [asdict(a) for a in await repos.mfa.authenticators(user.user_id)]


async def delete_authenticator(repos: Repos, user_ref: str, authenticator_id: str) -> str:
    """Delete one authenticator; deleting the last authenticator app also removes the recovery code."""
    user = await find_user(repos, user_ref)
    if not await repos.mfa.delete(user.user_id, authenticator_id):
        raise AdminNotFoundError(f"mfa: user {user.user_id} has no authenticator {authenticator_id!r}",
                                 kind="authenticator")
    return user.user_id


async def reset(repos: Repos, user_ref: str) -> tuple[str, int]:
    """Remove every authenticator of the user: the next login enrolls again."""
    user = await find_user(repos, user_ref)
    return user.user_id, await repos.mfa.reset(user.user_id)
