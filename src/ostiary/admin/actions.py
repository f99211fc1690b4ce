"""Deploying an action: the one use case behind `ostiary actions add`, an import's `actions` key and (later)
the Management API's actions endpoints. One validation, one error wording.

JavaScript (a Node runtime) is checked before it is stored: its npm dependencies are resolved, the code and
every dependency are loaded in a throw-away V8 worker, and the code must export the entry point of each
supported trigger. Python source is refused unless the operator trusts tenant admins with the server.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ostiary.actions.js import npm
from ostiary.actions.js.hook import ENTRY_POINTS
from ostiary.actions.js.pool import JsPool
from ostiary.actions.registry import PYTHON_SOURCE_REFUSED
from ostiary.errors import AdminError
from ostiary.settings import Settings
from ostiary.store.repos import Repos
from ostiary.store.repositories.actions import ActionSpec, is_node_runtime

DEFAULT_NODE_RUNTIME = "node22"
# Auth0: action code at most 100 kB (dependencies excluded).
MAX_CODE_BYTES = 100 * 1024
NPM_NAME = re.compile(r"^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]{0,213}$")
NPM_VERSION = re.compile(r"^[A-Za-z0-9^~<>=*.|+ -]{1,64}$")


@dataclass
class ActionSource:
    """What is deployed: source code with its runtime and dependencies, or a module path."""

    code: str | None = None
    runtime: str | None = None
    module_path: str | None = None
    dependencies: list[dict[str, str]] = field(default_factory=list)


def runtime_for(code_path: str | None, runtime: Any) -> str:
    """The declared runtime, or the language the file name says (.js → node22, .py → python)."""
    if isinstance(runtime, str) and runtime:
        return runtime
    return "python" if code_path and code_path.endswith(".py") else DEFAULT_NODE_RUNTIME


def parse_dependencies(where: str, raw: Any) -> list[dict[str, str]]:
    if raw in (None, []):
        return []
    if not isinstance(raw, list):
        raise AdminError(f"{where}.dependencies: a list of {{name, version}}")
    out = []
    for i, dep in enumerate(raw):
        name = dep.get("name") if isinstance(dep, dict) else None
        version = str(dep.get("version") or "latest") if isinstance(dep, dict) else ""
        if not isinstance(name, str) or not NPM_NAME.match(name):
            raise AdminError(f"{where}.dependencies[{i}].name: {name!r} is not an npm package name")
        if not NPM_VERSION.match(version) or version.startswith("-"):
            raise AdminError(f"{where}.dependencies[{i}].version: {version!r} is not an npm version or range")
        out.append({"name": name, "version": version})
    return out


async def check_javascript(settings: Settings, name: str, source: ActionSource, triggers: list[str]) -> dict[str, str]:
    """Resolve the dependencies and load everything once; returns the dependencies' files."""
    code = source.code or ""
    if len(code.encode()) > MAX_CODE_BYTES:
        raise AdminError(f"action {name}: the code is larger than {MAX_CODE_BYTES} bytes")
    unsupported = [t for t in triggers if t not in ENTRY_POINTS]
    if unsupported:
        raise AdminError(f"action {name}: JavaScript actions do not run for {', '.join(unsupported)} in Ostiary")
    folder = Path(settings.actions_npm_folder) if settings.actions_npm_folder else None
    modules = await asyncio.to_thread(npm.resolve, source.dependencies, folder)
    pool = JsPool(settings)
    try:
        answer = await pool.check(code, modules, [d["name"] for d in source.dependencies])
    finally:
        await pool.close()
    if "error" in answer:
        raise AdminError(f"action {name}: the code does not load: {answer['error']}")
    exports = set(answer.get("exports") or [])
    for trigger in triggers:
        if ENTRY_POINTS[trigger] not in exports:
            raise AdminError(f"action {name}: the code does not export {ENTRY_POINTS[trigger]} ({trigger})")
    return modules


async def deploy_action(
    repos: Repos, settings: Settings, name: str, *, supported_triggers: list[str], source: ActionSource,
    secrets: dict[str, str] | None = None,
) -> ActionSpec:
    """Create or replace an action after checking it; nothing is stored when a check fails."""
    modules: dict[str, str] = {}
    if source.code is not None and is_node_runtime(source.runtime):
        modules = await check_javascript(settings, name, source, supported_triggers)
    elif source.code is not None and not settings.trust_tenant_python:
        raise AdminError(f"action {name}: {PYTHON_SOURCE_REFUSED}")
    elif source.code is None and source.dependencies:
        raise AdminError(f"action {name}: dependencies need JavaScript code")
    return await repos.actions.upsert(
        name, supported_triggers=supported_triggers, code=source.code, module_path=source.module_path,
        secrets=secrets, runtime=source.runtime if source.code is not None else None,
        dependencies=source.dependencies, modules=modules,
    )


async def bind_last(repos: Repos, name: str, triggers: list[str]) -> None:
    """Append the action to each trigger's order (custom-token-exchange actions are reached through a profile)."""
    for trigger in triggers:
        names = await repos.actions.bound_names(trigger)
        if trigger != "custom-token-exchange" and name not in names:
            await repos.actions.bind(trigger, [*names, name])
