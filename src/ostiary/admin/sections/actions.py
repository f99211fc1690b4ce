"""Deploy CLI keys `actions` and `triggers`: actions with their code files, secrets and per-trigger order.

    actions:
      - name: add-roles
        code: ./actions/add-roles/code.js     # relative to the import file (JavaScript, as Auth0 writes it)
        runtime: node18                        # any node* runtime runs in Ostiary's V8; .py code is Python
        dependencies: [{name: uuid, version: 9.0.1}]
        supported_triggers: [{id: post-login, version: v3}]
        secrets: [{name: API_KEY, value: "..."}]   # a secret without value keeps the stored one
      - name: from-package
        module: mypackage.hooks:add_claims   # Ostiary extension: a hook imported by module path
        supported_triggers: [{id: credentials-exchange, version: v2}]
    triggers:
      post-login: [{action_name: add-claims, display_name: add-claims}]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ostiary import entities
from ostiary.admin.actions import (
    TRIGGER_VERSIONS,
    ActionSource,
    deploy_action,
    merge_secrets,
    parse_dependencies,
    parse_trigger_ids,
    runtime_for,
)
from ostiary.admin.sections.base import AdminContext
from ostiary.admin.session import AdminSession
from ostiary.errors import AdminError
from ostiary.store.repositories.actions import TRIGGERS

CODE_SUFFIXES = (".js", ".py")


def _code(index: int, item: dict[str, Any], sources: dict[str, str]) -> str:
    """The text admin/a0deploy/files.py read from the file that `code` named: JavaScript or Python."""
    source = sources.get(f"actions[{index}].code")
    if source is None or not isinstance(item.get("code"), str):
        raise AdminError(f"actions[{index}].code: a path to a .js or .py file")
    if not source.endswith(CODE_SUFFIXES):
        raise AdminError(f"actions[{index}].code: {source!r} is not a .js or .py file")
    return str(item["code"])


async def apply_actions(
    admin: AdminSession, tenant: entities.Tenant, items: Any, sources: dict[str, str]
) -> None:
    """Create or replace each listed hook (others are left alone); `code` is the file's text already read,
    `sources` says which file it was (AdminContext.file_sources)."""
    if not isinstance(items, list):
        raise AdminError("actions: expected a list")
    actions = admin.repos(tenant).actions
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not item.get("name"):
            raise AdminError(f"actions[{index}].name: required")
        name = str(item["name"])
        module = item.get("module")
        code = None if module else _code(index, item, sources)
        existing = await actions.by_name(name)
        secrets = merge_secrets(f"actions[{index}]", item.get("secrets") or [], existing)
        source = ActionSource(
            code=code, module_path=module,
            runtime=None if module else runtime_for(sources[f"actions[{index}].code"], item.get("runtime")),
            dependencies=parse_dependencies(f"actions[{index}]", item.get("dependencies")),
        )
        await deploy_action(
            admin.repos(tenant), admin.settings, name,
            supported_triggers=parse_trigger_ids(f"actions[{index}]", item.get("supported_triggers")),
            source=source, secrets=secrets,
        )


async def apply_triggers(admin: AdminSession, tenant: entities.Tenant, items: Any, base_dir: Path) -> None:
    """Each listed trigger gets exactly the listed hooks, in order."""
    if not isinstance(items, dict):
        raise AdminError("triggers: expected a mapping of trigger id → list of {action_name}")
    actions = admin.repos(tenant).actions
    for trigger, bindings in items.items():
        if not isinstance(bindings, list):
            raise AdminError(f"triggers.{trigger}: expected a list")
        names = []
        for position, binding in enumerate(bindings):
            name = binding.get("action_name") if isinstance(binding, dict) else None
            if not name:
                raise AdminError(f"triggers.{trigger}[{position}].action_name: required")
            names.append(str(name))
        await actions.bind(str(trigger), names)


async def export_action_items(admin: AdminSession, tenant: entities.Tenant, base_dir: Path) -> list[dict[str, Any]]:
    """The `actions` key; stored code goes to base_dir/actions/<name>/code.js (the Deploy CLI's layout) or
    base_dir/actions/<name>.py. Secret values are not exported (a re-import keeps the stored values)."""
    repos = admin.repos(tenant)
    out: list[dict[str, Any]] = []
    for spec in await repos.actions.all():
        item: dict[str, Any] = {"name": spec.name}
        if spec.module_path:
            item["module"] = spec.module_path
        else:
            relative = f"actions/{spec.name}/code.js" if spec.is_javascript else f"actions/{spec.name}.py"
            target = base_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(spec.code or "", encoding="utf-8")
            item["code"] = f"./{relative}"
            if spec.is_javascript:
                item["runtime"] = spec.runtime
            if spec.dependencies:
                item["dependencies"] = [dict(d) for d in spec.dependencies]
        item["supported_triggers"] = [{"id": t, "version": TRIGGER_VERSIONS[t]} for t in spec.supported_triggers]
        if spec.secrets:
            item["secrets"] = [{"name": k} for k in sorted(spec.secrets)]
        out.append(item)
    return out


async def export_trigger_bindings(admin: AdminSession, tenant: entities.Tenant) -> dict[str, Any]:
    """The `triggers` key: each trigger's bound actions, in order."""
    repos = admin.repos(tenant)
    triggers: dict[str, Any] = {}
    for trigger in TRIGGERS:
        names = await repos.actions.bound_names(trigger)
        if names:
            triggers[trigger] = [{"action_name": n, "display_name": n} for n in names]
    return triggers


async def export_actions(admin: AdminSession, tenant: entities.Tenant, base_dir: Path) -> dict[str, Any]:
    """Both keys, `actions` and `triggers`."""
    return {
        "actions": await export_action_items(admin, tenant, base_dir),
        "triggers": await export_trigger_bindings(admin, tenant),
    }


# The Section contract of admin/import_file.py for the `actions` key (`triggers` is sections/triggers.py).
KEY = "actions"


async def apply(ctx: AdminContext, items: Any) -> None:
    await apply_actions(ctx.admin, ctx.require_tenant(), items, ctx.file_sources)


async def export(ctx: AdminContext) -> list[dict[str, Any]]:
    return await export_action_items(ctx.admin, ctx.require_tenant(), ctx.base_dir)
