"""api.cache of JavaScript Actions: per tenant and action, in this process (Auth0: "not guaranteed across
executions"). The limits are Auth0's; the worker enforces them for the Action, and they are checked again here
because what a worker sends back is tenant-controlled."""

from __future__ import annotations

import time
from typing import Any

MAX_ENTRIES = 20
MAX_KEY_BYTES = 64
MAX_VALUE_BYTES = 4096
MAX_TOTAL_BYTES = 8192


class ActionCache:
    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], dict[str, Any]] = {}

    def snapshot(self, tenant_id: str, action: str) -> dict[str, Any]:
        now_ms = time.time() * 1000
        entries = self._entries.get((tenant_id, action), {})
        return {k: e for k, e in entries.items() if e["expires_at"] > now_ms}

    def store(self, tenant_id: str, action: str, entries: Any) -> None:
        if _valid(entries):
            self._entries[(tenant_id, action)] = entries


def _valid(entries: Any) -> bool:
    if not isinstance(entries, dict) or len(entries) > MAX_ENTRIES:
        return False
    total = 0
    for key, entry in entries.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("value"), str):
            return False
        if not isinstance(entry.get("expires_at"), int | float):
            return False
        key_bytes, value_bytes = len(key.encode()), len(entry["value"].encode())
        if key_bytes > MAX_KEY_BYTES or value_bytes > MAX_VALUE_BYTES:
            return False
        total += key_bytes + value_bytes
    return total <= MAX_TOTAL_BYTES
