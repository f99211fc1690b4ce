"""Which hooks run for a tenant and trigger, in binding order, loaded once per process.

A hook is one of:
- a JavaScript Action (stored source, a Node runtime): run in the tenant's V8 worker process (actions/js);
- a function imported from `package.module:function`: the operator's own trusted code, in the server;
- stored Python source: compiled once per process (keyed by its SHA-256), only when the operator set
  OSTIARY_TRUST_TENANT_PYTHON (it runs with the server's rights); refused otherwise.
Loading (imports, compiles) happens in a worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ostiary.actions.js.hook import ENTRY_POINTS, js_hook
from ostiary.oauth.context import TenantContext
from ostiary.store.repos import Repos
from ostiary.store.repositories.actions import ActionSpec

log = logging.getLogger("ostiary.hooks")

POST_LOGIN = "post-login"
CREDENTIALS_EXCHANGE = "credentials-exchange"
CUSTOM_TOKEN_EXCHANGE = "custom-token-exchange"
FUNCTION_NAMES = {
    POST_LOGIN: ("on_execute_post_login", "onExecutePostLogin"),
    CREDENTIALS_EXCHANGE: ("on_execute_credentials_exchange", "onExecuteCredentialsExchange"),
    CUSTOM_TOKEN_EXCHANGE: ("on_execute_custom_token_exchange", "onExecuteCustomTokenExchange"),
}

# Compiled stored sources, by SHA-256 of the source: one compile per process per version.
_COMPILED: dict[str, dict[str, Any]] = {}


@dataclass(frozen=True)
class Hook:
    name: str
    fn: Callable[..., Any] | None
    is_async: bool = False
    secrets: dict[str, str] = field(default_factory=dict)
    # Why fn is None (the hook then fails closed at run time, naming itself in the log).
    error: str | None = None
    tenant_id: str = ""
    # JavaScript Actions enforce their own time limit in the worker pool (worker start-up is not counted).
    limits_itself: bool = False


def _from_module(path: str) -> Callable[..., Any]:
    module_name, _, attr = path.partition(":")
    fn = getattr(importlib.import_module(module_name), attr)
    if not callable(fn):
        raise TypeError(f"{path} is not callable")
    return fn  # type: ignore[no-any-return]


def _from_source(name: str, code: str, trigger: str) -> Callable[..., Any]:
    key = hashlib.sha256(code.encode()).hexdigest()
    namespace = _COMPILED.get(key)
    if namespace is None:
        namespace = {"__name__": f"ostiary_action_{key[:12]}"}
        # Stored hook source is tenant configuration written by an administrator (like a module path),
        # never request data (HK-03).
        exec(compile(code, f"<action {name}>", "exec"), namespace)  # noqa: S102
        _COMPILED[key] = namespace
    for fn_name in FUNCTION_NAMES[trigger]:
        fn = namespace.get(fn_name)
        if callable(fn):
            return fn  # type: ignore[no-any-return]
    raise LookupError(f"the source defines no {FUNCTION_NAMES[trigger][0]}")


PYTHON_SOURCE_REFUSED = (
    "Python source hooks are refused: they would run inside the server (set OSTIARY_TRUST_TENANT_PYTHON=true "
    "to trust every tenant admin with the whole server, or deploy the hook as JavaScript)"
)


def load(spec: ActionSpec, trigger: str, *, tenant_id: str = "", trust_python: bool = False) -> Hook:
    """Import or compile a Python hook; a hook that cannot load is kept, failing closed when it would run."""
    try:
        if spec.module_path:
            fn = _from_module(spec.module_path)
        elif not trust_python:
            raise PermissionError(PYTHON_SOURCE_REFUSED)
        else:
            fn = _from_source(spec.name, spec.code or "", trigger)
    except Exception as exc:  # any import/compile error: the login must fail, not the server
        log.error("hook failed to load", extra={"hook": spec.name, "trigger": trigger, "error": repr(exc)})
        return Hook(name=spec.name, fn=None, secrets=spec.secrets, error=repr(exc), tenant_id=tenant_id)
    return Hook(
        name=spec.name, fn=fn, is_async=inspect.iscoroutinefunction(fn), secrets=spec.secrets, tenant_id=tenant_id
    )


async def _load(ctx: TenantContext, spec: ActionSpec, trigger: str) -> Hook:
    settings = ctx.state.settings
    if spec.is_javascript:
        assert ctx.state.js is not None
        if trigger not in ENTRY_POINTS:
            error = f"JavaScript has no {trigger} entry point"
            return Hook(name=spec.name, fn=None, error=error, tenant_id=ctx.tenant.id)
        fn = js_hook(ctx.state.js, ctx.tenant.id, spec, trigger, settings.hook_timeout_seconds)
        return Hook(
            name=spec.name, fn=fn, is_async=True, secrets=spec.secrets, tenant_id=ctx.tenant.id, limits_itself=True
        )
    # Importing a module or compiling source runs its top-level code: never on the event loop.
    return await asyncio.to_thread(
        load, spec, trigger, tenant_id=ctx.tenant.id, trust_python=settings.trust_tenant_python
    )


async def hooks_for(ctx: TenantContext, trigger: str) -> tuple[Hook, ...]:
    """The trigger's hooks in binding order; cached per process (settings.cache_ttl_seconds)."""

    async def load_bound(repos: Repos) -> tuple[Hook, ...]:
        return tuple([await _load(ctx, spec, trigger) for spec in await repos.actions.bound(trigger)])

    hooks = await ctx.state.caches.hooks.get_or_load((ctx.tenant.id, trigger), lambda: ctx.read(load_bound))
    assert hooks is not None
    return hooks


async def hook_named(ctx: TenantContext, name: str, trigger: str) -> Hook | None:
    """One hook by action name (a custom token exchange profile names its action)."""
    key = (ctx.tenant.id, f"{trigger}:{name}")
    cached = ctx.state.caches.hooks.get(key)
    if cached is None:
        spec = await ctx.repos.actions.by_name(name)
        cached = (await _load(ctx, spec, trigger),) if spec and trigger in spec.supported_triggers else ()
        ctx.state.caches.hooks.set(key, cached)
    return cached[0] if cached else None
