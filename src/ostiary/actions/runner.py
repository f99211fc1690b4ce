"""Run hooks in order, each time-boxed; fail closed on an exception or a timeout (security catalogue HK-01)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from ostiary.actions.event import EventNode
from ostiary.actions.js.pool import ActionFailed
from ostiary.actions.outcome import Outcome
from ostiary.actions.registry import Hook
from ostiary.actions.threads import run_in_own_thread

log = logging.getLogger("ostiary.hooks")

# What the client is told when a hook fails; the log line names the hook and the cause.
HOOK_FAILED_REASON = "The request was denied because a hook failed"
# Auth0 "Create custom claims": the custom-claims payload is capped at 100 KB.
MAX_CUSTOM_CLAIMS_BYTES = 100 * 1024

ApiFactory = Callable[[Outcome, str], Any]


def failed(trigger: str, hook: str, cause: str) -> Outcome:
    log.error("hook failed; request denied", extra={"hook": hook, "trigger": trigger, "cause": cause})
    return Outcome(deny_reason=HOOK_FAILED_REASON, deny_error="access_denied")


async def _call(hook: Hook, event: EventNode, api: Any, limit: float) -> None:
    assert hook.fn is not None
    if hook.limits_itself:
        await hook.fn(event, api)
        return
    if hook.is_async:
        await asyncio.wait_for(hook.fn(event, api), limit)
        return
    # A plain def runs on a thread of its own, ended at its time limit (actions/threads.py).
    result = await run_in_own_thread(hook.tenant_id, hook.fn, (event, api), limit)
    if asyncio.iscoroutine(result):  # a plain def returning a coroutine
        await asyncio.wait_for(result, limit)


async def run_hooks(
    trigger: str, hooks: Iterable[Hook], event: EventNode, make_api: ApiFactory, *, time_limit: float,
    outcome: Outcome | None = None, first_index: int = 0,
) -> Outcome:
    """Each hook sees the same event (with its own secrets) and records into one Outcome; a deny stops the rest,
    and so does a redirect (the login resumes at /continue; redirect_hook says which hook asked)."""
    outcome = outcome or Outcome()
    for index, hook in enumerate(hooks, start=first_index):
        if hook.fn is None:
            return failed(trigger, hook.name, f"did not load: {hook.error}")
        try:
            await _call(hook, event.with_values(secrets=hook.secrets), make_api(outcome, hook.name), time_limit)
        except TimeoutError:
            return failed(trigger, hook.name, f"timed out after {time_limit}s")
        except ActionFailed as exc:
            return failed(trigger, hook.name, str(exc))
        except (Exception, SystemExit) as exc:  # a hook's bug denies the request; it never becomes a 500
            return failed(trigger, hook.name, repr(exc))
        if outcome.denied:
            log.info("hook denied the request", extra={"hook": hook.name, "trigger": trigger})
            return outcome
        if outcome.redirect_url is not None:
            outcome.redirect_hook = index
            return outcome
    try:
        size = _claims_size(outcome)
    except (TypeError, ValueError) as exc:
        # A value that is not JSON (an object, a set, NaN) would fail later while storing or signing: fail
        # closed here, as for any broken hook (catalogue HK-01).
        return failed(trigger, "(all)", f"custom claims are not JSON: {exc}")
    if size > MAX_CUSTOM_CLAIMS_BYTES:
        return failed(trigger, "(all)", f"custom claims payload is {size} bytes (limit {MAX_CUSTOM_CLAIMS_BYTES})")
    return outcome


def _claims_size(outcome: Outcome) -> int:
    if not outcome.access_token_claims and not outcome.id_token_claims:
        return 0
    claims = [outcome.access_token_claims, outcome.id_token_claims]
    return len(json.dumps(claims, allow_nan=False).encode())
