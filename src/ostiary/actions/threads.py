"""Plain-`def` Python hooks run on a thread of their own, and their time limit really ends them.

At the limit the hook's thread gets an exception raised inside it (PyThreadState_SetAsyncExc): Python code
that loops ends at its next bytecode. A thread blocked in C (a sleep, a socket read) ends only when that call
returns; until then it counts against its tenant, which may have at most MAX_THREADS_PER_TENANT hook threads
alive (further plain-def hooks of that tenant fail at once). No shared pool is used, so one tenant's stuck hooks
never take another tenant's turn.
"""

from __future__ import annotations

import asyncio
import ctypes
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

MAX_THREADS_PER_TENANT = 8
_lock = threading.Lock()
_alive: Counter[str] = Counter()


class HookTimeLimit(BaseException):  # noqa: N818 — raised inside the hook's thread; `except Exception` misses it
    """Raised inside a hook's thread when its time limit has passed."""


class TooManyHookThreads(Exception):  # noqa: N818
    pass


def alive_count(tenant_id: str) -> int:
    with _lock:
        return _alive[tenant_id]


def _interrupt(thread: threading.Thread) -> None:
    if thread.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(HookTimeLimit))


async def run_in_own_thread(tenant_id: str, fn: Callable[..., Any], args: tuple[Any, ...], limit: float) -> Any:
    with _lock:
        if _alive[tenant_id] >= MAX_THREADS_PER_TENANT:
            raise TooManyHookThreads(f"{MAX_THREADS_PER_TENANT} hooks of this tenant are still running")
        _alive[tenant_id] += 1
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def target() -> None:
        try:
            result = fn(*args)
            loop.call_soon_threadsafe(settle, result, None)
        except HookTimeLimit:
            pass
        except BaseException as exc:  # noqa: BLE001 — handed to the awaiting coroutine
            if not loop.is_closed():
                loop.call_soon_threadsafe(settle, None, exc if isinstance(exc, Exception) else RuntimeError(repr(exc)))
        finally:
            with _lock:
                _alive[tenant_id] -= 1

    thread = threading.Thread(target=target, name=f"ostiary-hook-{tenant_id}", daemon=True)
    thread.start()
    try:
        return await asyncio.wait_for(asyncio.shield(future), limit)
    except TimeoutError:
        _interrupt(thread)
        raise
