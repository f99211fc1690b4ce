"""TTLCache.get_or_load: found values cached for the TTL; one reload per expiry while others get the old value."""

from __future__ import annotations

import asyncio

from ostiary.cache import TTLCache


async def test_found_values_are_cached_and_missing_ones_are_not() -> None:
    cache: TTLCache[str, str] = TTLCache(60)
    calls: list[str] = []

    async def load(value: str | None) -> str | None:
        calls.append(str(value))
        return value

    assert await cache.get_or_load("a", lambda: load("A")) == "A"
    assert await cache.get_or_load("a", lambda: load("other")) == "A"
    assert await cache.get_or_load("b", lambda: load(None)) is None
    assert await cache.get_or_load("b", lambda: load(None)) is None
    assert calls == ["A", "None", "None"]


async def test_expired_entry_is_reloaded_once_while_concurrent_readers_get_the_old_value() -> None:
    cache: TTLCache[str, str] = TTLCache(-1)  # already expired when set
    cache.set("k", "old")
    release = asyncio.Event()
    loads = 0

    async def slow_load() -> str:
        nonlocal loads
        loads += 1
        await release.wait()
        return "new"

    reloading = asyncio.create_task(cache.get_or_load("k", slow_load))
    await asyncio.sleep(0)
    others = [await cache.get_or_load("k", slow_load) for _ in range(5)]
    release.set()
    assert await reloading == "new"
    assert others == ["old"] * 5
    assert loads == 1


async def test_a_failed_reload_lets_the_next_caller_try_again() -> None:
    cache: TTLCache[str, str] = TTLCache(-1)  # already expired when set
    cache.set("k", "old")

    async def broken() -> str:
        raise RuntimeError("database down")

    async def working() -> str:
        return "new"

    try:
        await cache.get_or_load("k", broken)
    except RuntimeError:
        pass
    else:
        raise AssertionError("the loader's error must reach the caller")
    assert await cache.get_or_load("k", working) == "new"
