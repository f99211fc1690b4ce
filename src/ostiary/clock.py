"""Time as an injected dependency, so expiry logic is testable without sleeping."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()


class FrozenClock:
    """A clock the tests move by hand."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds


def to_datetime(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def iso8601(ts: float) -> str:
    """Auth0 writes times such as updated_at as ISO strings with milliseconds and a Z."""
    # Whole milliseconds first, so 30.9996 s becomes 31.000 and never 30.000 or 30.999.
    millis = round(ts * 1000)
    return to_datetime(millis // 1000).strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis % 1000:03d}Z"
