"""`ostiary actions list|add|remove|order` and `ostiary token-exchange-profiles create|list|delete`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ostiary.admin.actions import ActionSource, bind_last, deploy_action, parse_dependencies, runtime_for
from ostiary.admin.session import AdminSession
from ostiary.cli._common import JsonOpt, TenantOpt, done, emit, fail, run_admin
from ostiary.store.repositories.actions import TRIGGERS, ActionSpec, ExchangeProfile

app = typer.Typer(help="Actions (JavaScript, or Python hooks) and their order per trigger.", no_args_is_help=True)
profiles_app = typer.Typer(help="Custom token exchange profiles: subject_token_type → hook.", no_args_is_help=True)


def action_view(spec: ActionSpec, bound: dict[str, list[str]]) -> dict[str, Any]:
    """Secrets are listed by name only: their values never leave the store."""
    return {
        "name": spec.name,
        "supported_triggers": list(spec.supported_triggers),
        "module_path": spec.module_path,
        "code": "stored" if spec.code is not None else None,
        "runtime": spec.runtime,
        "dependencies": list(spec.dependencies),
        "secrets": sorted(spec.secrets),
        "bound": [t for t, names in bound.items() if spec.name in names],
    }


def _parse_secrets(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            fail(f"--secret: {pair.split('=')[0]!r} is not KEY=VALUE")
        out[key] = value
    return out


def _parse_dependency(text: str) -> dict[str, str]:
    name, sep, version = text.rpartition("@") if text.rfind("@") > 0 else (text, "", "latest")
    return {"name": name, "version": version} if sep else {"name": text, "version": "latest"}


@app.command("list")
def list_(tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    """List hooks with their triggers, and where each is bound."""

    async def go(admin: AdminSession) -> list[dict[str, Any]]:
        _, repos = await admin.tenant_repos(tenant)
        bound = {t: await repos.actions.bound_names(t) for t in TRIGGERS}
        return [action_view(spec, bound) for spec in await repos.actions.all()]

    emit(
        run_admin(go), as_json=as_json,
        text=lambda rows: "\n".join(
            f"{r['name']}\t{','.join(r['supported_triggers'])}\t{r['module_path'] or 'code'}\t"
            f"bound: {','.join(r['bound']) or '-'}"
            for r in rows
        ),
    )


@app.command("add")
def add(
    tenant: TenantOpt,
    name: Annotated[str, typer.Option("--name", help="Hook name (unique in the tenant).")],
    trigger: Annotated[list[str], typer.Option("--trigger", help=f"One of {', '.join(TRIGGERS)} (repeatable).")],
    module: Annotated[str | None, typer.Option("--module", help="package.module:function")] = None,
    code_file: Annotated[
        Path | None, typer.Option("--code-file", help="A .js Action (exports.onExecute...) or a .py hook.")
    ] = None,
    runtime: Annotated[str | None, typer.Option("--runtime", help="node22 (default for .js) or python.")] = None,
    dependency: Annotated[
        list[str] | None, typer.Option("--dependency", help="npm NAME@VERSION for a .js Action (repeatable).")
    ] = None,
    secret: Annotated[list[str] | None, typer.Option("--secret", help="KEY=VALUE (repeatable).")] = None,
    bind: Annotated[bool, typer.Option("--bind/--no-bind", help="Append to the trigger's order.")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Add or replace a hook; with --bind (default) it runs last for its triggers (custom-token-exchange hooks
    are reached through a profile instead)."""
    if (module is None) == (code_file is None):
        fail("give exactly one of --module or --code-file")
    code = code_file.read_text(encoding="utf-8") if code_file else None
    secrets = _parse_secrets(secret or [])

    async def go(admin: AdminSession) -> dict[str, Any]:
        source = ActionSource(
            code=code, module_path=module,
            runtime=runtime_for(code_file.name, runtime) if code_file else None,
            dependencies=parse_dependencies("--dependency", [_parse_dependency(d) for d in dependency or []]),
        )
        _, repos = await admin.tenant_repos(tenant)
        spec = await deploy_action(repos, admin.settings, name, supported_triggers=trigger, source=source,
                                   secrets=secrets)
        if bind:
            await bind_last(repos, name, trigger)
        bound = {t: await repos.actions.bound_names(t) for t in TRIGGERS}
        return action_view(spec, bound)

    emit(
        run_admin(go), as_json=as_json,
        text=lambda r: f"saved hook {r['name']} (bound: {','.join(r['bound']) or '-'})",
    )


@app.command("remove")
def remove(
    tenant: TenantOpt, name: Annotated[str, typer.Argument(help="Hook name.")], as_json: JsonOpt = False
) -> None:
    """Delete a hook and its bindings."""

    async def go(admin: AdminSession) -> None:
        _, repos = await admin.tenant_repos(tenant)
        await repos.actions.delete(name)

    run_admin(go)
    done(f"removed hook {name}", as_json=as_json, deleted=name)


@app.command("order")
def order(
    tenant: TenantOpt,
    trigger: Annotated[str, typer.Argument(help=f"One of {', '.join(TRIGGERS)}.")],
    names: Annotated[list[str] | None, typer.Argument(help="Hook names in run order (none: unbind all).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Set which hooks run for a trigger, in this order."""

    async def go(admin: AdminSession) -> list[str]:
        _, repos = await admin.tenant_repos(tenant)
        await repos.actions.bind(trigger, names or [])
        return await repos.actions.bound_names(trigger)

    bound = run_admin(go)
    emit({"trigger": trigger, "actions": bound}, as_json=as_json,
         text=lambda _: f"{trigger}: {' → '.join(bound) or '(none)'}")


@profiles_app.command("create")
def create_profile(
    tenant: TenantOpt,
    name: Annotated[str, typer.Option("--name", help="Profile name (3–50 characters).")],
    subject_token_type: Annotated[str, typer.Option("--subject-token-type", help="A URI in your namespace.")],
    action: Annotated[str, typer.Option("--action", help="A hook with the custom-token-exchange trigger.")],
    as_json: JsonOpt = False,
) -> None:
    """Map a subject_token_type to the hook that validates it."""

    async def go(admin: AdminSession) -> ExchangeProfile:
        _, repos = await admin.tenant_repos(tenant)
        return await repos.token_exchange_profiles.create(
            name=name, subject_token_type=subject_token_type, action_name=action
        )

    emit(run_admin(go), as_json=as_json, text=_profile_text)


def _profile_text(p: ExchangeProfile) -> str:
    return f"{p.name}\t{p.subject_token_type}\t{p.action_name}"


@profiles_app.command("list")
def list_profiles(tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    """List custom token exchange profiles."""

    async def go(admin: AdminSession) -> list[ExchangeProfile]:
        _, repos = await admin.tenant_repos(tenant)
        return await repos.token_exchange_profiles.all()

    emit(run_admin(go), as_json=as_json, text=lambda ps: "\n".join(_profile_text(p) for p in ps))


@profiles_app.command("delete")
def delete_profile(
    tenant: TenantOpt, name: Annotated[str, typer.Argument(help="Profile name.")], as_json: JsonOpt = False
) -> None:
    """Delete a profile (its subject_token_type becomes unsupported)."""

    async def go(admin: AdminSession) -> None:
        _, repos = await admin.tenant_repos(tenant)
        await repos.token_exchange_profiles.delete(name)

    run_admin(go)
    done(f"deleted profile {name}", as_json=as_json, deleted=name)
