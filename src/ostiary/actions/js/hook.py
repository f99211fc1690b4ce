"""A JavaScript Action as a hook: run it in the tenant's worker, then replay what it called onto the Python `api`.

The JavaScript `api` only records (`["accessToken.setCustomClaim", name, value]`, ...); the Python api objects
of actions/api.py apply them, so Auth0's rules (restricted claims, scope handling, metadata batching) live once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from ostiary.actions.event import EventNode
from ostiary.actions.js.pool import ActionFailed, JsPool
from ostiary.store.repositories.actions import ActionSpec

log = logging.getLogger("ostiary.actions")

ENTRY_POINTS = {
    "post-login": "onExecutePostLogin",
    "credentials-exchange": "onExecuteCredentialsExchange",
    "custom-token-exchange": "onExecuteCustomTokenExchange",
}
# What each trigger's JavaScript api may record, and the Python api method that applies it.
REPLAY: dict[str, dict[str, tuple[str, str]]] = {
    "post-login": {
        "access.deny": ("access", "deny"),
        "accessToken.setCustomClaim": ("access_token", "set_custom_claim"),
        "accessToken.addScope": ("access_token", "add_scope"),
        "accessToken.removeScope": ("access_token", "remove_scope"),
        "idToken.setCustomClaim": ("id_token", "set_custom_claim"),
        "user.setAppMetadata": ("user", "set_app_metadata"),
        "user.setUserMetadata": ("user", "set_user_metadata"),
        "authentication.setPrimaryUser": ("authentication", "set_primary_user"),
        "redirect.sendUserTo": ("redirect", "send_user_to"),
        "refreshToken.revoke": ("refresh_token", "revoke"),
        "session.revoke": ("session", "revoke"),
    },
    "credentials-exchange": {
        "access.deny": ("access", "deny"),
        "accessToken.setCustomClaim": ("access_token", "set_custom_claim"),
    },
    "custom-token-exchange": {
        "access.deny": ("access", "deny"),
        "access.rejectInvalidSubjectToken": ("access", "reject_invalid_subject_token"),
        "authentication.setUserById": ("authentication", "set_user_by_id"),
        "authentication.setUserByConnection": ("authentication", "set_user_by_connection"),
        "user.setAppMetadata": ("user", "set_app_metadata"),
        "user.setUserMetadata": ("user", "set_user_metadata"),
    },
}
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


def code_key(spec: ActionSpec) -> str:
    """Identifies one version of an action's code and dependencies (a worker keeps it loaded under this key)."""
    digest = hashlib.sha256((spec.code or "").encode())
    digest.update(json.dumps(spec.modules, sort_keys=True).encode())
    return f"{spec.name}:{digest.hexdigest()[:32]}"


def replay(trigger: str, calls: Any, api: Any) -> None:
    allowed = REPLAY[trigger]
    for call in calls if isinstance(calls, list) else []:
        if not isinstance(call, list) or not call or call[0] not in allowed:
            raise ActionFailed(f"the action recorded an unknown api call {str(call)[:80]!r}")
        part, method = allowed[call[0]]
        getattr(getattr(api, part), method)(*call[1:])


def js_hook(
    pool: JsPool, tenant_id: str, spec: ActionSpec, trigger: str, time_limit: float
) -> Callable[[EventNode, Any], Awaitable[None]]:
    key = code_key(spec)
    assert spec.code is not None
    code = spec.code

    async def run(event: EventNode, api: Any) -> None:
        extra: dict[str, Any] = getattr(api, "js_context", dict)()
        payload = {
            "trigger": trigger, "entry": extra.pop("entry", ENTRY_POINTS[trigger]), "event": event.to_dict(),
            "cache": pool.cache.snapshot(tenant_id, spec.name), "seed": secrets.token_hex(32), **extra,
        }
        result = await pool.run(tenant_id, key, code, spec.modules, payload, time_limit)
        for level, line in result.get("logs") or []:
            log.log(_LEVELS.get(str(level), logging.INFO), str(line),
                    extra={"tenant_id": tenant_id, "action": spec.name, "trigger": trigger})
        if "cache" in result:
            pool.cache.store(tenant_id, spec.name, result["cache"])
        if result.get("error"):
            raise ActionFailed(str(result["error"]))
        replay(trigger, result.get("calls"), api)

    return run
