"""Database outages: which errors mean "the database cannot be reached", and one log line at each end of one.

While the database is down every request fails the same way; a traceback per request says nothing new (issue 22
measured 543 tracebacks over an 8 s outage). The edge answers 503 and calls `refused()`; the first call logs the
start and starts a probe, which logs the end (with the outage's length and the requests refused) when a
`SELECT 1` succeeds again. Nothing is restarted: the pools reconnect by themselves.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable

import asyncpg
from sqlalchemy import exc as sa_exc

log = logging.getLogger("ostiary.database")

_NETWORK_ERRNOS = frozenset({
    errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EHOSTUNREACH, errno.ENETUNREACH,
    errno.ETIMEDOUT, errno.EPIPE, errno.ENOTCONN,
})
_SERVER_GONE = (
    asyncpg.PostgresConnectionError,  # connection failure or rejection
    asyncpg.exceptions.OperatorInterventionError,  # shutting down, starting up, crash recovery
    asyncpg.exceptions.ConnectionDoesNotExistError,  # the connection died under a query
    asyncpg.exceptions.TooManyConnectionsError,
    ConnectionError,
    TimeoutError,
)
_SQLITE_GONE = ("unable to open database file", "disk i/o error")


def _one_means_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, _SERVER_GONE):
        return True
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, sqlite3.OperationalError):
        return str(exc).lower().startswith(_SQLITE_GONE)
    if isinstance(exc, OSError):  # asyncpg's "Multiple exceptions: [Errno 111] Connect call failed ..." has no errno
        return exc.errno in _NETWORK_ERRNOS or "Connect call failed" in str(exc)
    return False


def is_database_unavailable(exc: BaseException) -> bool:
    """True when `exc`, or what caused it (SQLAlchemy wraps the driver's error), says the database is unreachable."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen or len(seen) > 16:
            continue
        seen.add(id(current))
        if _one_means_unavailable(current):
            return True
        stack.extend((current.__cause__, current.__context__, getattr(current, "orig", None)))
    return False


class DatabaseOutage:
    """Per process: when the current outage started, how many requests it refused, the probe that ends it."""

    def __init__(self, probe: Callable[[], Awaitable[object]], *, interval: float = 1.0) -> None:
        self._probe = probe
        self._interval = interval
        self.started: float | None = None
        self.refused_requests = 0
        self._watcher: asyncio.Task[None] | None = None

    @property
    def ongoing(self) -> bool:
        return self.started is not None

    def refused(self, exc: BaseException) -> None:
        self.refused_requests += 1
        if self.started is not None:
            return
        self.started = time.monotonic()
        log.error(
            "database unavailable: answering 503 until it is back",
            extra={"event": "database_outage_started", "error": f"{type(exc).__name__}: {exc}"[:300]},
        )
        self._watcher = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await asyncio.wait_for(self._probe(), timeout=max(self._interval, 5.0))
            except Exception:  # noqa: BLE001, S112 (still down: whatever the driver raises; logged at the start)
                continue
            started, self.started = self.started or time.monotonic(), None
            refused, self.refused_requests = self.refused_requests, 0
            log.warning(
                "database available again",
                extra={"event": "database_outage_ended", "outage_seconds": round(time.monotonic() - started, 1),
                       "refused_requests": refused},
            )
            return

    async def close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            await asyncio.gather(self._watcher, return_exceptions=True)
