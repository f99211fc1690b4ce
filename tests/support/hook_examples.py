"""Hooks imported by module path in tests (`tests.support.hook_examples:NAME`)."""

from __future__ import annotations

import time
from typing import Any


async def add_tier_claim(event: Any, api: Any) -> None:
    api.access_token.set_custom_claim("https://example.com/tier", event.client.metadata.get("tier", "free"))


def sync_claim(event: Any, api: Any) -> None:
    api.accessToken.setCustomClaim("https://example.com/sync", True)


def sync_sleeper(event: Any, api: Any) -> None:
    time.sleep(0.5)
    api.access_token.set_custom_claim("https://example.com/late", True)


async def credentials_claim(event: Any, api: Any) -> None:
    api.accessToken.setCustomClaim("https://example.com/caller", event.client.client_id)
    api.access_token.set_custom_claim("https://example.com/scopes", list(event.transaction.requested_scopes))


async def credentials_deny(event: Any, api: Any) -> None:
    api.access.deny("invalid_scope", "Scope not allowed for this caller")


async def raises(event: Any, api: Any) -> None:
    raise RuntimeError("boom")


def spin_forever(event: Any, api: Any) -> None:
    """A plain-def hook that never returns (pure Python: its time limit ends it)."""
    while True:
        pass


def sleep_forever(event: Any, api: Any) -> None:
    """A plain-def hook blocked in C for an hour (its thread stays, counted against its tenant only)."""
    time.sleep(3600)


async def async_sleeper(event: Any, api: Any) -> None:
    import asyncio

    await asyncio.sleep(1.5)
