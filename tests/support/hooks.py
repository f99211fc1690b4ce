"""Seed hooks into a test tenant through the real repository (what the CLI and the importer use)."""

from __future__ import annotations

from typing import Any

from tests.support.factories import TenantFixture


async def add_hook(
    tenant: TenantFixture,
    name: str,
    trigger: str,
    *,
    code: str | None = None,
    module_path: str | None = None,
    secrets: dict[str, str] | None = None,
    bind: bool = True,
) -> None:
    """Store the hook and, with bind, append it to the trigger's binding."""

    async def go(repos: Any) -> None:
        await repos.actions.upsert(
            name, supported_triggers=[trigger], code=code, module_path=module_path, secrets=secrets
        )
        if bind:
            await repos.actions.bind(trigger, [*await repos.actions.bound_names(trigger), name])

    await tenant.repos_call(go)


async def add_action(
    tenant: TenantFixture,
    name: str,
    trigger: str,
    code: str,
    *,
    secrets: dict[str, str] | None = None,
    dependencies: list[dict[str, str]] | None = None,
    runtime: str = "node22",
    bind: bool = True,
) -> None:
    """Deploy a JavaScript Action through the admin use case (the code is loaded and checked in a worker)."""
    from ostiary.admin.actions import ActionSource, bind_last, deploy_action

    source = ActionSource(code=code, runtime=runtime, dependencies=list(dependencies or []))

    async def go(repos: Any) -> None:
        await deploy_action(
            repos, tenant.state.settings, name, supported_triggers=[trigger], source=source, secrets=secrets
        )
        if bind:
            await bind_last(repos, name, [trigger])

    await tenant.repos_call(go)
