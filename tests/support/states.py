"""Extra AppStates with settings overrides (a rate limit, trusted proxies...), opened and closed per use."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from ostiary.clock import FrozenClock
from ostiary.runtime import AppState, close_state, open_state
from ostiary.settings import Settings

StateFactory = Callable[..., AbstractAsyncContextManager[AppState]]


def state_factory(settings: Settings, clock: FrozenClock, **defaults: Any) -> StateFactory:
    """`async with build(**overrides) as st:` a state on the test's database with these settings changed."""

    @asynccontextmanager
    async def build(**overrides: Any) -> AsyncIterator[AppState]:
        st = await open_state(settings.model_copy(update={**defaults, **overrides}), clock=clock)
        try:
            yield st
        finally:
            await close_state(st)

    return build
