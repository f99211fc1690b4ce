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
from ostiary.errors import AdminConflictError, AdminError, AdminNotFoundError
from ostiary.settings import Settings
from ostiary.store.repos import Repos
from ostiary.store.repositories.actions import TRIGGERS, ActionSpec, is_node_runtime

DEFAULT_NODE_RUNTIME = "node22"
# Auth0: action code at most 100 kB (dependencies excluded).
MAX_CODE_BYTES = 100 * 1024
NPM_NAME = re.compile(r"(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]{0,213}")
NPM_VERSION = re.compile(r"[A-Za-z0-9^~<>=*.|+ -]{1,64}")


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


def parse_trigger_ids(where: str, raw: Any) -> list[str]:
    """Auth0's supported_triggers, [{id, version}, ...] (bare ids accepted), as trigger ids."""
    if not isinstance(raw, list) or not raw:
        raise AdminError(f"{where}.supported_triggers: a non-empty list of {{id, version}}")
    ids = [t.get("id") if isinstance(t, dict) else t for t in raw]
    for trigger in ids:
        if trigger not in TRIGGERS:
            raise AdminError(f"{where}.supported_triggers: {trigger!r} is not one of {', '.join(TRIGGERS)}")
    return [str(t) for t in ids]


def merge_secrets(where: str, raw: Any, existing: ActionSpec | None) -> dict[str, str]:
    """Auth0's secrets, [{name, value}, ...]; a secret without value keeps the stored one."""
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise AdminError(f"{where}.secrets: a list of {{name, value}}")
    secrets: dict[str, str] = {}
    for secret in raw:
        if not isinstance(secret, dict) or not secret.get("name"):
            raise AdminError(f"{where}.secrets: each needs a name")
        value = secret.get("value")
        if value is None:
            if existing is None or secret["name"] not in existing.secrets:
                raise AdminError(f"{where}.secrets: {secret['name']!r} has no value")
            value = existing.secrets[secret["name"]]
        secrets[str(secret["name"])] = str(value)
    return secrets


def parse_dependencies(where: str, raw: Any) -> list[dict[str, str]]:
    if raw in (None, []):
        return []
    if not isinstance(raw, list):
        raise AdminError(f"{where}.dependencies: a list of {{name, version}}")
    out = []
    for i, dep in enumerate(raw):
        name = dep.get("name") if isinstance(dep, dict) else None
        version = str(dep.get("version") or "latest") if isinstance(dep, dict) else ""
        if not isinstance(name, str) or not NPM_NAME.fullmatch(name):
            raise AdminError(f"{where}.dependencies[{i}].name: {name!r} is not an npm package name")
        if not NPM_VERSION.fullmatch(version) or version.startswith("-"):
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


# -- the Management API's door (Auth0's action and binding bodies) ---------------------------------------------

NODE_RUNTIMES = ("node18", "node18-actions", "node22")
TRIGGER_VERSIONS = {"post-login": "v3", "credentials-exchange": "v2", "custom-token-exchange": "v1"}
ACTION_FIELDS = frozenset({"name", "code", "runtime", "dependencies", "secrets", "supported_triggers"})
# Read-only fields Auth0 lists and tools send back (a0deploy strips some, not all): accepted, ignored.
ACTION_READ_ONLY = frozenset({"id", "deployed", "status", "all_changes_deployed", "created_at", "updated_at"})


async def save_action(
    repos: Repos, settings: Settings, body: dict[str, Any], existing: ActionSpec | None
) -> ActionSpec:
    """POST /actions/actions (existing None) or PATCH (the fields sent replace the stored ones): JavaScript
    only, checked and stored by deploy_action."""
    unknown = sorted(set(body) - ACTION_FIELDS - ACTION_READ_ONLY)
    if unknown:
        raise AdminError(f"action.{unknown[0]}: unknown field")
    name = body.get("name", existing.name if existing else None)
    if not isinstance(name, str) or not name.strip():
        raise AdminError("action.name: required (a non-empty string)")
    if existing is not None and name != existing.name:
        raise AdminError("action.name: cannot be changed in Ostiary (create an action under the new name)")
    if existing is None and await repos.actions.by_name(name) is not None:
        raise AdminConflictError(f"action.name: {name!r} exists already")
    code = body.get("code", existing.code if existing else None)
    if not isinstance(code, str):
        raise AdminError("action.code: required (JavaScript source)")
    runtime = body.get("runtime", existing.runtime if existing else None) or DEFAULT_NODE_RUNTIME
    if runtime not in NODE_RUNTIMES:
        raise AdminError(f"action.runtime: {runtime!r} is not one of {', '.join(NODE_RUNTIMES)}")
    triggers = (parse_trigger_ids("action", body.get("supported_triggers"))
                if existing is None or "supported_triggers" in body else list(existing.supported_triggers))
    dependencies = (parse_dependencies("action", body.get("dependencies"))
                    if existing is None or "dependencies" in body else list(existing.dependencies))
    secrets = (merge_secrets("action", body.get("secrets"), existing)
               if existing is None or "secrets" in body else dict(existing.secrets))
    source = ActionSource(code=code, runtime=runtime, dependencies=dependencies)
    return await deploy_action(repos, settings, name, supported_triggers=triggers, source=source, secrets=secrets)


async def bind_refs(repos: Repos, trigger: str, raw: Any) -> list[str]:
    """Auth0's PATCH /actions/triggers/{trigger}/bindings body → the trigger's new order of action names."""
    if trigger not in TRIGGERS:
        raise AdminNotFoundError(f"trigger: {trigger!r} is not one of {', '.join(TRIGGERS)}", kind="trigger")
    if not isinstance(raw, list):
        raise AdminError("bindings: a list of {ref: {type, value}, display_name}")
    names = []
    for i, binding in enumerate(raw):
        ref = binding.get("ref") if isinstance(binding, dict) else None
        kind = ref.get("type") if isinstance(ref, dict) else None
        value = ref.get("value") if isinstance(ref, dict) else None
        if kind not in ("action_name", "action_id") or not isinstance(value, str):
            raise AdminError(f"bindings[{i}].ref: expected {{type: action_name or action_id, value}}")
        spec = await (repos.actions.by_name(value) if kind == "action_name" else repos.actions.by_id(value))
        if spec is None:
            raise AdminError(f"bindings[{i}].ref: no action with {kind} {value!r}")
        names.append(spec.name)
    await repos.actions.bind(trigger, names)
    return names
